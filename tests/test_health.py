"""Participation health: counts per phase, level and state, and the list of owed institutional responses."""

from datetime import UTC, date, datetime

import pytest

from foro.extensions import db
from foro.models import ParticipationLevel, Phase, SpaceState
from foro.services.business_days import business_days_between
from foro.services.health import owed_follow_up, participation_health
from tests.answers_helpers import add_observation, results_call, winner

# A Tuesday; the week before has no Colombian public holiday.
TODAY = date(2026, 3, 10)
CLOSED_MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in Cali, Monday 2 March


def _space(make, org=None, *, level=ParticipationLevel.CONSULTATION, **fields):
    space = make.make_space(org, **fields)
    # make_space fixes the level; health needs several.
    space.participation_level = level
    db.session.commit()
    return space


def _owed_table(html: str) -> str:
    start = html.index('id="respuestas-pendientes"')
    return html[start : html.index("</section>", start)]


def test_counts_per_phase_level_and_state_include_zeros_and_skip_drafts_and_other_organisms(make):
    org = make.organism("SDTPC")
    _space(make, org, phase=Phase.DIAGNOSIS, state=SpaceState.OPEN)
    _space(make, org, phase=Phase.DIAGNOSIS, state=SpaceState.ANNOUNCED, level=ParticipationLevel.INFORMATIVE)
    _space(make, org, phase=Phase.DIAGNOSIS, state=SpaceState.CLOSED, level=ParticipationLevel.INFORMATIVE)
    _space(make, org, phase=Phase.EVALUATION, state=SpaceState.RESPONSE_GIVEN, level=ParticipationLevel.INTERACTIVE)
    _space(make, org, phase=Phase.FORMULATION, state=SpaceState.DRAFT, level=ParticipationLevel.SELF_DEVELOPMENT)
    _space(make, make.organism("SMOV"), phase=Phase.MONITORING, state=SpaceState.OPEN)

    health = participation_health(org.id, TODAY)

    assert [row.key for row in health.by_phase] == list(Phase)
    assert [row.key for row in health.by_level] == list(ParticipationLevel)
    assert SpaceState.DRAFT not in health.states
    phases = {row.key: row for row in health.by_phase}
    assert phases[Phase.DIAGNOSIS].by_state == {
        SpaceState.ANNOUNCED: 1,
        SpaceState.OPEN: 1,
        SpaceState.CLOSED: 1,
        SpaceState.RESULTS_PUBLISHED: 0,
        SpaceState.RESPONSE_GIVEN: 0,
    }
    assert phases[Phase.DIAGNOSIS].total == 3
    assert phases[Phase.EVALUATION].by_state[SpaceState.RESPONSE_GIVEN] == 1
    # The draft (formulation) and the other organism's space (monitoring) are not counted.
    assert phases[Phase.FORMULATION].total == 0
    assert phases[Phase.MONITORING].total == 0
    levels = {row.key: row.total for row in health.by_level}
    assert levels == {
        ParticipationLevel.INFORMATIVE: 2,
        ParticipationLevel.CONSULTATION: 1,
        ParticipationLevel.INFORMATION_SUPPLY: 0,
        ParticipationLevel.INCENTIVES: 0,
        ParticipationLevel.FUNCTIONAL: 0,
        ParticipationLevel.INTERACTIVE: 1,
        ParticipationLevel.SELF_DEVELOPMENT: 0,
    }
    assert health.total == 4
    assert health.state_totals[SpaceState.OPEN] == 1
    assert health.finished_count == 2
    assert health.responded_count == 1
    assert health.deepest_level is ParticipationLevel.INTERACTIVE


