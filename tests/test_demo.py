"""The demo data set: loaded through the real CLI command, idempotent, complete and believable."""

import os
from collections import Counter

import pytest
from sqlalchemy import delete, func, select

from foro.demo import DEMO_PASSWORD, DEMO_USERS, PARTICIPATION_FORUM
from foro.extensions import db
from foro.models import (
    ActionEvaluation,
    ActionPlan,
    AnswerDecision,
    Base,
    CallWindow,
    Commitment,
    ContributionKind,
    Cycle,
    Forum,
    ForumPost,
    ModerationAction,
    ModerationLogEntry,
    ModerationMode,
    Notification,
    Phase,
    PostFlag,
    PostStatus,
    PostSupport,
    Procedure,
    ProgressUpdate,
    Proposal,
    ProposalCall,
    ProposalKind,
    ProposalVote,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    User,
    synthesis_citations,
    thread_follows,
)
from foro.permissions import can_moderate
from foro.services import accounts
from foro.services.accounts import authenticate
from foro.services.notifications import post_path
from foro.services.spaces import NEXT_STATE
from foro.timeutil import local_today, now_utc, utc_to_local
from tests.helpers import login

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
# Tables the demo must fill; capabilities added later may bring tables it leaves empty.
DEMO_TABLES = (
    "territories",
    "organisms",
    "target_groups",
    "users",
    "consents",
    "cycles",
    "cycle_phases",
    "action_plans",
    "actions",
    "action_territories",
    "action_target_groups",
    "spaces",
    "space_territories",
    "space_target_groups",
    "space_moderators",
    "space_transitions",
    "forums",
    "forum_axes",
    "forum_posts",
    "post_supports",
    "thread_follows",
    "post_flags",
    "synthesis_citations",
    "moderation_log",
    "notifications",
    "proposal_calls",
    "proposals",
    "proposal_origins",
    "proposal_supports",
    "proposal_comments",
    "proposal_follows",
    "proposal_endorsements",
    "proposal_target_groups",
    "ballots",
    "proposal_votes",
    "proposal_answers",
    "progress_updates",
    "action_evaluations",
    "control_observations",
    "live_sessions",
    "live_agenda_items",
    "live_attendances",
    "live_questions",
    "live_question_upvotes",
    "live_polls",
    "live_poll_options",
    "live_poll_votes",
    "live_commitments",
    "live_session_evaluations",
)


@pytest.fixture
def fast_hashes(monkeypatch):
    """scrypt at full cost for sixteen accounts in every test would dominate this file's time (as in
    tests/factories.py); the log-in test keeps the real method."""
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")


def _seed(app) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
    }


def _spaces() -> list[Space]:
    return list(db.session.scalars(select(Space).order_by(Space.id)))


@pytest.mark.usefixtures("fast_hashes")
def test_running_seed_demo_twice_creates_nothing_new(app):
    first_output = _seed(app)
    after_first = _row_counts()
    second_output = _seed(app)
    after_second = _row_counts()

    assert after_second == after_first
    assert all(after_first[name] > 0 for name in DEMO_TABLES), after_first
    assert (
        "26 espacios de participación, 3 foros, 45 aportes y respuestas en los foros, 2 convocatorias con 9 "
        "propuestas y 3 respuestas del organismo, 4 sesiones de rendición de cuentas con 17 preguntas y 4 "
        "compromisos, y 16 cuentas" in first_output
    )
    assert "0 espacios de participación, 0 foros, 0 aportes y respuestas en los foros, 0 convocatorias" in second_output


@pytest.mark.usefixtures("fast_hashes")
def test_demo_spaces_cover_every_phase_state_and_kind(app):
    _seed(app)
    spaces = _spaces()

    assert {s.state for s in spaces} == set(SpaceState)
    assert {s.kind for s in spaces} == set(SpaceKind)
    assert {s.phase for s in spaces} == set(Phase)
    assert len({s.organism_id for s in spaces}) >= 5
    assert any(s.action_id for s in spaces) and any(s.action_id is None for s in spaces)
    assert any(s.territories for s in spaces) and any(not s.territories for s in spaces)
    moderated = Counter(m.email for s in spaces for m in s.moderators)
    assert set(moderated) == {"moderacion1@demo.foro.cali", "moderacion2@demo.foro.cali"}


