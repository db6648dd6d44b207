"""Administration: reference data (organisms, territories, target groups, cycles) and people's roles."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import Cycle, CyclePhase, Organism, OrganismKind, Phase, Role, TargetGroup, Territory, User
from foro.services import administration
from foro.services.accounts import delete_account
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import csrf_token, login, post_form, race

LOGIN_PATH = "/cuenta/ingresar"


def _see_committed() -> None:
    """End the test's read transaction, so it sees what the requests committed (SQLite WAL snapshots)."""
    db.session.commit()


def _count(model, *where) -> int:
    _see_committed()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def admin(make):
    return make.make_user(Role.ADMIN, display_name="Ana Administradora")


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client


def _admin_pages(make) -> list[str]:
    cycle = make.make_cycle(2026)
    return [
        "/admin",
        "/admin/organismos",
        "/admin/organismos/nuevo",
        f"/admin/organismos/{make.organism().id}/editar",
        "/admin/territorios",
        f"/admin/territorios/{make.territory().id}/editar",
        "/admin/grupos-de-valor",
        f"/admin/grupos-de-valor/{make.target_group().id}/editar",
        "/admin/vigencias",
        "/admin/vigencias/nueva",
        f"/admin/vigencias/{cycle.id}/editar",
        "/admin/usuarios",
    ]


def _admin_posts(make) -> list[tuple[str, dict]]:
    """Every POST of the admin area with data that would succeed for an admin."""
    cycle = make.make_cycle(2026)
    target = make.make_user(display_name="Persona objetivo")
    return [
        ("/admin/organismos/nuevo", {"acronym": "NUEVO", "name": "Organismo nuevo", "kind": "unidad"}),
        (f"/admin/organismos/{make.organism().id}/editar", {"acronym": "X", "name": "Otro nombre", "kind": "unidad"}),
        (f"/admin/territorios/{make.territory().id}/editar", {"name": "Comuna renombrada"}),
        ("/admin/grupos-de-valor", {"name": "Grupo nuevo"}),
        (f"/admin/grupos-de-valor/{make.target_group().id}/editar", {"name": "Grupo renombrado"}),
        ("/admin/vigencias/nueva", _cycle_data(2027)),
        (f"/admin/vigencias/{cycle.id}/editar", _cycle_data(2026, name="Renombrada")),
        (f"/admin/usuarios/{target.id}/rol", {f"usuario-{target.id}-role": "admin"}),
    ]


def _snapshot() -> tuple:
    """Everything an admin POST could change, to prove a refused one changed nothing."""
    _see_committed()
    return (
        tuple(db.session.execute(select(Organism.acronym, Organism.name, Organism.kind).order_by(Organism.id))),
        tuple(db.session.scalars(select(Territory.name).order_by(Territory.id))),
        tuple(db.session.scalars(select(TargetGroup.name).order_by(TargetGroup.id))),
        tuple(db.session.execute(select(Cycle.year, Cycle.name).order_by(Cycle.id))),
        tuple(db.session.execute(select(CyclePhase.starts_on, CyclePhase.ends_on).order_by(CyclePhase.id))),
        tuple(db.session.execute(select(User.role, User.organism_id, User.session_token).order_by(User.id))),
    )


def _cycle_data(year: int = 2027, name: str | None = None, **overrides) -> dict:
    """A valid cycle form: five consecutive phases covering the year."""
    data = {"year": str(year), "name": name or f"Vigencia {year}"}
    first = date(year, 1, 1)
    for index, phase in enumerate(Phase):
        data[f"{phase.value}_starts_on"] = (first + timedelta(days=73 * index)).isoformat()
        data[f"{phase.value}_ends_on"] = min(
            date(year, 12, 31), first + timedelta(days=73 * (index + 1) - 1)
        ).isoformat()
    data.update(overrides)
    return data


# Access ---------------------------------------------------------------------------------------------


def test_every_page_opens_for_an_admin(admin_client, make):
    for url in _admin_pages(make):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.MODERATOR, Role.OFFICIAL])
