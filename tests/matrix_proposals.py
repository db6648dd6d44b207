"""Role-matrix rows of this capability, merged into tests/test_role_matrix.py (see its docstring).

extend_world(make, users, organism, ids) creates this capability's objects and adds their ids;
ROUTE_ARGS maps an endpoint to a function of ids giving its URL arguments; MATRIX maps (endpoint,
method) to the set of actors allowed (names in test_role_matrix.ACTORS); SEES_OBJECT lists routes on
hidden objects; POST_DATA gives the extra form fields an endpoint's POST needs to pass validation's
first checks.

The world: an announced call (its settings may still change), and a call receiving proposals with one
proposal by the citizen, who invited the (unassigned) moderator to co-author it.
"""

from foro.extensions import db
from foro.models import CallWindow, ProposalCoauthor, SpaceState
from tests.matrix_actors import EVERYONE, LOGGED_IN, STAFF

AUTHOR = {"citizen"}
INVITEE = {"moderator"}
MODERATORS = {"moderator_of_space", "admin"}


def _proposal(i):
    return {"space_id": i["call_space_id"], "proposal_id": i["proposal_id"]}


ROUTE_ARGS = {
    "proposals.call_settings": lambda i: {"space_id": i["announced_call_space_id"]},
    "proposals.index": lambda i: {"space_id": i["call_space_id"]},
    "proposals.new": lambda i: {"space_id": i["call_space_id"]},
    "proposals.show": _proposal,
    "proposals.edit": _proposal,
    "proposals.withdraw": _proposal,
    "proposals.support": _proposal,
    "proposals.comment": _proposal,
    "proposals.invite_coauthor": _proposal,
    "proposals.respond_invitation": _proposal,
    "proposals.follow": _proposal,
    "proposals.merge": _proposal,
    "proposals.moderate": _proposal,
}
MATRIX = {
    ("proposals.call_settings", "GET"): STAFF,
    ("proposals.call_settings", "POST"): STAFF,
    ("proposals.index", "GET"): EVERYONE,
    ("proposals.new", "GET"): LOGGED_IN,
    ("proposals.new", "POST"): LOGGED_IN,
    ("proposals.show", "GET"): EVERYONE,
    ("proposals.edit", "GET"): AUTHOR,
    ("proposals.edit", "POST"): AUTHOR,
    ("proposals.withdraw", "POST"): AUTHOR,
    ("proposals.support", "POST"): LOGGED_IN - AUTHOR,
    ("proposals.comment", "POST"): LOGGED_IN,
    ("proposals.invite_coauthor", "POST"): AUTHOR,
    ("proposals.respond_invitation", "POST"): INVITEE,
    ("proposals.follow", "POST"): LOGGED_IN,
    ("proposals.merge", "POST"): MODERATORS,
    ("proposals.moderate", "POST"): MODERATORS,
}
SEES_OBJECT = {}
POST_DATA = {
    "proposals.support": {"action": "add"},
    "proposals.follow": {"action": "add"},
    "proposals.respond_invitation": {"action": "accept"},
}


def extend_world(make, users, organism, ids) -> None:
    moderators = [users["moderator_of_space"]]
    announced = make.make_call(organism, window=CallWindow.NOT_OPEN, state=SpaceState.ANNOUNCED, moderators=moderators)
    call = make.make_call(organism, window=CallWindow.PROPOSING, moderators=moderators)
    proposal = make.make_proposal(call, users["citizen"])
    db.session.add(ProposalCoauthor(proposal_id=proposal.id, user_id=users["moderator"].id))
    db.session.commit()
    ids |= {
        "announced_call_space_id": announced.space_id,
        "call_space_id": call.space_id,
        "proposal_id": proposal.id,
    }
