"""The demo data set: loaded through the real CLI command, idempotent, complete and believable."""

import os
from collections import Counter

import pytest
from sqlalchemy import func, select

from foro.demo import DEMO_PASSWORD, DEMO_USERS
from foro.extensions import db
from foro.models import (
    ActionPlan,
    Base,
    Cycle,
    Phase,
    Procedure,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    User,
)
from foro.services import accounts
from foro.services.accounts import authenticate
from foro.services.spaces import NEXT_STATE
from foro.timeutil import local_today, now_utc
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
)


@pytest.fixture
def fast_hashes(monkeypatch):
    """scrypt at full cost for eleven accounts in every test would dominate this file's time (as in
    tests/factories.py); the log-in test keeps the real method."""
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")


def _seed(app) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
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
    assert "25 espacios de participación" in first_output
    assert "0 espacios de participación y 0 cuentas" in second_output


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
    for plan in plans:
        assert 3 <= len(plan.actions) <= 6, plan.organism.acronym
        assert {a.procedure for a in plan.actions} == set(Procedure), plan.organism.acronym
        for action in plan.actions:
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
    assert len({c.territory_id for c in citizens}) == len(citizens) == 3

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