def test_other_roles_get_403_and_change_nothing(client, make, role):
    user = make.make_official() if role is Role.OFFICIAL else make.make_user(role)
    login(client, user)
    for url in _admin_pages(make):
        assert client.get(url).status_code == 403, url
    posts = _admin_posts(make)
    before = _snapshot()
    for url, data in posts:
        response = post_form(client, url, data)
        assert response.status_code == 403, url
        assert "No tienes permiso" in response.get_data(as_text=True)
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client, make):
    for url in _admin_pages(make):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith(LOGIN_PATH), url
    posts = _admin_posts(make)
    before = _snapshot()
    for url, data in posts:
        response = post_form(client, url, data)
        assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN_PATH), url
    assert _snapshot() == before


def test_the_admin_link_shows_only_for_admins(client, admin, make):
    citizen = make.make_user()
    login(client, citizen)
    assert 'href="/admin"' not in client.get("/cuenta").get_data(as_text=True)
    other = make.make_user(Role.ADMIN)
    login(client, other)
    assert 'href="/admin"' in client.get("/cuenta").get_data(as_text=True)


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999999999999", "99999"])
def test_bad_ids_are_404(admin_client, bad_id):
    for url in (
        f"/admin/organismos/{bad_id}/editar",
        f"/admin/territorios/{bad_id}/editar",
        f"/admin/grupos-de-valor/{bad_id}/editar",
        f"/admin/vigencias/{bad_id}/editar",
    ):
        assert admin_client.get(url).status_code == 404, url
    response = post_form(admin_client, f"/admin/usuarios/{bad_id}/rol", {"role": "admin"})
    assert response.status_code == 404


def test_dashboard_counts(admin_client, make):
    make.make_cycle(2026)
    html = admin_client.get("/admin").get_data(as_text=True)
    assert "22 organismos registrados" in html
    assert "37 territorios" in html
    assert "14 grupos de valor" in html
    assert "1 vigencia" in html
    assert "1 cuenta activa" in html


# Organisms ------------------------------------------------------------------------------------------


def test_create_organism_stores_the_acronym_in_capitals(admin_client, make):
    response = post_form(
        admin_client,
        "/admin/organismos/nuevo",
        {"acronym": " ueaj ", "name": "Unidad Especial de Asuntos Juveniles", "kind": "unidad"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organismos"
    organism = db.session.scalar(select(Organism).where(Organism.acronym == "UEAJ"))
    assert organism.name == "Unidad Especial de Asuntos Juveniles"
    assert organism.kind is OrganismKind.UNIDAD
    listing = admin_client.get("/admin/organismos").get_data(as_text=True)
    assert "Organismo creado." in listing
    assert "UEAJ" in listing and "Unidad administrativa" in listing


def test_edit_organism(admin_client, make):
    organism = make.organism("SDR")
    response = post_form(
        admin_client,
        f"/admin/organismos/{organism.id}/editar",
        {
            "acronym": "SDRC",
            "name": "Secretaría del Deporte, la Recreación y la Actividad Física",
            "kind": "secretaria",
        },
    )
    assert response.status_code == 302
    _see_committed()
    assert organism.acronym == "SDRC"
    assert organism.name == "Secretaría del Deporte, la Recreación y la Actividad Física"
    # Saving an organism unchanged is not a duplicate of itself.
    same = {"acronym": "sdrc", "name": organism.name, "kind": "secretaria"}
    assert post_form(admin_client, f"/admin/organismos/{organism.id}/editar", same).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"acronym": "sdtpc", "name": "Otra secretaría", "kind": "secretaria"},
            "Ya existe un organismo con la sigla SDTPC.",
        ),
        (
            {"acronym": "SGOB2", "name": "secretaría de gobierno", "kind": "secretaria"},
            "Ya existe un organismo con ese nombre.",
        ),
        (
            {"acronym": "SGOB2", "name": "  SECRETARÍA DE GOBIERNO ", "kind": "secretaria"},
            "Ya existe un organismo con ese nombre.",
        ),
    ],
)
def test_duplicate_organism_is_409(admin_client, make, data, message):
    before = _count(Organism)
    response = post_form(admin_client, "/admin/organismos/nuevo", data)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert _count(Organism) == before


def test_renaming_onto_another_organisms_acronym_is_409(admin_client, make):
    organism = make.organism("SDR")
    response = post_form(
        admin_client,
        f"/admin/organismos/{organism.id}/editar",
        {"acronym": "Sem", "name": organism.name, "kind": "secretaria"},
    )
    assert response.status_code == 409
    assert "Ya existe un organismo con la sigla SEM." in response.get_data(as_text=True)
    _see_committed()
    assert organism.acronym == "SDR"