@pytest.mark.usefixtures("fast_hashes")
def test_demo_has_overdue_and_in_time_responses_and_real_answers(app):
    _seed(app)
    today = local_today()
    awaiting = [s for s in _spaces() if s.state in (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED)]

    overdue = [s for s in awaiting if s.is_overdue(today)]
    in_time = [s for s in awaiting if not s.is_overdue(today)]
    assert any(s.state is SpaceState.CLOSED for s in overdue)
    assert any(s.state is SpaceState.CLOSED for s in in_time)
    assert all(s.response_due_on >= today for s in in_time)
    for space in overdue:
        assert space.closed_at < now_utc()
        assert space.response_due_on < today

    answered = [s for s in _spaces() if s.state is SpaceState.RESPONSE_GIVEN]
    assert len(answered) >= 4
    for space in answered:
        assert "<p>" in space.institutional_response and len(space.institutional_response) > 200
        assert space.closed_at < space.response_given_at <= now_utc()


@pytest.mark.usefixtures("fast_hashes")
def test_demo_space_history_was_written_by_the_services(app):
    _seed(app)
    now = now_utc()
    for space in _spaces():
        expected, state = [], SpaceState.DRAFT
        while state is not space.state:
            state = NEXT_STATE[state]
            expected.append(state)
        transitions = space.transitions
        assert [t.to_state for t in transitions] == expected, space.title
        assert [t.from_state for t in transitions] == [SpaceState.DRAFT, *expected][: len(expected)], space.title
        creator = db.session.get(User, space.created_by_id)
        assert creator.role is Role.OFFICIAL and creator.organism_id == space.organism_id
        assert all(t.actor_id == creator.id for t in transitions)
        moments = [space.created_at] + [t.created_at for t in transitions]
        assert moments == sorted(moments) and moments[-1] <= now, space.title
        if transitions:
            assert space.state_changed_at == transitions[-1].created_at
        if space.state in (SpaceState.OPEN, SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED):
            assert space.opens_at <= now
        if space.state in (SpaceState.DRAFT, SpaceState.ANNOUNCED):
            assert space.opens_at > now
        if space.state is SpaceState.OPEN:
            assert space.closes_at > now


@pytest.mark.usefixtures("fast_hashes")
def test_demo_cycles_and_action_plans(app):
    _seed(app)
    year = local_today().year
    cycles = {c.year: c for c in db.session.scalars(select(Cycle))}
    assert set(cycles) == {year - 1, year}
    for cycle in cycles.values():
        assert [p.phase for p in cycle.phases] == list(Phase)
        assert cycle.phases[0].starts_on.year == cycle.phases[-1].ends_on.year == cycle.year

    plans = list(db.session.scalars(select(ActionPlan).where(ActionPlan.cycle_id == cycles[year].id)))
    assert {p.organism.acronym for p in plans} >= {"SDTPC", "SSP", "SMOV", "DAGMA", "SEM"}
    commitment_actions = set(db.session.scalars(select(Commitment.tracking_action_id)))
    for plan in plans:
        planned = [a for a in plan.actions if a.id not in commitment_actions]
        # Up to 6 planned actions, plus the ones accepted proposals became.
        assert 3 <= len(planned) <= 7, plan.organism.acronym
        assert {a.procedure for a in planned} == set(Procedure), plan.organism.acronym
        for action in planned:
            assert action.objective and action.goal and action.indicator_unit
            assert action.indicator_target > action.indicator_baseline
            assert action.budget >= 10_000_000
            assert action.responsible_office
            assert action.target_groups
    units = {a.indicator_unit for p in plans for a in p.actions}
    assert {"personas formadas", "JAL acompañadas", "km de ciclorruta"} <= units


def test_demo_accounts_log_in_with_the_documented_password(app, client):
    _seed(app)
    with open(README, encoding="utf-8") as handle:
        readme = handle.read()
    assert DEMO_PASSWORD in readme

    for spec in DEMO_USERS:
        assert spec.email in readme
        user = authenticate(spec.email, DEMO_PASSWORD)
        assert user is not None, spec.email
        assert user.role is spec.role
        assert (user.organism.acronym if user.organism else None) == spec.organism
        assert [c.channel for c in user.consents] == ["demo"]
    citizens = [u for u in db.session.scalars(select(User).where(User.role == Role.CITIZEN))]
    assert len({c.territory_id for c in citizens}) == len(citizens) == 8

    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    login(client, admin, DEMO_PASSWORD)
    assert client.get("/admin").status_code == 200


