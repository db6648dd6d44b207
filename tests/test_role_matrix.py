"""Every route, walked by every kind of actor over HTTP (RELIABILITY.md: access control).

Allowed: the page answers (200, a redirect that is not to log-in, or 400 for an empty form: the
permission check passed and the form refused the data). Denied: 403 for people who are logged in,
a redirect to log-in for visitors, 404 where the object is hidden; and nothing stored.
A route missing from this table fails ``test_every_route_is_classified``.

The capabilities of issue 4 keep their rows in their own modules (``tests/matrix_*.py``): each adds
objects to the world (``extend_world``), its ``ROUTE_ARGS``, ``MATRIX``, ``SEES_OBJECT`` and the extra
form fields its POSTs need (``POST_DATA``).
"""

from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from flask import url_for

from foro.extensions import db
from foro.models import Role, SpaceState
from foro.services.accounts import delete_account
from tests import matrix_answers, matrix_followup, matrix_live, matrix_proposals, matrix_voting
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import csrf_token, login, table_row_counts
from tests.matrix_actors import ACTORS, ADMINS, EVERYONE, LOGGED_IN, RUNNERS, STAFF

CAPABILITIES = (matrix_proposals, matrix_voting, matrix_answers, matrix_followup, matrix_live)


@dataclass
class World:
    app: object
    ids: dict

    def url(self, endpoint: str, **overrides) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **(ROUTE_ARGS[endpoint](self.ids) | overrides))


@pytest.fixture
def world(make, app):
    organism = make.organism("SDTPC")
    users = {
        "citizen": make.make_user(),
        "moderator": make.make_user(Role.MODERATOR),
        "moderator_of_space": make.make_user(Role.MODERATOR),
        "official_of_organism": make.make_user(Role.OFFICIAL, organism=organism),
        "official_of_other": make.make_user(Role.OFFICIAL, organism=make.organism("SSP")),
        "admin": make.make_user(Role.ADMIN),
        "deleted": make.make_user(),
    }
    action = make.make_action(make.make_plan(organism))
    moderators = [users["moderator_of_space"]]
    draft = make.make_space(organism, state=SpaceState.DRAFT, moderators=moderators)
    open_space = make.make_space(organism, state=SpaceState.OPEN, moderators=moderators)
    target = make.make_user(display_name="Persona a la que se le cambia el rol")
    forum = make.make_forum(org=organism, moderators=moderators)
    post = make.make_post(forum, users["citizen"])
    closed_forum = make.make_forum(org=organism, state=SpaceState.CLOSED, moderators=moderators)
    notification = make.make_notification(users["citizen"])
    ids = {
        "acronym": organism.acronym,
        "year": action.plan.cycle.year,
        "cycle_id": action.plan.cycle_id,
        "action_id": action.id,
        "draft_id": draft.id,
        "open_id": open_space.id,
        "organism_id": organism.id,
        "territory_id": make.territory(3).id,
        "group_id": make.target_group().id,
        "target_user_id": target.id,
        "forum_space_id": forum.space_id,
        "post_id": post.id,
        "closed_forum_space_id": closed_forum.space_id,
        "notification_id": notification.id,
    }
    for capability in CAPABILITIES:
        capability.extend_world(make, users, organism, ids)
    return World(app=app, ids=ids), users


