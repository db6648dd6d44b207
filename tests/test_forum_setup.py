"""Opening and configuring a forum, its relatoría, and the institutional response's links to plan actions.

Routes: forums.settings (/espacios/<id>/foro/configurar), forums.synthesis (/espacios/<id>/foro/relatoria),
and the response form of spaces.change_state with the pages it links (space page, action page).
"""

import re

import pytest
from sqlalchemy import func, select

from foro.errors import Conflict
from foro.extensions import db
from foro.models import (
    ContributionKind,
    Forum,
    ForumAxis,
    ModerationMode,
    PostStatus,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    SpaceTransition,
    User,
    synthesis_citations,
)
from foro.services.forum_setup import AxisSpec, parse_axes, publish_synthesis
from foro.services.spaces import change_space_state
from tests.helpers import csrf_token, login, post_form, race, table_row_counts

AXES_TEXT = "Movilidad y transporte — Buses, ciclorrutas y andenes\nSeguridad y convivencia"
SYNTHESIS = "<p>La ciudadanía señaló que el transporte nocturno no llega a la ladera.</p>"
RESPONSE = "<p>Incluimos una ruta nocturna en el plan de 2026.</p>"


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(make):
    moderator = make.make_user(Role.MODERATOR)
    return {
        "official": make.make_official("SDTPC"),
        "admin": make.make_user(Role.ADMIN),
        "other_official": make.make_official("SGOB"),
        "moderator": moderator,
        "unassigned_moderator": make.make_user(Role.MODERATOR),
        "citizen": make.make_user(),
    }


@pytest.fixture
def in_request(app):
    """Service calls outside a view still build their Spanish messages inside a request, as in production."""
    with app.test_request_context(method="POST"):
        yield


def _settings_form(**overrides) -> dict:
    form = {
        "topic": "¿Por qué es difícil moverse en la ladera de noche?",
        "context": '<p>Lee el <a href="https://datos.cali.gov.co/movilidad">diagnóstico de movilidad</a>.</p>',
        "rules": "<p>Respeta a las demás personas.</p>",
        "moderation_mode": "pre",
        "flag_threshold": "4",
        "axes": AXES_TEXT,
    }
    form.update(overrides)
    return form


def _forum(space_id: int) -> Forum | None:
    db.session.expire_all()
    return db.session.scalar(select(Forum).where(Forum.space_id == space_id))


def _axes(space_id: int) -> list[tuple[int, str, str, int]]:
    forum = _forum(space_id)
    return [(axis.id, axis.title, axis.description, axis.position) for axis in forum.axes]


# --- Parsing the axes ---------------------------------------------------------------------------------


def test_axes_are_one_per_line_with_an_optional_description():
    text = "Movilidad — Buses y andenes\n\n  Bien-estar  \nSalud – Centros de salud\nAmbiente - Ríos\nVivienda —"
    assert parse_axes(text) == [
        AxisSpec("Movilidad", "Buses y andenes"),
        AxisSpec("Bien-estar", ""),
        AxisSpec("Salud", "Centros de salud"),
        AxisSpec("Ambiente", "Ríos"),
        AxisSpec("Vivienda", ""),
    ]


# --- Who may open and configure a forum --------------------------------------------------------------


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
def test_who_may_open_a_forum(client, make, people, who, status):
    space = make.make_space(state=SpaceState.ANNOUNCED, moderators=[people["moderator"]])
    if who != "anonymous":
        login(client, people[who])
    url = f"/espacios/{space.id}/foro/configurar"
    page = client.get(url)
    assert page.status_code == status
    before = table_row_counts()
    token = csrf_token(client, url if status == 200 else "/cuenta/ingresar")
    response = client.post(url, data={**_settings_form(), "csrf_token": token})
    if who == "anonymous":
        assert "/cuenta/ingresar" in page.headers["Location"]
        assert "/cuenta/ingresar" in response.headers["Location"]
    if status == 200:
        assert response.status_code == 302
        assert response.headers["Location"] == f"/espacios/{space.id}/foro"
        assert _forum(space.id) is not None
    else:
        assert response.status_code == status
        assert table_row_counts() == before