@pytest.mark.usefixtures("fast_hashes")
def test_demo_pages_show_the_demo(app, client):
    _seed(app)
    year = local_today().year
    pages = {
        "/": "Foro",
        "/cronograma": "Consulta del borrador de ajuste al Plan Integral de Movilidad Urbana (PIMU)",
        "/organismos/SMOV": "Secretaría de Movilidad",
        f"/organismos/SMOV/plan/{year}": "Seguimiento ciudadano a la construcción de ciclorrutas",
    }
    answered = db.session.scalar(select(Space).where(Space.title == "Propuestas para entornos escolares seguros"))
    pages[f"/espacios/{answered.id}"] = "Recibimos 112 propuestas de 38 instituciones educativas"
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.get_data(as_text=True), path


# --- Forums ---------------------------------------------------------------------------------------


def _forums() -> dict[str, Forum]:
    return {forum.space.organism.acronym: forum for forum in db.session.scalars(select(Forum))}


def _posts() -> list[ForumPost]:
    return list(db.session.scalars(select(ForumPost).order_by(ForumPost.id)))


@pytest.mark.usefixtures("fast_hashes")
def test_demo_forums_deliberate_in_problem_trees(app):
    _seed(app)
    forums = _forums()

    assert set(forums) == {"SDTPC", "SMOV", "DAGMA"}
    assert {f.space.state for f in forums.values()} == {SpaceState.OPEN, SpaceState.RESULTS_PUBLISHED}
    assert forums["DAGMA"].moderation_mode is ModerationMode.PRE
    assert forums["SDTPC"].moderation_mode is forums["SMOV"].moderation_mode is ModerationMode.POST
    for forum in forums.values():
        assert forum.topic and len(forum.axes) == 3
        assert '<a href="https://' in forum.context
        assert "no una lista de peticiones" in forum.rules
    posts = _posts()
    assert {p.kind for p in posts if p.is_head} == set(ContributionKind)
    causes = [p for p in posts if p.kind is ContributionKind.CAUSE]
    assert {c.forum_id for c in causes} == {f.id for f in forums.values()}
    for child in (p for p in posts if p.parent_id):
        assert child.parent.kind is ContributionKind.PROBLEM
        assert child.parent.forum_id == child.forum_id and child.axis_id == child.parent.axis_id
    quoting = [p for p in posts if p.quote_id]
    assert len(quoting) >= 3
    for reply in quoting:
        assert reply.thread_id in (reply.quote.id, reply.quote.thread_id)
    # Officials answer in their own forums.
    assert {p.author.role for p in posts} == {Role.CITIZEN, Role.OFFICIAL}


@pytest.mark.usefixtures("fast_hashes")
def test_demo_forum_counters_supports_and_follows_match_their_rows(app):
    _seed(app)
    posts = _posts()
    supports = list(db.session.scalars(select(PostSupport)))
    follows = db.session.execute(select(thread_follows.c.thread_id, thread_follows.c.user_id)).all()
    by_id = {p.id: p for p in posts}

    support_counts = Counter(s.post_id for s in supports)
    reply_counts = Counter(p.thread_id for p in posts if p.thread_id and p.status is PostStatus.PUBLISHED)
    for post in posts:
        assert post.supports_count == support_counts[post.id], post.id
        assert post.replies_count == reply_counts[post.id], post.id
    assert max(support_counts.values()) >= 4
    assert all(by_id[s.post_id].author_id != s.user_id for s in supports)
    assert {by_id[s.post_id].status for s in supports} == {PostStatus.PUBLISHED}
    # Authors follow their own contributions; some people follow threads they did not start.
    assert {(p.id, p.author_id) for p in posts if p.is_head} <= set(follows)
    assert any(by_id[thread_id].author_id != user_id for thread_id, user_id in follows)


