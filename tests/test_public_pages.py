"""The public pages: home, organisms and territories. What shows, what never shows, and query counts."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from foro.extensions import db
from foro.models import ActionStatus, Procedure, Role, SpaceState, TerritoryKind
from foro.services.public import current_cycle, plain_excerpt
from foro.timeutil import now_utc
from tests.helpers import login

XSS_TITLE = "<script>alert(1)</script>"
ESCAPED_XSS_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _section(html: str, section_id: str) -> str:
    """The HTML of the <section> whose heading has ``section_id``."""
    start = html.index(f'<section aria-labelledby="{section_id}">')
    depth = 0
    for tag in re.finditer(r"<(/?)section\b", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return html[start : start + tag.start()]
    raise AssertionError(f"section {section_id} is not closed")


def _in_order(html: str, *texts: str) -> bool:
    positions = [html.index(text) for text in texts]
    return positions == sorted(positions)


def _row(html: str, text: str) -> str:
    """The table row that contains ``text``."""
    match = re.search(r"<tr>(?:(?!</tr>).)*?" + re.escape(text) + r".*?</tr>", html, re.DOTALL)
    assert match, f"no row with {text!r}"
    return match.group(0)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1, url
    return html


# --- Home --------------------------------------------------------------------------------------


def test_home_explains_foro_and_orders_its_sections(client, make):
    org = make.organism("SDTPC")
    make.make_space(org, title="Abierto cierra en 20 días", opens_in_days=-2, lasts_days=22)
    make.make_space(org, title="Abierto cierra en 3 días", opens_in_days=-2, lasts_days=5)
    make.make_space(org, title="Abierto cierra en 10 días", opens_in_days=-2, lasts_days=12)
    make.make_space(org, state=SpaceState.ANNOUNCED, title="Convocado abre en 5 días", opens_in_days=5)
    make.make_space(org, state=SpaceState.ANNOUNCED, title="Convocado abre en 2 días", opens_in_days=2)
    now = now_utc()
    make.make_space(
        org,
        state=SpaceState.RESPONSE_GIVEN,
        title="Respuesta antigua",
        opens_in_days=-90,
        response_given_at=now - timedelta(days=30),
        institutional_response="<p>Ya lo hicimos antes.</p>",
    )
    make.make_space(
        org,
        state=SpaceState.RESPONSE_GIVEN,
        title="Respuesta reciente",
        opens_in_days=-60,
        response_given_at=now - timedelta(days=1),
        institutional_response="<p>Incluimos <strong>12 propuestas</strong> en el plan &amp; más.</p><p>Gracias.</p>",
    )
    make.make_space(
        org,
        state=SpaceState.CLOSED,
        title="Cerrado vencido",
        opens_in_days=-60,
        response_due_on=date.today() - timedelta(days=10),
    )
    make.make_space(
        org,
        state=SpaceState.CLOSED,
        title="Cerrado a tiempo",
        opens_in_days=-30,
        response_due_on=date.today() + timedelta(days=10),
    )
    make.make_space(org, state=SpaceState.DRAFT, title="Borrador oculto")

    html = _page(client, "/")

    assert "Foro es el lugar donde la Alcaldía de Santiago de Cali" in html
    assert "Borrador oculto" not in html
    open_now = _section(html, "abiertos-ahora")
    assert _in_order(open_now, "Abierto cierra en 3 días", "Abierto cierra en 10 días", "Abierto cierra en 20 días")
    assert "Convocado" not in open_now
    closing = _section(html, "cierran-pronto")
    assert "Abierto cierra en 3 días" in closing
    assert "Abierto cierra en 10 días" not in closing
    assert "Abierto cierra en 20 días" not in closing
    upcoming = _section(html, "proximos")
    assert _in_order(upcoming, "Convocado abre en 2 días", "Convocado abre en 5 días")
    assert "Abierto" not in upcoming
    responses = _section(html, "ultimas-respuestas")
    assert _in_order(responses, "Respuesta reciente", "Respuesta antigua")
    assert "Incluimos 12 propuestas en el plan &amp; más. Gracias." in responses
    assert "<strong>" not in responses
    assert "Cerrado" not in responses
    overdue = _section(html, "respuestas-vencidas")
    assert "1 espacio cerrado no ha recibido su respuesta institucional dentro del plazo." in overdue
    assert 'href="/cronograma"' in overdue
    # Cards link to the space and to its organism.
    assert 'href="/organismos/SDTPC"' in open_now


def test_home_sections_are_limited_and_empty_sections_say_so(client, make):
    for i in range(8):
        make.make_space(title=f"Abierto número {i:02d}", lasts_days=30 + i)

    html = _page(client, "/")

    open_now = _section(html, "abiertos-ahora")
    assert open_now.count('class="card space-card"') == 6
    assert "Abierto número 06" not in open_now
    assert "No hay espacios convocados por ahora." in _section(html, "proximos")
    assert "Todavía no hay respuestas institucionales publicadas." in _section(html, "ultimas-respuestas")
    assert "Todos los organismos están al día" in _section(html, "respuestas-vencidas")


def test_plain_excerpt_strips_tags_and_cuts_at_a_word():
    text = plain_excerpt("<p>" + "palabra " * 100 + "</p>", length=30)
    assert text == "palabra palabra palabra…"
    assert plain_excerpt('<p>A &lt;b&gt; <a href="https://x.org">enlace</a></p>') == "A <b> enlace"


# --- Organisms -----------------------------------------------------------------------------------


def test_organisms_index_groups_by_kind_with_counts(client, make):
    sdtpc = make.organism("SDTPC")
    make.make_space(sdtpc)
    make.make_space(sdtpc, state=SpaceState.CLOSED, opens_in_days=-40, response_due_on=date(2020, 1, 1))
    make.make_space(sdtpc, state=SpaceState.DRAFT)
    make.make_space(make.organism("DAGMA"), state=SpaceState.ANNOUNCED, opens_in_days=3)

    html = _page(client, "/organismos")

    assert _in_order(html, ">Secretarías<", ">Departamentos administrativos<", ">Unidades administrativas<")
    assert _in_order(html, "Secretaría de Desarrollo Territorial", "Departamento Administrativo de Gestión del Medio")
    sdtpc_row = _row(html, 'href="/organismos/SDTPC"')
    assert re.findall(r'<td class="num">\s*(?:<a[^>]*>)?(\d+)', sdtpc_row) == ["2", "1"]
    dagma_row = _row(html, 'href="/organismos/DAGMA"')
    assert re.findall(r'<td class="num">\s*(?:<a[^>]*>)?(\d+)', dagma_row) == ["1", "0"]
    assert 'href="/organismos/UAESPM"' in html


def _cycle_with_plan(make, year, org, **action_fields):
    plan = make.make_plan(org, make.make_cycle(year))
    return make.make_action(plan, **action_fields)


def test_organism_page_shows_current_plan_spaces_and_health(client, make):
    org = make.organism("SDTPC")
    year = date.today().year
    action = _cycle_with_plan(
        make, year, org, title="Escuela de liderazgo de este año", territories=[make.territory(4)]
    )
    _cycle_with_plan(make, year - 1, org, title="Acción del año pasado")
    _cycle_with_plan(make, year, make.organism("SMOV"), title="Acción de otra secretaría")
    make.make_space(
        org, state=SpaceState.CLOSED, title="Espacio cerrado", opens_in_days=-40, response_due_on=date(2020, 1, 1)
    )
    make.make_space(org, state=SpaceState.ANNOUNCED, title="Espacio convocado", opens_in_days=4)
    make.make_space(org, title="Espacio abierto")
    make.make_space(org, state=SpaceState.DRAFT, title="Espacio en borrador")
    make.make_space(make.organism("SMOV"), title="Espacio de Movilidad")

    html = _page(client, "/organismos/SDTPC")

    assert "<h1>Secretaría de Desarrollo Territorial y Participación Ciudadana</h1>" in html
    assert "Secretaría · SDTPC" in html
    plan = _section(html, "plan-de-accion")
    assert action.title in plan
    assert "Acción del año pasado" not in plan
    assert "Acción de otra secretaría" not in plan
    assert f'href="/organismos/SDTPC/plan/{year}"' in plan
    current = _section(html, "espacios-en-curso")
    assert _in_order(current, "Espacio abierto", "Espacio convocado")
    assert "Espacio cerrado" in _section(html, "espacios-finalizados")
    assert "Espacio en borrador" not in html
    assert "Espacio de Movilidad" not in html
    assert 'href="/organismos/SDTPC/salud"' in html
    assert "badge-overdue" in _section(html, "salud")
    assert "Crear espacio de participación" not in html


def test_organism_page_without_plan_says_so(client, make):
    make.make_cycle()
    html = _page(client, "/organismos/DAGMA")
    assert "todavía no ha publicado acciones en su plan" in _section(html, "plan-de-accion")
    assert "Formular el plan" not in html
    assert "no tiene espacios abiertos ni convocados" in _section(html, "espacios-en-curso")


@pytest.mark.parametrize("role", ["citizen", "official_elsewhere"])
def test_organism_page_hides_drafts_and_staff_button_from_others(client, make, role):
    user = make.make_user() if role == "citizen" else make.make_official("SMOV")
    make.make_space(make.organism("SDTPC"), state=SpaceState.DRAFT, title="Borrador interno")
    login(client, user)

    html = _page(client, "/organismos/SDTPC")

    assert "Borrador interno" not in html
    assert "Crear espacio de participación" not in html


@pytest.mark.parametrize("role", ["official", "admin"])
def test_organism_page_shows_drafts_and_create_button_to_its_staff(client, make, role):
    user = make.make_official("SDTPC") if role == "official" else make.make_user(Role.ADMIN)
    make.make_space(make.organism("SDTPC"), state=SpaceState.DRAFT, title="Borrador interno")
    login(client, user)

    html = _page(client, "/organismos/SDTPC")

    assert "Borrador interno" in _section(html, "borradores")
    assert 'href="/organismos/SDTPC/espacios/nuevo"' in html
    assert "Crear espacio de participación" in html


@pytest.mark.parametrize("acronym", ["NOEXISTE", "sdtpc", "SDTPC%00", "X" * 300])
def test_unknown_organism_is_404(client, make, acronym):
    assert client.get(f"/organismos/{acronym}").status_code == 404


def test_current_cycle_is_the_one_containing_today_else_the_latest(make):
    this_year = make.make_cycle(2026)
    next_year = make.make_cycle(2027)
    assert current_cycle(date(2026, 11, 21)) == this_year
    assert current_cycle(date(2027, 2, 1)) == next_year
    assert current_cycle(date(2035, 1, 1)) == next_year


# --- Territories ---------------------------------------------------------------------------------


def test_territories_index_lists_every_territory_with_counts(client, make):
    comuna_1 = make.territory(1)
    year = date.today().year
    make.make_space(territories=[comuna_1, make.territory(2)])
    make.make_space(state=SpaceState.RESPONSE_GIVEN, territories=[comuna_1], opens_in_days=-40)
    make.make_space(state=SpaceState.DRAFT, territories=[comuna_1])
    _cycle_with_plan(make, year, make.organism("SDTPC"), territories=[comuna_1])
    _cycle_with_plan(make, year - 1, make.organism("SDTPC"), territories=[comuna_1])

    html = _page(client, "/territorios")

    comunas = _section(html, "tipo-comuna")
    corregimientos = _section(html, "tipo-corregimiento")
    assert comunas.count('href="/territorios/comuna/') == 22
    assert corregimientos.count('href="/territorios/corregimiento/') == 15
    assert "Corregimiento Navarro" in corregimientos
    assert re.findall(r'<td class="num">(\d+)', _row(comunas, 'href="/territorios/comuna/1"')) == ["2", "1"]
    assert re.findall(r'<td class="num">(\d+)', _row(comunas, 'href="/territorios/comuna/2"')) == ["1", "0"]
    assert re.findall(r'<td class="num">(\d+)', _row(comunas, 'href="/territorios/comuna/3"')) == ["0", "0"]


def test_territory_page_shows_only_what_concerns_it(client, make):
    comuna_1, comuna_2 = make.territory(1), make.territory(2)
    year = date.today().year
    make.make_space(title="Foro de la comuna 1", territories=[comuna_1])
    make.make_space(
        state=SpaceState.ANNOUNCED,
        title="Convocatoria de la comuna 1",
        opens_in_days=3,
        territories=[comuna_1, comuna_2],
    )
    make.make_space(state=SpaceState.CLOSED, title="Cerrado de la comuna 1", opens_in_days=-40, territories=[comuna_1])
    make.make_space(title="Foro de la comuna 2", territories=[comuna_2])
    make.make_space(state=SpaceState.DRAFT, title="Borrador de la comuna 1", territories=[comuna_1])
    ours = _cycle_with_plan(
        make,
        year,
        make.organism("SMOV"),
        title="Ciclorrutas del oriente",
        territories=[comuna_1],
        indicator_unit="kilómetros",
        indicator_current=Decimal(4),
        indicator_target=Decimal(10),
        budget=Decimal(2_500_000_000),
        procedure=Procedure.SOCIAL_CONTROL,
        status=ActionStatus.PLANNED,
    )
    _cycle_with_plan(make, year, make.organism("SDTPC"), title="Escuela de líderes", territories=[comuna_1])
    _cycle_with_plan(make, year, make.organism("SDTPC"), title="Acción de la comuna 2", territories=[comuna_2])
    _cycle_with_plan(make, year - 1, make.organism("SDTPC"), title="Acción vieja", territories=[comuna_1])

    html = _page(client, "/territorios/comuna/1")

    assert "<h1>Comuna 1</h1>" in html
    current = _section(html, "espacios-en-curso")
    assert _in_order(current, "Foro de la comuna 1", "Convocatoria de la comuna 1")
    assert "Cerrado de la comuna 1" in _section(html, "espacios-finalizados")
    assert "Foro de la comuna 2" not in html
    assert "Borrador de la comuna 1" not in html
    actions = _section(html, "acciones")
    assert "Acción de la comuna 2" not in actions
    assert "Acción vieja" not in actions
    # Grouped by organism, organisms by name: Desarrollo Territorial before Movilidad.
    assert _in_order(
        actions, 'href="/organismos/SDTPC"', "Escuela de líderes", 'href="/organismos/SMOV"', "Ciclorrutas del oriente"
    )
    ours_row = _row(actions, "Ciclorrutas del oriente")
    assert f'href="/acciones/{ours.id}"' in ours_row
    assert "4 / 10 kilómetros" in ours_row
    assert "$ 2.500.000.000" in ours_row
    assert "Control social" in ours_row
    assert 'class="p40"' in ours_row


def test_corregimiento_page(client, make):
    navarro = make.territory(51, TerritoryKind.CORREGIMIENTO)
    make.make_space(title="Foro rural de Navarro", territories=[navarro])
    html = _page(client, "/territorios/corregimiento/51")
    assert "<h1>Corregimiento Navarro</h1>" in html
    assert "Foro rural de Navarro" in html
    assert "Ningún plan de acción de la vigencia tiene acciones en este territorio." in html


@pytest.mark.parametrize(
    "url",
    [
        "/territorios/barrio/1",
        "/territorios/comuna/99",
        "/territorios/comuna/0",
        "/territorios/corregimiento/1",
        "/territorios/comuna/99999999999999999999",
        "/territorios/comuna/-1",
        "/territorios/comuna/abc",
        "/territorios/comuna%00/1",
    ],
)
def test_unknown_territory_is_404(client, make, url):
    assert client.get(url).status_code == 404


# --- Escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/organismos/SDTPC", "/territorios/comuna/1"])
def test_space_titles_are_escaped(client, make, url):
    make.make_space(title=XSS_TITLE, territories=[make.territory(1)])
    make.make_space(
        state=SpaceState.RESPONSE_GIVEN,
        title=XSS_TITLE,
        opens_in_days=-40,
        response_given_at=now_utc(),
        institutional_response="<p>&lt;img src=x onerror=alert(1)&gt;</p>",
    )

    html = _page(client, url)

    assert XSS_TITLE not in html
    assert ESCAPED_XSS_TITLE in html
    assert "<img" not in html


# --- Query counts --------------------------------------------------------------------------------


def _fill(make, n):
    """``n`` spaces in every public state and ``n`` actions, spread over organisms and territories."""
    organisms = ["SDTPC", "SMOV", "DAGMA", "SEM"]
    year = date.today().year
    for i in range(n):
        org = make.organism(organisms[i % len(organisms)])
        territories = [make.territory(1), make.territory(2 + i % 20)]
        make.make_space(org, territories=territories)
        make.make_space(org, lasts_days=5, territories=territories)
        make.make_space(org, state=SpaceState.ANNOUNCED, opens_in_days=1 + i, territories=territories)
        make.make_space(
            org, state=SpaceState.CLOSED, opens_in_days=-40, territories=territories, response_due_on=date(2020, 1, 1)
        )
        make.make_space(
            org,
            state=SpaceState.RESPONSE_GIVEN,
            opens_in_days=-60,
            territories=territories,
            response_given_at=now_utc() - timedelta(days=i),
            institutional_response="<p>Hecho.</p>",
        )
        make.make_space(org, state=SpaceState.DRAFT, territories=territories)
        _cycle_with_plan(make, year, org, territories=territories)
    db.session.expire_all()


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/", 9),
        ("/organismos", 2),
        ("/organismos/SDTPC", 10),
        ("/territorios", 4),
        ("/territorios/comuna/1", 5),
    ],
)
def test_public_pages_run_a_constant_number_of_queries(client, make, count_queries, url, bound):
    _fill(make, 1)
    with count_queries() as small:
        _page(client, url)
    _fill(make, 12)
    with count_queries() as large:
        _page(client, url)
    assert small.count == large.count, large.statements
    assert large.count <= bound


def test_organism_page_for_staff_runs_a_constant_number_of_queries(client, make, count_queries):
    login(client, make.make_official("SDTPC"))
    _fill(make, 1)
    with count_queries() as small:
        _page(client, "/organismos/SDTPC")
    _fill(make, 12)
    with count_queries() as large:
        _page(client, "/organismos/SDTPC")
    assert small.count == large.count, large.statements
    assert large.count <= 12  # the unread-notifications count of the header, for people logged in


def test_long_histories_show_the_latest_finished_spaces_and_link_to_the_rest(client, make):
    organism = make.organism("SDTPC")
    comuna = make.territory(4)
    for days_ago in range(15):
        make.make_space(
            organism,
            state=SpaceState.RESPONSE_GIVEN,
            territories=[comuna],
            opens_in_days=-40 - days_ago,
            lasts_days=10,
            title=f"Espacio cerrado hace {days_ago} días más",
        )
    for url, calendar_link in (
        ("/organismos/SDTPC", "/cronograma?organismo=SDTPC"),
        (f"/territorios/comuna/{comuna.number}", f"/cronograma?territorio={comuna.id}"),
    ):
        html = client.get(url).get_data(as_text=True)
        shown = re.findall(r"Espacio cerrado hace (\d+) días más", html)
        assert shown == [str(n) for n in range(12)], url  # the 12 most recently closed, newest first
        assert "Se muestran 12 de 15" in html
        assert f'href="{calendar_link}"' in html