@pytest.mark.parametrize("kind", [SpaceKind.SURVEY, SpaceKind.CONSULTATION, SpaceKind.LIVE_SESSION])
def test_spaces_that_are_not_forums_have_no_forum_settings(client, make, people, kind):
    space = make.make_space(kind=kind)
    login(client, people["official"])
    assert client.get(f"/espacios/{space.id}/foro/configurar").status_code == 404
    assert client.get(f"/espacios/{space.id}/foro/relatoria").status_code == 404
    assert post_form(client, f"/espacios/{space.id}/foro/configurar", _settings_form()).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Forum)) == 0


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999999999999", "999999"])
def test_bad_space_ids_are_404(client, make, people, bad_id):
    login(client, people["official"])
    assert client.get(f"/espacios/{bad_id}/foro/configurar").status_code == 404
    assert client.get(f"/espacios/{bad_id}/foro/relatoria").status_code == 404


def test_draft_forum_settings_are_hidden_from_citizens(client, make, people):
    space = make.make_space(state=SpaceState.DRAFT)
    login(client, people["citizen"])
    assert client.get(f"/espacios/{space.id}/foro/configurar").status_code == 404


@pytest.mark.parametrize("state", [SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN])
def test_a_closed_forum_can_no_longer_be_configured(client, make, people, state):
    forum = make.make_forum(state=state)
    login(client, people["official"])
    url = f"/espacios/{forum.space_id}/foro/configurar"
    assert client.get(url).status_code == 403
    assert post_form(client, url, _settings_form(topic="Otro tema")).status_code == 403
    assert _forum(forum.space_id).topic != "Otro tema"


# --- Opening and editing -------------------------------------------------------------------------------


def test_official_opens_a_forum(client, make, people):
    space = make.make_space(state=SpaceState.ANNOUNCED, moderators=[people["moderator"]])
    login(client, people["official"])
    url = f"/espacios/{space.id}/foro/configurar"

    page = _html(client.get(url))
    assert "<h1>Abrir el foro</h1>" in page
    # New forums are offered sensible rules, post-moderation and a threshold of 3.
    assert "No publiques datos personales" in page
    assert re.search(r'<input checked id="moderation_mode-\d" name="moderation_mode" [^>]*value="post">', page)
    assert re.search(r'<input [^>]*name="flag_threshold" [^>]*value="3">', page)
    assert f'href="/espacios/{space.id}/editar"' in page
    assert people["moderator"].display_name in page

    response = post_form(client, url, _settings_form())
    assert response.status_code == 302
    assert "Se abrió el foro." in _html(client.get(f"/espacios/{space.id}"))
    forum = _forum(space.id)
    assert forum.topic == "¿Por qué es difícil moverse en la ladera de noche?"
    assert forum.context == (
        '<p>Lee el <a href="https://datos.cali.gov.co/movilidad" rel="nofollow noopener noreferrer">'
        "diagnóstico de movilidad</a>.</p>"
    )
    assert forum.rules == "<p>Respeta a las demás personas.</p>"
    assert forum.moderation_mode is ModerationMode.PRE
    assert forum.flag_threshold == 4
    assert [(title, description, position) for _id, title, description, position in _axes(space.id)] == [
        ("Movilidad y transporte", "Buses, ciclorrutas y andenes", 0),
        ("Seguridad y convivencia", "", 1),
    ]


def test_editing_keeps_existing_axes_adds_new_ones_and_drops_unused_ones(client, make, people):
    forum = make.make_forum(axes=("Movilidad y transporte", "Seguridad y convivencia", "Ambiente"))
    used = forum.axes[0]
    make.make_post(forum, people["citizen"], axis=used)
    login(client, people["official"])
    url = f"/espacios/{forum.space_id}/foro/configurar"

    page = _html(client.get(url))
    assert "<h1>Configurar el foro</h1>" in page
    assert "Movilidad y transporte\nSeguridad y convivencia\nAmbiente</textarea>" in page

    axes = "Salud — Centros de salud de la ladera\nmovilidad y transporte — Buses\nSeguridad y convivencia"
    response = post_form(client, url, _settings_form(axes=axes, topic="Tema nuevo"))
    assert response.status_code == 302
    after = _axes(forum.space_id)
    assert [(title, description, position) for _id, title, description, position in after] == [
        ("Salud", "Centros de salud de la ladera", 0),
        ("movilidad y transporte", "Buses", 1),
        ("Seguridad y convivencia", "", 2),
    ]
    # The axis with a contribution is the same row, renamed only in its capitals: its posts keep their place.
    assert after[1][0] == used.id
    assert _forum(forum.space_id).topic == "Tema nuevo"
    assert db.session.scalar(select(func.count()).select_from(ForumAxis)) == 3


