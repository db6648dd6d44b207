"""Role-matrix rows of this capability, merged into tests/test_role_matrix.py (see its docstring).

extend_world(make, users, organism, ids) creates this capability's objects and adds their ids;
ROUTE_ARGS maps an endpoint to a function of ids giving its URL arguments; MATRIX maps (endpoint,
method) to the set of actors allowed (names in test_role_matrix.ACTORS); SEES_OBJECT lists routes on
hidden objects; POST_DATA gives the extra form fields an endpoint's POST needs to pass validation's
first checks.

The world's action is done, so that every logged-in person may evaluate it whatever today's phase,
except the organism's own officials, who report on it and do not rate it.
"""

from foro.extensions import db
from foro.models import ActionStatus
from foro.models.followup import ControlObservation
from tests.matrix_actors import LOGGED_IN, STAFF

ROUTE_ARGS = {
    "followup.new_update": lambda i: {"action_id": i["followup_action_id"]},
    "followup.follow": lambda i: {"action_id": i["followup_action_id"]},
    "followup.evaluate": lambda i: {"action_id": i["followup_action_id"]},
    "followup.observe": lambda i: {"action_id": i["followup_action_id"]},
    "followup.answer_observation": lambda i: {
        "action_id": i["followup_action_id"],
        "observation_id": i["followup_observation_id"],
    },
}
MATRIX = {
    ("followup.new_update", "GET"): STAFF,
    ("followup.new_update", "POST"): STAFF,
    ("followup.follow", "POST"): LOGGED_IN,
    ("followup.evaluate", "GET"): LOGGED_IN - {"official_of_organism"},
    ("followup.evaluate", "POST"): LOGGED_IN - {"official_of_organism"},
    ("followup.observe", "GET"): LOGGED_IN,
    ("followup.observe", "POST"): LOGGED_IN,
    ("followup.answer_observation", "GET"): STAFF,
    ("followup.answer_observation", "POST"): STAFF,
}
SEES_OBJECT = {}
POST_DATA = {"followup.follow": {"action": "add"}}


def extend_world(make, users, organism, ids) -> None:
    """A done action of the organism's plan, with an unanswered observation by the citizen."""
    action = make.make_action(make.make_plan(organism), status=ActionStatus.DONE)
    observation = ControlObservation(
        action_id=action.id, author_id=users["citizen"].id, body="La obra está detenida desde agosto."
    )
    db.session.add(observation)
    db.session.commit()
    ids["followup_action_id"] = action.id
    ids["followup_observation_id"] = observation.id