def test_owed_list_flags_overdue_in_business_days_and_puts_them_first(make):
    org = make.organism("SDTPC")
    on_time = _space(
        make,
        org,
        state=SpaceState.RESULTS_PUBLISHED,
        title="Dentro del plazo",
        closed_at=CLOSED_MONDAY,
        response_due_on=date(2026, 3, 20),
    )
    late = _space(
        make,
        org,
        state=SpaceState.CLOSED,
        title="Respuesta atrasada",
        closed_at=CLOSED_MONDAY,
        response_due_on=date(2026, 3, 5),
    )
    later = _space(
        make,
        org,
        state=SpaceState.CLOSED,
        title="Respuesta muy atrasada",
        closed_at=datetime(2026, 2, 2, 15, 0, tzinfo=UTC),
        response_due_on=date(2026, 2, 20),
    )
    due_today = _space(
        make, org, state=SpaceState.CLOSED, title="Vence hoy", closed_at=CLOSED_MONDAY, response_due_on=TODAY
    )
    _space(make, org, state=SpaceState.RESPONSE_GIVEN, closed_at=CLOSED_MONDAY, response_due_on=date(2026, 3, 5))
    _space(make, org, state=SpaceState.OPEN)

    health = participation_health(org.id, TODAY)

    assert [item.space.id for item in health.owed] == [later.id, late.id, due_today.id, on_time.id]
    by_id = {item.space.id: item for item in health.owed}
    assert by_id[late.id].overdue is True
    assert by_id[late.id].closed_on == date(2026, 3, 2)
    # Tue 3 .. Tue 10 March: six weekdays after the closing Monday; 6, 9 and 10 March after the due Thursday.
    assert by_id[late.id].business_days_elapsed == 6
    assert by_id[late.id].business_days_overdue == 3
    assert by_id[later.id].business_days_overdue == business_days_between(date(2026, 2, 20), TODAY)
    assert by_id[due_today.id].overdue is False  # due today is still on time
    assert by_id[on_time.id].overdue is False
    assert by_id[on_time.id].business_days_overdue == 0
    assert health.overdue_count == 2


def test_health_page_shows_tables_and_owed_list(client, make):
    org = make.organism("SDTPC")
    _space(make, org, phase=Phase.IMPLEMENTATION, state=SpaceState.OPEN, level=ParticipationLevel.FUNCTIONAL)
    _space(
        make,
        org,
        state=SpaceState.CLOSED,
        title="Foro atrasado de ladera",
        opens_in_days=-60,
        response_due_on=date(2020, 1, 10),
    )
    _space(
        make,
        org,
        state=SpaceState.CLOSED,
        title="Foro a tiempo del oriente",
        opens_in_days=-30,
        response_due_on=date(2100, 1, 10),
    )
    _space(make, org, state=SpaceState.DRAFT, title="Borrador que nadie debe ver")
    _space(
        make,
        make.organism("SMOV"),
        state=SpaceState.CLOSED,
        title="Ajeno de Movilidad",
        response_due_on=date(2020, 1, 10),
    )

    response = client.get("/organismos/SDTPC/salud")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "Salud de la participación de SDTPC" in html
    for phase in Phase:
        assert f'<th scope="row">{phase.label}</th>' in html
    for level in ParticipationLevel:
        assert f'<th scope="row">{level.label}</th>' in html
    # Levels appear in ladder order.
    positions = [html.index(f'<th scope="row">{level.label}</th>') for level in ParticipationLevel]
    assert positions == sorted(positions)
    assert "Borrador que nadie debe ver" not in html
    assert "Ajeno de Movilidad" not in html
    owed = _owed_table(html)
    assert owed.index("Foro atrasado de ladera") < owed.index("Foro a tiempo del oriente")
    assert owed.count("badge-overdue") == 1
    assert "días hábiles de retraso" in owed
    assert "Dentro del plazo" in owed
    assert 'href="/organismos/SDTPC"' in html


def test_health_page_escapes_titles(client, make):
    _space(make, state=SpaceState.CLOSED, title="<script>alert(1)</script>", response_due_on=date(2020, 1, 1))

    html = client.get("/organismos/SDTPC/salud").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("acronym", ["NOEXISTE", "sdtpc", "SDTPC%00", "X" * 300])
