"""The participation space envelope: the public calendar, its iCalendar feed, the space page and its editor."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import (
    ParticipationLevel,
    Phase,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    SpaceTransition,
    TerritoryKind,
)
from foro.services.business_days import add_business_days, business_days_between
from foro.services.ical import build_calendar, escape_text, fold_line, html_to_text
from foro.timeutil import local_today
from tests.helpers import login, post_form

# Babel writes "p. m." with a narrow no-break space, as CLDR does for es-CO.
PM = "p.\u202fm."
ALL_TODOS = '<option selected value="">Todos</option>'


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _html(response) -> str:
    return response.get_data(as_text=True)


def _reschedule(space: Space, opens_at: datetime, days: int = 7) -> Space:
    space.opens_at = opens_at
    space.closes_at = opens_at + timedelta(days=days)
    db.session.commit()
    return space


# --- The calendar ---------------------------------------------------------------------------------


@pytest.fixture
def schedule(make):
    """Four public spaces that differ in every filtered attribute, and a draft that must never show."""
    comuna_1, comuna_2 = make.territory(1), make.territory(2)
    sdtpc, sgob = make.organism("SDTPC"), make.organism("SGOB")
    spaces = {
        "ladera": make.make_space(
            sdtpc,
            title="Foro de la ladera",
            kind=SpaceKind.FORUM,
            phase=Phase.DIAGNOSIS,
            territories=[comuna_1],
            state=SpaceState.OPEN,
        ),
        "salud": make.make_space(
            sgob,
            title="Encuesta de salud barrial",
            kind=SpaceKind.SURVEY,
            phase=Phase.FORMULATION,
            territories=[comuna_2],
            state=SpaceState.ANNOUNCED,
        ),
        "decreto": make.make_space(
            sdtpc,
            title="Consulta del decreto de JAL",
            kind=SpaceKind.CONSULTATION,
            phase=Phase.MONITORING,
            territories=[comuna_2],
            state=SpaceState.CLOSED,
        ),
        "rendicion": make.make_space(
            sgob,
            title="Rendición de cuentas de Gobierno",
            kind=SpaceKind.LIVE_SESSION,
            phase=Phase.EVALUATION,
            territories=[comuna_1],
            state=SpaceState.RESPONSE_GIVEN,
        ),
        "borrador": make.make_space(
            sdtpc,
            title="Borrador secreto de presupuesto",
            kind=SpaceKind.FORUM,
            phase=Phase.DIAGNOSIS,
            territories=[comuna_1],
            state=SpaceState.DRAFT,
        ),
    }
    return {"spaces": spaces, "comuna_1": comuna_1.id, "comuna_2": comuna_2.id}


def _titles_shown(html: str, schedule) -> set[str]:
    return {key for key, space in schedule["spaces"].items() if space.title in html}


PUBLIC = {"ladera", "salud", "decreto", "rendicion"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", PUBLIC),
        ("organismo=SDTPC", {"ladera", "decreto"}),
        ("organismo=SGOB", {"salud", "rendicion"}),
        ("fase=formulation", {"salud"}),
        ("fase=monitoring", {"decreto"}),
        ("territorio={comuna_1}", {"ladera", "rendicion"}),
        ("territorio={comuna_2}", {"salud", "decreto"}),
        ("tipo=survey", {"salud"}),
        ("tipo=forum", {"ladera"}),
        ("estado=closed", {"decreto"}),
        ("estado=response_given", {"rendicion"}),
        ("organismo=SDTPC&territorio={comuna_1}", {"ladera"}),
        ("organismo=SGOB&tipo=live_session&estado=response_given", {"rendicion"}),
        ("territorio={comuna_2}&fase=monitoring&tipo=consultation&organismo=SDTPC&estado=closed", {"decreto"}),
        ("organismo=SGOB&fase=diagnosis", set()),
    ],
)
def test_calendar_filters(client, schedule, query, expected):
    response = client.get("/cronograma?" + query.format(**schedule))
    html = _html(response)
    assert response.status_code == 200
    assert _titles_shown(html, schedule) == expected
    if not expected:
        assert "No hay espacios de participación que coincidan con estos filtros." in html


def test_calendar_form_keeps_the_chosen_filters_and_offers_to_clear_them(client, schedule):
    html = _html(client.get(f"/cronograma?organismo=SGOB&territorio={schedule['comuna_2']}&tipo=survey"))
    assert '<option selected value="SGOB">Secretaría de Gobierno</option>' in html
    assert f'<option selected value="{schedule["comuna_2"]}">Comuna 2</option>' in html
    assert '<option selected value="survey">Encuesta diagnóstica</option>' in html
    assert '<form method="get" action="/cronograma"' in html
    assert '<a href="/cronograma">Limpiar filtros</a>' in html
    ics_link = re.search(r'href="(/cronograma\.ics\?[^"]+)"', html).group(1)
    for argument in ("organismo=SGOB", "tipo=survey", f"territorio={schedule['comuna_2']}"):
        assert argument in ics_link


@pytest.mark.parametrize(
    "query",
    [
        "organismo=NOPE",
        "organismo=sdtpc",  # acronyms are matched exactly
        "organismo=%25",
        "fase=planning",
        "territorio=abc",
        "territorio=-1",
        "territorio=99999999999999999999",
        "territorio=0",
        "tipo=%3Cscript%3Ealert(1)%3C/script%3E",
        "estado=draft",
        "estado=' OR '1'='1",
        "page=abc",
        "page=-3",
        "page=99999999999999999999",
        "organismo=&fase=&territorio=&tipo=&estado=",
        "organismo=NOPE&fase=x&territorio=x&tipo=x&estado=x",
    ],
)
def test_invalid_filters_are_ignored_and_shown_as_todos(client, schedule, query):
    response = client.get("/cronograma?" + query)
    html = _html(response)
    assert response.status_code == 200
    if query.startswith("page=") and query != "page=abc":
        # Negative pages fall back to the first; pages past the end are empty, never an error.
        assert _titles_shown(html, schedule) in (PUBLIC, set())
    else:
        assert _titles_shown(html, schedule) == PUBLIC
    assert html.count(ALL_TODOS) == 5
    assert "<script>alert(1)" not in html


def test_drafts_never_appear_in_the_calendar_even_for_their_organism(client, make, schedule):
    login(client, make.make_official("SDTPC"))
    for query in ("", "estado=draft", "organismo=SDTPC", "tipo=forum&fase=diagnosis"):
        html = _html(client.get("/cronograma?" + query))
        assert "Borrador secreto de presupuesto" not in html
        ics = _html(client.get("/cronograma.ics?" + query))
        assert "Borrador secreto" not in ics
    assert "Foro de la ladera" in html


def test_calendar_is_ordered_by_opening_and_grouped_by_local_month(client, make):
    march = _reschedule(make.make_space(title="Tercero: marzo"), datetime(2026, 3, 5, 15, tzinfo=UTC))
    january = _reschedule(make.make_space(title="Primero: enero"), datetime(2026, 1, 15, 15, tzinfo=UTC))
    # 03:00 UTC on 1 March is still 28 February, 22:00, in Cali: it belongs to February.
    _reschedule(make.make_space(title="Segundo: febrero en Cali"), datetime(2026, 3, 1, 3, tzinfo=UTC))
    html = _html(client.get("/cronograma"))
    headings = re.findall(r"<h2 id=\"mes-\d+\">([^<]+)</h2>", html)
    assert headings == ["Enero de 2026", "Febrero de 2026", "Marzo de 2026"]
    february = html[html.index("Febrero de 2026") : html.index("Marzo de 2026")]
    assert "Segundo: febrero en Cali" in february
    assert html.index(january.title) < html.index("Segundo: febrero en Cali") < html.index(march.title)


def test_calendar_entry_shows_what_a_resident_needs(client, make):
    space = make.make_space(
        make.organism("SGOB"),
        title="Sesión de rendición de cuentas 2026",
        kind=SpaceKind.LIVE_SESSION,
        territories=[make.territory(3), make.territory(53, TerritoryKind.CORREGIMIENTO)],
        state=SpaceState.CLOSED,
        response_due_on=local_today() - timedelta(days=10),
    )
    html = _html(client.get("/cronograma"))
    assert f'<a href="/espacios/{space.id}">Sesión de rendición de cuentas 2026</a>' in html
    assert "Sesión de rendición de cuentas ·" in html
    assert '<a href="/organismos/SGOB">Secretaría de Gobierno</a>' in html
    assert "Comuna 3, Corregimiento Pance" in html
    assert '<span class="badge badge-closed">Cerrado</span>' in html
    assert "Respuesta vencida" in html
    assert "Nivel: Consulta" in html
    assert "<time datetime=" in html


def test_calendar_pages_keep_the_filters(client, make):
    for n in range(35):
        make.make_space(title=f"Foro número {n:02d}", opens_in_days=n)
    make.make_space(title="Encuesta que no es foro", kind=SpaceKind.SURVEY)
    first = _html(client.get("/cronograma?tipo=forum"))
    assert first.count('class="card space-card"') == 30
    assert "Foro número 00" in first and "Foro número 29" in first and "Foro número 30" not in first
    assert "35 espacios encontrados" in first
    assert "Página 1 de 2" in first
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "page=2" in next_link and "tipo=forum" in next_link
    second = _html(client.get(next_link))
    assert second.count('class="card space-card"') == 5
    assert "Foro número 34" in second and "Encuesta que no es foro" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = client.get("/cronograma?tipo=forum&page=7")
    assert beyond.status_code == 200
    assert 'class="card space-card"' not in _html(beyond)


def _spaces_with_territories(make, count: int) -> None:
    territories = [make.territory(1), make.territory(2)]
    for n in range(count):
        make.make_space(title=f"Espacio {n}", territories=territories, opens_in_days=n)


@pytest.mark.parametrize("url", ["/cronograma", "/cronograma.ics", "/cronograma?territorio=1&tipo=forum"])
def test_calendar_query_count_does_not_grow_with_the_spaces(client, make, count_queries, url):
    _spaces_with_territories(make, 3)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _spaces_with_territories(make, 57)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert _html(response).count("Espacio 5") >= 1
    assert few.count == many.count, many.statements
    assert many.count <= 6, many.statements


# --- The iCalendar feed ---------------------------------------------------------------------------


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _events(body: str) -> list[dict[str, str]]:
    events, current = [], None
    for line in _unfold(body):
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name.split(";")[0]] = value
    return events


def _assert_wire_format(body: str) -> None:
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    for physical in body.split("\r\n"):
        assert "\n" not in physical and "\r" not in physical
        assert len(physical.encode("utf-8")) <= 75


def test_ics_feed_is_valid_icalendar(client, make):
    title = "Consulta; presupuesto, 2027 \\ borrador de la Secretaría de Desarrollo Territorial — ñandú 🌳"
    space = make.make_space(
        title=title,
        kind=SpaceKind.CONSULTATION,
        state=SpaceState.OPEN,
        location="Casa de la Cultura, Comuna 3",
        territories=[make.territory(3)],
    )
    space.description = "<p>Primera línea</p><p>Segunda &amp; <strong>última</strong>; fin</p>"
    _reschedule(space, datetime(2026, 11, 3, 19, 30, tzinfo=UTC), days=10)

    response = client.get("/cronograma.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = _html(response)
    _assert_wire_format(body)
    assert "VERSION:2.0" in _unfold(body) and any(line.startswith("PRODID:") for line in _unfold(body))
    [event] = _events(body)
    assert event["UID"] == f"space-{space.id}@foro"
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    assert event["DTSTART"] == "20261103T193000Z"
    assert event["DTEND"] == "20261113T193000Z"
    assert event["SUMMARY"] == (
        "Consulta\\; presupuesto\\, 2027 \\\\ borrador de la Secretaría de Desarrollo Territorial — ñandú 🌳"
    )
    assert _unescape(event["SUMMARY"]) == title
    description = _unescape(event["DESCRIPTION"])
    assert "Primera línea\nSegunda & última; fin" in description
    assert "Organismo: Secretaría de Desarrollo Territorial y Participación Ciudadana" in description
    assert "<p>" not in description and "<strong>" not in description
    assert event["URL"] == f"http://localhost/espacios/{space.id}"
    assert _unescape(event["LOCATION"]) == "Casa de la Cultura, Comuna 3"
    assert event["CATEGORIES"] == "Consulta de borrador"
    assert event["STATUS"] == "CONFIRMED"
    # The long summary really was folded, and never inside a character.
    assert any(line.startswith(" ") for line in body.split("\r\n"))


def test_ics_feed_uses_the_calendar_filters(client, schedule):
    events = _events(_html(client.get(f"/cronograma.ics?organismo=SDTPC&territorio={schedule['comuna_1']}")))
    assert [e["UID"] for e in events] == [f"space-{schedule['spaces']['ladera'].id}@foro"]
    events = _events(_html(client.get("/cronograma.ics?tipo=nonsense&estado=draft")))
    assert {e["UID"] for e in events} == {f"space-{schedule['spaces'][key].id}@foro" for key in PUBLIC}


def test_ics_location_falls_back_to_the_territories(client, make):
    make.make_space(territories=[make.territory(3), make.territory(5)])
    [event] = _events(_html(client.get("/cronograma.ics")))
    assert _unescape(event["LOCATION"]) == "Comuna 3, Comuna 5"


def test_ical_text_escaping_and_folding():
    assert escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert escape_text("sin\x00control\x07es") == "sincontroles"
    line = "DESCRIPTION:" + "ñ" * 100
    folded = fold_line(line)
    physical = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert folded.replace("\r\n ", "") == line
    assert fold_line("X" * 75) == "X" * 75
    assert fold_line("X" * 76) == "X" * 75 + "\r\n X"
    assert html_to_text("<p>Uno &lt;dos&gt;</p><ul><li>tres</li><li>cuatro</li></ul>") == "Uno <dos>\ntres\ncuatro"


def test_ical_refuses_naive_datetimes():
    from foro.services.ical import Event

    naive = Event(uid="x", starts_at=datetime(2026, 1, 1), ends_at=datetime(2026, 1, 2), summary="x")
    with pytest.raises(ValueError):
        build_calendar([naive], name="x", stamp=datetime.now(UTC))


# --- The space page -------------------------------------------------------------------------------


def test_space_page_shows_the_whole_envelope(client, make):
    moderator = make.make_user(Role.MODERATOR, display_name="Marta Moderadora")
    action = make.make_action(title="Escuela de liderazgo de la ladera")
    space = make.make_space(
        title="Foro de movilidad en Siloé",
        location="Biblioteca de Siloé",
        territories=[make.territory(20)],
        moderators=[moderator],
        action_id=action.id,
        state=SpaceState.OPEN,
    )
    space.participation_level = ParticipationLevel.INTERACTIVE
    space.target_groups = [make.target_group("Jóvenes"), make.target_group("Mujeres")]
    _reschedule(space, datetime(2026, 11, 3, 19, 30, tzinfo=UTC), days=10)

    response = client.get(f"/espacios/{space.id}")
    html = _html(response)
    assert response.status_code == 200
    assert "<h1>Foro de movilidad en Siloé</h1>" in html
    assert "Foro virtual" in html and "Diagnóstico" in html
    assert '<a href="/organismos/SDTPC">Secretaría de Desarrollo Territorial y Participación Ciudadana</a>' in html
    assert "Interactiva" in html and "dialoga de igual a igual" in html
    assert f"3 de noviembre de 2026, 2:30 {PM}" in html  # 19:30 UTC is 14:30 in Cali
    assert f"13 de noviembre de 2026, 2:30 {PM}" in html
    assert "Biblioteca de Siloé" in html
    assert '<a href="/territorios/comuna/20">Comuna 20</a>' in html
    assert "Jóvenes, Mujeres" in html
    assert f'<a href="/acciones/{action.id}">Escuela de liderazgo de la ladera</a>' in html
    assert "Marta Moderadora" in html
    assert "<p>¿Cómo mejorar el transporte en la ladera?</p>" in html
    assert '<span class="badge badge-open">Abierto</span>' in html
    # The lifecycle: every state in order, the current one marked.
    steps = re.findall(r'<li class="lifecycle-step is-(\w+)"[^>]*>\s*<strong>([^<]+)</strong>', html)
    assert steps == [
        ("done", "Borrador"),
        ("done", "Convocado"),
        ("current", "Abierto"),
        ("pending", "Cerrado"),
        ("pending", "Resultados publicados"),
        ("pending", "Respuesta institucional dada"),
    ]
    assert 'aria-current="step"' in html
    # Visitors see no controls.
    assert "/estado" not in html and "/editar" not in html


def test_space_page_cleans_description_and_escapes_title(client, make):
    space = make.make_space(title='"><img src=x onerror=alert(1)>')
    # A row written before the allow-list existed: the page cleans it again on the way out.
    space.description = '<p>Hola</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
    db.session.commit()
    html = _html(client.get(f"/espacios/{space.id}"))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)" not in html and "javascript:" not in html
    assert "<p>Hola</p>" in html


def test_closed_space_shows_business_days_left(client, make):
    due = add_business_days(local_today(), 5)
    space = make.make_space(state=SpaceState.CLOSED, response_due_on=due)
    html = _html(client.get(f"/espacios/{space.id}"))
    assert "Respuesta institucional pendiente" in html
    assert "Quedan 5 días hábiles." in html
    assert "Respuesta vencida" not in html


def test_overdue_space_shows_how_late_the_response_is(client, make):
    due = local_today() - timedelta(days=30)
    space = make.make_space(state=SpaceState.RESULTS_PUBLISHED, response_due_on=due)
    late = business_days_between(due, local_today())
    html = _html(client.get(f"/espacios/{space.id}"))
    assert f"Respuesta vencida hace {late} días hábiles." in html
    assert '<span class="badge badge-overdue">Respuesta vencida</span>' in html
    assert 'class="response-deadline is-overdue"' in html


def test_response_due_today(client, make):
    space = make.make_space(state=SpaceState.CLOSED, response_due_on=local_today())
    assert "El plazo vence hoy." in _html(client.get(f"/espacios/{space.id}"))


def test_space_with_response_shows_it(client, make):
    space = make.make_space(
        state=SpaceState.RESPONSE_GIVEN,
        response_due_on=date(2026, 3, 1),
        institutional_response="<p>Acogimos <strong>12</strong> propuestas.</p>",
        response_given_at=datetime(2026, 2, 20, 20, 0, tzinfo=UTC),
    )
    html = _html(client.get(f"/espacios/{space.id}"))
    assert "<p>Acogimos <strong>12</strong> propuestas.</p>" in html
    assert f"Publicada el 20 de febrero de 2026, 3:00 {PM}." in html
    assert "Respuesta institucional pendiente" not in html


def test_timeline_shows_the_date_each_state_was_reached(client, make):
    from foro.services.spaces import change_space_state

    official = make.make_official()
    space = make.make_space(state=SpaceState.DRAFT)
    change_space_state(official, space, SpaceState.ANNOUNCED)
    db.session.flush()
    transition = db.session.scalars(select(SpaceTransition)).one()
    transition.created_at = datetime(2026, 10, 1, 17, 0, tzinfo=UTC)
    db.session.commit()
    html = _html(client.get(f"/espacios/{space.id}"))
    assert re.search(r"<strong>Convocado</strong>\s*<span[^>]*>Estado actual</span>", html)
    assert f"1 de octubre de 2026, 12:00 {PM}" in html


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999999999999", "2147483648", "12345"])
def test_space_page_bad_ids_are_404(client, make, bad_id):
    make.make_space()
    assert client.get(f"/espacios/{bad_id}").status_code == 404
    assert client.get(f"/espacios/{bad_id}/editar").status_code in (302, 404)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("citizen", 404),
        ("other_official", 404),
        ("unassigned_moderator", 404),
        ("official", 200),
        ("admin", 200),
        ("assigned_moderator", 200),
    ],
)
def test_draft_page_is_hidden_from_those_who_may_not_see_it(client, make, who, status):
    moderator = make.make_user(Role.MODERATOR)
    space = make.make_space(state=SpaceState.DRAFT, moderators=[moderator], title="Borrador del foro")
    people = {
        "citizen": lambda: make.make_user(),
        "other_official": lambda: make.make_official("SGOB"),
        "unassigned_moderator": lambda: make.make_user(Role.MODERATOR),
        "official": lambda: make.make_official("SDTPC"),
        "admin": lambda: make.make_user(Role.ADMIN),
        "assigned_moderator": lambda: moderator,
    }
    if who != "anonymous":
        login(client, people[who]())
    response = client.get(f"/espacios/{space.id}")
    assert response.status_code == status
    html = _html(response)
    if status == 404:
        assert "Borrador del foro" not in html
        assert "Página no encontrada" in html
    else:
        assert "Este espacio es un borrador" in html


def test_staff_see_the_next_move_and_the_edit_link(client, make):
    space = make.make_space(state=SpaceState.RESULTS_PUBLISHED)
    login(client, make.make_official())
    html = _html(client.get(f"/espacios/{space.id}"))
    assert f'action="/espacios/{space.id}/estado"' in html
    assert 'name="target" type="hidden" value="response_given"' in html
    assert 'name="response"' in html
    assert "Publicar la respuesta institucional" in html
    # Closed spaces are a record: no more editing of the envelope.
    assert "/editar" not in html


def test_assigned_moderator_sees_their_move_but_not_edit(client, make):
    moderator = make.make_user(Role.MODERATOR)
    space = make.make_space(state=SpaceState.OPEN, moderators=[moderator])
    login(client, moderator)
    html = _html(client.get(f"/espacios/{space.id}"))
    assert 'name="target" type="hidden" value="closed"' in html
    assert "Cerrar el espacio" in html
    assert 'name="response"' not in html
    assert f"/espacios/{space.id}/editar" not in html


# --- Creating and editing -------------------------------------------------------------------------


@pytest.fixture
def official(make):
    return make.make_official("SDTPC")


def _valid_form(make, **changes) -> dict:
    data = {
        "kind": "forum",
        "title": "Foro: ¿cómo mejorar los parques de la Comuna 18?",
        "description": "<p>Queremos escuchar <strong>ideas</strong>.</p>",
        "cycle_id": str(make.make_cycle().id),
        "phase": "diagnosis",
        "participation_level": "interactive",
        "action_id": "",
        "opens_at": "2026-11-03T14:30",
        "closes_at": "2026-11-20T18:00",
        "location": "Parque de Meléndez",
        "response_business_days": "15",
        "territory_ids": [str(make.territory(18).id), str(make.territory(51, TerritoryKind.CORREGIMIENTO).id)],
        "target_group_ids": [str(make.target_group("Jóvenes").id)],
        "moderator_ids": [],
    }
    data.update(changes)
    return data


def test_official_creates_a_draft_space(client, make, official):
    moderator = make.make_user(Role.MODERATOR, display_name="Mario Moderador")
    action = make.make_action()
    login(client, official)
    page = client.get("/organismos/SDTPC/espacios/nuevo")
    assert page.status_code == 200
    assert 'value="15"' in _html(page)  # the default response deadline
    response = post_form(
        client,
        "/organismos/SDTPC/espacios/nuevo",
        _valid_form(make, action_id=str(action.id), moderator_ids=[str(moderator.id)]),
    )
    space = db.session.scalars(select(Space)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/espacios/{space.id}"
    assert space.state is SpaceState.DRAFT
    assert space.organism.acronym == "SDTPC"
    assert space.created_by_id == official.id
    assert space.title == "Foro: ¿cómo mejorar los parques de la Comuna 18?"
    assert space.participation_level is ParticipationLevel.INTERACTIVE
    # Typed as Cali wall-clock time, stored in UTC (Cali is UTC-5 all year).
    assert space.opens_at == datetime(2026, 11, 3, 19, 30, tzinfo=UTC)
    assert space.closes_at == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    assert [t.number for t in space.territories] == [18, 51]
    assert [g.name for g in space.target_groups] == ["Jóvenes"]
    assert space.moderators == [moderator]
    assert space.action_id == action.id
    assert space.response_business_days == 15
    assert _count(SpaceTransition) == 0
    assert "Se guardó el espacio" in _html(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("who", "status"),
    [("citizen", 403), ("other_official", 403), ("moderator", 403), ("admin", 200), ("official", 200)],
)
def test_who_may_open_the_new_space_form(client, make, who, status):
    people = {
        "citizen": lambda: make.make_user(),
        "other_official": lambda: make.make_official("SGOB"),
        "moderator": lambda: make.make_user(Role.MODERATOR),
        "admin": lambda: make.make_user(Role.ADMIN),
        "official": lambda: make.make_official("SDTPC"),
    }
    login(client, people[who]())
    assert client.get("/organismos/SDTPC/espacios/nuevo").status_code == status
    response = post_form(client, "/organismos/SDTPC/espacios/nuevo", _valid_form(make))
    assert response.status_code == (302 if status == 200 else 403)
    assert _count(Space) == (1 if status == 200 else 0)


def test_new_space_needs_login_and_a_known_organism(client, make, official):
    response = client.get("/organismos/SDTPC/espacios/nuevo")
    assert response.status_code == 302 and "/cuenta/ingresar" in response.headers["Location"]
    login(client, official)
    assert client.get("/organismos/NOPE/espacios/nuevo").status_code == 404
    assert client.get("/organismos/sdtpc/espacios/nuevo").status_code == 404


def test_form_without_csrf_token_is_refused(client, make, official):
    login(client, official)
    data = _valid_form(make)
    response = client.post("/organismos/SDTPC/espacios/nuevo", data=data)
    assert response.status_code == 400
    assert _count(Space) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": "2026-11-01T10:00"}, "La fecha de cierre debe ser posterior a la de apertura."),
        ({"closes_at": "2026-11-03T14:30"}, "La fecha de cierre debe ser posterior a la de apertura."),
        ({"title": "x" * 201}, "El título admite hasta 200 caracteres."),
        ({"title": ""}, "Este campo es obligatorio."),
        ({"title": " \u200b "}, "Escribe un título."),
        ({"location": "L" * 201}, "El lugar admite hasta 200 caracteres."),
        ({"description": "d" * 20_001}, "La descripción admite hasta 20000 caracteres."),
        ({"action_id": "999999"}, "La acción elegida no pertenece al plan de este organismo para esa vigencia."),
        ({"action_id": "abc"}, "Elige una de las opciones de la lista."),
        ({"cycle_id": "999999"}, "La vigencia elegida no existe."),
        ({"cycle_id": None}, "Elige la vigencia."),
        ({"kind": "webinar"}, "Elige una de las opciones de la lista."),
        ({"participation_level": "total"}, "Elige una de las opciones de la lista."),
        ({"participation_level": None}, "Elige el nivel de participación."),
        ({"opens_at": "mañana"}, "Escribe la fecha y la hora completas"),
        ({"response_business_days": "0"}, "El plazo debe estar entre 1 y 120 días hábiles."),
        ({"response_business_days": "121"}, "El plazo debe estar entre 1 y 120 días hábiles."),
        ({"territory_ids": ["999999"]}, "Alguno de los territorios no existe."),
        ({"territory_ids": ["uno"]}, "Elige una de las opciones de la lista."),
        ({"target_group_ids": ["999999"]}, "Alguno de los grupos de valor no existe."),
    ],
)
def test_invalid_space_form_is_refused_with_a_spanish_message(client, make, official, changes, message):
    login(client, official)
    data = {key: value for key, value in _valid_form(make, **changes).items() if value is not None}
    response = post_form(client, "/organismos/SDTPC/espacios/nuevo", data)
    assert response.status_code == 400
    assert message in _html(response)
    assert "Revisa el formulario" in _html(response)
    assert _count(Space) == 0


def test_title_of_exactly_the_limit_is_accepted(client, make, official):
    login(client, official)
    response = post_form(client, "/organismos/SDTPC/espacios/nuevo", _valid_form(make, title="t" * 200))
    assert response.status_code == 302
    assert db.session.scalars(select(Space)).one().title == "t" * 200


@pytest.mark.parametrize(
    "plan_of",
    [
        pytest.param(lambda make: make.make_plan(make.organism("SGOB")), id="other_organism"),
        pytest.param(lambda make: make.make_plan(cycle=make.make_cycle(2031)), id="other_cycle"),
    ],
)
def test_action_must_be_of_this_organism_and_cycle(client, make, official, plan_of):
    action = make.make_action(plan_of(make))
    login(client, official)
    response = post_form(client, "/organismos/SDTPC/espacios/nuevo", _valid_form(make, action_id=str(action.id)))
    assert response.status_code == 400
    assert "La acción elegida no pertenece al plan de este organismo para esa vigencia." in _html(response)
    assert _count(Space) == 0


def test_only_moderation_roles_may_be_assigned(client, make, official):
    citizen = make.make_user(display_name="Ciudadana Común")
    login(client, official)
    page = _html(client.get("/organismos/SDTPC/espacios/nuevo"))
    assert "Ciudadana Común" not in page
    assert official.display_name in page
    response = post_form(client, "/organismos/SDTPC/espacios/nuevo", _valid_form(make, moderator_ids=[str(citizen.id)]))
    assert response.status_code == 400
    assert "Solo personas con rol de moderación, funcionarias o administradoras pueden moderar." in _html(response)
    assert _count(Space) == 0


def test_xss_in_title_is_escaped_and_description_cleaned(client, make, official):
    login(client, official)
    response = post_form(
        client,
        "/organismos/SDTPC/espacios/nuevo",
        _valid_form(
            make,
            title="<script>alert(1)</script>{{7*7}}",
            description=(
                "<p>Hola</p><script>alert(1)</script><img src=x onerror=alert(1)>"
                '<a href="javascript:alert(1)">clic</a><svg onload=alert(1)></svg>'
                '<button formaction="javascript:alert(1)">b</button>'
            ),
        ),
    )
    assert response.status_code == 302
    space = db.session.scalars(select(Space)).one()
    assert space.title == "<script>alert(1)</script>{{7*7}}"
    for dangerous in ("<script", "<img", "javascript:", "<svg", "<button", "onerror", "onload"):
        assert dangerous not in space.description
    assert "<p>Hola</p>" in space.description
    html = _html(client.get(f"/espacios/{space.id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in html
    assert "<script>alert(1)" not in html and "49" not in html.split("<h1>")[1].split("</h1>")[0]
    assert "Content-Security-Policy" in client.get(f"/espacios/{space.id}").headers


def test_mass_assignment_is_ignored(client, make, official):
    other = make.make_official("SGOB")
    login(client, official)
    response = post_form(
        client,
        "/organismos/SDTPC/espacios/nuevo",
        _valid_form(
            make,
            organism_id=str(make.organism("SGOB").id),
            state="response_given",
            created_by_id=str(other.id),
            response_due_on="2020-01-01",
            institutional_response="<p>Ya respondimos</p>",
            id="4242",
        ),
    )
    assert response.status_code == 302
    space = db.session.scalars(select(Space)).one()
    assert space.organism.acronym == "SDTPC"
    assert space.state is SpaceState.DRAFT
    assert space.created_by_id == official.id
    assert space.response_due_on is None and space.institutional_response == ""
    assert space.id != 4242


def test_official_edits_a_space(client, make, official):
    space = make.make_space(state=SpaceState.ANNOUNCED, territories=[make.territory(4)], title="Título viejo")
    login(client, official)
    page = _html(client.get(f"/espacios/{space.id}/editar"))
    assert 'value="Título viejo"' in page
    assert f'checked id="territory_ids-3" name="territory_ids" type="checkbox" value="{make.territory(4).id}"' in page
    response = post_form(
        client,
        f"/espacios/{space.id}/editar",
        _valid_form(make, title="Título nuevo", territory_ids=[], state="closed", organism_id="1"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    space = db.session.get(Space, space.id)
    assert space.title == "Título nuevo"
    assert space.territories == []
    assert space.state is SpaceState.ANNOUNCED
    assert space.organism.acronym == "SDTPC"


def test_edit_form_shows_dates_in_cali_time(client, make, official):
    space = _reschedule(make.make_space(), datetime(2026, 11, 3, 19, 30, tzinfo=UTC))
    login(client, official)
    assert 'value="2026-11-03T14:30"' in _html(client.get(f"/espacios/{space.id}/editar"))


def test_invalid_edit_changes_nothing(client, make, official):
    space = make.make_space(title="Se queda igual")
    login(client, official)
    response = post_form(
        client, f"/espacios/{space.id}/editar", _valid_form(make, title="Otro", closes_at="2026-01-01T00:00")
    )
    assert response.status_code == 400
    assert "La fecha de cierre debe ser posterior a la de apertura." in _html(response)
    db.session.expire_all()
    assert db.session.get(Space, space.id).title == "Se queda igual"


@pytest.mark.parametrize(
    ("who", "state", "status"),
    [
        ("other_official", SpaceState.OPEN, 403),
        ("other_official", SpaceState.DRAFT, 404),
        ("citizen", SpaceState.OPEN, 403),
        ("assigned_moderator", SpaceState.OPEN, 403),
        ("official", SpaceState.CLOSED, 403),
        ("official", SpaceState.RESPONSE_GIVEN, 403),
        ("admin", SpaceState.DRAFT, 200),
    ],
)
def test_who_may_edit(client, make, who, state, status):
    moderator = make.make_user(Role.MODERATOR)
    space = make.make_space(state=state, moderators=[moderator], title="Título original")
    people = {
        "other_official": lambda: make.make_official("SGOB"),
        "citizen": lambda: make.make_user(),
        "assigned_moderator": lambda: moderator,
        "official": lambda: make.make_official("SDTPC"),
        "admin": lambda: make.make_user(Role.ADMIN),
    }
    login(client, people[who]())
    assert client.get(f"/espacios/{space.id}/editar").status_code == status
    response = post_form(client, f"/espacios/{space.id}/editar", _valid_form(make, title="Cambiado"))
    assert response.status_code == (302 if status == 200 else status)
    db.session.expire_all()
    assert db.session.get(Space, space.id).title == ("Cambiado" if status == 200 else "Título original")


def test_space_page_query_count_does_not_grow_with_its_details(client, make, count_queries):
    def space_with(n_territories, n_moderators):
        return make.make_space(
            state=SpaceState.OPEN,
            territories=[make.territory(n) for n in range(1, n_territories + 1)],
            moderators=[make.make_user(Role.MODERATOR) for _ in range(n_moderators)],
            action_id=make.make_action().id,
        )

    small, large = space_with(1, 1), space_with(20, 8)
    with count_queries() as few:
        assert client.get(f"/espacios/{small.id}").status_code == 200
    with count_queries() as many:
        assert client.get(f"/espacios/{large.id}").status_code == 200
    assert few.count == many.count <= 7, few.statements  # forum spaces add their summary