def test_removing_an_axis_with_contributions_is_refused(client, make, people):
    forum = make.make_forum(axes=("Movilidad y transporte", "Seguridad y convivencia"))
    make.make_post(forum, people["citizen"], axis=forum.axes[1])
    login(client, people["official"])
    before, axes_before = table_row_counts(), _axes(forum.space_id)

    response = post_form(
        client, f"/espacios/{forum.space_id}/foro/configurar", _settings_form(axes="Movilidad y transporte")
    )

    assert response.status_code == 400
    assert (
        "No puedes quitar el eje «Seguridad y convivencia»: ya tiene 1 aporte. Déjalo en la lista; "
        "puedes cambiar su descripción." in _html(response)
    )
    assert table_row_counts() == before
    assert _axes(forum.space_id) == axes_before


TOO_MANY_AXES = "\n".join(f"Eje {n}" for n in range(1, 14))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"axes": ""}, "Escribe al menos un eje."),
        ({"axes": " \n \u200b \n"}, "Escribe entre 1 y 12 ejes, uno por línea."),
        ({"axes": TOO_MANY_AXES}, "Escribe entre 1 y 12 ejes, uno por línea."),
        ({"axes": "Movilidad\nSalud\nmovilidad — otra vez"}, "El eje «movilidad» está repetido."),
        ({"axes": "a" * 151}, "supera los 150 caracteres."),
        ({"axes": "Salud — " + "d" * 501}, "La descripción del eje «Salud» supera los 500 caracteres."),
        ({"axes": "— Solo una descripción"}, "Cada eje necesita un título antes del guion."),
        ({"topic": ""}, "Escribe el tema del foro."),
        ({"topic": "  \u200b "}, "Escribe el tema del foro."),
        ({"topic": "t" * 201}, "El tema admite hasta 200 caracteres."),
        ({"context": "c" * 20_001}, "El contexto admite hasta 20000 caracteres."),
        ({"rules": "r" * 20_001}, "Las reglas admiten hasta 20000 caracteres."),
        ({"flag_threshold": "0"}, "El número de reportes debe estar entre 1 y 50."),
        ({"flag_threshold": "51"}, "El número de reportes debe estar entre 1 y 50."),
        ({"flag_threshold": "abc"}, "No es un valor entero válido."),
        ({"flag_threshold": ""}, "Este campo es obligatorio."),
        ({"moderation_mode": "none"}, "Elige una de las opciones de la lista."),
        ({"moderation_mode": ""}, "Elige cómo se moderan los aportes."),
    ],
)
def test_invalid_settings_are_refused_with_a_spanish_message(client, make, people, changes, message):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, people["official"])
    before = table_row_counts()
    response = post_form(client, f"/espacios/{space.id}/foro/configurar", _settings_form(**changes))
    assert response.status_code == 400
    assert message in _html(response)
    assert table_row_counts() == before


def test_limits_are_inclusive(client, make, people):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, people["official"])
    axes = "\n".join(["a" * 150] + [f"Eje {n}" for n in range(2, 13)])
    response = post_form(
        client,
        f"/espacios/{space.id}/foro/configurar",
        _settings_form(topic="t" * 200, axes=axes, flag_threshold="50"),
    )
    assert response.status_code == 302
    assert len(_axes(space.id)) == 12
    assert _forum(space.id).flag_threshold == 50


def test_settings_markup_is_cleaned_and_the_topic_escaped(client, make, people):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, people["official"])
    response = post_form(
        client,
        f"/espacios/{space.id}/foro/configurar",
        _settings_form(
            topic='"><img src=x onerror=alert(1)>',
            context='<p>Datos</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>',
            rules="<p onclick=alert(1)>Reglas</p><style>p{}</style>",
            axes="<b>Movilidad</b> — <svg onload=alert(1)>",
        ),
    )
    assert response.status_code == 302
    forum = _forum(space.id)
    assert forum.context == '<p>Datos</p><a rel="nofollow noopener noreferrer">x</a>'
    assert forum.rules == "<p>Reglas</p>"
    assert forum.topic == '"><img src=x onerror=alert(1)>'
    # Axis titles are plain text: kept as written, escaped where shown.
    assert forum.axes[0].title == "<b>Movilidad</b>"
    page = _html(client.get(f"/espacios/{space.id}/foro/configurar"))
    assert "<img src=x" not in page and "&lt;b&gt;Movilidad&lt;/b&gt;" in page


