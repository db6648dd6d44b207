"""Live sessions under concurrency (RELIABILITY.md, "Integrity under concurrency"): service calls released
at once by a barrier, each in its own writing request context with its own database session, as a view or
socket handler runs them; on SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL (row locks, constraints). No row
is stored twice, every counter equals COUNT(*), no call fails with anything but a domain error."""

from datetime import timedelta

from sqlalchemy import func, select

from foro.errors import Conflict, DomainError, RateLimited
from foro.extensions import db
from foro.models import (
    LiveAttendance,
    LivePoll,
    LivePollOption,
    LivePollVote,
    LiveQuestion,
    LiveSession,
    QuestionStatus,
    QuestionUpvote,
    Role,
    SessionEvaluation,
    Space,
    SpaceKind,
    SpaceState,
    User,
)
from foro.services import live_sessions as live
from foro.timeutil import now_utc
from tests.helpers import race


def in_request(app, work):
    """A callable running ``work(space_id)`` the way a writing request does: its own session, commit on
    success, rollback on a domain error (returned, not raised)."""

    def run():
        with app.test_request_context(method="POST"):
            try:
                result = work()
                db.session.commit()
                return result
            except DomainError as error:
                db.session.rollback()
                return error

    return run


def space_of(space_id) -> Space:
    return db.session.get(Space, space_id)


def user(user_id) -> User:
    return db.session.get(User, user_id)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def assert_counters_match(session_id: int) -> None:
    """Every cached counter of the session equals the rows it counts."""
    db.session.rollback()
    for question in db.session.scalars(select(LiveQuestion).where(LiveQuestion.session_id == session_id)):
        assert question.upvote_count == count(QuestionUpvote, QuestionUpvote.question_id == question.id)
    for poll in db.session.scalars(select(LivePoll).where(LivePoll.session_id == session_id)):
        assert poll.vote_count == count(LivePollVote, LivePollVote.poll_id == poll.id)
        for option in db.session.scalars(select(LivePollOption).where(LivePollOption.poll_id == poll.id)):
            assert option.vote_count == count(LivePollVote, LivePollVote.option_id == option.id)


def test_twenty_parallel_upvotes_by_one_person_store_one(app, make):
    session = make.make_live_session()
    question = make.make_live_question(session, make.make_user())
    voter_id, space_id, question_id = make.make_user().id, session.space_id, question.id
    db.session.rollback()
    results = race(
        [in_request(app, lambda: live.upvote(user(voter_id), space_of(space_id), question_id)) for _ in range(20)]
    )
    assert sorted(result[0] for result in results) == [False] * 19 + [True], results
    assert sum(len(result[1]) for result in results) == 1
    assert count(QuestionUpvote, QuestionUpvote.question_id == question_id) == 1
    assert db.session.get(LiveQuestion, question_id).upvote_count == 1
    assert_counters_match(session.id)


def test_thirty_people_upvoting_at_once_count_thirty(app, make):
    session = make.make_live_session()
    question = make.make_live_question(session, make.make_user())
    voter_ids = [make.make_user().id for _ in range(30)]
    space_id, question_id = session.space_id, question.id
    db.session.rollback()
    results = race(
        [in_request(app, lambda vid=vid: live.upvote(user(vid), space_of(space_id), question_id)) for vid in voter_ids]
    )
    assert all(result[0] is True for result in results), results
    assert count(QuestionUpvote, QuestionUpvote.question_id == question_id) == 30
    assert db.session.get(LiveQuestion, question_id).upvote_count == 30
    # Each change carried its own revision: thirty distinct ones, in commit order.
    revisions = sorted(change.data["revision"] for _ok, changes in results for change in changes)
    assert len(set(revisions)) == 30
    assert revisions[-1] == db.session.get(LiveSession, session.id).revision
    assert_counters_match(session.id)


def test_two_moderators_approving_at_once_make_one_transition_and_one_broadcast(app, make):
    first, second = make.make_user(role=Role.MODERATOR), make.make_user(role=Role.MODERATOR)
    session = make.make_live_session(moderators=[first, second])
    question = make.make_live_question(session, make.make_user(), status=QuestionStatus.PENDING)
    space_id, question_id = session.space_id, question.id
    db.session.rollback()
    results = race(
        [
            in_request(
                app, lambda mid=mid: live.moderate_question(user(mid), space_of(space_id), question_id, "approve")
            )
            for mid in (first.id, second.id)
        ]
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    successes = [r for r in results if isinstance(r, list)]
    assert len(conflicts) == 1 and len(successes) == 1, results
    assert [change.data["status"] for change in successes[0]] == ["approved"]
    db.session.rollback()
    assert db.session.get(LiveQuestion, question_id).status is QuestionStatus.APPROVED


def test_moderators_marking_different_questions_at_once_leave_one_being_answered(app, make):
    moderators = [make.make_user(role=Role.MODERATOR) for _ in range(2)]
    session = make.make_live_session(moderators=moderators)
    question_ids = [make.make_live_question(session, make.make_user()).id for _ in range(6)]
    moderator_ids = [m.id for m in moderators]
    space_id = session.space_id
    db.session.rollback()
    results = race(
        [
            in_request(
                app,
                lambda qid=qid, mid=moderator_ids[i % 2]: live.moderate_question(
                    user(mid), space_of(space_id), qid, "answering"
                ),
            )
            for i, qid in enumerate(question_ids)
        ]
    )
    assert all(isinstance(r, list) for r in results), results
    assert count(LiveQuestion, LiveQuestion.status == QuestionStatus.ANSWERING) == 1


def test_twenty_parallel_poll_votes_by_one_person_store_one(app, make):
    session = make.make_live_session()
    poll = make.make_live_poll(session)
    voter_id, space_id, poll_id = make.make_user().id, session.space_id, poll.id
    option_ids = [o.id for o in poll.options]
    db.session.rollback()
    results = race(
        [
            in_request(app, lambda i=i: live.vote_poll(user(voter_id), space_of(space_id), poll_id, option_ids[i % 3]))
            for i in range(20)
        ]
    )
    assert sum(isinstance(r, list) for r in results) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, list))
    assert count(LivePollVote, LivePollVote.poll_id == poll_id) == 1
    assert db.session.get(LivePoll, poll_id).vote_count == 1
    assert_counters_match(session.id)