def test_health_page_unknown_organism_is_404(client, make, acronym):
    assert client.get(f"/organismos/{acronym}/salud").status_code == 404


def test_health_page_runs_a_constant_number_of_queries(client, make, count_queries):
    org = make.organism("SDTPC")

    def add(n):
        for i in range(n):
            state = list(SpaceState)[1 + i % 5]
            _space(
                make,
                org,
                state=state,
                phase=list(Phase)[i % 5],
                level=list(ParticipationLevel)[i % 7],
                response_due_on=date(2020, 1, 1 + i % 28),
                territories=[make.territory(1 + i % 22)],
            )

    def add_owed(n):
        # Issue 4: calls with unanswered winners, and unanswered control observations.
        action = make.make_action(make.make_plan(org))
        for _ in range(n):
            call = results_call(make, org)
            winner(make, call)
            winner(make, call, rank=2)
            add_observation(action, make.make_user())

    add(2)
    add_owed(1)
    with count_queries() as small:
        assert client.get("/organismos/SDTPC/salud").status_code == 200
    add(25)
    add_owed(6)
    with count_queries() as large:
        assert client.get("/organismos/SDTPC/salud").status_code == 200
    assert small.count == large.count
    # Three for the counts and the owed responses, two for what issue 4 adds (owed answers, observations).
    assert large.count <= 6


def test_owed_answers_per_call_and_unanswered_observations(make):
    org = make.organism("SDTPC")
    owing = results_call(make, org, title="Convocatoria que debe respuestas")
    winner(make, owing)
    winner(make, owing, rank=2)
    originals = [make.make_proposal(owing, make.make_user()) for _ in range(2)]
    make.make_proposal(owing, make.make_user(), origins=originals)
    make.make_proposal(owing, make.make_user())  # neither winner nor concerted: not owed
    # Results not yet published: nothing is owed there yet.
    voting = make.make_call(org, state=SpaceState.CLOSED)
    make.make_proposal(voting, make.make_user(), origins=[make.make_proposal(voting, make.make_user())])
    # Another organism's debts are not this one's.
    winner(make, results_call(make, make.organism("SMOV")))
    action = make.make_action(make.make_plan(org))
    pending = add_observation(action, make.make_user())
    add_observation(action, make.make_user(), answered=True)
    add_observation(make.make_action(make.make_plan(make.organism("SMOV"))), make.make_user())

    owed = owed_follow_up(org.id)

    assert [(item.space.id, item.count) for item in owed.answers] == [(owing.space_id, 3)]
    assert owed.answers_count == 3
    assert [o.id for o in owed.observations] == [pending.id]


def test_health_page_lists_what_issue_4_leaves_owed(client, make, app):
    org = make.organism("SDTPC")
    owing = results_call(make, org, title="Presupuesto participativo 2026")
    winner(make, owing)
    action = make.make_action(make.make_plan(org), title="Huertas comunitarias")
    add_observation(action, make.make_user())

    html = client.get("/organismos/SDTPC/salud").get_data(as_text=True)

    start = html.index('id="propuestas-sin-respuesta"')
    section = html[start : html.index("</section>", start)]
    assert "Presupuesto participativo 2026" in section
    assert f'href="/espacios/{owing.space_id}/respuestas"' in section
    assert '<td class="num">1</td>' in section
    start = html.index('id="observaciones-sin-respuesta"')
    section = html[start : html.index("</section>", start)]
    assert f'href="/acciones/{action.id}"' in section and "Huertas comunitarias" in section


def test_health_page_says_when_nothing_of_issue_4_is_owed(client, make):
    html = client.get("/organismos/SDTPC/salud").get_data(as_text=True)
    assert "Este organismo no debe respuestas a propuestas ganadoras o concertadas." in html
    assert "Este organismo no tiene observaciones de control social pendientes de respuesta." in html