def test_settings_need_a_csrf_token(client, make, people):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, people["official"])
    response = client.post(f"/espacios/{space.id}/foro/configurar", data=_settings_form())
    assert response.status_code == 400
    assert _forum(space.id) is None


def test_settings_ignore_fields_that_are_not_theirs(client, make, people):
    space = make.make_space(state=SpaceState.OPEN)
    login(client, people["official"])
    response = post_form(
        client,
        f"/espacios/{space.id}/foro/configurar",
        _settings_form(synthesis="<p>Relatoría falsa</p>", space_id="999", state="closed"),
    )
    assert response.status_code == 302
    forum = _forum(space.id)
    assert forum.synthesis == "" and forum.synthesis_published_at is None
    assert db.session.get(Space, space.id).state is SpaceState.OPEN


def test_settings_page_query_count_does_not_grow_with_axes_and_moderators(client, make, people, count_queries):
    small = make.make_forum(axes=("Movilidad",), moderators=[make.make_user(Role.MODERATOR)])
    large = make.make_forum(
        axes=tuple(f"Eje {n}" for n in range(12)), moderators=[make.make_user(Role.MODERATOR) for _ in range(6)]
    )
    urls = [f"/espacios/{forum.space_id}/foro/configurar" for forum in (small, large)]
    login(client, people["official"])
    with count_queries() as few:
        assert client.get(urls[0]).status_code == 200
    with count_queries() as many:
        assert client.get(urls[1]).status_code == 200
    # The user, the space, its moderators, the forum, its axes, and the unread notifications of the header.
    assert few.count == many.count <= 6, many.statements


def test_two_officials_opening_the_same_forum_at_once_create_one(app, make, make_client):
    space = make.make_space(state=SpaceState.OPEN)
    url = f"/espacios/{space.id}/foro/configurar"
    posts = []
    for person in (make.make_official(), make.make_user(Role.ADMIN)):
        browser = make_client()
        with app.app_context():
            login(browser, person)
            token = csrf_token(browser, url)
        posts.append(
            lambda browser=browser, token=token: browser.post(url, data={**_settings_form(), "csrf_token": token})
        )
    db.session.rollback()

    statuses = [response.status_code for response in race(posts)]

    assert statuses == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(Forum)) == 1
    assert db.session.scalar(select(func.count()).select_from(ForumAxis)) == 2


# --- The relatoría ---------------------------------------------------------------------------------------


@pytest.fixture
def closed_forum(make, people):
    """A closed forum with published contributions in two axes, and content that may not be cited."""
    forum = make.make_forum(state=SpaceState.CLOSED, moderators=[people["moderator"]])
    author = people["citizen"]
    problem = make.make_post(forum, author, title="Los buses no suben de noche", supports_count=7)
    cause = make.make_post(
        forum, author, kind=ContributionKind.CAUSE, parent=problem, title="Las rutas terminan a las 8", supports_count=1
    )
    proposal = make.make_post(
        forum, author, kind=ContributionKind.PROPOSAL, axis=forum.axes[1], title="Ruta nocturna de la ladera"
    )
    reply = make.make_post(forum, author, thread=problem, body="<p>Es cierto.</p>")
    hidden = make.make_post(forum, author, title="Aporte ocultado", status=PostStatus.HIDDEN)
    pending = make.make_post(forum, author, title="Aporte en espera", status=PostStatus.PENDING)
    other_forum = make.make_forum(state=SpaceState.CLOSED)
    foreign = make.make_post(other_forum, author, title="Aporte de otro foro")
    return {
        "forum": forum,
        "space_id": forum.space_id,
        "problem": problem,
        "cause": cause,
        "proposal": proposal,
        "reply": reply,
        "hidden": hidden,
        "pending": pending,
        "foreign": foreign,
    }


def _synthesis_form(*posts, text=SYNTHESIS) -> dict:
    return {"text": text, "cited_post_ids": [str(post.id) for post in posts]}


def _citations() -> int:
    return db.session.scalar(select(func.count()).select_from(synthesis_citations))