def test_a_duplicate_that_slips_past_the_check_is_still_409(admin_client, make, monkeypatch):
    """Two admins racing both pass the friendly check; the unique constraint answers, in a savepoint."""
    monkeypatch.setattr(administration, "_acronym_taken", lambda acronym, exclude_id: False)
    before = _count(Organism)
    response = post_form(
        admin_client, "/admin/organismos/nuevo", {"acronym": "sdtpc", "name": "Otra más", "kind": "secretaria"}
    )
    assert response.status_code == 409
    assert "Ya existe un organismo con esa sigla o ese nombre." in response.get_data(as_text=True)
    assert _count(Organism) == before


def test_parallel_creations_store_one_organism(app, admin_client, make_client):
    token = csrf_token(admin_client)
    session_cookie = admin_client.get_cookie("session").value
    clients = []
    for _ in range(8):
        other = make_client()
        other.set_cookie("session", session_cookie)
        clients.append(other)

    def create(browser, index):
        return browser.post(
            "/admin/organismos/nuevo",
            data={
                "csrf_token": token,
                "acronym": "ucp" if index % 2 else "UCP",
                "name": f"Unidad {index}",
                "kind": "unidad",
            },
        )

    responses = race([lambda browser=browser, i=i: create(browser, i) for i, browser in enumerate(clients)])
    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [302] + [409] * (len(clients) - 1)
    assert _count(Organism, func.upper(Organism.acronym) == "UCP") == 1


@pytest.mark.parametrize(
    ("acronym", "message"),
    [
        ("SD TPC", "La sigla solo admite letras sin tilde"),
        ("SDÑ", "La sigla solo admite letras sin tilde"),
        ("-SD", "La sigla solo admite letras sin tilde"),
        ("<script>", "La sigla solo admite letras sin tilde"),
        ("   ", "Este campo es obligatorio."),
        ("\u200b", "Escribe la sigla del organismo."),
    ],
)
def test_invalid_acronyms_are_refused(admin_client, make, acronym, message):
    before = _count(Organism)
    response = post_form(
        admin_client, "/admin/organismos/nuevo", {"acronym": acronym, "name": "Organismo de prueba", "kind": "unidad"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Organism) == before


def test_unknown_organism_kind_is_refused(admin_client, make):
    before = _count(Organism)
    response = post_form(
        admin_client, "/admin/organismos/nuevo", {"acronym": "NUEVO", "name": "Organismo nuevo", "kind": "ministerio"}
    )
    assert response.status_code == 400
    assert "Elige una de las opciones de la lista." in response.get_data(as_text=True)
    assert _count(Organism) == before


def test_organism_names_are_shown_literally(admin_client, make):
    name = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    response = post_form(admin_client, "/admin/organismos/nuevo", {"acronym": "XSS", "name": name, "kind": "unidad"})
    assert response.status_code == 302
    html = admin_client.get("/admin/organismos").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_organism_forms_ignore_undeclared_fields(admin_client, admin, make):
    response = post_form(
        admin_client,
        "/admin/organismos/nuevo",
        {"acronym": "NUEVO", "name": "Organismo nuevo", "kind": "unidad", "id": "777", "role": "citizen"},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Organism).where(Organism.acronym == "NUEVO"))
    assert created.id != 777 and db.session.get(Organism, 777) is None
    organism = make.organism("SEM")
    original_id = organism.id
    response = post_form(
        admin_client,
        f"/admin/organismos/{original_id}/editar",
        {"acronym": "SEM", "name": organism.name, "kind": "secretaria", "id": "778", "organism_id": "1"},
    )
    assert response.status_code == 302
    _see_committed()
    assert db.session.get(Organism, original_id).acronym == "SEM"
    assert db.session.get(Organism, 778) is None
    assert admin.role is Role.ADMIN and admin.organism_id is None


# Territories ----------------------------------------------------------------------------------------


def test_territories_list_comunas_then_corregimientos(admin_client, make):
    html = admin_client.get("/admin/territorios").get_data(as_text=True)
    comuna_22 = html.index(">Comuna 22<")
    first_corregimiento = html.index(">Corregimiento<")
    assert html.index(">Comuna 1<") < html.index(">Comuna 2<") < comuna_22 < first_corregimiento
    assert ">Comuna<" not in html[first_corregimiento:]