@pytest.mark.usefixtures("fast_hashes")
def test_demo_moderation_hides_with_a_reason_and_leaves_one_pending(app):
    _seed(app)
    forums = _forums()
    posts = _posts()

    hidden = [p for p in posts if p.status is PostStatus.HIDDEN]
    assert len(hidden) == 1
    post = hidden[0]
    assert post.forum_id == forums["SDTPC"].id and post.hidden_reason and post.flags_count == 0
    flags = list(db.session.scalars(select(PostFlag).where(PostFlag.post_id == post.id)))
    assert len(flags) == 2
    assert all(f.resolved_at is not None and f.user_id != post.author_id for f in flags)
    entry = db.session.scalar(select(ModerationLogEntry).where(ModerationLogEntry.post_id == post.id))
    assert entry.action is ModerationAction.HIDE and entry.reason == post.hidden_reason
    assert entry.target_user_id == post.author_id
    assert can_moderate(db.session.get(User, entry.moderator_id), post.forum.space)
    told = db.session.scalars(select(Notification.message).where(Notification.user_id == post.author_id)).all()
    assert any(post.hidden_reason[:80] in message for message in told)

    pending = [p for p in posts if p.status is PostStatus.PENDING]
    assert len(pending) == 1 and pending[0].forum_id == forums["DAGMA"].id
    approved = set(
        db.session.scalars(
            select(ModerationLogEntry.post_id).where(ModerationLogEntry.action == ModerationAction.APPROVE)
        )
    )
    published_in_pre = {p.id for p in posts if p.forum_id == forums["DAGMA"].id and p.status is PostStatus.PUBLISHED}
    assert approved == published_in_pre


@pytest.mark.usefixtures("fast_hashes")
def test_demo_closed_forum_publishes_its_relatoria_citing_contributions(app):
    _seed(app)
    forum = _forums()["SMOV"]
    space = forum.space

    assert space.state is SpaceState.RESULTS_PUBLISHED
    assert "<p>" in forum.synthesis and len(forum.synthesis) > 500
    assert forum.synthesis_author_id == space.created_by_id
    published = next(t for t in space.transitions if t.to_state is SpaceState.RESULTS_PUBLISHED)
    assert space.closed_at < forum.synthesis_published_at == published.created_at <= now_utc()
    cited = db.session.scalars(
        select(synthesis_citations.c.post_id).where(synthesis_citations.c.forum_id == forum.id)
    ).all()
    assert len(cited) >= 5
    for post_id in cited:
        post = db.session.get(ForumPost, post_id)
        assert post.forum_id == forum.id and post.is_head and post.status is PostStatus.PUBLISHED
    # The institutional response it now awaits is still within its term.
    assert space.response_due_on >= local_today()


@pytest.mark.usefixtures("fast_hashes")
def test_demo_forum_conversations_are_dated_in_order(app):
    _seed(app)
    now = now_utc()
    posts = _posts()

    for post in posts:
        space = post.forum.space
        assert space.opens_at <= post.created_at <= min(space.closes_at, now), post.id
        for earlier in (post.thread, post.quote, post.parent):
            if earlier is not None:
                assert earlier.created_at <= post.created_at, post.id
        if post.is_head:
            replies = [r.created_at for r in posts if r.thread_id == post.id and r.status is PostStatus.PUBLISHED]
            assert post.last_activity_at == max([post.created_at, *replies]), post.id
        notified = db.session.scalars(select(Notification.created_at).where(Notification.url == post_path(post)))
        assert all(post.created_at <= moment <= now for moment in notified), post.id
    by_id = {p.id: p for p in posts}
    for support in db.session.scalars(select(PostSupport)):
        assert by_id[support.post_id].created_at <= support.created_at <= now
    for flag in db.session.scalars(select(PostFlag)):
        assert by_id[flag.post_id].created_at <= flag.created_at <= flag.resolved_at <= now
    # The open post-moderated forum shows more than a week of conversation.
    sdtpc = _forums()["SDTPC"]
    days = {utc_to_local(p.created_at).date() for p in posts if p.forum_id == sdtpc.id}
    assert len(days) >= 7


@pytest.mark.usefixtures("fast_hashes")
def test_seed_demo_gives_an_open_forum_space_the_forum_it_lacks(app):
    """A database loaded by an earlier demo, before its forums existed, gets them on the next run."""
    _seed(app)
    space = _forums()["SDTPC"].space
    db.session.execute(delete(Forum).where(Forum.space_id == space.id))
    db.session.commit()

    output = _seed(app)

    expected = len(PARTICIPATION_FORUM.contributions) + len(PARTICIPATION_FORUM.replies)
    assert f"0 espacios de participación, 1 foros, {expected} aportes y respuestas" in output
    forum = db.session.scalar(select(Forum).where(Forum.space_id == space.id))
    statuses = Counter(db.session.scalars(select(ForumPost.status).where(ForumPost.forum_id == forum.id)))
    assert statuses == {PostStatus.PUBLISHED: expected - 1, PostStatus.HIDDEN: 1}


