"""Action plans: public reading, writing by the organism's staff, validation, access and query counts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from foro.errors import NotAllowed
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    Phase,
    Procedure,
    Role,
    SpaceState,
    TerritoryKind,
)
from foro.services import plans
from foro.timeutil import local_today
from tests.helpers import csrf_token, login, post_form, race

LOGIN_URL = "/cuenta/ingresar"


def count(model) -> int:
    # End the test's own transaction: on SQLite an open read transaction would keep seeing an old snapshot.
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def plan_url(cycle, acronym="SDTPC") -> str:
    return f"/organismos/{acronym}/plan/{cycle.year}"


def new_url(cycle, acronym="SDTPC") -> str:
    return f"/organismos/{acronym}/plan/{cycle.year}/acciones/nueva"


def form_data(make, **overrides) -> dict:
    """A complete, valid action form as a browser sends it."""
    today = local_today()
    data = {
        "procedure": "social_control",
        "title": "Veeduría ciudadana a las obras de la ladera",
        "objective": "Acompañar a la ciudadanía en el seguimiento de las obras.\nCon informes trimestrales.",
        "goal": "Conformar 5 veedurías ciudadanas",
        "indicator_name": "Veedurías conformadas",
        "indicator_unit": "veedurías",
        "indicator_baseline": "1",
        "indicator_target": "5",
        "indicator_current": "3",
        "indicator_measured_on": (today - timedelta(days=3)).isoformat(),
        "budget": "25000000",
        "responsible_office": "Subsecretaría de Participación",
        "phase": "monitoring",
        "starts_on": today.replace(month=2, day=1).isoformat(),
        "ends_on": today.replace(month=11, day=30).isoformat(),
        "status": "in_progress",
        "territory_ids": [str(make.territory(18).id), str(make.territory(51, TerritoryKind.CORREGIMIENTO).id)],
        "target_group_ids": [str(make.target_group("Jóvenes").id), str(make.target_group("Mujeres").id)],
    }
    data.update(overrides)
    return data


def user_with_role(make, who: str):
    if who == "citizen":
        return make.make_user(Role.CITIZEN)
    if who == "moderator":
        return make.make_user(Role.MODERATOR)
    if who == "official_other":
        return make.make_official("SGOB")
    if who == "official":
        return make.make_official("SDTPC")
    if who == "admin":
        return make.make_user(Role.ADMIN)
    raise AssertionError(who)


# --- Reading -------------------------------------------------------------------------------------------


def test_public_plan_page_groups_actions_by_procedure(client, make):
    plan = make.make_plan()
    planning = make.make_action(
        plan,
        title="Escuela de liderazgo comunitario",
        territories=[make.territory(3), make.territory(51, TerritoryKind.CORREGIMIENTO)],
    )
    control = make.make_action(
        plan,
        procedure=Procedure.SOCIAL_CONTROL,
        title="Veedurías a las obras",
        indicator_baseline=Decimal(10),
        indicator_target=Decimal(20),
        indicator_current=Decimal("12.9"),
        budget=Decimal(40_000_000),
        status=ActionStatus.PLANNED,
        phase=Phase.MONITORING,
    )

    response = client.get(plan_url(plan.cycle))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    headings = [
        html.index(label) for label in ("Planeación participativa", "Control social", "Promoción de la participación")
    ]
    assert headings == sorted(headings)
    assert headings[0] < html.index(planning.title) < headings[1] < html.index(control.title) < headings[2]
    # Indicator as "current / target unit" with its baseline, and progress classes in 5 % steps.
    assert "120 / 300 personas" in html
    assert "12,9 / 20 personas" in html
    assert "Línea base: 10" in html
    assert 'class="p40"' in html  # 120 of 300 from 0
    assert 'class="p25"' in html  # (12.9 - 10) / (20 - 10) = 29 % rounds down to 25
    assert "style=" not in html
    assert "$ 150.000.000" in html and "$ 40.000.000" in html
    assert "Comuna 3, Corregimiento Navarro" in html
    assert "En ejecución" in html and "Programada" in html and "Seguimiento" in html
    # Totals per procedure and for the plan.
    assert html.count("1 acción") == 2
    assert "0 acciones" in html
    assert "$ 190.000.000" in html
    assert "No hay acciones registradas en este procedimiento." in html
    assert f'href="/acciones/{planning.id}"' in html
    assert "/editar" not in html


def test_plan_page_links_to_other_years_of_the_same_organism(client, make):
    this_year = make.make_plan(cycle=make.make_cycle(2026))
    make.make_action(this_year)
    make.make_action(make.make_plan(cycle=make.make_cycle(2025)))
    make.make_cycle(2024)  # a cycle without a plan of this organism: no link
    make.make_action(make.make_plan(make.organism("SGOB"), make.make_cycle(2023)))  # another organism's plan

    html = client.get("/organismos/SDTPC/plan/2026").get_data(as_text=True)

    assert 'href="/organismos/SDTPC/plan/2025"' in html
    assert "/plan/2024" not in html
    assert "/plan/2023" not in html
    assert client.get("/organismos/SDTPC/plan/2025").status_code == 200


def test_action_page_shows_indicator_in_its_unit_and_related_spaces(client, make):
    official = make.make_official()
    action = make.make_action(
        title="Escuela de liderazgo comunitario",
        objective="Primera línea\nSegunda línea",
        indicator_measured_on=local_today().replace(month=3, day=15),
        starts_on=local_today().replace(month=2, day=1),
        ends_on=local_today().replace(month=11, day=30),
        territories=[make.territory(18), make.territory(51, TerritoryKind.CORREGIMIENTO)],
        target_groups=[make.target_group("Jóvenes")],
    )
    open_space = make.make_space(action_id=action.id, title="Foro de líderes de la ladera")
    draft = make.make_space(state=SpaceState.DRAFT, action_id=action.id, title="Borrador de encuesta a líderes")
    make.make_space(title="Foro sin relación con la acción")

    response = client.get(f"/acciones/{action.id}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "120 personas" in html and "300 personas" in html and "0 personas" in html
    assert "medido el 15 de marzo de" in html
    assert "40 % de la meta" in html
    assert "$ 150.000.000" in html
    assert "Subsecretaría de Participación" in html
    assert "Jóvenes" in html
    assert "Primera línea<br>Segunda línea" in html
    assert 'href="/territorios/comuna/18"' in html
    assert 'href="/territorios/corregimiento/51"' in html
    assert f'href="/organismos/SDTPC/plan/{action.plan.cycle.year}"' in html
    assert 'href="/organismos/SDTPC"' in html
    assert "Espacios de participación relacionados" in html
    assert f'href="/espacios/{open_space.id}"' in html
    assert draft.title not in html
    assert "Foro sin relación" not in html
    assert "Editar la acción" not in html

    login(client, official)
    html = client.get(f"/acciones/{action.id}").get_data(as_text=True)
    assert f'href="/espacios/{draft.id}"' in html
    assert f'href="/acciones/{action.id}/editar"' in html


@pytest.mark.parametrize("who", ["anonymous", "citizen", "official_other"])
def test_missing_plan_is_not_found_for_the_public(client, make, who):
    cycle = make.make_cycle()
    if who != "anonymous":
        login(client, user_with_role(make, who))
    assert client.get(plan_url(cycle)).status_code == 404


@pytest.mark.parametrize("who", ["official", "admin"])
def test_missing_plan_invites_the_organism_staff_to_add_the_first_action(client, make, who):
    cycle = make.make_cycle()
    login(client, user_with_role(make, who))

    response = client.get(plan_url(cycle))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "aún no tiene plan de acción" in html
    assert f'href="{new_url(cycle)}"' in html
    assert count(ActionPlan) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/organismos/NOEXISTE/plan/{year}",
        "/organismos/sdtpc/plan/{year}",
        "/organismos/SDTPC/plan/1999",
        "/organismos/SDTPC/plan/0",
        "/organismos/SDTPC/plan/-1",
        "/organismos/SDTPC/plan/abc",
        "/organismos/SDTPC/plan/99999999999999999999",
        "/acciones/0",
        "/acciones/-1",
        "/acciones/abc",
        "/acciones/99999999999999999999",
        "/acciones/2147483647",
    ],
)
def test_unknown_plans_and_actions_are_not_found(client, make, url):
    plan = make.make_plan()
    make.make_action(plan)
    response = client.get(url.format(year=plan.cycle.year))
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/organismos/NOEXISTE/plan/{year}/acciones/nueva",
        "/organismos/SDTPC/plan/1999/acciones/nueva",
        "/organismos/SDTPC/plan/99999999999999999999/acciones/nueva",
        "/acciones/0/editar",
        "/acciones/-1/editar",
        "/acciones/abc/editar",
        "/acciones/99999999999999999999/editar",
        "/acciones/123456/editar",
    ],
)
def test_forms_of_unknown_plans_and_actions_are_not_found(client, make, url):
    cycle = make.make_cycle()
    login(client, make.make_user(Role.ADMIN))
    assert client.get(url.format(year=cycle.year)).status_code == 404


def test_actions_partial_renders_a_given_list_without_queries(app, make, count_queries):
    plan = make.make_plan()
    make.make_action(plan, title="Acción de promoción", procedure=Procedure.PARTICIPATION_PROMOTION)
    make.make_action(plan, title="Acción de planeación", territories=[make.territory(5)])
    actions = plans.plan_actions(plan.id)

    with app.test_request_context("/"), count_queries() as counter:
        html = render_template_string(
            '{% include "plans/_actions_by_procedure.html" %}', actions=actions, heading_level=3
        )

    assert counter.count == 0
    assert html.count("<h3") == 3 and "<h2" not in html
    assert html.index("Acción de planeación") < html.index("Acción de promoción")
    assert "Comuna 5" in html and "Todo el municipio" in html


# --- Query counts --------------------------------------------------------------------------------------


def _plan_with_actions(make, how_many: int):
    plan = make.make_plan()
    territories = [make.territory(n) for n in (1, 2)]
    groups = [make.target_group("Jóvenes")]
    for index in range(how_many):
        make.make_action(
            plan,
            procedure=list(Procedure)[index % 3],
            territories=territories,
            target_groups=groups,
        )
    return plan


@pytest.mark.parametrize("who", ["anonymous", "official"])
def test_plan_page_runs_the_same_queries_for_2_and_40_actions(client, make, count_queries, who):
    if who != "anonymous":
        login(client, user_with_role(make, who))
    plan = _plan_with_actions(make, 2)
    url = plan_url(plan.cycle)
    with count_queries() as few:
        assert client.get(url).status_code == 200

    for _ in range(38):
        make.make_action(plan, territories=[make.territory(3)], target_groups=[make.target_group("Mujeres")])
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(re.findall(r'href="/acciones/\d+"', response.get_data(as_text=True))) == 40
    assert few.count == many.count
    assert many.count <= 8, "\n".join(many.statements)


def test_action_page_runs_the_same_queries_for_1_and_10_spaces(client, make, count_queries):
    action = make.make_action(territories=[make.territory(1)], target_groups=[make.target_group("Jóvenes")])
    url = f"/acciones/{action.id}"
    make.make_space(action_id=action.id, territories=[make.territory(2)])
    with count_queries() as few:
        assert client.get(url).status_code == 200

    for number in range(3, 12):
        make.make_space(action_id=action.id, territories=[make.territory(number)])
    with count_queries() as many:
        response = client.get(url)
    assert response.get_data(as_text=True).count('href="/espacios/') == 10
    assert few.count == many.count
    # 7 for the action and its spaces, 4 for its follow-up (reports, evaluations and their comments,
    # observations; tests/test_followup.py grows those), 3 for its origin (tests/test_traceability.py).
    assert many.count <= 14, "\n".join(many.statements)


# --- Writing -------------------------------------------------------------------------------------------


def test_official_adds_the_first_action_and_the_plan_appears(client, make):
    cycle = make.make_cycle()
    login(client, make.make_official())

    form_page = client.get(new_url(cycle)).get_data(as_text=True)
    # Territories grouped: every comuna before any corregimiento.
    assert form_page.index("Comunas") < form_page.index("Comuna 22") < form_page.index("Corregimientos")
    assert form_page.index("Corregimientos") < form_page.index("Navarro")

    # Every limit reached exactly; the browser's CRLF line break counts as one character.
    objective = "O" * 1999 + "\r\n" + "O" * 2000
    data = form_data(make, title="T" * 200, objective=objective, budget="1000000000000")
    response = post_form(client, new_url(cycle), data)

    assert response.status_code == 302
    plan = db.session.scalars(select(ActionPlan)).one()
    assert (plan.organism.acronym, plan.cycle_id) == ("SDTPC", cycle.id)
    action = db.session.scalars(select(Action)).one()
    assert response.headers["Location"].endswith(f"/acciones/{action.id}")
    assert action.plan_id == plan.id
    assert action.procedure is Procedure.SOCIAL_CONTROL
    assert action.title == "T" * 200
    assert action.objective == "O" * 1999 + "\n" + "O" * 2000
    assert action.goal == data["goal"]
    assert (action.indicator_name, action.indicator_unit) == ("Veedurías conformadas", "veedurías")
    assert (action.indicator_baseline, action.indicator_target, action.indicator_current) == (1, 5, 3)
    assert action.indicator_measured_on.isoformat() == data["indicator_measured_on"]
    assert action.budget == Decimal(1_000_000_000_000)
    assert action.responsible_office == "Subsecretaría de Participación"
    assert action.phase is Phase.MONITORING
    assert action.status is ActionStatus.IN_PROGRESS
    assert (action.starts_on.isoformat(), action.ends_on.isoformat()) == (data["starts_on"], data["ends_on"])
    assert [t.display_name for t in action.territories] == ["Comuna 18", "Corregimiento Navarro"]
    assert sorted(g.name for g in action.target_groups) == ["Jóvenes", "Mujeres"]

    html = client.get(plan_url(cycle)).get_data(as_text=True)
    assert html.index("Control social") < html.index("T" * 200) < html.index("Promoción de la participación")
    assert "3 / 5 veedurías" in html
    assert 'class="p50"' in html
    assert f'href="/acciones/{action.id}/editar"' in html


def test_second_action_joins_the_existing_plan(client, make):
    plan = make.make_plan()
    make.make_action(plan)
    login(client, make.make_official())

    response = post_form(client, new_url(plan.cycle), form_data(make, procedure="participation_promotion"))

    assert response.status_code == 302
    assert count(ActionPlan) == 1
    assert {a.plan_id for a in db.session.scalars(select(Action))} == {plan.id}


def test_official_edits_an_action_and_can_clear_its_measurement(client, make):
    action = make.make_action(territories=[make.territory(1)], target_groups=[make.target_group("Jóvenes")])
    plan_id = action.plan_id
    login(client, make.make_official())

    edit_page = client.get(f"/acciones/{action.id}/editar").get_data(as_text=True)
    assert 'value="300"' in edit_page  # 300.00 shown as typed, not in scientific notation
    territory_id = make.territory(1).id
    assert re.search(rf'<input checked [^>]*name="territory_ids"[^>]*value="{territory_id}"', edit_page)
    assert len(re.findall(r'<input checked [^>]*name="territory_ids"', edit_page)) == 1

    data = form_data(
        make,
        procedure="participation_promotion",
        title="Escuela de liderazgo, segunda cohorte",
        indicator_current="",
        indicator_measured_on="",
        budget="0",
        status="done",
        territory_ids=[],
        target_group_ids=[str(make.target_group("Personas mayores").id)],
    )
    response = post_form(client, f"/acciones/{action.id}/editar", data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/acciones/{action.id}")
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.plan_id == plan_id
    assert action.procedure is Procedure.PARTICIPATION_PROMOTION
    assert action.title == "Escuela de liderazgo, segunda cohorte"
    assert action.indicator_current is None and action.indicator_measured_on is None
    assert action.budget == 0
    assert action.status is ActionStatus.DONE
    assert action.territories == []
    assert [g.name for g in action.target_groups] == ["Personas mayores"]
    html = client.get(f"/acciones/{action.id}").get_data(as_text=True)
    assert "Todo el municipio" in html and "Sin medición" in html


def test_admin_may_write_any_organisms_plan(client, make):
    cycle = make.make_cycle()
    login(client, make.make_user(Role.ADMIN))
    assert post_form(client, new_url(cycle, "SGOB"), form_data(make)).status_code == 302
    plan = db.session.scalars(select(ActionPlan)).one()
    assert plan.organism.acronym == "SGOB"


def test_form_fields_cannot_move_an_action_to_another_plan(client, make):
    foreign_plan = make.make_plan(make.organism("SGOB"))
    foreign_action = make.make_action(foreign_plan)
    own_action = make.make_action(make.make_plan())
    login(client, make.make_official())
    smuggled = {
        "plan_id": str(foreign_plan.id),
        "organism_id": str(foreign_plan.organism_id),
        "organism": "SGOB",
        "id": str(foreign_action.id),
    }

    created = post_form(client, new_url(own_action.plan.cycle), form_data(make, **smuggled))
    edited = post_form(client, f"/acciones/{own_action.id}/editar", form_data(make, title="Editada", **smuggled))

    assert created.status_code == edited.status_code == 302
    db.session.expire_all()
    assert {a.plan_id for a in db.session.scalars(select(Action).where(Action.id != foreign_action.id))} == {
        own_action.plan_id
    }
    assert db.session.get(Action, own_action.id).title == "Editada"
    assert db.session.get(Action, foreign_action.id).title != "Editada"
    assert count(ActionPlan) == 2


def test_service_refuses_an_official_of_another_organism(make):
    cycle = make.make_cycle()
    other = make.make_official("SGOB")
    details = plans.ActionDetails(
        procedure=Procedure.SOCIAL_CONTROL,
        title="Veeduría",
        objective="Objetivo",
        goal="Meta",
        indicator_name="Veedurías",
        indicator_unit="veedurías",
        indicator_target=Decimal(5),
        responsible_office="Oficina",
        phase=Phase.MONITORING,
    )
    with pytest.raises(NotAllowed):
        plans.create_action(other, make.organism("SDTPC"), cycle, details)
    action = make.make_action()
    with pytest.raises(NotAllowed):
        plans.update_action(other, action, details)
    db.session.rollback()
    assert count(ActionPlan) == 1 and count(Action) == 1

    own = plans.create_action(make.make_official("SGOB"), make.organism("SGOB"), cycle, details)
    assert own.plan.organism.acronym == "SGOB"


# --- Access --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "moderator", "official_other"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("page", ["new", "edit"])
def test_only_the_organisms_staff_may_open_or_send_the_forms(client, make, who, method, page):
    action = make.make_action()
    title = action.title
    url = new_url(action.plan.cycle) if page == "new" else f"/acciones/{action.id}/editar"
    if who != "anonymous":
        login(client, user_with_role(make, who))

    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, form_data(make, title="Intrusa"), token_from=LOGIN_URL)

    if who == "anonymous":
        assert response.status_code == 302
        assert LOGIN_URL in response.headers["Location"]
    else:
        assert response.status_code == 403
        assert "No tienes permiso" in response.get_data(as_text=True)
    assert count(Action) == 1 and count(ActionPlan) == 1
    assert db.session.get(Action, action.id).title == title


@pytest.mark.parametrize("page", ["new", "edit"])
def test_posts_without_csrf_token_are_refused(client, make, page):
    action = make.make_action()
    title = action.title
    login(client, make.make_official())
    url = new_url(action.plan.cycle) if page == "new" else f"/acciones/{action.id}/editar"

    response = client.post(url, data=form_data(make, title="Sin token"))

    assert response.status_code == 400
    assert "El formulario caducó o no es válido" in response.get_data(as_text=True)
    assert count(Action) == 1
    assert db.session.get(Action, action.id).title == title


# --- Validation ----------------------------------------------------------------------------------------

TOMORROW = (local_today() + timedelta(days=1)).isoformat()

INVALID = [
    pytest.param(
        {"starts_on": "2026-06-01", "ends_on": "2026-05-31"},
        "La fecha de finalización no puede ser anterior a la fecha de inicio.",
        id="end-before-start",
    ),
    pytest.param({"budget": "-1"}, "El presupuesto no puede ser negativo.", id="negative-budget"),
    pytest.param({"budget": "1000000000001"}, "no puede superar un billón de pesos", id="budget-over-max"),
    pytest.param({"budget": "150000.50"}, "pesos enteros, sin centavos", id="budget-cents"),
    pytest.param({"budget": "NaN"}, "Escribe un número", id="budget-nan"),
    pytest.param({"budget": "1.250.000"}, "Escribe un número", id="budget-thousands-dots"),
    pytest.param({"budget": ""}, "Escribe el presupuesto (puede ser 0).", id="budget-empty"),
    pytest.param(
        {"indicator_measured_on": ""}, "Indica la fecha en que se midió el valor actual.", id="current-without-date"
    ),
    pytest.param(
        {"indicator_current": ""},
        "Escribe el valor actual medido o deja vacía la fecha de medición.",
        id="date-without-current",
    ),
    pytest.param(
        {"indicator_measured_on": TOMORROW}, "La fecha de medición no puede ser posterior a hoy.", id="measured-future"
    ),
    pytest.param({"indicator_target": "1.234"}, "admite como máximo dos decimales", id="target-3-decimals"),
    pytest.param({"indicator_target": "1e13"}, "debe estar entre", id="target-too-large"),
    pytest.param({"indicator_target": ""}, "Escribe el valor que se quiere alcanzar.", id="target-empty"),
    pytest.param({"title": "T" * 201}, "El título admite hasta 200 caracteres.", id="title-201"),
    pytest.param({"objective": "O" * 4001}, "El objetivo admite hasta 4000 caracteres.", id="objective-4001"),
    pytest.param({"goal": "M" * 2001}, "La meta admite hasta 2000 caracteres.", id="goal-2001"),
    pytest.param(
        {"indicator_name": "I" * 201}, "El nombre del indicador admite hasta 200 caracteres.", id="indicator-201"
    ),
    pytest.param({"indicator_unit": "U" * 61}, "La unidad de medida admite hasta 60 caracteres.", id="unit-61"),
    pytest.param(
        {"responsible_office": "D" * 201}, "La dependencia responsable admite hasta 200 caracteres.", id="office-201"
    ),
    pytest.param({"title": "   "}, "Escribe el título de la acción.", id="title-blank"),
    pytest.param({"title": "\u200b\u200b"}, "Escribe el título de la acción.", id="title-zero-width"),
    pytest.param({"goal": ""}, "Escribe la meta de la acción.", id="goal-empty"),
    pytest.param({"procedure": ""}, "Elige uno de los tres procedimientos.", id="procedure-missing"),
    pytest.param({"procedure": "bribery"}, "Elige uno de los tres procedimientos.", id="procedure-unknown"),
    pytest.param({"phase": "x"}, "Elige una fase del ciclo.", id="phase-unknown"),
    pytest.param({"status": "cancelled"}, "Elige un estado de la lista.", id="status-unknown"),
    pytest.param({"territory_ids": ["999999"]}, "Alguna de las comunas o corregimientos no existe.", id="territory"),
    pytest.param({"territory_ids": ["abc"]}, "Alguna de las comunas o corregimientos no existe.", id="territory-abc"),
    pytest.param({"target_group_ids": ["999999"]}, "Alguno de los grupos de valor no existe.", id="group"),
    pytest.param({"starts_on": "2026-02-30"}, "No es una fecha válida.", id="impossible-date"),
]


@pytest.mark.parametrize(("overrides", "message"), INVALID)
def test_invalid_new_action_stores_nothing(client, make, overrides, message):
    cycle = make.make_cycle()
    login(client, make.make_official())

    response = post_form(client, new_url(cycle), form_data(make, **overrides))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "Revisa el formulario" in html
    assert count(Action) == 0 and count(ActionPlan) == 0


@pytest.mark.parametrize(("overrides", "message"), INVALID[:4])
def test_invalid_edit_changes_nothing(client, make, overrides, message):
    action = make.make_action()
    before = (action.title, action.budget, action.starts_on, action.ends_on)
    login(client, make.make_official())

    response = post_form(client, f"/acciones/{action.id}/editar", form_data(make, title="Cambiada", **overrides))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert (action.title, action.budget, action.starts_on, action.ends_on) == before


XSS = '"><script>alert(1)</script><img src=x onerror=alert(1)>'


def test_markup_in_a_refused_form_is_shown_escaped(client, make):
    cycle = make.make_cycle()
    login(client, make.make_official())

    response = post_form(client, new_url(cycle), form_data(make, title=XSS, budget="-5"))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert count(Action) == 0


def test_markup_in_stored_text_is_shown_literally(client, make):
    cycle = make.make_cycle()
    login(client, make.make_official())
    data = form_data(make, title=XSS, goal="{{7*7}}\n<svg onload=alert(1)>", indicator_unit="<b>u</b>")

    assert post_form(client, new_url(cycle), data).status_code == 302
    action = db.session.scalars(select(Action)).one()
    assert action.title == XSS  # stored as typed: it is plain text, escaped when shown

    for url in (plan_url(cycle), f"/acciones/{action.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "<svg" not in html
        assert "<b>u</b>" not in html and "&lt;b&gt;u&lt;/b&gt;" in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "{{7*7}}" in html


# --- Concurrency ---------------------------------------------------------------------------------------


def test_first_actions_sent_at_once_share_one_plan(app, make, make_client):
    """Eight first actions for a plan that does not exist yet: one plan row, eight actions, no error."""
    cycle = make.make_cycle()
    first = make_client()
    login(first, make.make_official())
    data = form_data(make)
    data["csrf_token"] = csrf_token(first, new_url(cycle))
    # The other browsers share the session (and so the CSRF secret) of the first: one log-in, eight senders.
    session_cookie = first.get_cookie("session")
    clients = [first]
    for _ in range(7):
        other = make_client()
        other.set_cookie("session", session_cookie.value, domain=session_cookie.domain)
        clients.append(other)
    url = new_url(cycle)

    responses = race([lambda browser=browser: browser.post(url, data=data) for browser in clients])

    assert [response.status_code for response in responses] == [302] * 8
    assert count(ActionPlan) == 1
    assert count(Action) == 8