def test_rename_territory_keeps_its_identity(admin_client, make):
    territory = make.territory(3)
    response = post_form(
        admin_client,
        f"/admin/territorios/{territory.id}/editar",
        {"name": "Comuna 3 · San Pascual", "kind": "corregimiento", "number": "99"},
    )
    assert response.status_code == 302
    _see_committed()
    assert territory.name == "Comuna 3 · San Pascual"
    assert territory.kind.value == "comuna" and territory.number == 3


def test_territory_names_stay_unique(admin_client, make):
    territory = make.territory(2)
    response = post_form(admin_client, f"/admin/territorios/{territory.id}/editar", {"name": "comuna 1"})
    assert response.status_code == 409
    assert "Ya existe una comuna o un corregimiento con ese nombre." in response.get_data(as_text=True)
    _see_committed()
    assert territory.name == "Comuna 2"


# Target groups --------------------------------------------------------------------------------------


def test_add_and_rename_target_group(admin_client, make):
    response = post_form(admin_client, "/admin/grupos-de-valor", {"name": "Personas cuidadoras"})
    assert response.status_code == 302
    group = db.session.scalar(select(TargetGroup).where(TargetGroup.name == "Personas cuidadoras"))
    assert group is not None
    assert "Personas cuidadoras" in admin_client.get("/admin/grupos-de-valor").get_data(as_text=True)
    response = post_form(
        admin_client, f"/admin/grupos-de-valor/{group.id}/editar", {"name": "Personas cuidadoras 👩‍👧 ñ"}
    )
    assert response.status_code == 302
    _see_committed()
    assert group.name == "Personas cuidadoras 👩‍👧 ñ"


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("JÓVENES", 409, "Ya existe un grupo de valor con ese nombre."),
        ("  jóvenes  ", 409, "Ya existe un grupo de valor con ese nombre."),
        ("   ", 400, "Este campo es obligatorio."),
        ("\u200b\u200b", 400, "Escribe el nombre del grupo de valor."),
    ],
)
def test_target_group_names_are_checked(admin_client, make, name, status, message):
    before = _count(TargetGroup)
    response = post_form(admin_client, "/admin/grupos-de-valor", {"name": name})
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert "Mujeres" in html  # the list is still shown with the form
    assert _count(TargetGroup) == before


def test_renaming_a_group_onto_another_is_409(admin_client, make):
    group = make.target_group("Mujeres")
    response = post_form(admin_client, f"/admin/grupos-de-valor/{group.id}/editar", {"name": "jóvenes"})
    assert response.status_code == 409
    _see_committed()
    assert group.name == "Mujeres"


# Cycles ---------------------------------------------------------------------------------------------


def test_create_and_edit_cycle(admin_client, make):
    response = post_form(admin_client, "/admin/vigencias/nueva", _cycle_data(2027))
    assert response.status_code == 302
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == 2027))
    assert cycle.name == "Vigencia 2027"
    assert [p.phase for p in cycle.phases] == list(Phase)
    assert cycle.phases[0].starts_on == date(2027, 1, 1) and cycle.phases[-1].ends_on == date(2027, 12, 31)
    assert cycle.phase_on(date(2027, 6, 1)) is Phase.IMPLEMENTATION
    listing = admin_client.get("/admin/vigencias").get_data(as_text=True)
    assert "Vigencia 2027 (2027)" in listing and "1 de enero de 2027" in listing

    edited = _cycle_data(2027, name="Vigencia 2027 ajustada", evaluation_ends_on="2027-12-15")
    response = post_form(admin_client, f"/admin/vigencias/{cycle.id}/editar", edited)
    assert response.status_code == 302
    _see_committed()
    assert cycle.name == "Vigencia 2027 ajustada"
    assert cycle.phases[-1].ends_on == date(2027, 12, 15)
    assert _count(CyclePhase) == 5