@pytest.mark.usefixtures("fast_hashes")
def test_demo_forum_pages_show_the_conversation(app, client):
    _seed(app)
    forums = _forums()
    sdtpc, smov, dagma = (forums[acronym].space_id for acronym in ("SDTPC", "SMOV", "DAGMA"))
    problem = db.session.scalar(select(ForumPost).where(ForumPost.title.like("No sabemos en qué se gasta%")))
    pages = {
        f"/espacios/{sdtpc}/foro": "No sabemos en qué se gasta el presupuesto participativo de la comuna",
        f"/espacios/{sdtpc}/foro/aportes/{problem.id}": "Las actas de la JAL se publican tarde y en PDF escaneado",
        f"/espacios/{sdtpc}/foro/transparencia": "1 aporte oculto en total",
        f"/espacios/{smov}/foro": "Leer la relatoría",
        f"/espacios/{smov}/foro/relatoria": "Propuestas que pasan a las mesas de movilidad de ladera",
        f"/espacios/{dagma}/foro": "Basura y escombros en la orilla de la laguna de Charco Azul",
        f"/espacios/{sdtpc}/foro/buscar?q=actas": "Las actas de la JAL",
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert expected in html, path
        assert "lista 4" not in html and "Cámaras y comparendos" not in html, path

    moderator = db.session.scalar(select(User).where(User.email == "moderacion1@demo.foro.cali"))
    login(client, moderator, DEMO_PASSWORD)
    assert "Cámaras y comparendos ambientales" in client.get("/moderacion").get_data(as_text=True)


@pytest.mark.usefixtures("fast_hashes")
def test_demo_walks_the_whole_loop_of_a_call_for_proposals(app, client):
    """The Comuna 18 call runs from proposals to evaluated actions, the hillside call is voting now, and
    the pages of the chain link to each other."""
    _seed(app)
    calls = {c.space.title: c for c in db.session.scalars(select(ProposalCall))}
    budget = calls["Propuestas de la Comuna 18 para el presupuesto participativo"]
    hillside = calls["Propuestas para el transporte nocturno en la ladera"]
    now = now_utc()
    assert budget.space.state is SpaceState.RESPONSE_GIVEN and budget.results_published_at is not None
    assert budget.space.opens_at < budget.proposing_ends_at <= budget.concertation_ends_at < budget.voting_ends_at
    assert budget.voting_ends_at == budget.space.closes_at < now
    assert hillside.window_at(now) is CallWindow.VOTING

    proposals = list(db.session.scalars(select(Proposal).where(Proposal.call_id == budget.id)))
    for proposal in proposals:
        votes = db.session.scalar(select(func.count()).where(ProposalVote.proposal_id == proposal.id))
        assert proposal.votes_count == votes
        assert budget.space.opens_at <= proposal.created_at <= budget.concertation_ends_at
    winners = [p for p in proposals if p.is_winner]
    assert sum(p.estimated_cost for p in winners) <= budget.budget_cap
    assert all(p.answer is not None for p in winners + [p for p in proposals if p.kind is ProposalKind.CONCERTED])
    accepted = next(p for p in proposals if p.answer and p.answer.decision is AnswerDecision.ACCEPTED)
    action = accepted.answer.action
    assert db.session.scalar(select(func.count()).where(ProgressUpdate.action_id == action.id)) == 2
    assert action.indicator_current == 98
    for email in ("ciudadana3@demo.foro.cali", "ciudadana5@demo.foro.cali"):
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ActionEvaluation)
                .join(User)
                .where(ActionEvaluation.action_id == action.id, User.email == email)
            )
            == 1
        )
    forum_linked = db.session.scalars(
        select(Proposal).where(Proposal.call_id == hillside.id, Proposal.forum_post_id.is_not(None))
    ).all()
    assert len(forum_linked) == 3

    proposal_page = client.get(f"/espacios/{budget.space_id}/propuestas/{accepted.id}").get_data(as_text=True)
    assert f"/acciones/{action.id}" in proposal_page
    trace = client.get(f"/acciones/{action.id}/trazabilidad").get_data(as_text=True)
    assert f"/espacios/{budget.space_id}/propuestas/{accepted.id}" in trace
    assert "98" in trace
