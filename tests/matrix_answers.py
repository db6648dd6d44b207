"""Role-matrix rows of this capability, merged into tests/test_role_matrix.py (see its docstring).

extend_world(make, users, organism, ids) creates this capability's objects and adds their ids;
ROUTE_ARGS maps an endpoint to a function of ids giving its URL arguments; MATRIX maps (endpoint,
method) to the set of actors allowed (names in test_role_matrix.ACTORS); SEES_OBJECT lists routes on
hidden objects; POST_DATA gives the extra form fields an endpoint's POST needs to pass validation's
first checks.
"""

from foro.models import CallWindow, SpaceState
from foro.timeutil import now_utc
from tests.matrix_actors import EVERYONE, STAFF

ROUTE_ARGS = {
    "answers.index": lambda i: {"space_id": i["answers_space_id"]},
    "answers.answer": lambda i: {"space_id": i["answers_space_id"], "proposal_id": i["answers_proposal_id"]},
    "answers.traceability": lambda i: {"action_id": i["action_id"]},
}
MATRIX = {
    ("answers.index", "GET"): EVERYONE,
    ("answers.traceability", "GET"): EVERYONE,
    ("answers.answer", "GET"): STAFF,
    ("answers.answer", "POST"): STAFF,
}
SEES_OBJECT = {}
POST_DATA = {}


def extend_world(make, users, organism, ids) -> None:
    """A call of the organism whose results are published, with one winning proposal to answer."""
    call = make.make_call(
        organism,
        window=CallWindow.FINISHED,
        state=SpaceState.RESULTS_PUBLISHED,
        results_published_at=now_utc(),
        moderators=[users["moderator_of_space"]],
    )
    proposal = make.make_proposal(call, users["citizen"], is_winner=True, rank=1, votes_count=3)
    ids["answers_space_id"] = call.space_id
    ids["answers_proposal_id"] = proposal.id
