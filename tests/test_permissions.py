"""Every rule of foro/permissions.py, walked through every kind of actor and every space state."""

import pytest
from flask_login import AnonymousUserMixin

from foro import permissions
from foro.extensions import db
from foro.models import Role, SpaceState
from foro.services.accounts import delete_account
from tests.factories import DEFAULT_PASSWORD

ACTORS = [
    "anonymous",
    "citizen",
    "moderator",
    "moderator_of_space",
    "official_of_organism",
    "official_of_other",
    "admin",
    "deleted",
]


@pytest.fixture
def world(make):
    organism = make.organism("SDTPC")
    other = make.organism("SSP")
    users = {
        "anonymous": AnonymousUserMixin(),
        "citizen": make.make_user(),
        "moderator": make.make_user(Role.MODERATOR),
        "moderator_of_space": make.make_user(Role.MODERATOR),
        "official_of_organism": make.make_user(Role.OFFICIAL, organism=organism),
        "official_of_other": make.make_user(Role.OFFICIAL, organism=other),
        "admin": make.make_user(Role.ADMIN),
        "deleted": make.make_user(Role.ADMIN),
    }
    delete_account(users["deleted"], password=DEFAULT_PASSWORD)
    db.session.commit()

    def space_in(state):
        return make.make_space(organism, state=state, moderators=[users["moderator_of_space"]])

    return organism, users, space_in


STAFF = {"official_of_organism", "admin"}
RUNNERS = STAFF | {"moderator_of_space"}
# target state -> who may move a space there (from the state before it)
MOVES = {
    SpaceState.ANNOUNCED: STAFF,
    SpaceState.OPEN: RUNNERS,
    SpaceState.CLOSED: RUNNERS,
    SpaceState.RESULTS_PUBLISHED: RUNNERS,
    SpaceState.RESPONSE_GIVEN: STAFF,
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target", list(MOVES))
def test_who_may_move_a_space(world, actor, target):
    _organism, users, space_in = world
    previous = list(SpaceState)[list(SpaceState).index(target) - 1]
    space = space_in(previous)
    assert permissions.can_move_space_to(users[actor], space, target) is (actor in MOVES[target])


EDITABLE_STATES = {SpaceState.DRAFT, SpaceState.ANNOUNCED, SpaceState.OPEN}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("state", list(SpaceState))
def test_who_may_edit_and_view_a_space(world, actor, state):
    _organism, users, space_in = world
    space = space_in(state)
    user = users[actor]
    assert permissions.can_edit_space(user, space) is (actor in STAFF and state in EDITABLE_STATES)
    visible = state is not SpaceState.DRAFT or actor in RUNNERS
    assert permissions.can_view_space(user, space) is visible


@pytest.mark.parametrize("actor", ACTORS)
def test_organism_scoped_rules(world, actor):
    organism, users, _space_in = world
    user = users[actor]
    for rule in (permissions.can_edit_plan, permissions.can_create_space, permissions.can_see_drafts_of):
        assert rule(user, organism.id) is (actor in STAFF), rule.__name__


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_only_rules(world, actor):
    _organism, users, _space_in = world
    user = users[actor]
    assert permissions.can_manage_reference_data(user) is (actor == "admin")
    assert permissions.can_manage_users(user) is (actor == "admin")


def test_granting_roles(world, make):
    organism, users, _space_in = world
    admin, citizen = users["admin"], users["citizen"]
    assert permissions.can_grant_role(admin, citizen, Role.MODERATOR, None)
    assert permissions.can_grant_role(admin, citizen, Role.OFFICIAL, organism)
    assert not permissions.can_grant_role(admin, citizen, Role.OFFICIAL, None)
    assert not permissions.can_grant_role(admin, citizen, Role.MODERATOR, organism)
    assert not permissions.can_grant_role(admin, admin, Role.CITIZEN, None)
    assert not permissions.can_grant_role(admin, users["deleted"], Role.MODERATOR, None)
    for actor in ACTORS:
        if actor != "admin":
            assert not permissions.can_grant_role(users[actor], citizen, Role.MODERATOR, None)


@pytest.mark.parametrize("actor", ACTORS)
def test_forum_rules(world, make, actor):
    organism, users, _space_in = world
    user = users[actor]
    forum = make.make_forum(org=organism, moderators=[users["moderator_of_space"]])
    closed = make.make_forum(org=organism, state=SpaceState.CLOSED, moderators=[users["moderator_of_space"]])
    own_post = make.make_post(forum, users["citizen"])
    assert permissions.can_moderate(user, forum.space) is (actor in {"moderator_of_space", "admin"})
    assert permissions.can_configure_forum(user, forum.space) is (actor in STAFF)
    assert permissions.can_publish_synthesis(user, closed.space) is (actor in RUNNERS)
    assert not permissions.can_publish_synthesis(user, forum.space)
    assert permissions.can_flag_post(user, own_post) is (actor in {"moderator", "moderator_of_space",
                                                                   "official_of_organism", "official_of_other",
                                                                   "admin"})
    assert permissions.can_open_moderation_queue(user) is (actor in {"moderator", "moderator_of_space", "admin"})