@pytest.mark.parametrize("state", [SpaceState.ANNOUNCED, SpaceState.OPEN])
def test_the_relatoria_waits_for_the_forum_to_close(client, make, people, state):
    forum = make.make_forum(state=state)
    post = make.make_post(forum, people["citizen"])
    login(client, people["official"])
    url = f"/espacios/{forum.space_id}/foro/relatoria"
    label = {SpaceState.ANNOUNCED: "Convocado", SpaceState.OPEN: "Abierto"}[state]
    message = f"La relatoría se escribe cuando el foro está cerrado, y este foro está «{label}»."

    page = client.get(url)
    assert page.status_code == 409
    assert message in _html(page)
    before = table_row_counts()
    response = post_form(client, url, _synthesis_form(post))
    assert response.status_code == 409
    assert message in _html(response)
    assert table_row_counts() == before
    assert _forum(forum.space_id).synthesis_published_at is None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("moderator", 302),
        ("official", 302),
        ("admin", 302),
        ("other_official", 403),
        ("unassigned_moderator", 403),
        ("citizen", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_publish_the_relatoria(client, people, closed_forum, who, status):
    url = f"/espacios/{closed_forum['space_id']}/foro/relatoria"
    if who != "anonymous":
        login(client, people[who])
    page = client.get(url)
    assert page.status_code == (200 if status == 302 and who != "anonymous" else status)
    before = table_row_counts()
    response = post_form(client, url, _synthesis_form(closed_forum["problem"]))
    assert response.status_code == status
    published = status == 302 and who != "anonymous"
    if who == "anonymous":
        assert "/cuenta/ingresar" in page.headers["Location"]
        assert "/cuenta/ingresar" in response.headers["Location"]
    if status == 403:
        assert "Solo las personas moderadoras del foro o el personal de su organismo" in _html(response)
    if not published:
        assert table_row_counts() == before
    assert (_forum(closed_forum["space_id"]).synthesis_published_at is not None) is published


def test_the_form_offers_the_published_contributions_by_axis_and_kind(client, people, closed_forum):
    login(client, people["moderator"])
    html = _html(client.get(f"/espacios/{closed_forum['space_id']}/foro/relatoria"))
    groups = re.findall(r"<legend>([^<]+)</legend>", html)
    assert groups == [
        "Aportes que cita la relatoría",
        "Movilidad y transporte · Problema",
        "Movilidad y transporte · Causa",
        "Seguridad y convivencia · Propuesta",
    ]
    assert "Los buses no suben de noche (7 apoyos)" in html
    assert "Las rutas terminan a las 8 (1 apoyo)" in html
    assert "Ruta nocturna de la ladera (0 apoyos)" in html
    space_id = closed_forum["space_id"]
    assert f'href="/espacios/{space_id}/foro/aportes/{closed_forum["problem"].id}"' in html
    for name in ("hidden", "pending", "foreign", "reply"):
        assert f'value="{closed_forum[name].id}"' not in html
    assert "Aporte ocultado" not in html and "Aporte en espera" not in html


def test_publishing_the_relatoria_moves_the_space_and_shows_it_with_its_citations(client, people, closed_forum):
    space_id = closed_forum["space_id"]
    url = f"/espacios/{space_id}/foro/relatoria"
    moderator = people["moderator"]
    login(client, moderator)

    response = post_form(
        client,
        url,
        _synthesis_form(
            closed_forum["problem"],
            closed_forum["proposal"],
            closed_forum["problem"],
            text=SYNTHESIS + "<script>alert(1)</script>",
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == url
    forum = _forum(space_id)
    assert forum.synthesis == SYNTHESIS
    assert forum.synthesis_published_at is not None
    assert forum.synthesis_author_id == moderator.id
    cited = set(
        db.session.scalars(select(synthesis_citations.c.post_id).where(synthesis_citations.c.forum_id == forum.id))
    )
    assert cited == {closed_forum["problem"].id, closed_forum["proposal"].id}
    space = db.session.get(Space, space_id)
    assert space.state is SpaceState.RESULTS_PUBLISHED
    transition = db.session.scalar(select(SpaceTransition).where(SpaceTransition.space_id == space_id))
    assert (transition.from_state, transition.to_state, transition.actor_id) == (
        SpaceState.CLOSED,
        SpaceState.RESULTS_PUBLISHED,
        moderator.id,
    )
    assert transition.note == "Relatoría del foro publicada."

    # Everyone reads it, with a link to each cited contribution's thread.
    client.post("/cuenta/salir", data={"csrf_token": csrf_token(client, url)})
    page = client.get(url)
    html = _html(page)
    assert page.status_code == 200
    assert "Relatoría del foro" in html and SYNTHESIS in html and "<script>alert" not in html
    for post in (closed_forum["problem"], closed_forum["proposal"]):
        assert f'<a href="/espacios/{space_id}/foro/aportes/{post.id}">{post.title}</a>' in html
    assert closed_forum["cause"].title not in html
    assert 'name="text"' not in html


def test_a_published_relatoria_cannot_be_published_again(client, people, closed_forum):
    url = f"/espacios/{closed_forum['space_id']}/foro/relatoria"
    login(client, people["official"])
    assert post_form(client, url, _synthesis_form(closed_forum["problem"])).status_code == 302
    before = table_row_counts()
    response = post_form(client, url, _synthesis_form(closed_forum["proposal"], text="<p>Otra</p>"))
    assert response.status_code == 409
    assert "La relatoría de este foro ya se publicó." in _html(response)
    assert table_row_counts() == before
    assert _forum(closed_forum["space_id"]).synthesis == SYNTHESIS


@pytest.mark.parametrize(
    ("cite", "message"),
    [
        (["foreign"], "Solo puedes citar aportes publicados de este foro; alguno de los elegidos no lo es."),
        (["problem", "hidden"], "Solo puedes citar aportes publicados de este foro; alguno de los elegidos no lo es."),
        (["pending"], "Solo puedes citar aportes publicados de este foro; alguno de los elegidos no lo es."),
        (["reply"], "Solo puedes citar aportes publicados de este foro; alguno de los elegidos no lo es."),
        (["missing"], "Solo puedes citar aportes publicados de este foro; alguno de los elegidos no lo es."),
        (["not_a_number"], "Elige una de las opciones de la lista."),
        ([], "Cita al menos un aporte del foro en el que se basa la relatoría."),
    ],
)
def test_citations_must_be_published_contributions_of_this_forum(client, people, closed_forum, cite, message):
    extra = {"missing": "999999", "not_a_number": "abc"}
    ids = [extra.get(name) or str(closed_forum[name].id) for name in cite]
    login(client, people["official"])
    before = table_row_counts()
    response = post_form(
        client, f"/espacios/{closed_forum['space_id']}/foro/relatoria", {"text": SYNTHESIS, "cited_post_ids": ids}
    )
    assert response.status_code == 400
    assert message in _html(response)
    assert table_row_counts() == before
    assert _forum(closed_forum["space_id"]).synthesis_published_at is None
    assert db.session.get(Space, closed_forum["space_id"]).state is SpaceState.CLOSED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Escribe la relatoría: qué se dijo en el foro y qué se concluye."),
        (" \u200b\n", "Escribe la relatoría: qué se dijo en el foro y qué se concluye."),
        ("x" * 20_001, "La relatoría admite hasta 20000 caracteres."),
    ],
)
def test_the_relatoria_needs_text(client, people, closed_forum, text, message):
    login(client, people["official"])
    before = table_row_counts()
    response = post_form(
        client,
        f"/espacios/{closed_forum['space_id']}/foro/relatoria",
        _synthesis_form(closed_forum["problem"], text=text),
    )
    assert response.status_code == 400
    assert message in _html(response)
    assert table_row_counts() == before


def test_contributions_hidden_after_the_relatoria_drop_out_of_it(client, make, people, closed_forum):
    url = f"/espacios/{closed_forum['space_id']}/foro/relatoria"
    login(client, people["official"])
    assert post_form(client, url, _synthesis_form(closed_forum["problem"], closed_forum["proposal"])).status_code == 302
    proposal = closed_forum["proposal"]
    db.session.expire_all()
    proposal.status = PostStatus.HIDDEN
    db.session.commit()
    html = _html(client.get(url))
    assert proposal.title not in html
    assert closed_forum["problem"].title in html


def test_without_a_relatoria_a_forum_cannot_publish_results_by_the_state_button(client, people, closed_forum):
    space_id = closed_forum["space_id"]
    login(client, people["official"])
    response = post_form(client, f"/espacios/{space_id}/estado", {"target": "results_published"})
    assert response.status_code == 409
    assert "Los resultados de un foro son su relatoría" in _html(response)
    assert db.session.get(Space, space_id).state is SpaceState.CLOSED
    assert db.session.scalar(select(func.count()).select_from(SpaceTransition)) == 0


def test_a_forum_space_never_opened_moves_on_as_any_space(make, people, in_request):
    space = make.make_space(state=SpaceState.CLOSED)
    change_space_state(people["official"], space, SpaceState.RESULTS_PUBLISHED)
    db.session.commit()
    assert space.state is SpaceState.RESULTS_PUBLISHED


def test_relatoria_pages_run_the_same_queries_whatever_the_contributions(client, make, people, count_queries):
    def closed_forum_with(n_posts):
        forum = make.make_forum(state=SpaceState.CLOSED, moderators=[people["moderator"]])
        posts = [
            make.make_post(forum, people["citizen"], axis=forum.axes[n % 2], kind=list(ContributionKind)[n % 6])
            for n in range(n_posts)
        ]
        return forum, posts

    small, small_posts = closed_forum_with(1)
    large, large_posts = closed_forum_with(24)
    urls = [f"/espacios/{forum.space_id}/foro/relatoria" for forum in (small, large)]
    login(client, people["moderator"])
    counts = []
    for url in urls:
        with count_queries() as form_page:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(form_page.count)
    assert _html(response).count('name="cited_post_ids"') == 24
    # The user, the space, its moderators, the forum, the contributions with their axes, the notifications.
    assert counts[0] == counts[1] <= 6, form_page.statements

    for url, posts in zip(urls, (small_posts, large_posts), strict=True):
        assert post_form(client, url, _synthesis_form(*posts)).status_code == 302
    published = []
    for url in urls:
        with count_queries() as page:
            response = client.get(url)
        assert response.status_code == 200
        published.append(page.count)
    assert _html(response).count("/foro/aportes/") == 24
    assert published[0] == published[1] <= 6, page.statements


def test_two_people_publishing_at_once_publish_once(app, make, people, closed_forum):
    forum_id = closed_forum["forum"].id
    post_id = closed_forum["problem"].id
    actor_ids = [people["official"].id, people["moderator"].id]
    db.session.rollback()

    def publish(actor_id):
        with app.test_request_context(method="POST"):
            try:
                actor = db.session.get(User, actor_id)
                forum = db.session.get(Forum, forum_id)
                publish_synthesis(actor, forum, text=SYNTHESIS, cited_post_ids=[post_id])
                db.session.commit()
                return "published"
            except Conflict:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    outcomes = race([lambda actor_id=actor_id: publish(actor_id) for actor_id in actor_ids])

    assert sorted(map(str, outcomes)) == ["published", "refused"]
    assert _citations() == 1
    assert db.session.scalar(select(func.count()).select_from(SpaceTransition)) == 1


# --- The institutional response names the plan actions ---------------------------------------------------


@pytest.fixture
def answered(make, people):
    """A forum whose results are published, and actions of its organism, of another year and of another one."""
    space = make.make_space(state=SpaceState.RESULTS_PUBLISHED, title="Foro de movilidad nocturna")
    plan = make.make_plan()
    return {
        "space": space,
        "own": [make.make_action(plan, title="Ruta nocturna de la ladera"), make.make_action(plan, title="Andenes")],
        "other_year": make.make_action(make.make_plan(cycle=make.make_cycle(space.cycle.year - 1)), title="Vieja"),
        "other_organism": make.make_action(make.make_plan(make.organism("SGOB")), title="Acción de Gobierno"),
    }


def test_the_response_form_offers_the_organisms_actions_of_the_space_vigencia(client, people, answered):
    login(client, people["official"])
    html = _html(client.get(f"/espacios/{answered['space'].id}"))
    assert "Acciones del plan que recogen estos aportes" in html
    for action in answered["own"]:
        assert f'value="{action.id}"' in html and action.title in html
    assert f'value="{answered["other_year"].id}"' not in html
    assert f'value="{answered["other_organism"].id}"' not in html


def test_the_response_links_the_space_and_the_actions_both_ways(client, people, answered):
    space, (taken, _untouched) = answered["space"], answered["own"]
    login(client, people["official"])
    response = post_form(
        client,
        f"/espacios/{space.id}/estado",
        {"target": "response_given", "response": RESPONSE, "action_ids": [str(taken.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [action.id for action in db.session.get(Space, space.id).response_actions] == [taken.id]

    space_page = _html(client.get(f"/espacios/{space.id}"))
    section = space_page.split("Acciones del plan que recogen estos aportes", 1)[1]
    assert f'<a href="/acciones/{taken.id}">Ruta nocturna de la ladera</a>' in section
    assert "Andenes" not in section

    action_page = _html(client.get(f"/acciones/{taken.id}"))
    section = action_page.split("Espacios de participación cuyos aportes recoge esta acción", 1)[1]
    assert f'href="/espacios/{space.id}">Foro de movilidad nocturna</a>' in section
    untouched_page = _html(client.get(f"/acciones/{_untouched.id}"))
    assert "Todavía ninguna respuesta institucional nombra esta acción." in untouched_page


@pytest.mark.parametrize("foreign", ["other_organism", "missing"])
def test_the_response_refuses_actions_of_another_organism(client, people, answered, foreign):
    space = answered["space"]
    action_id = "999999" if foreign == "missing" else str(answered[foreign].id)
    login(client, people["official"])
    before = table_row_counts()
    response = post_form(
        client,
        f"/espacios/{space.id}/estado",
        {"target": "response_given", "response": RESPONSE, "action_ids": [str(answered["own"][0].id), action_id]},
    )
    assert response.status_code == 400
    assert "Solo puedes nombrar acciones del plan de acción de este organismo." in _html(response)
    assert table_row_counts() == before
    assert db.session.get(Space, space.id).state is SpaceState.RESULTS_PUBLISHED


def test_a_response_may_name_an_action_of_another_vigencia_of_the_same_organism(make, people, answered, in_request):
    space = answered["space"]
    change_space_state(
        people["official"], space, SpaceState.RESPONSE_GIVEN, response=RESPONSE, action_ids=[answered["other_year"].id]
    )
    db.session.commit()
    db.session.expire_all()
    assert [action.id for action in space.response_actions] == [answered["other_year"].id]


def test_a_response_without_actions_says_so(client, people, answered):
    space = answered["space"]
    login(client, people["official"])
    assert (
        post_form(
            client, f"/espacios/{space.id}/estado", {"target": "response_given", "response": RESPONSE}
        ).status_code
        == 302
    )
    assert "La respuesta no nombra acciones del plan." in _html(client.get(f"/espacios/{space.id}"))


def test_actions_are_named_only_with_the_response(make, people, in_request):
    space = make.make_space(state=SpaceState.OPEN)
    action = make.make_action()
    with pytest.raises(ValueError):
        change_space_state(people["official"], space, SpaceState.CLOSED, action_ids=[action.id])


def test_linked_pages_run_the_same_queries_whatever_the_links(client, make, people, count_queries, in_request):
    plan = make.make_plan()
    actions = [make.make_action(plan) for _ in range(6)]

    def answered_space(action_ids, territory_numbers):
        space = make.make_space(
            state=SpaceState.RESULTS_PUBLISHED, territories=[make.territory(n) for n in territory_numbers]
        )
        change_space_state(
            people["official"], space, SpaceState.RESPONSE_GIVEN, response=RESPONSE, action_ids=action_ids
        )
        db.session.commit()
        return space

    unanswered = make.make_space(state=SpaceState.RESULTS_PUBLISHED, territories=[make.territory(1)])
    one = answered_space([actions[0].id], [1])
    many = answered_space([action.id for action in actions], [2, 3, 4])
    for number in range(5, 10):
        answered_space([actions[1].id], [number])
    space_urls = [f"/espacios/{space.id}" for space in (unanswered, one, many)]
    action_urls = [f"/acciones/{action.id}" for action in (actions[2], actions[0], actions[1])]

    space_counts = []
    for url in space_urls:
        with count_queries() as page:
            html = _html(client.get(url))
        space_counts.append(page.count)
    assert html.count('href="/acciones/') == 6
    # The response's actions cost one query, whatever their number.
    assert space_counts[0] + 1 == space_counts[1] == space_counts[2], page.statements

    action_counts = []
    for url in action_urls:
        with count_queries() as page:
            html = _html(client.get(url))
        action_counts.append(page.count)
    assert html.split("cuyos aportes recoge esta acción", 1)[1].count('href="/espacios/') == 6
    # The action page also shows its follow-up and its origin (tests/test_plans.py counts them).
    assert action_counts[0] == action_counts[1] == action_counts[2] <= 14, page.statements