def test_duplicate_cycle_year_is_409(admin_client, make):
    make.make_cycle(2026)
    before = (_count(Cycle), _count(CyclePhase))
    response = post_form(admin_client, "/admin/vigencias/nueva", _cycle_data(2026, name="Otra"))
    assert response.status_code == 409
    assert "Ya existe la vigencia 2026." in response.get_data(as_text=True)
    assert (_count(Cycle), _count(CyclePhase)) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"diagnosis_ends_on": "2026-12-31"},
            "La fase Diagnóstico debe terminar el mismo día en que empieza o después.",
        ),
        (
            {"formulation_starts_on": "2027-03-10"},
            "La fase Formulación debe empezar después de que termine la fase Diagnóstico.",
        ),
        (
            {"implementation_starts_on": "2027-02-01", "implementation_ends_on": "2027-02-10"},
            "La fase Implementación debe empezar después de que termine la fase Formulación.",
        ),
        ({"evaluation_ends_on": "2028-01-15"}, "Las fechas de la fase Evaluación deben estar dentro del año 2027."),
        ({"diagnosis_starts_on": "2026-12-01"}, "Las fechas de la fase Diagnóstico deben estar dentro del año 2027."),
        ({"monitoring_starts_on": ""}, "Este campo es obligatorio."),
        ({"monitoring_starts_on": "2027-02-30"}, "No es una fecha válida."),
        ({"year": "1999"}, "El año debe estar entre 2000 y 2100."),
        ({"year": "dos mil"}, "No es un valor entero válido."),
    ],
)
def test_cycle_phase_rules(admin_client, make, overrides, message):
    response = post_form(admin_client, "/admin/vigencias/nueva", {**_cycle_data(2027), **overrides})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert (_count(Cycle), _count(CyclePhase)) == (0, 0)


def test_editing_a_cycle_checks_the_same_rules(admin_client, make):
    cycle = make.make_cycle(2026)
    before = _snapshot()
    response = post_form(
        admin_client, f"/admin/vigencias/{cycle.id}/editar", _cycle_data(2026, formulation_ends_on="2026-01-01")
    )
    assert response.status_code == 400
    assert "La fase Formulación debe terminar el mismo día en que empieza o después." in response.get_data(as_text=True)
    assert _snapshot() == before


# People and roles -----------------------------------------------------------------------------------


def _role_url(user) -> str:
    return f"/admin/usuarios/{user.id}/rol"


def _role_data(user, role: str, organism_id: str = "") -> dict:
    return {f"usuario-{user.id}-role": role, f"usuario-{user.id}-organism_id": organism_id}