ROUTE_ARGS = {
    "main.home": lambda i: {},
    "accounts.privacy_policy": lambda i: {},
    "accounts.register": lambda i: {},
    "accounts.login": lambda i: {},
    "accounts.logout": lambda i: {},
    "accounts.account": lambda i: {},
    "accounts.change_password": lambda i: {},
    "accounts.export_data": lambda i: {},
    "accounts.delete_account": lambda i: {},
    "organisms.index": lambda i: {},
    "organisms.show": lambda i: {"acronym": i["acronym"]},
    "organisms.health": lambda i: {"acronym": i["acronym"]},
    "territories.index": lambda i: {},
    "territories.show": lambda i: {"kind": "comuna", "number": 3},
    "plans.show": lambda i: {"acronym": i["acronym"], "year": i["year"]},
    "plans.action": lambda i: {"action_id": i["action_id"]},
    "plans.action_new": lambda i: {"acronym": i["acronym"], "year": i["year"]},
    "plans.action_edit": lambda i: {"action_id": i["action_id"]},
    "spaces.calendar": lambda i: {},
    "spaces.calendar_ics": lambda i: {},
    "spaces.show": lambda i: {"space_id": i["open_id"]},
    "spaces.new": lambda i: {"acronym": i["acronym"]},
    "spaces.edit": lambda i: {"space_id": i["open_id"]},
    "spaces.change_state": lambda i: {"space_id": i["draft_id"]},
    "admin.index": lambda i: {},
    "admin.organisms": lambda i: {},
    "admin.organism_new": lambda i: {},
    "admin.organism_edit": lambda i: {"organism_id": i["organism_id"]},
    "admin.territories": lambda i: {},
    "admin.territory_edit": lambda i: {"territory_id": i["territory_id"]},
    "admin.target_groups": lambda i: {},
    "admin.target_group_edit": lambda i: {"group_id": i["group_id"]},
    "admin.cycles": lambda i: {},
    "admin.cycle_new": lambda i: {},
    "admin.cycle_edit": lambda i: {"cycle_id": i["cycle_id"]},
    "admin.users": lambda i: {},
    "admin.user_role": lambda i: {"user_id": i["target_user_id"]},
    "forums.show": lambda i: {"space_id": i["forum_space_id"]},
    "forums.thread": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "forums.new_contribution": lambda i: {"space_id": i["forum_space_id"]},
    "forums.reply": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "forums.edit_post": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "forums.withdraw_post": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "forums.support": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "forums.follow": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "forums.settings": lambda i: {"space_id": i["forum_space_id"]},
    "forums.synthesis": lambda i: {"space_id": i["closed_forum_space_id"]},
    "moderation.flag": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "moderation.queue": lambda i: {},
    "moderation.act": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "moderation.suspend": lambda i: {"space_id": i["forum_space_id"]},
    "moderation.revisions": lambda i: {"space_id": i["forum_space_id"], "post_id": i["post_id"]},
    "moderation.transparency": lambda i: {"space_id": i["forum_space_id"]},
    "moderation.log": lambda i: {},
    "moderation.log_export": lambda i: {},
    "notifications.index": lambda i: {},
    "notifications.read": lambda i: {"notification_id": i["notification_id"]},
    "search.all_forums": lambda i: {},
    "search.forum": lambda i: {"space_id": i["forum_space_id"]},
}
for capability in CAPABILITIES:
    ROUTE_ARGS |= capability.ROUTE_ARGS

AUTHOR = {"citizen"}  # the author of the forum post every forum route points at
FORUM_MODERATORS = {"moderator_of_space", "admin"}
# (endpoint, method) -> who is allowed. Public GETs are allowed to everyone.
MATRIX = {
    ("main.home", "GET"): EVERYONE,
    ("accounts.privacy_policy", "GET"): EVERYONE,
    ("accounts.register", "GET"): EVERYONE,
    ("accounts.login", "GET"): EVERYONE,
    ("organisms.index", "GET"): EVERYONE,
    ("organisms.show", "GET"): EVERYONE,
    ("organisms.health", "GET"): EVERYONE,
    ("territories.index", "GET"): EVERYONE,
    ("territories.show", "GET"): EVERYONE,
    ("plans.show", "GET"): EVERYONE,
    ("plans.action", "GET"): EVERYONE,
    ("spaces.calendar", "GET"): EVERYONE,
    ("spaces.calendar_ics", "GET"): EVERYONE,
    ("spaces.show", "GET"): EVERYONE,
    ("accounts.account", "GET"): LOGGED_IN,
    ("accounts.account", "POST"): LOGGED_IN,
    ("accounts.change_password", "GET"): LOGGED_IN,
    ("accounts.change_password", "POST"): LOGGED_IN,
    ("accounts.export_data", "GET"): LOGGED_IN,
    ("accounts.delete_account", "GET"): LOGGED_IN,
    ("accounts.delete_account", "POST"): LOGGED_IN,
    ("plans.action_new", "GET"): STAFF,
    ("plans.action_new", "POST"): STAFF,
    ("plans.action_edit", "GET"): STAFF,
    ("plans.action_edit", "POST"): STAFF,
    ("spaces.new", "GET"): STAFF,
    ("spaces.new", "POST"): STAFF,
    ("spaces.edit", "GET"): STAFF,
    ("spaces.edit", "POST"): STAFF,
    ("spaces.change_state", "POST"): STAFF,
    ("admin.index", "GET"): ADMINS,
    ("admin.organisms", "GET"): ADMINS,
    ("admin.organism_new", "GET"): ADMINS,
    ("admin.organism_new", "POST"): ADMINS,
    ("admin.organism_edit", "GET"): ADMINS,
    ("admin.organism_edit", "POST"): ADMINS,
    ("admin.territories", "GET"): ADMINS,
    ("admin.territory_edit", "GET"): ADMINS,
    ("admin.territory_edit", "POST"): ADMINS,
    ("admin.target_groups", "GET"): ADMINS,
    ("admin.target_groups", "POST"): ADMINS,
    ("admin.target_group_edit", "GET"): ADMINS,
    ("admin.target_group_edit", "POST"): ADMINS,
    ("admin.cycles", "GET"): ADMINS,
    ("admin.cycle_new", "GET"): ADMINS,
    ("admin.cycle_new", "POST"): ADMINS,
    ("admin.cycle_edit", "GET"): ADMINS,
    ("admin.cycle_edit", "POST"): ADMINS,
    ("admin.users", "GET"): ADMINS,
    ("admin.user_role", "POST"): ADMINS,
    ("forums.show", "GET"): EVERYONE,
    ("forums.thread", "GET"): EVERYONE,
    ("forums.new_contribution", "GET"): LOGGED_IN,
    ("forums.new_contribution", "POST"): LOGGED_IN,
    ("forums.reply", "POST"): LOGGED_IN,
    ("forums.edit_post", "GET"): AUTHOR,
    ("forums.edit_post", "POST"): AUTHOR,
    ("forums.withdraw_post", "POST"): AUTHOR,
    ("forums.support", "POST"): LOGGED_IN - AUTHOR,
    ("forums.follow", "POST"): LOGGED_IN,
    ("forums.settings", "GET"): STAFF,
    ("forums.settings", "POST"): STAFF,
    ("forums.synthesis", "GET"): RUNNERS,
    ("forums.synthesis", "POST"): RUNNERS,
    ("moderation.flag", "GET"): LOGGED_IN,
    ("moderation.flag", "POST"): LOGGED_IN - AUTHOR,
    ("moderation.queue", "GET"): FORUM_MODERATORS,
    ("moderation.act", "POST"): FORUM_MODERATORS,
    ("moderation.suspend", "POST"): FORUM_MODERATORS,
    ("moderation.revisions", "GET"): FORUM_MODERATORS,
    ("moderation.transparency", "GET"): EVERYONE,
    ("moderation.log", "GET"): ADMINS,
    ("moderation.log_export", "GET"): ADMINS,
    ("notifications.index", "GET"): LOGGED_IN,
    ("notifications.index", "POST"): LOGGED_IN,
    ("notifications.read", "POST"): AUTHOR,
    ("search.all_forums", "GET"): EVERYONE,
    ("search.forum", "GET"): EVERYONE,
}
# Routes on a hidden object (the draft space): logged-in people who may not even see it get a 404.
SEES_OBJECT = {("spaces.change_state", "POST"): RUNNERS, ("notifications.read", "POST"): AUTHOR}
POST_DATA = {}
for capability in CAPABILITIES:
    MATRIX |= capability.MATRIX
    SEES_OBJECT |= capability.SEES_OBJECT
    POST_DATA |= capability.POST_DATA
