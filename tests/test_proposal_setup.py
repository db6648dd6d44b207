"""Setting up a call for proposals (proposals.call_settings) and the call on its space page.

Route: /espacios/<id>/convocatoria/ajustes. Times are typed in Cali time and stored in UTC.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from foro.errors import InvalidInput
from foro.extensions import db
from foro.models import CallWindow, ProposalCall, Role, Space, SpaceKind, SpaceState, VoteRule
from foro.services.spaces import SpaceDetails, update_space
from foro.timeutil import utc_to_local
from tests.helpers import csrf_token, login, post_form, table_row_counts


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(make):
    return {
        "official": make.make_official("SDTPC"),
        "admin": make.make_user(Role.ADMIN),
        "other_official": make.make_official("SGOB"),
        "moderator": make.make_user(Role.MODERATOR),
        "citizen": make.make_user(),
    }


@pytest.fixture
def space(make, people):
    return make.make_space(
        kind=SpaceKind.PROPOSAL_CALL,
        state=SpaceState.ANNOUNCED,
        opens_in_days=2,
        lasts_days=30,
        moderators=[people["moderator"]],
    )


def _local(moment) -> str:
    return utc_to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _form(space, **overrides) -> dict:
    form = {
        "proposing_ends_at": _local(space.opens_at + timedelta(days=10)),
        "concertation_ends_at": _local(space.opens_at + timedelta(days=15)),
        "voting_ends_at": _local(space.opens_at + timedelta(days=25)),
        "vote_rule": "limited",
        "max_votes": "3",
        "budget_cap": "",
        "winners_count": "5",
        "residents_only": "y",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def _url(space) -> str:
    return f"/espacios/{space.id}/convocatoria/ajustes"


def _call(space) -> ProposalCall | None:
    db.session.expire_all()
    return db.session.scalar(select(ProposalCall).where(ProposalCall.space_id == space.id))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("official", 200),
        ("admin", 200),
        ("other_official", 403),
        ("moderator", 403),
        ("citizen", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_set_up_a_call(client, people, space, who, status):
    if who != "anonymous":
        login(client, people[who])
    assert client.get(_url(space)).status_code == status
    before = table_row_counts()
    token = csrf_token(client, _url(space) if status == 200 else "/cuenta/ingresar")
    response = client.post(_url(space), data={**_form(space), "csrf_token": token})
    if status == 200:
        assert response.status_code == 302
        assert _call(space) is not None
    else:
        assert response.status_code == status
        assert table_row_counts() == before


def test_staff_create_the_call_with_windows_stored_in_utc(client, people, space):
    login(client, people["official"])
    page = _html(client.get(_url(space)))
    assert "hora de Cali" in page and "autodeclarada" in page
    response = post_form(client, _url(space), _form(space), token_from=_url(space))
    assert response.status_code == 302 and response.location.endswith(f"/espacios/{space.id}")
    call = _call(space)
    # Minutes are what the form carries.
    assert abs(call.proposing_ends_at - (space.opens_at + timedelta(days=10))) < timedelta(minutes=1)
    assert abs(call.voting_ends_at - (space.opens_at + timedelta(days=25))) < timedelta(minutes=1)
    assert call.proposing_ends_at.utcoffset() == timedelta(0)
    assert (call.vote_rule, call.max_votes, call.budget_cap, call.winners_count) == (VoteRule.LIMITED, 3, None, 5)
    assert call.residents_only is True and call.live_totals is False


def test_editing_keeps_one_call_and_drops_the_limit_the_rule_does_not_use(client, people, space):
    login(client, people["official"])
    post_form(client, _url(space), _form(space), token_from=_url(space))
    # The form shows the stored values.
    assert 'value="3"' in _html(client.get(_url(space)))
    response = post_form(
        client,
        _url(space),
        _form(space, vote_rule="budget", max_votes="3", budget_cap="500000000", concertation_ends_at=""),
        token_from=_url(space),
    )
    assert response.status_code == 302
    calls = db.session.scalars(select(ProposalCall).where(ProposalCall.space_id == space.id)).all()
    assert len(calls) == 1
    call = _call(space)
    assert (call.vote_rule, call.max_votes, call.budget_cap) == (VoteRule.BUDGET, None, Decimal("500000000"))
    # No concertation: its window ends when proposing ends.
    assert call.concertation_ends_at == call.proposing_ends_at


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"proposing_ends_at": "past"}, "posterior"),
        ({"concertation_ends_at": "before_proposing"}, "concertación empieza"),
        ({"voting_ends_at": "before_concertation"}, "votación empieza"),
        ({"voting_ends_at": "after_close"}, "cuando cierra el espacio"),
        ({"vote_rule": "limited", "max_votes": ""}, "votos tiene cada persona"),
        ({"vote_rule": "limited", "max_votes": "abc"}, ""),
        ({"vote_rule": "limited", "max_votes": "0"}, "entre 1 y 100"),
        ({"vote_rule": "budget", "budget_cap": ""}, "presupuesto total"),
        ({"vote_rule": "budget", "budget_cap": "-5"}, "mayor que cero"),
        ({"vote_rule": "lottery"}, "Elige una de las opciones"),
        ({"winners_count": "0"}, "entre 1 y 1000"),
        ({"proposing_ends_at": "mañana"}, "fecha y la hora completas"),
        ({"voting_ends_at": ""}, "obligatorio"),
    ],
)
def test_bad_settings_are_refused_in_spanish_and_store_nothing(client, people, space, overrides, message):
    moments = {
        "past": _local(space.opens_at - timedelta(days=1)),
        "before_proposing": _local(space.opens_at + timedelta(days=5)),
        "before_concertation": _local(space.opens_at + timedelta(days=12)),
        "after_close": _local(space.closes_at + timedelta(hours=1)),
    }
    login(client, people["official"])
    before = table_row_counts()
    data = _form(space, **{key: moments.get(value, value) for key, value in overrides.items()})
    response = post_form(client, _url(space), data, token_from=_url(space))
    assert response.status_code == 400
    assert message in _html(response)
    assert table_row_counts() == before


def test_the_call_cannot_change_once_the_space_is_open(client, make, people):
    call = make.make_call(window=CallWindow.PROPOSING)
    login(client, people["official"])
    assert client.get(_url(call.space)).status_code == 403
    before = table_row_counts()
    response = post_form(client, _url(call.space), _form(call.space))
    assert response.status_code == 403 and "antes de que abra" in _html(response)
    assert table_row_counts() == before


def test_other_kinds_of_space_have_no_call_settings(client, make, people):
    forum_space = make.make_space(kind=SpaceKind.FORUM, state=SpaceState.ANNOUNCED)
    login(client, people["official"])
    assert client.get(_url(forum_space)).status_code == 404


def test_the_space_page_says_a_call_is_not_set_up_and_offers_staff_the_settings(client, people, space):
    page = _html(client.get(f"/espacios/{space.id}"))
    assert "todavía no tiene sus fechas" in page and _url(space) not in page
    login(client, people["official"])
    page = _html(client.get(f"/espacios/{space.id}"))
    assert "Configurar la convocatoria" in page and _url(space) in page


@pytest.mark.parametrize(
    ("window", "current"),
    [
        (CallWindow.PROPOSING, "Recepción de propuestas"),
        (CallWindow.CONCERTATION, "Concertación"),
        (CallWindow.VOTING, "Votación"),
    ],
)
def test_the_space_page_shows_the_windows_with_the_running_one_marked(client, make, window, current):
    call = make.make_call(window=window, vote_rule=VoteRule.LIMITED, max_votes=4, residents_only=True)
    page = _html(client.get(f"/espacios/{call.space_id}"))
    marked = page.split('aria-current="step"')[1].split("</strong>")[0]
    assert current in marked
    assert "hasta 4 propuestas" in page
    assert "declara en su perfil" in page
    assert f"/espacios/{call.space_id}/propuestas" in page
    assert ("/propuestas/nueva" in page) is (window is CallWindow.PROPOSING)


def test_the_space_page_explains_the_budget_rule(client, make):
    call = make.make_call(vote_rule=VoteRule.BUDGET, budget_cap=Decimal("300000000"), live_totals=True)
    page = _html(client.get(f"/espacios/{call.space_id}"))
    assert "$ 300.000.000" in page and "mientras la votación está abierta" in page


def test_the_space_page_links_the_ballot_while_voting_and_results_and_answers_after(client, make):
    voting = make.make_call(window=CallWindow.VOTING)
    page = _html(client.get(f"/espacios/{voting.space_id}"))
    assert f"/espacios/{voting.space_id}/votacion" in page and "/resultados" not in page
    finished = make.make_call(window=CallWindow.FINISHED)
    page = _html(client.get(f"/espacios/{finished.space_id}"))
    assert f"/espacios/{finished.space_id}/resultados" in page
    assert f"/espacios/{finished.space_id}/respuestas" in page
    assert "/votacion" not in page


@pytest.mark.parametrize(
    ("field_name", "shift"),
    [("opens_at", timedelta(days=6)), ("closes_at", timedelta(days=-1))],
)
def test_space_dates_that_no_longer_hold_the_call_are_refused(make, field_name, shift):
    call = make.make_call(window=CallWindow.PROPOSING)
    space = call.space
    official = make.make_official()
    details = SpaceDetails(
        kind=space.kind,
        title=space.title,
        phase=space.phase,
        participation_level=space.participation_level,
        opens_at=space.opens_at + (shift if field_name == "opens_at" else timedelta(0)),
        closes_at=space.closes_at + (shift if field_name == "closes_at" else timedelta(0)),
        cycle_id=space.cycle_id,
    )
    before = (space.opens_at, space.closes_at)
    with pytest.raises(InvalidInput) as refused:
        update_space(official, space, details)
    assert refused.value.field == field_name
    assert "ajusta primero la convocatoria" in str(refused.value.message)
    db.session.rollback()
    assert (db.session.get(Space, space.id).opens_at, db.session.get(Space, space.id).closes_at) == before


def test_a_call_that_opened_without_settings_says_its_proposals_came_in_elsewhere(client, make):
    space = make.make_space(kind=SpaceKind.PROPOSAL_CALL, state=SpaceState.RESPONSE_GIVEN)
    page = _html(client.get(f"/espacios/{space.id}"))
    assert "recibió sus propuestas por fuera de Foro" in page and "todavía no tiene sus fechas" not in page
