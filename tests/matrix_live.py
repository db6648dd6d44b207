"""Role-matrix rows of the live sessions, merged into tests/test_role_matrix.py (see its docstring).

The world: an open live session of the organism (moderated by ``moderator_of_space``) with two agenda
items, an approved question by the citizen and an open poll; and a closed one with a question left
unanswered (owed) by the citizen, who registered to attend it (so only the citizen may evaluate it).
"""

from foro.extensions import db
from foro.models import QuestionStatus, SpaceState
from foro.models.live import LiveAttendance
from foro.timeutil import now_utc
from tests.matrix_actors import EVERYONE, LOGGED_IN, STAFF

RUNNERS = {"moderator_of_space", "admin"}  # can_moderate: the space's moderators and admins
AUTHOR = {"citizen"}


def _open(i):
    return {"space_id": i["live_open_id"]}


ROUTE_ARGS = {
    "live.session": _open,
    "live.state": _open,
    "live.settings": _open,
    "live.add_item": _open,
    "live.update_item": lambda i: _open(i) | {"item_id": i["live_item_id"]},
    "live.remove_item": lambda i: _open(i) | {"item_id": i["live_item_id"]},
    "live.move_item": lambda i: _open(i) | {"item_id": i["live_item_id"]},
    "live.attend": _open,
    "live.ask": _open,
    "live.upvote": lambda i: _open(i) | {"question_id": i["live_question_id"]},
    "live.moderate": lambda i: _open(i) | {"question_id": i["live_question_id"]},
    "live.advance": _open,
    "live.launch_poll": _open,
    "live.close_poll": lambda i: _open(i) | {"poll_id": i["live_poll_id"]},
    "live.vote_poll": lambda i: _open(i) | {"poll_id": i["live_poll_id"]},
    "live.commit": _open,
    "live.record": lambda i: {"space_id": i["live_closed_id"]},
    "live.record_download": lambda i: {"space_id": i["live_closed_id"]},
    "live.answer_question": lambda i: {"space_id": i["live_closed_id"], "question_id": i["live_owed_id"]},
    "live.evaluate": lambda i: {"space_id": i["live_closed_id"]},
}
MATRIX = {
    ("live.session", "GET"): EVERYONE,
    ("live.state", "GET"): EVERYONE,
    ("live.settings", "GET"): STAFF,
    ("live.settings", "POST"): STAFF,
    ("live.add_item", "POST"): STAFF,
    ("live.update_item", "POST"): STAFF,
    ("live.remove_item", "POST"): STAFF,
    ("live.move_item", "POST"): STAFF,
    ("live.attend", "POST"): LOGGED_IN,
    ("live.ask", "POST"): LOGGED_IN,
    ("live.upvote", "POST"): LOGGED_IN - AUTHOR,
    ("live.moderate", "POST"): RUNNERS,
    ("live.advance", "POST"): RUNNERS,
    ("live.launch_poll", "POST"): RUNNERS,
    ("live.close_poll", "POST"): RUNNERS,
    ("live.vote_poll", "POST"): LOGGED_IN,
    ("live.commit", "POST"): RUNNERS,
    ("live.record", "GET"): EVERYONE,
    ("live.record_download", "GET"): EVERYONE,
    ("live.answer_question", "GET"): STAFF,
    ("live.answer_question", "POST"): STAFF,
    ("live.evaluate", "GET"): AUTHOR,
    ("live.evaluate", "POST"): AUTHOR,
}
SEES_OBJECT = {}
POST_DATA = {"live.attend": {"attending": "yes"}, "live.move_item": {"direction": "1"}}


def extend_world(make, users, organism, ids) -> None:
    moderators = [users["moderator_of_space"]]
    live = make.make_live_session(
        state=SpaceState.OPEN, moderators=moderators, agenda=("Avance del plan", "Presupuesto"), org=organism
    )
    question = make.make_live_question(live, users["citizen"], status=QuestionStatus.APPROVED)
    poll = make.make_live_poll(live)
    closed = make.make_live_session(state=SpaceState.CLOSED, moderators=moderators, org=organism)
    owed = make.make_live_question(closed, users["citizen"], status=QuestionStatus.APPROVED)
    db.session.add(LiveAttendance(session_id=closed.id, user_id=users["citizen"].id, registered_at=now_utc()))
    db.session.commit()
    ids |= {
        "live_open_id": live.space_id,
        "live_item_id": live.agenda[0].id,
        "live_question_id": question.id,
        "live_poll_id": poll.id,
        "live_closed_id": closed.space_id,
        "live_owed_id": owed.id,
    }