# Routes whose POST anyone may send (their own checks are tested in test_accounts.py).
UNGUARDED_POSTS = {"accounts.register", "accounts.login", "accounts.logout"}


def _browser_for(actor, users, make_client):
    client = make_client()
    if actor == "anonymous":
        return client
    login(client, users[actor])
    if actor == "deleted":
        delete_account(users["deleted"], password=DEFAULT_PASSWORD)
        db.session.commit()
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlparse(response.location).path == "/cuenta/ingresar"


def test_every_route_is_classified(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    unguarded = {(endpoint, "POST") for endpoint in UNGUARDED_POSTS}
    assert routes - unguarded == set(MATRIX)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_role_matrix(world, make_client, actor, endpoint, method):
    places, users = world
    client = _browser_for(actor, users, make_client)
    url = places.url(endpoint)
    allowed = actor in MATRIX[(endpoint, method)]
    before = table_row_counts()
    if method == "GET":
        response = client.get(url)
    else:
        # An empty form with a valid token: allowed people reach validation, others are stopped before.
        token = csrf_token(client, "/cuenta/registro" if actor not in LOGGED_IN else "/cuenta")
        data = {"csrf_token": token}
        if endpoint == "spaces.change_state":
            data["target"] = "announced"
        if endpoint in ("forums.support", "forums.follow"):
            data["action"] = "add"
        if endpoint == "moderation.flag":
            data["reason"] = "spam"
        data |= POST_DATA.get(endpoint, {})
        response = client.post(url, data=data)

    if allowed:
        # 409: the permission check passed and the request met the object's state (already following).
        assert response.status_code in (200, 302, 303, 400, 409), response.status_code
        assert not _is_login_redirect(response)
        if endpoint == "spaces.change_state":
            assert response.status_code == 302
            db.session.rollback()
            assert table_row_counts()["space_transitions"] == before["space_transitions"] + 1
    else:
        if actor in LOGGED_IN:
            expected = 403 if actor in SEES_OBJECT.get((endpoint, method), EVERYONE) else 404
            assert response.status_code == expected, (actor, endpoint, method, response.status_code)
        else:
            assert _is_login_redirect(response), (actor, endpoint, method, response.status_code)
        if method == "POST":
            assert table_row_counts() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_draft_space_is_hidden_from_those_who_may_not_see_it(world, make_client, actor):
    places, users = world
    client = _browser_for(actor, users, make_client)
    response = client.get(places.url("spaces.show", space_id=places.ids["draft_id"]))
    assert response.status_code == (200 if actor in RUNNERS else 404)