def test_many_people_voting_in_a_poll_at_once(app, make):
    session = make.make_live_session()
    poll = make.make_live_poll(session)
    voter_ids = [make.make_user().id for _ in range(24)]
    space_id, poll_id, option_ids = session.space_id, poll.id, [o.id for o in poll.options]
    db.session.rollback()
    results = race(
        [
            in_request(
                app, lambda i=i, vid=vid: live.vote_poll(user(vid), space_of(space_id), poll_id, option_ids[i % 3])
            )
            for i, vid in enumerate(voter_ids)
        ]
    )
    assert all(isinstance(r, list) for r in results), results
    assert db.session.get(LivePoll, poll_id).vote_count == 24
    assert_counters_match(session.id)


def test_parallel_questions_never_pass_the_rate_limit(app, make):
    session = make.make_live_session()
    asker_id, space_id = make.make_user().id, session.space_id
    db.session.rollback()
    results = race(
        [
            in_request(app, lambda n=n: live.ask(user(asker_id), space_of(space_id), body=f"¿Pregunta {n}?"))
            for n in range(12)
        ]
    )
    stored = [r for r in results if isinstance(r, tuple)]
    assert len(stored) == live.QUESTIONS_PER_MINUTE, results
    assert all(isinstance(r, RateLimited) for r in results if not isinstance(r, tuple))
    assert count(LiveQuestion, LiveQuestion.author_id == asker_id) == live.QUESTIONS_PER_MINUTE


def test_twenty_parallel_first_evaluations_store_one(app, make):
    session = make.make_live_session(state=SpaceState.CLOSED)
    attendee = make.make_user()
    live.enter_room("sid", session.space, attendee)  # closed: no attendance from presence
    db.session.rollback()
    db.session.add(
        LiveAttendance(session_id=session.id, user_id=attendee.id, registered_at=now_utc() - timedelta(days=2))
    )
    db.session.commit()
    attendee_id, space_id = attendee.id, session.space_id
    results = race(
        [
            in_request(
                app,
                lambda n=n: live.evaluate_session(
                    user(attendee_id),
                    space_of(space_id),
                    information_clear=3,
                    questions_answered=3,
                    usefulness=1 + n % 5,
                ),
            )
            for n in range(20)
        ]
    )
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(created for _evaluation, created in results) == 1
    assert count(SessionEvaluation, SessionEvaluation.user_id == attendee_id) == 1


def test_two_first_callers_create_one_session(app, make):
    space_id = make.make_space(kind=SpaceKind.LIVE_SESSION).id
    db.session.rollback()
    results = race([in_request(app, lambda: live.session_for(space_of(space_id)).id) for _ in range(2)])
    assert results[0] == results[1] and isinstance(results[0], int), results
    assert count(LiveSession, LiveSession.space_id == space_id) == 1


def test_votes_racing_the_close_are_stored_before_it_or_refused_after(app, make):
    from foro.services import spaces

    session = make.make_live_session()
    poll = make.make_live_poll(session)
    official_id = make.make_official(session.space.organism.acronym).id
    voter_ids = [make.make_user().id for _ in range(10)]
    space_id, poll_id, option_id = session.space_id, poll.id, poll.options[0].id
    db.session.rollback()

    def close():
        spaces.change_space_state(user(official_id), space_of(space_id), SpaceState.CLOSED)
        return "closed"

    workers = [in_request(app, close)] + [
        in_request(app, lambda vid=vid: live.vote_poll(user(vid), space_of(space_id), poll_id, option_id))
        for vid in voter_ids
    ]
    results = race(workers)
    assert results[0] == "closed", results
    assert all(isinstance(r, list | DomainError) for r in results[1:]), results
    stored = sum(isinstance(r, list) for r in results[1:])
    assert (
        db.session.get(LivePoll, poll_id).vote_count == stored == count(LivePollVote, LivePollVote.poll_id == poll_id)
    )
    assert db.session.get(LivePoll, poll_id).status.value == "closed"
