"""Votes under concurrency (RELIABILITY.md, "Integrity under concurrency"): requests released at once by a
barrier, each from its own browser and session, on SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL (row locks,
constraints). No vote is lost or counted twice, no limit or cap is passed, and no request gets a 500."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import Ballot, CallWindow, Proposal, ProposalVote, Space, SpaceState, VoteRule
from tests.helpers import csrf_token, race
from tests.test_voting import assert_totals_match

OK = {302, 409}


def _sign_in(client, user):
    """Log ``client`` in without the log-in form (whose rate limit allows five attempts a minute)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _browsers(app, users):
    """One signed-in browser per user, each with its CSRF token."""
    browsers = []
    for user in users:
        browser = _sign_in(app.test_client(), user)
        browsers.append((browser, csrf_token(browser, "/cuenta")))
    return browsers


def _fire(browsers, urls, action="add"):
    db.session.rollback()

    def send(browser, token, url):
        return lambda: browser.post(url, data={"csrf_token": token, "action": action}).status_code

    statuses = race([send(b, t, u) for (b, t), u in zip(browsers, urls, strict=True)])
    assert set(statuses) <= OK, statuses
    return statuses


def _vote_url(call, proposal) -> str:
    return f"/espacios/{call.space_id}/votacion/{proposal.id}"


def _votes(**where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ProposalVote).filter_by(**where))


@pytest.mark.parametrize("workers", [2, 20])
def test_one_person_voting_many_times_at_once_stores_one_vote(app, make, workers):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, make.make_user())
    voter = make.make_user()
    browsers = _browsers(app, [voter] * workers)
    statuses = _fire(browsers, [_vote_url(call, proposal)] * workers)
    assert sorted(statuses) == [302] + [409] * (workers - 1), statuses
    assert _votes(proposal_id=proposal.id) == 1
    assert_totals_match(call)


def test_ten_parallel_votes_under_a_limit_of_three_store_three(app, make):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.LIMITED, max_votes=3)
    author = make.make_user()
    proposals = [make.make_proposal(call, author) for _ in range(10)]
    voter = make.make_user()
    browsers = _browsers(app, [voter] * 10)
    statuses = _fire(browsers, [_vote_url(call, p) for p in proposals])
    assert statuses.count(302) == 3 and statuses.count(409) == 7, statuses
    assert _votes(user_id=voter.id) == 3
    assert db.session.get(Ballot, (call.id, voter.id)).votes_count == 3
    assert_totals_match(call)


def test_parallel_votes_never_pass_the_budget_cap(app, make):
    cap = Decimal("100000000")
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.BUDGET, budget_cap=cap)
    author = make.make_user()
    costs = [Decimal(n) * 1_000_000 for n in (45, 30, 25, 20, 15, 10, 40, 35, 5, 50, 60, 12)]
    proposals = [make.make_proposal(call, author, estimated_cost=cost) for cost in costs]
    voter = make.make_user()
    browsers = _browsers(app, [voter] * len(proposals))
    statuses = _fire(browsers, [_vote_url(call, p) for p in proposals])
    assert statuses.count(302) >= 2, statuses
    db.session.rollback()
    spent = db.session.scalar(
        select(func.sum(Proposal.estimated_cost))
        .join(ProposalVote, ProposalVote.proposal_id == Proposal.id)
        .where(ProposalVote.user_id == voter.id)
    )
    assert spent <= cap
    assert db.session.get(Ballot, (call.id, voter.id)).cost_total == spent
    assert_totals_match(call)


@pytest.mark.parametrize("voters", [50])
def test_many_people_voting_for_one_proposal_at_once_are_all_counted(app, make, voters):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, make.make_user())
    people = [make.make_user() for _ in range(voters)]
    browsers = _browsers(app, people)
    statuses = _fire(browsers, [_vote_url(call, proposal)] * voters)
    assert statuses == [302] * voters, statuses
    assert _votes(proposal_id=proposal.id) == voters
    assert db.session.get(Proposal, proposal.id).votes_count == voters
    assert_totals_match(call)


def test_adding_and_removing_at_once_keeps_the_counters_true(app, make):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.LIMITED, max_votes=2)
    author = make.make_user()
    proposals = [make.make_proposal(call, author) for _ in range(4)]
    voter = make.make_user()
    browsers = _browsers(app, [voter] * 8)
    _fire(browsers[:2], [_vote_url(call, p) for p in proposals[:2]])
    db.session.rollback()

    def send(browser, token, url, action):
        return lambda: browser.post(url, data={"csrf_token": token, "action": action}).status_code

    jobs = [
        send(*browsers[2], _vote_url(call, proposals[0]), "remove"),
        send(*browsers[3], _vote_url(call, proposals[0]), "remove"),
        send(*browsers[4], _vote_url(call, proposals[2]), "add"),
        send(*browsers[5], _vote_url(call, proposals[3]), "add"),
        send(*browsers[6], _vote_url(call, proposals[1]), "remove"),
        send(*browsers[7], _vote_url(call, proposals[2]), "add"),
    ]
    statuses = race(jobs)
    assert set(statuses) <= OK, statuses
    assert _votes(user_id=voter.id) <= 2
    assert_totals_match(call)


def test_votes_racing_the_close_are_stored_before_it_or_refused(app, make):
    official = make.make_official()
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, make.make_user())
    people = [make.make_user() for _ in range(10)]
    browsers = _browsers(app, people)
    closer = _browsers(app, [official])[0]
    urls = [_vote_url(call, proposal)] * len(people)
    close_url = f"/espacios/{call.space_id}/estado"
    db.session.rollback()

    def send(browser, token, url):
        return lambda: browser.post(url, data={"csrf_token": token, "action": "add"}).status_code

    def close():
        return closer[0].post(close_url, data={"csrf_token": closer[1], "target": "closed"}).status_code

    statuses = race([send(b, t, u) for (b, t), u in zip(browsers, urls, strict=True)] + [close])
    assert statuses[-1] == 302, statuses
    assert set(statuses[:-1]) <= OK, statuses
    db.session.rollback()
    space = db.session.get(Space, call.space_id)
    assert space.state is SpaceState.CLOSED
    # Every stored vote was cast before the close: none was written after the space's state changed.
    late = db.session.scalar(
        select(func.count()).where(ProposalVote.call_id == call.id, ProposalVote.created_at > space.closed_at)
    )
    assert late == 0
    assert _votes(proposal_id=proposal.id) == statuses[:-1].count(302)
    assert_totals_match(call)