def test_granting_official_requires_an_organism(admin_client, make):
    target = make.make_user(display_name="Carlos")
    response = post_form(admin_client, _role_url(target), _role_data(target, "official"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Un funcionario o funcionaria debe pertenecer a un organismo." in html
    assert "Cambiar el rol de Carlos" in html
    _see_committed()
    assert target.role is Role.CITIZEN

    organism = make.organism("DAGMA")
    response = post_form(admin_client, _role_url(target), _role_data(target, "official", str(organism.id)))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/usuarios"
    _see_committed()
    assert target.role is Role.OFFICIAL and target.organism_id == organism.id
    assert "DAGMA" in admin_client.get("/admin/usuarios").get_data(as_text=True)


def test_only_officials_keep_an_organism(admin_client, make):
    target = make.make_official("DAGMA")
    response = post_form(admin_client, _role_url(target), _role_data(target, "moderator", str(make.organism("SEM").id)))
    assert response.status_code == 302
    _see_committed()
    assert target.role is Role.MODERATOR and target.organism_id is None


def test_unknown_role_or_organism_is_refused(admin_client, make):
    target = make.make_user()
    before = _snapshot()
    for data in (
        _role_data(target, "superadmin"),
        _role_data(target, "official", "99999"),
        _role_data(target, "official", "x"),
    ):
        response = post_form(admin_client, _role_url(target), data)
        assert response.status_code == 400
        assert "Elige una de las opciones de la lista." in response.get_data(as_text=True)
    assert _snapshot() == before


def test_a_new_role_ends_the_persons_sessions(make, make_client, admin):
    target = make.make_user(display_name="Beatriz")
    target_browser = make_client()
    login(target_browser, target)
    assert target_browser.get("/admin").status_code == 403
    admin_browser = make_client()
    login(admin_browser, admin)
    response = post_form(admin_browser, _role_url(target), _role_data(target, "admin"))
    assert response.status_code == 302
    _see_committed()
    assert target.role is Role.ADMIN
    # The old cookie no longer works: the person must log in again to act with the new role.
    response = target_browser.get("/admin")
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN_PATH)


def test_resending_the_current_role_keeps_the_sessions(admin_client, make):
    target = make.make_user(Role.MODERATOR)
    token = target.session_token
    assert post_form(admin_client, _role_url(target), _role_data(target, "moderator")).status_code == 302
    _see_committed()
    assert target.session_token == token


def test_an_admin_cannot_change_their_own_role(admin_client, admin):
    html = admin_client.get("/admin/usuarios").get_data(as_text=True)
    assert f'action="{_role_url(admin)}' not in html
    assert "Es tu cuenta" in html
    response = post_form(admin_client, _role_url(admin), _role_data(admin, "citizen"))
    assert response.status_code == 403
    assert "No puedes cambiar tu propio rol." in response.get_data(as_text=True)
    _see_committed()
    assert admin.role is Role.ADMIN


def test_deleted_accounts_take_no_role(admin_client, make):
    target = make.make_user(display_name="Daniela Borrada")
    delete_account(target, password=DEFAULT_PASSWORD)
    db.session.commit()
    html = admin_client.get("/admin/usuarios").get_data(as_text=True)
    assert "Participante eliminado" in html and "Daniela Borrada" not in html
    assert f'action="{_role_url(target)}' not in html
    before = _snapshot()
    response = post_form(admin_client, _role_url(target), _role_data(target, "moderator"))
    assert response.status_code == 403
    assert "Esta cuenta fue eliminada: no puede recibir roles." in response.get_data(as_text=True)
    assert _snapshot() == before


def test_the_role_form_as_a_browser_sends_it(admin_client, make):
    """Only the row's own prefixed fields, its CSRF token included, as the list page renders them."""
    target = make.make_user(display_name="Iván")
    organism = make.organism("SMOV")
    html = admin_client.get("/admin/usuarios").get_data(as_text=True)
    prefix = f"usuario-{target.id}-"
    token = re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert f'<select id="{prefix}role" name="{prefix}role"' in html
    response = admin_client.post(
        _role_url(target),
        data={f"{prefix}csrf_token": token, f"{prefix}role": "official", f"{prefix}organism_id": str(organism.id)},
    )
    assert response.status_code == 302
    _see_committed()
    assert target.role is Role.OFFICIAL and target.organism_id == organism.id


def test_the_role_form_ignores_undeclared_fields(admin_client, make):
    target = make.make_user(display_name="Elena", email="elena@example.org")
    data = _role_data(target, "moderator")
    data.update(
        {
            "email": "intrusa@example.org",
            f"usuario-{target.id}-email": "intrusa@example.org",
            f"usuario-{target.id}-display_name": "Cambiada",
            "role": "admin",
            "id": "4242",
        }
    )
    assert post_form(admin_client, _role_url(target), data).status_code == 302
    _see_committed()
    assert target.role is Role.MODERATOR
    assert (target.email, target.display_name, target.id) == ("elena@example.org", "Elena", target.id)
    assert db.session.get(User, 4242) is None


def test_a_role_change_returns_to_the_same_search(admin_client, make):
    target = make.make_user(display_name="Fabián")
    response = post_form(admin_client, _role_url(target) + "?buscar=Fab&pagina=1", _role_data(target, "moderator"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/usuarios?buscar=Fab&pagina=1"


# Search and pagination ------------------------------------------------------------------------------


def test_search_by_name_or_email(admin_client, make):
    make.make_user(display_name="Gloria Palacios", email="gloria@example.org")
    make.make_user(display_name="Hernán Ruiz", email="hruiz@cali.gov.co")
    html = admin_client.get("/admin/usuarios?buscar=palacios").get_data(as_text=True)
    assert "Gloria Palacios" in html and "Hernán Ruiz" not in html
    html = admin_client.get("/admin/usuarios?buscar=CALI.GOV").get_data(as_text=True)
    assert "Hernán Ruiz" in html and "Gloria Palacios" not in html
    assert "1 cuenta encontrada" in html


@pytest.mark.parametrize(
    ("term", "expected"),
    [("%", "Cien % cierto"), ("_", "guion_bajo"), ("\\", "barra\\invertida"), ("' OR '1'='1", None)],
)
def test_search_matches_wildcards_literally(admin_client, make, term, expected):
    names = ["Cien % cierto", "guion_bajo", "barra\\invertida", "Persona corriente"]
    for name in names:
        make.make_user(display_name=name)
    response = admin_client.get("/admin/usuarios", query_string={"buscar": term})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in names:
        assert (name in html) == (name == expected), name
    assert ("1 cuenta encontrada" if expected else "0 cuentas encontradas") in html


def test_search_term_over_the_limit_is_a_form_error(admin_client, make):
    term = "a" * (administration.SEARCH_MAX + 1)
    response = admin_client.get("/admin/usuarios", query_string={"buscar": term})
    assert response.status_code == 400
    assert f"Este campo admite hasta {administration.SEARCH_MAX} caracteres." in response.get_data(as_text=True)


def test_user_list_pages_by_fifty(admin_client, make):
    for _ in range(60):
        make.make_user()
    first = admin_client.get("/admin/usuarios").get_data(as_text=True)
    assert first.count('class="button button-small">Guardar rol') == 49  # 50 rows, one of them the admin's own
    assert "Página 1 de 2" in first and "61 cuentas encontradas" in first
    second = admin_client.get("/admin/usuarios?pagina=2").get_data(as_text=True)
    assert second.count('class="button button-small">Guardar rol') == 11
    for page in ("0", "-1", "3", "99999999999999999999"):
        assert admin_client.get(f"/admin/usuarios?pagina={page}").status_code == 404, page


def test_user_list_query_count_is_constant(admin_client, make, count_queries):
    for _ in range(4):
        make.make_official()
    with count_queries() as few:
        assert admin_client.get("/admin/usuarios").status_code == 200
    for index in range(55):
        make.make_official() if index % 2 else make.make_user(Role.MODERATOR)
    with count_queries() as many:
        assert admin_client.get("/admin/usuarios").status_code == 200
    assert few.count == many.count <= 5, many.statements


# Field limits and CSRF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field", "limit", "base"),
    [
        ("/admin/organismos/nuevo", "acronym", administration.ACRONYM_MAX, {"name": "Organismo", "kind": "unidad"}),
        ("/admin/organismos/nuevo", "name", administration.ORGANISM_NAME_MAX, {"acronym": "ORG", "kind": "unidad"}),
        ("territory", "name", administration.TERRITORY_NAME_MAX, {}),
        ("/admin/grupos-de-valor", "name", administration.TARGET_GROUP_NAME_MAX, {}),
        ("/admin/vigencias/nueva", "name", administration.CYCLE_NAME_MAX, _cycle_data(2027)),
    ],
)
def test_one_character_over_each_limit_is_a_form_error(admin_client, make, url, field, limit, base):
    if url == "territory":
        url = f"/admin/territorios/{make.territory().id}/editar"
    before = _snapshot()
    response = post_form(admin_client, url, {**base, field: "A" * (limit + 1)})
    assert response.status_code == 400
    assert f"Este campo admite hasta {limit} caracteres." in response.get_data(as_text=True)
    assert _snapshot() == before
    # Exactly at the limit is accepted.
    response = post_form(admin_client, url, {**base, field: "B" * limit})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_posts_without_a_csrf_token_are_400(admin_client, make):
    target = make.make_user()
    before = _snapshot()
    for url, data in [
        ("/admin/organismos/nuevo", {"acronym": "NUEVO", "name": "Organismo nuevo", "kind": "unidad"}),
        ("/admin/grupos-de-valor", {"name": "Grupo nuevo"}),
        ("/admin/vigencias/nueva", _cycle_data(2027)),
        (_role_url(target), _role_data(target, "admin")),
    ]:
        response = admin_client.post(url, data=data)
        assert response.status_code == 400, url
        assert "El formulario caducó o no es válido." in response.get_data(as_text=True)
        response = admin_client.post(url, data={**data, "csrf_token": "forjado"})
        assert response.status_code == 400, url
    assert _snapshot() == before


def test_a_renamed_organism_reaches_cached_forum_pages_at_once(admin_client, make, make_client):
    organism = make.organism("SDTPC")
    forum = make.make_forum(org=organism)
    visitor = make_client()
    url = f"/espacios/{forum.space_id}/foro"
    assert organism.name in visitor.get(url).get_data(as_text=True)  # now kept for anonymous visitors
    response = post_form(
        admin_client,
        f"/admin/organismos/{organism.id}/editar",
        {"acronym": "SDTPC", "name": "Secretaría de Participación Ciudadana de Cali", "kind": "secretaria"},
    )
    assert response.status_code == 302
    assert "Secretaría de Participación Ciudadana de Cali" in visitor.get(url).get_data(as_text=True)
