"""The live accountability session service (foro.services.live_sessions): every rule of the live queue,
polls, commitments, presence, the snapshot, the record and the evaluation, against the real database,
with the refusals storing nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed, NotFound, RateLimited
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    Commitment,
    LiveAttendance,
    LivePoll,
    LivePollOption,
    LivePollVote,
    LivePresence,
    LiveQuestion,
    LiveSession,
    Notification,
    NotificationKind,
    Phase,
    PollStatus,
    Procedure,
    QuestionStatus,
    QuestionUpvote,
    Role,
    SessionEvaluation,
    SpaceKind,
    SpaceState,
)
from foro.models.moderation import SpaceSuspension
from foro.services import followup, spaces
from foro.services import live_sessions as live
from foro.timeutil import local_today, now_utc
from tests.helpers import login, table_row_counts


def refused(error_class, work):
    """``work`` raises ``error_class`` and the database is left exactly as it was."""
    before = table_row_counts()
    with pytest.raises(error_class) as info:
        work()
    db.session.rollback()
    assert table_row_counts() == before
    return info.value


def commit(value=None):
    db.session.commit()
    return value


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def revision(session) -> int:
    db.session.rollback()
    return db.session.get(LiveSession, session.id).revision


@pytest.fixture
def setup(make):
    """An open session with two agenda items, its moderator, an official of its organism, two citizens."""
    session = make.make_live_session(agenda=("Avance del plan", "Presupuesto"))
    space = session.space
    return {
        "make": make,
        "session": session,
        "space": space,
        "moderator": space.moderators[0],
        "official": make.make_official(),
        "ana": make.make_user(display_name="Ana Rivera"),
        "beto": make.make_user(display_name="Beto Cárdenas"),
    }


# --- The session ---------------------------------------------------------------------------------------


def test_session_for_is_get_or_create_and_only_for_live_sessions(make):
    space = make.make_space(kind=SpaceKind.LIVE_SESSION)
    assert live.session_of(space) is None
    created = live.session_for(space)
    assert live.session_for(space) is created
    commit()
    assert live.session_of(space).id == created.id
    with pytest.raises(ValueError):
        live.session_for(make.make_space(kind=SpaceKind.FORUM))


def test_actions_on_a_space_of_another_kind_are_not_found(setup):
    forum_space = setup["make"].make_space(kind=SpaceKind.FORUM)
    refused(NotFound, lambda: live.ask(setup["ana"], forum_space, body="¿Hola?"))


# --- Asking ---------------------------------------------------------------------------------------------


def test_ask_stores_a_pending_question_for_moderators_and_its_author_only(setup):
    space, session, ana = setup["space"], setup["session"], setup["ana"]
    before = revision(session)
    item = session.agenda[1]
    question, changes = live.ask(ana, space, body="  ¿Cuándo terminan el parque?  ", item_id=item.id)
    commit()
    question = fresh(LiveQuestion, question.id)
    assert question.status is QuestionStatus.PENDING
    assert question.body == "¿Cuándo terminan el parque?"
    assert question.agenda_item_id == item.id and question.in_advance is False
    assert {c.audience for c in changes} == {"moderators", f"user:{ana.id}"}
    assert all(c.event == "question" and c.data["space"] == space.id for c in changes)
    assert all(c.data["revision"] == before + 1 == revision(session) for c in changes)
    assert changes[0].data["id"] == question.id and changes[0].data["status"] == "pending"
    assert changes[0].data["author"] == "Ana Rivera"
    # Only the author's own sockets are told the question is theirs.
    assert {c.audience: c.data.get("mine") for c in changes} == {"moderators": None, f"user:{ana.id}": True}


def test_a_question_sent_while_announced_is_in_advance(make):
    session = make.make_live_session(state=SpaceState.ANNOUNCED)
    question, _changes = live.ask(make.make_user(), session.space, body="¿Qué pasó con la meta?")
    commit()
    assert fresh(LiveQuestion, question.id).in_advance is True


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "\u200b\u200b",
        "Hola\x00mundo",
        "x" * 501,
        None,
        123,
        ["¿lista?"],
    ],
)
def test_bad_questions_are_refused_and_nothing_is_stored(setup, body):
    error = refused(InvalidInput, lambda: live.ask(setup["ana"], setup["space"], body=body))
    assert error.field == "body"
    assert str(error.message)


def test_a_question_of_exactly_the_limit_is_accepted(setup):
    question, _ = live.ask(setup["ana"], setup["space"], body="¿" + "a" * 498 + "?")
    assert len(question.body) == 500


def test_ask_refusals(setup):
    make, space, ana = setup["make"], setup["space"], setup["ana"]
    other = make.make_live_session()
    refused(NotFound, lambda: live.ask(ana, space, body="¿Y esto?", item_id=other.agenda[0].id))
    refused(InvalidInput, lambda: live.ask(ana, space, body="¿Y esto?", item_id="1"))
    refused(NotAllowed, lambda: live.ask(None, space, body="¿Y esto?"))
    closed = make.make_live_session(state=SpaceState.CLOSED)
    error = refused(InvalidTransition, lambda: live.ask(ana, closed.space, body="¿Y esto?"))
    assert "terminó" in str(error.message)


def test_a_person_suspended_from_the_space_may_not_ask(setup):
    space, ana = setup["space"], setup["ana"]
    db.session.add(
        SpaceSuspension(
            space_id=space.id,
            user_id=ana.id,
            until=now_utc() + timedelta(days=3),
            reason="Insultos",
            moderator_id=setup["moderator"].id,
        )
    )
    commit()
    error = refused(NotAllowed, lambda: live.ask(ana, space, body="¿Puedo preguntar?"))
    assert "suspensión" in str(error.message)


def test_questions_are_rate_limited_per_person_and_session(setup):
    space, ana, beto = setup["space"], setup["ana"], setup["beto"]
    for n in range(live.QUESTIONS_PER_MINUTE):
        live.ask(ana, space, body=f"¿Pregunta número {n}?")
    commit()
    error = refused(RateLimited, lambda: live.ask(ana, space, body="¿Una más?"))
    assert error.status_code == 429 and "Espera" in str(error.message)
    live.ask(beto, space, body="¿Y la mía?")  # another person is not limited
    commit()
    # A minute later the old questions no longer count.
    db.session.execute(update(LiveQuestion).values(created_at=now_utc() - timedelta(seconds=61)))
    commit()
    live.ask(ana, space, body="¿Ya puedo?")


# --- Moderation -----------------------------------------------------------------------------------------


def test_approval_makes_the_question_public(setup):
    make, space, session, moderator = setup["make"], setup["space"], setup["session"], setup["moderator"]
    question = make.make_live_question(session, setup["ana"], status=QuestionStatus.PENDING)
    changes = live.moderate_question(moderator, space, question.id, "approve")
    commit()
    assert [(c.event, c.audience, c.data["status"]) for c in changes] == [("question", "public", "approved")]
    stored = fresh(LiveQuestion, question.id)
    assert stored.status is QuestionStatus.APPROVED and stored.moderated_by_id == moderator.id
    assert changes[0].data["revision"] == revision(session)
    # A second approval of the same question is a conflict, with no change.
    error = refused(Conflict, lambda: live.moderate_question(moderator, space, question.id, "approve"))
    assert error.status_code == 409 and str(error.message) == "Esta pregunta ya está «En la fila»."


def test_citizens_and_officials_who_do_not_moderate_may_not_moderate(setup):
    make, space, session = setup["make"], setup["space"], setup["session"]
    question = make.make_live_question(session, setup["ana"], status=QuestionStatus.PENDING)
    for actor in (setup["beto"], setup["official"], None, make.make_user(Role.MODERATOR)):
        refused(NotAllowed, lambda actor=actor: live.moderate_question(actor, space, question.id, "approve"))
    assert fresh(LiveQuestion, question.id).status is QuestionStatus.PENDING


def test_moderation_refuses_unknown_decisions_and_questions_of_other_sessions(setup):
    make, space, moderator = setup["make"], setup["space"], setup["moderator"]
    other = make.make_live_session()
    foreign = make.make_live_question(other, setup["ana"], status=QuestionStatus.PENDING)
    refused(NotFound, lambda: live.moderate_question(moderator, space, foreign.id, "approve"))
    refused(InvalidInput, lambda: live.moderate_question(moderator, space, foreign.id, "publish"))
    refused(InvalidInput, lambda: live.moderate_question(moderator, space, "7", "approve"))
    assert fresh(LiveQuestion, foreign.id).status is QuestionStatus.PENDING


def test_dismissal_needs_a_reason_and_tells_the_author(setup):
    make, space, session, moderator, ana = (
        setup["make"],
        setup["space"],
        setup["session"],
        setup["moderator"],
        setup["ana"],
    )
    question = make.make_live_question(session, ana, status=QuestionStatus.APPROVED)
    for reason in ("", " \u200b ", "x" * 301, "mal\x00"):
        error = refused(
            InvalidInput, lambda r=reason: live.moderate_question(moderator, space, question.id, "dismiss", reason=r)
        )
        assert error.field == "reason"
    changes = live.moderate_question(moderator, space, question.id, "dismiss", reason="Es un insulto personal.")
    commit()
    stored = fresh(LiveQuestion, question.id)
    assert stored.status is QuestionStatus.DISMISSED and stored.dismissal_reason == "Es un insulto personal."
    # The public had it (it was approved): it is told to drop it, without the text.
    public = [c for c in changes if c.audience == "public"]
    assert [c.data for c in public] == [
        {"id": question.id, "status": "dismissed", "space": space.id, "revision": revision(session)}
    ]
    assert {c.audience for c in changes} == {"public", "moderators", f"user:{ana.id}"}
    notice = db.session.scalar(select(Notification).where(Notification.user_id == ana.id))
    assert notice.kind is NotificationKind.MODERATION
    assert "Es un insulto personal." in notice.message and notice.url == f"/espacios/{space.id}/sesion"


def test_dismissing_a_pending_question_sends_nothing_public(setup):
    make, space, session = setup["make"], setup["space"], setup["session"]
    question = make.make_live_question(session, setup["ana"], status=QuestionStatus.PENDING)
    changes = live.moderate_question(setup["moderator"], space, question.id, "dismiss", reason="Repetida.")
    assert "public" not in {c.audience for c in changes}


def test_only_one_question_is_being_answered_at_a_time(setup):
    make, space, session, moderator = setup["make"], setup["space"], setup["session"], setup["moderator"]
    first = make.make_live_question(session, setup["ana"])
    second = make.make_live_question(session, setup["beto"])
    live.moderate_question(moderator, space, first.id, "answering")
    commit()
    changes = live.moderate_question(moderator, space, second.id, "answering")
    commit()
    assert [(c.data["id"], c.data["status"], c.audience) for c in changes] == [
        (first.id, "approved", "public"),
        (second.id, "answering", "public"),
    ]
    assert fresh(LiveQuestion, first.id).status is QuestionStatus.APPROVED
    assert (
        db.session.scalar(
            select(func.count()).select_from(LiveQuestion).where(LiveQuestion.status == QuestionStatus.ANSWERING)
        )
        == 1
    )


def test_answered_needs_a_summary_and_records_who_answered(setup):
    make, space, session, moderator = setup["make"], setup["space"], setup["session"], setup["moderator"]
    question = make.make_live_question(session, setup["ana"], status=QuestionStatus.ANSWERING)
    refused(InvalidInput, lambda: live.moderate_question(moderator, space, question.id, "answered", summary=" "))
    refused(InvalidInput, lambda: live.moderate_question(moderator, space, question.id, "answered", summary="a" * 2001))
    changes = live.moderate_question(moderator, space, question.id, "answered", summary="Termina en marzo de 2027.")
    commit()
    stored = fresh(LiveQuestion, question.id)
    assert stored.status is QuestionStatus.ANSWERED and stored.answer == "Termina en marzo de 2027."
    assert stored.answered_by_id == moderator.id and stored.answered_at is not None
    assert stored.answered_in_writing is False
    assert changes[0].data["answer"] == "Termina en marzo de 2027." and changes[0].audience == "public"
    # An answered question cannot be dismissed any more.
    refused(Conflict, lambda: live.moderate_question(moderator, space, question.id, "dismiss", reason="Tarde."))


def test_questions_sent_in_advance_are_moderated_before_the_session_but_answered_live(make):
    session = make.make_live_session(state=SpaceState.ANNOUNCED)
    space, moderator = session.space, session.space.moderators[0]
    question = make.make_live_question(session, make.make_user(), status=QuestionStatus.PENDING)
    live.moderate_question(moderator, space, question.id, "approve")
    commit()
    refused(InvalidTransition, lambda: live.moderate_question(moderator, space, question.id, "answering"))


def test_moderation_after_the_session_closed_is_refused(make):
    session = make.make_live_session(state=SpaceState.CLOSED)
    question = make.make_live_question(session, make.make_user(), status=QuestionStatus.PENDING)
    error = refused(
        InvalidTransition,
        lambda: live.moderate_question(session.space.moderators[0], session.space, question.id, "approve"),
    )
    assert "terminó" in str(error.message)


# --- Upvotes --------------------------------------------------------------------------------------------


def count_upvotes(question) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(QuestionUpvote).where(QuestionUpvote.question_id == question.id)
    )


def test_one_upvote_per_person_and_the_counter_follows(setup):
    make, space, session = setup["make"], setup["space"], setup["session"]
    question = make.make_live_question(session, setup["ana"], upvotes=2)
    upvoted, changes = live.upvote(setup["beto"], space, question.id)
    commit()
    assert upvoted is True
    assert changes[0].audience == "public" and changes[0].data["upvotes"] == 3
    assert live.upvote(setup["beto"], space, question.id) == (False, [])
    commit()
    assert fresh(LiveQuestion, question.id).upvote_count == count_upvotes(question) == 3


def test_upvote_refusals(setup):
    make, space, session, ana, beto = setup["make"], setup["space"], setup["session"], setup["ana"], setup["beto"]
    own = make.make_live_question(session, ana)
    refused(NotAllowed, lambda: live.upvote(ana, space, own.id))
    refused(NotAllowed, lambda: live.upvote(None, space, own.id))
    # A pending question of someone else does not exist for the voter.
    pending = make.make_live_question(session, ana, status=QuestionStatus.PENDING)
    refused(NotFound, lambda: live.upvote(beto, space, pending.id))
    answered = make.make_live_question(session, ana, status=QuestionStatus.ANSWERED)
    refused(InvalidTransition, lambda: live.upvote(beto, space, answered.id))
    foreign = make.make_live_question(make.make_live_session(), ana)
    refused(NotFound, lambda: live.upvote(beto, space, foreign.id))
    refused(InvalidInput, lambda: live.upvote(beto, space, True))
    closed = make.make_live_session(state=SpaceState.CLOSED)
    late = make.make_live_question(closed, ana)
    refused(InvalidTransition, lambda: live.upvote(beto, closed.space, late.id))


def test_upvotes_are_rate_limited(setup):
    make, space, session, beto = setup["make"], setup["space"], setup["session"], setup["beto"]
    author = setup["ana"]
    questions = [make.make_live_question(session, author) for _ in range(live.UPVOTES_PER_MINUTE + 1)]
    for question in questions[:-1]:
        assert live.upvote(beto, space, question.id)[0] is True
    commit()
    error = refused(RateLimited, lambda: live.upvote(beto, space, questions[-1].id))
    assert error.status_code == 429


# --- Agenda during the session ----------------------------------------------------------------------------


def test_advance_moves_through_the_agenda(setup):
    space, session, moderator = setup["space"], setup["session"], setup["moderator"]
    first, second = session.agenda
    changes = live.advance(moderator, space)
    commit()
    assert [(c.event, c.audience) for c in changes] == [("agenda", "public")]
    assert changes[0].data["current"]["id"] == first.id
    assert changes[0].data["current"]["action"]["url"] == f"/acciones/{first.action_id}"
    assert live.advance(moderator, space)[0].data["current"]["id"] == second.id
    commit()
    refused(InvalidTransition, lambda: live.advance(moderator, space))
    assert live.advance(moderator, space, first.position)[0].data["current"]["id"] == first.id
    commit()
    refused(NotFound, lambda: live.advance(moderator, space, 99))
    refused(InvalidInput, lambda: live.advance(moderator, space, "1"))
    refused(NotAllowed, lambda: live.advance(setup["ana"], space))
    assert fresh(LiveSession, session.id).current_position == first.position


def test_advance_only_while_open(make):
    announced = make.make_live_session(state=SpaceState.ANNOUNCED)
    refused(InvalidTransition, lambda: live.advance(announced.space.moderators[0], announced.space))
    closed = make.make_live_session(state=SpaceState.CLOSED)
    refused(InvalidTransition, lambda: live.advance(closed.space.moderators[0], closed.space))


# --- Polls ---------------------------------------------------------------------------------------------


def test_poll_launch_vote_and_close(setup):
    space, moderator, ana, beto = (
        setup["space"],
        setup["moderator"],
        setup["ana"],
        setup["beto"],
    )
    poll, changes = live.launch_poll(
        moderator, space, question="¿Le sirvió el informe?", options=["Sí", "No", "", "En parte"], item_id=None
    )
    commit()
    assert changes[0].event == "poll" and changes[0].audience == "public"
    assert [o["label"] for o in changes[0].data["options"]] == ["Sí", "No", "En parte"]
    options = changes[0].data["options"]
    changes = live.vote_poll(ana, space, poll.id, options[0]["id"])
    commit()
    assert changes[0].data["votes"] == 1 and changes[0].data["options"][0]["votes"] == 1
    error = refused(Conflict, lambda: live.vote_poll(ana, space, poll.id, options[1]["id"]))
    assert str(error.message) == "Ya votaste en esta encuesta."
    live.vote_poll(beto, space, poll.id, options[2]["id"])
    commit()
    changes = live.close_poll(moderator, space, poll.id)
    commit()
    assert changes[0].data["status"] == "closed"
    stored = fresh(LivePoll, poll.id)
    assert stored.status is PollStatus.CLOSED and stored.closed_at is not None and stored.vote_count == 2
    refused(Conflict, lambda: live.close_poll(moderator, space, poll.id))
    late = setup["make"].make_user()
    refused(InvalidTransition, lambda: live.vote_poll(late, space, poll.id, options[0]["id"]))


@pytest.mark.parametrize(
    "question, options",
    [
        ("¿Le sirvió?", ["Sí"]),
        ("¿Le sirvió?", [f"Opción {n}" for n in range(9)]),
        ("¿Le sirvió?", ["Sí", "sí"]),
        ("¿Le sirvió?", ["Sí", "x" * 121]),
        ("¿Le sirvió?", ["Sí", "No\x00"]),
        ("¿Le sirvió?", "Sí,No"),
        ("¿Le sirvió?", ["Sí", 3]),
        ("", ["Sí", "No"]),
        ("x" * 301, ["Sí", "No"]),
    ],
)
def test_bad_polls_are_refused(setup, question, options):
    refused(
        InvalidInput, lambda: live.launch_poll(setup["moderator"], setup["space"], question=question, options=options)
    )


def test_poll_refusals(setup):
    make, space, session, moderator, ana = (
        setup["make"],
        setup["space"],
        setup["session"],
        setup["moderator"],
        setup["ana"],
    )
    refused(NotAllowed, lambda: live.launch_poll(ana, space, question="¿Sí?", options=["Sí", "No"]))
    other = make.make_live_session()
    refused(
        NotFound,
        lambda: live.launch_poll(moderator, space, question="¿Sí?", options=["Sí", "No"], item_id=other.agenda[0].id),
    )
    poll = make.make_live_poll(session)
    foreign_poll = make.make_live_poll(other)
    refused(NotFound, lambda: live.vote_poll(ana, space, foreign_poll.id, foreign_poll.options[0].id))
    refused(NotFound, lambda: live.vote_poll(ana, space, poll.id, foreign_poll.options[0].id))
    refused(NotFound, lambda: live.close_poll(moderator, space, foreign_poll.id))
    refused(NotAllowed, lambda: live.close_poll(ana, space, poll.id))
    refused(NotAllowed, lambda: live.vote_poll(None, space, poll.id, poll.options[0].id))
    closed = make.make_live_session(state=SpaceState.CLOSED)
    closed_poll = make.make_live_poll(closed)
    refused(InvalidTransition, lambda: live.vote_poll(ana, closed.space, closed_poll.id, closed_poll.options[0].id))
    refused(
        InvalidTransition,
        lambda: live.launch_poll(closed.space.moderators[0], closed.space, question="¿Sí?", options=["Sí", "No"]),
    )


# --- Commitments ---------------------------------------------------------------------------------------


def test_a_commitment_becomes_a_tracking_action_that_gets_progress_updates(setup, client):
    space, session, moderator = setup["space"], setup["session"], setup["moderator"]
    linked = session.agenda[0].action
    due = local_today() + timedelta(days=60)
    body = "Reparar las luminarias del parque de la comuna 1 antes de fin de año."
    commitment, changes = live.record_commitment(
        moderator, space, body=body, organism_id=space.organism_id, due_on=due, action_id=linked.id
    )
    commit()
    commitment = fresh(Commitment, commitment.id)
    tracking = commitment.tracking_action
    assert tracking.plan.organism_id == space.organism_id and tracking.plan.cycle_id == space.cycle_id
    assert tracking.procedure is Procedure.SOCIAL_CONTROL and tracking.phase is Phase.MONITORING
    assert tracking.title == "Compromiso: " + body
    assert tracking.objective == tracking.goal == body
    assert tracking.indicator_name == "Cumplimiento del compromiso" and tracking.indicator_unit == "%"
    assert tracking.indicator_target == Decimal(100) and tracking.indicator_baseline == Decimal(0)
    assert tracking.budget == Decimal(0) and tracking.status is ActionStatus.PLANNED
    assert tracking.starts_on == live.session_date(space) and tracking.ends_on == due
    assert tracking.responsible_office == space.organism.name
    assert [t.id for t in tracking.territories] == [t.id for t in space.territories]
    data = changes[0].data
    assert changes[0].event == "commitment" and changes[0].audience == "public"
    assert data["tracking_url"] == f"/acciones/{tracking.id}" and data["action"]["id"] == linked.id
    assert data["due_on"] == due.isoformat() and data["organism"] == space.organism.name

    page = client.get(f"/acciones/{tracking.id}")
    assert page.status_code == 200 and "Compromiso: Reparar las luminarias" in page.get_data(as_text=True)
    update_row = followup.publish_update(
        setup["official"],
        fresh(Action, tracking.id),
        followup.ProgressDetails(
            reported_on=local_today(),
            percent_done=40,
            status=ActionStatus.IN_PROGRESS,
            body="Se cambiaron 8 luminarias.",
        ),
    )
    commit()
    assert update_row.id and fresh(Action, tracking.id).status is ActionStatus.IN_PROGRESS


def test_a_commitment_of_a_co_organiser_creates_its_plan(setup):
    make, space, moderator = setup["make"], setup["space"], setup["moderator"]
    partner = make.organism("SSP")
    live.configure(make.make_official(space.organism.acronym), space, live.LiveSettings(organism_ids=[partner.id]))
    commit()
    assert db.session.scalar(select(ActionPlan).where(ActionPlan.organism_id == partner.id)) is None
    long_body = "Instalar cámaras " + "en cada esquina del barrio " * 30
    commitment, _ = live.record_commitment(
        moderator, space, body=long_body.strip(), organism_id=partner.id, due_on=local_today() + timedelta(days=9)
    )
    commit()
    tracking = fresh(Commitment, commitment.id).tracking_action
    assert tracking.plan.organism_id == partner.id
    assert (
        len(tracking.title) <= 200
        and tracking.title.startswith("Compromiso: Instalar")
        and tracking.title.endswith("…")
    )


def test_commitment_refusals(setup):
    make, space, session, moderator = setup["make"], setup["space"], setup["session"], setup["moderator"]
    due = local_today() + timedelta(days=30)
    stranger = make.organism("SSP")
    org = space.organism_id

    def record(actor=moderator, **fields):
        values = {"body": "Arreglar la vía.", "organism_id": org, "due_on": due} | fields
        return lambda: live.record_commitment(actor, space, **values)

    assert refused(InvalidInput, record(organism_id=stranger.id)).field == "organism"
    assert refused(InvalidInput, record(organism_id="1")).field == "organism"
    assert refused(InvalidInput, record(due_on=live.session_date(space) - timedelta(days=1))).field == "due_on"
    assert refused(InvalidInput, record(due_on="2030-01-01")).field == "due_on"
    assert refused(InvalidInput, record(body="")).field == "body"
    assert refused(InvalidInput, record(body="x" * 1001)).field == "body"
    other_plan_action = make.make_action(make.make_plan(stranger))
    assert refused(InvalidInput, record(action_id=other_plan_action.id)).field == "action"
    refused(NotAllowed, record(actor=setup["ana"]))
    closed = make.make_live_session(state=SpaceState.CLOSED)
    refused(
        InvalidTransition,
        lambda: live.record_commitment(
            closed.space.moderators[0], closed.space, body="Tarde.", organism_id=closed.space.organism_id, due_on=due
        ),
    )
    assert live.session_date(space) <= due and session.id


# --- Presence and attendance --------------------------------------------------------------------------


def test_presence_counts_live_sockets_and_raises_the_peak(setup):
    space, session, ana = setup["space"], setup["session"], setup["ana"]
    assert live.enter_room("sid-a", space, ana) == 1
    commit()
    change = live.presence_change(space, 1)
    assert (change.event, change.audience, change.data["present"]) == ("presence", "public", 1)
    assert change.data["space"] == space.id and change.data["revision"] == fresh(LiveSession, session.id).revision
    live.enter_room("sid-b", space, None)
    assert live.enter_room("sid-c", space, ana) == 3
    commit()
    assert live.present_count(space) == 3 and fresh(LiveSession, session.id).peak_present == 3
    live.leave_room("sid-b")
    commit()
    assert live.present_count(space) == 2
    live.leave_room("unknown")
    commit()
    assert live.present_count(space) == 2 and fresh(LiveSession, session.id).peak_present == 3
    # A socket whose process stopped refreshing it no longer counts; a refresh brings it back.
    db.session.execute(update(LivePresence).values(seen_at=now_utc() - timedelta(seconds=91)))
    commit()
    assert live.present_count(space) == 0
    live.refresh_presence(["sid-a"])
    commit()
    assert live.present_count(space) == 1
    # Rows of a process dead for an hour are forgotten by the next refresh.
    db.session.execute(
        update(LivePresence).where(LivePresence.sid == "sid-c").values(seen_at=now_utc() - timedelta(hours=2))
    )
    commit()
    live.refresh_presence([])
    commit()
    assert db.session.scalar(select(func.count()).select_from(LivePresence)) == 1
    assert fresh(LiveSession, session.id).peak_present == 3
    attendance = db.session.get(LiveAttendance, (session.id, ana.id))
    assert attendance.joined_at is not None and attendance.registered_at is None
    assert live.has_attended(ana, space) and not live.is_registered(ana, space)


def test_entering_before_the_session_is_not_attendance(make):
    session = make.make_live_session(state=SpaceState.ANNOUNCED)
    person = make.make_user()
    live.enter_room("early", session.space, person)
    commit()
    assert not live.has_attended(person, session.space)
    assert fresh(LiveSession, session.id).peak_present == 0


def test_registering_attendance(make):
    session = make.make_live_session(state=SpaceState.ANNOUNCED)
    space, person = session.space, make.make_user()
    assert live.register_attendance(person, space) is True
    assert live.register_attendance(person, space) is False
    commit()
    assert live.is_registered(person, space) and live.has_attended(person, space)
    assert live.register_attendance(person, space, attending=False) is True
    commit()
    assert not live.is_registered(person, space)
    assert db.session.scalar(select(func.count()).select_from(LiveAttendance)) == 0
    refused(NotAllowed, lambda: live.register_attendance(None, space))
    closed = make.make_live_session(state=SpaceState.CLOSED)
    refused(InvalidTransition, lambda: live.register_attendance(person, closed.space))


# --- The snapshot --------------------------------------------------------------------------------------


def test_snapshot_shape_and_what_each_viewer_sees(setup):
    make, space, session, moderator, ana, beto = (
        setup["make"],
        setup["space"],
        setup["session"],
        setup["moderator"],
        setup["ana"],
        setup["beto"],
    )
    top = make.make_live_question(session, beto, body="¿Y el presupuesto?", upvotes=3)
    low = make.make_live_question(session, beto, body="¿Y las obras?", upvotes=1)
    answering = make.make_live_question(session, beto, status=QuestionStatus.ANSWERING)
    answered = make.make_live_question(session, beto, status=QuestionStatus.ANSWERED)
    ana_pending = make.make_live_question(session, ana, status=QuestionStatus.PENDING, body="¿Lo mío?")
    beto_pending = make.make_live_question(session, beto, status=QuestionStatus.PENDING, body="¿Secreto?")
    ana_dismissed = make.make_live_question(session, ana, status=QuestionStatus.DISMISSED, body="Grosería")
    live.upvote(ana, space, low.id)
    poll = make.make_live_poll(session)
    live.vote_poll(ana, space, poll.id, poll.options[1].id)
    live.advance(moderator, space)
    live.enter_room("sid-ana", space, ana)
    commit()

    public = live.snapshot(space, None)
    assert set(public) == {
        "space",
        "revision",
        "state",
        "state_label",
        "live",
        "present",
        "current",
        "agenda",
        "questions",
        "polls",
        "commitments",
        "viewer",
    }
    assert public["space"] == space.id and public["state"] == "open" and public["live"] is True
    assert public["state_label"] == "Abierto" and public["present"] == 1
    assert public["revision"] == fresh(LiveSession, session.id).revision
    assert public["current"]["id"] == session.agenda[0].id
    assert [item["position"] for item in public["agenda"]] == [0, 1]
    assert set(public["agenda"][0]["action"]) == {
        "id",
        "title",
        "goal",
        "indicator_name",
        "indicator_unit",
        "indicator_baseline",
        "indicator_target",
        "indicator_current",
        "percent",
        "budget",
        "status_label",
        "url",
    }
    assert public["agenda"][0]["action"]["percent"] == 40 and public["agenda"][0]["action"]["budget"] == "$ 150.000.000"
    ids = [q["id"] for q in public["questions"]]
    # answering first; approved by upvotes (2 = 1 + Ana's); answered last; nothing hidden.
    assert ids == [answering.id, top.id, low.id, answered.id]
    assert public["viewer"] == {
        "id": None,
        "moderator": False,
        "can_ask": False,
        "can_vote": False,
        "upvoted": [],
        "poll_votes": {},
    }
    assert public["polls"][0]["votes"] == 1

    mine = live.snapshot(space, ana)
    assert [q["id"] for q in mine["questions"]] == [
        answering.id,
        top.id,
        low.id,
        answered.id,
        ana_pending.id,
        ana_dismissed.id,
    ]
    assert mine["questions"][-1]["dismissal_reason"]
    assert [q["id"] for q in mine["questions"] if q["mine"]] == [ana_pending.id, ana_dismissed.id]
    assert not any(q["mine"] for q in public["questions"])
    assert mine["viewer"]["upvoted"] == [low.id] and mine["viewer"]["poll_votes"] == {str(poll.id): poll.options[1].id}
    assert mine["viewer"]["can_ask"] and mine["viewer"]["can_vote"] and not mine["viewer"]["moderator"]
    assert beto_pending.id not in [q["id"] for q in mine["questions"]]

    moderators = live.snapshot(space, moderator)
    assert moderators["viewer"]["moderator"] is True
    assert {q["id"] for q in moderators["questions"]} >= {ana_pending.id, beto_pending.id, ana_dismissed.id}
    import json

    json.dumps(moderators)  # JSON-safe


def test_snapshot_queries_do_not_grow_with_the_content(setup, count_queries):
    make, space, session, moderator, ana = (
        setup["make"],
        setup["space"],
        setup["session"],
        setup["moderator"],
        setup["ana"],
    )

    def add(n):
        for index in range(n):
            make.make_live_question(session, make.make_user(), status=list(QuestionStatus)[index % 5])
        make.make_live_poll(session)
        commitment_due = local_today() + timedelta(days=5)
        live.record_commitment(
            moderator, space, body=f"Compromiso {n}", organism_id=space.organism_id, due_on=commitment_due
        )
        commit()

    def measure(viewer):
        # As in a request: the space and the viewer are loaded (by the view), the rest is not.
        db.session.expire_all()
        db.session.refresh(space)
        if viewer is not None:
            db.session.refresh(viewer)
        with count_queries() as counter:
            live.snapshot(space, viewer)
        return counter.count

    add(3)
    small = [measure(v) for v in (None, ana, moderator)]
    add(57)
    large = [measure(v) for v in (None, ana, moderator)]
    assert small == large, (small, large)
    assert max(large) <= 10, large


# --- After the session ---------------------------------------------------------------------------------


def test_closing_closes_polls_and_clears_the_current_item(setup):
    make, space, session, moderator = setup["make"], setup["space"], setup["session"], setup["moderator"]
    poll = make.make_live_poll(session)
    mid_answer = make.make_live_question(session, setup["ana"], status=QuestionStatus.ANSWERING)
    live.advance(moderator, space)
    commit()
    before = revision(session)
    spaces.change_space_state(setup["official"], space, SpaceState.CLOSED)
    changes = live.state_change(space)
    commit()
    assert fresh(LivePoll, poll.id).status is PollStatus.CLOSED
    assert fresh(LiveQuestion, mid_answer.id).status is QuestionStatus.APPROVED
    assert [q.id for q in live.owed_questions(space)] == [mid_answer.id]
    stored = fresh(LiveSession, session.id)
    assert stored.current_position is None and stored.revision == before + 1
    assert [(c.event, c.audience) for c in changes] == [("session", "public")]
    assert changes[0].data == {
        "state": "closed",
        "state_label": str(SpaceState.CLOSED.label),
        "live": False,
        "space": space.id,
        "revision": before + 1,
    }
    # The same after the commit.
    assert live.state_change(space)[0].data["revision"] == before + 1
    refused(InvalidTransition, lambda: live.ask(setup["ana"], space, body="¿Tarde?"))


def test_owed_questions_block_the_response_until_answered_in_writing(setup):
    make, space, session, official, ana = (
        setup["make"],
        setup["space"],
        setup["session"],
        setup["official"],
        setup["ana"],
    )
    owed_approved = make.make_live_question(session, ana, upvotes=1)
    owed_pending = make.make_live_question(session, ana, status=QuestionStatus.PENDING)
    make.make_live_question(session, ana, status=QuestionStatus.ANSWERED)
    make.make_live_question(session, ana, status=QuestionStatus.DISMISSED)
    assert live.owed_questions(space) == []  # not while open
    assert live.transition_refusal(space, SpaceState.CLOSED) is None
    spaces.change_space_state(official, space, SpaceState.CLOSED)
    spaces.change_space_state(official, space, SpaceState.RESULTS_PUBLISHED)
    commit()
    assert [q.id for q in live.owed_questions(space)] == [owed_approved.id, owed_pending.id]
    message = str(live.transition_refusal(space, SpaceState.RESPONSE_GIVEN))
    assert "2 preguntas" in message
    refused(
        InvalidTransition,
        lambda: spaces.change_space_state(official, space, SpaceState.RESPONSE_GIVEN, response="Respondimos."),
    )

    refused(NotAllowed, lambda: live.answer_in_writing(ana, space, owed_approved.id, answer="Yo respondo."))
    refused(NotAllowed, lambda: live.answer_in_writing(setup["moderator"], space, owed_approved.id, answer="No."))
    refused(InvalidInput, lambda: live.answer_in_writing(official, space, owed_approved.id, answer="\x00"))
    foreign = make.make_live_question(make.make_live_session(), ana)
    refused(NotFound, lambda: live.answer_in_writing(official, space, foreign.id, answer="Otra sesión."))

    answered = live.answer_in_writing(official, space, owed_approved.id, answer="La obra termina en marzo.")
    commit()
    stored = fresh(LiveQuestion, answered.id)
    assert stored.status is QuestionStatus.ANSWERED and stored.answered_in_writing is True
    assert stored.answered_by_id == official.id and stored.answer == "La obra termina en marzo."
    notice = db.session.scalar(select(Notification).where(Notification.user_id == ana.id))
    assert notice.kind is NotificationKind.INSTITUTIONAL_ANSWER and notice.url == f"/espacios/{space.id}/sesion/acta"
    refused(Conflict, lambda: live.answer_in_writing(official, space, owed_approved.id, answer="Otra vez."))
    assert "1 pregunta " in str(live.transition_refusal(space, SpaceState.RESPONSE_GIVEN))

    live.answer_in_writing(official, space, owed_pending.id, answer="Se responde también.")
    commit()
    assert live.transition_refusal(space, SpaceState.RESPONSE_GIVEN) is None
    spaces.change_space_state(official, space, SpaceState.RESPONSE_GIVEN, response="Respondimos todo.")
    commit()
    assert fresh(type(space), space.id).state is SpaceState.RESPONSE_GIVEN


def test_written_answers_only_after_the_session(setup):
    question = setup["make"].make_live_question(setup["session"], setup["ana"])
    refused(
        InvalidTransition, lambda: live.answer_in_writing(setup["official"], setup["space"], question.id, answer="Ya.")
    )


def test_evaluation_by_attendees_once_closed(make):
    session = make.make_live_session(state=SpaceState.OPEN)
    space = session.space
    attendee, stranger = make.make_user(), make.make_user()
    live.enter_room("sid-1", space, attendee)
    commit()

    def evaluate(actor, **fields):
        values = {"information_clear": 3, "questions_answered": 2, "usefulness": 4} | fields
        return lambda: live.evaluate_session(actor, space, **values)

    refused(InvalidTransition, evaluate(attendee))  # still open
    db.session.execute(update(type(space)).where(type(space).id == space.id).values(state=SpaceState.CLOSED))
    commit()
    refused(NotAllowed, evaluate(stranger))
    refused(NotAllowed, evaluate(None))
    refused(NotAllowed, evaluate(space.moderators[0]))
    for bad in (
        {"information_clear": 4},
        {"questions_answered": 0},
        {"usefulness": 6},
        {"usefulness": True},
        {"usefulness": "5"},
        {"comment": "x" * 1001},
        {"comment": "\x00"},
    ):
        refused(InvalidInput, evaluate(attendee, **bad))

    evaluation, created = live.evaluate_session(
        attendee, space, information_clear=3, questions_answered=2, usefulness=4, comment="  Muy útil.  "
    )
    commit()
    assert created is True and evaluation.comment == "Muy útil."
    evaluation, created = live.evaluate_session(
        attendee, space, information_clear=1, questions_answered=1, usefulness=2
    )
    commit()
    assert created is False
    assert db.session.scalar(select(func.count()).select_from(SessionEvaluation)) == 1
    summary = live.evaluation_summary(space)
    assert summary.total == 1 and summary.information_clear == {1: 1, 2: 0, 3: 0}
    assert summary.usefulness[2] == 1 and summary.usefulness_average == 2.0 and summary.comments == []


# --- Settings and agenda ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link, embed",
    [
        ("", ""),
        ("   ", ""),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/dQw4w9WgXcQ?si=x", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871"),
        (
            "https://www.facebook.com/AlcaldiadeCali/videos/1234567890/",
            "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2FAlcaldiadeCali%2Fvideos%2F1234567890%2F",
        ),
    ],
)
def test_embed_url_normalises_known_hosts(link, embed):
    assert live.embed_url(link) == embed
    if embed:
        assert embed.startswith(live.STREAM_HOSTS)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://youtube.com.evil.example/embed/dQw4w9WgXcQ",
        "https://user@www.youtube.com/embed/dQw4w9WgXcQ",
        "ftp://vimeo.com/76979871",
        "https://vimeo.com/76979871\x00",
        "https://www.youtube.com/embed/" + "a" * 600,
        42,
    ],
)
def test_embed_url_refuses_everything_else(link):
    assert refused(InvalidInput, lambda: live.embed_url(link)).field == "stream_url"


def test_configure_and_agenda_by_the_organisms_staff(setup):
    make, space, session = setup["make"], setup["space"], setup["session"]
    staff = make.make_official(space.organism.acronym)
    partner = make.organism("SSP")
    partner_action = make.make_action(make.make_plan(partner, space.cycle))
    stranger_action = make.make_action(make.make_plan(make.organism("DAGMA"), space.cycle))
    refused(NotAllowed, lambda: live.configure(setup["moderator"], space, live.LiveSettings()))
    refused(InvalidInput, lambda: live.configure(staff, space, live.LiveSettings(organism_ids=[999_999])))
    configured = live.configure(
        staff,
        space,
        live.LiveSettings(stream_url="https://youtu.be/dQw4w9WgXcQ", organism_ids=[partner.id, space.organism_id]),
    )
    commit()
    assert configured.stream_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert [o.id for o in fresh(LiveSession, session.id).organisms] == [partner.id]
    choices = {a.id for a in live.agenda_action_choices(space)}
    assert partner_action.id in choices and stranger_action.id not in choices

    item = live.add_agenda_item(staff, space, title="  Seguridad  ", action_id=partner_action.id, notes="Con la SSP")
    commit()
    assert item.position == 2 and item.title == "Seguridad"
    refused(InvalidInput, lambda: live.add_agenda_item(staff, space, title="Otra", action_id=stranger_action.id))
    refused(InvalidInput, lambda: live.add_agenda_item(staff, space, title=""))
    refused(NotAllowed, lambda: live.add_agenda_item(setup["ana"], space, title="Mía"))
    live.update_agenda_item(staff, space, item.id, title="Seguridad y convivencia", notes="")
    live.move_agenda_item(staff, space, item.id, -1)
    commit()
    titles = [i.title for i in fresh(LiveSession, session.id).agenda]
    assert titles == ["Avance del plan", "Seguridad y convivencia", "Presupuesto"]
    live.move_agenda_item(staff, space, item.id, -1)
    live.move_agenda_item(staff, space, item.id, -1)  # already first: nothing changes
    commit()
    assert [i.title for i in fresh(LiveSession, session.id).agenda][0] == "Seguridad y convivencia"
    foreign = make.make_live_session()
    refused(NotFound, lambda: live.remove_agenda_item(staff, space, foreign.agenda[0].id))
    live.remove_agenda_item(staff, space, item.id)
    commit()
    assert [i.title for i in fresh(LiveSession, session.id).agenda] == ["Avance del plan", "Presupuesto"]
    closed = make.make_live_session(state=SpaceState.CLOSED)
    refused(InvalidTransition, lambda: live.add_agenda_item(staff, closed.space, title="Tarde"))


# --- The record ----------------------------------------------------------------------------------------


def test_the_record_and_its_text(setup, client):
    make, space, session, moderator, official, ana, beto = (
        setup["make"],
        setup["space"],
        setup["session"],
        setup["moderator"],
        setup["official"],
        setup["ana"],
        setup["beto"],
    )
    live.register_attendance(ana, space)
    live.enter_room("sid-beto", space, beto)
    answered = make.make_live_question(session, ana, status=QuestionStatus.ANSWERED, body="¿Cuándo abre el CALI?")
    dismissed = make.make_live_question(session, beto, status=QuestionStatus.PENDING, body="Texto ofensivo")
    live.moderate_question(moderator, space, dismissed.id, "dismiss", reason="Lenguaje ofensivo.")
    owed = make.make_live_question(session, beto, body="¿Y la biblioteca?")
    poll = make.make_live_poll(session)
    live.vote_poll(ana, space, poll.id, poll.options[0].id)
    live.record_commitment(
        moderator,
        space,
        body="Abrir la biblioteca.",
        organism_id=space.organism_id,
        due_on=local_today() + timedelta(days=30),
    )
    commit()
    spaces.change_space_state(official, space, SpaceState.CLOSED)
    commit()
    db.session.execute(
        update(type(space)).where(type(space).id == space.id).values(closed_at=now_utc() - timedelta(days=3))
    )
    commit()
    live.evaluate_session(ana, space, information_clear=3, questions_answered=2, usefulness=5, comment="Gracias.")
    commit()

    record = live.session_record(fresh(type(space), space.id), None)
    assert record.registered == 1 and record.joined == 1 and record.peak_present == 1
    assert [item["title"] for item in record.agenda] == ["Avance del plan", "Presupuesto"]
    by_id = {q["id"]: q for q in record.questions}
    assert by_id[answered.id]["answer"] == "La obra termina en marzo."
    assert by_id[dismissed.id]["body"] == "" and by_id[dismissed.id]["hidden"] is True
    assert by_id[dismissed.id]["dismissal_reason"] == "Lenguaje ofensivo."
    assert [(q["id"], q["days_owed"]) for q in record.owed] == [(owed.id, 3)]
    assert record.polls[0]["votes"] == 1
    assert record.commitments[0]["tracking_url"].startswith("/acciones/")
    assert record.evaluation.total == 1 and record.evaluation.comments == ["Gracias."]

    moderators_record = live.session_record(space, moderator)
    assert {q["id"]: q for q in moderators_record.questions}[dismissed.id]["body"] == "Texto ofensivo"

    text = live.record_text(record)
    for expected in (
        "Acta de la sesión de rendición de cuentas",
        space.title,
        "Agenda",
        "Asistencia",
        "Personas inscritas: 1",
        "¿Cuándo abre el CALI?",
        "Pregunta no publicada. Motivo: Lenguaje ofensivo.",
        "¿Y la biblioteca? (pendiente hace 3 días)",
        "Encuestas",
        "Muy clara: 1 (100 %)",
        "Abrir la biblioteca.",
        "Evaluación de la sesión",
        "Utilidad promedio: 5.0 de 5",
    ):
        assert expected in text, expected
    assert "Texto ofensivo" not in text
    text.encode("utf-8")


def test_the_record_of_a_session_without_content(make):
    space = make.make_space(kind=SpaceKind.LIVE_SESSION, state=SpaceState.CLOSED)
    record = live.session_record(space, None)
    assert record.questions == [] and record.registered == 0
    assert "No se recibieron preguntas." in live.record_text(record)


def test_poll_vote_rows_and_counters_agree(setup):
    make, space, session = setup["make"], setup["space"], setup["session"]
    poll = make.make_live_poll(session)
    voters = [make.make_user() for _ in range(4)]
    for index, voter in enumerate(voters):
        live.vote_poll(voter, space, poll.id, poll.options[index % 2].id)
    commit()
    db.session.rollback()
    for option in db.session.scalars(select(LivePollOption).where(LivePollOption.poll_id == poll.id)):
        rows = db.session.scalar(
            select(func.count()).select_from(LivePollVote).where(LivePollVote.option_id == option.id)
        )
        assert option.vote_count == rows
    assert db.session.get(LivePoll, poll.id).vote_count == 4


def test_logged_in_page_of_the_tracking_action_is_reachable(setup, client):
    # The commitment's tracking action is an ordinary plan action: its organism's staff can open it.
    commitment, _ = live.record_commitment(
        setup["moderator"],
        setup["space"],
        body="Publicar el informe trimestral.",
        organism_id=setup["space"].organism_id,
        due_on=date.today() + timedelta(days=90),
    )
    commit()
    login(client, setup["official"])
    assert client.get(commitment_url := f"/acciones/{commitment.tracking_action_id}").status_code == 200, commitment_url
