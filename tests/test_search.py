"""Full-text search of forum contributions: the same behaviour on SQLite (FTS5) and PostgreSQL (tsvector)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from foro import search as search_module
from foro.extensions import db
from foro.models import ContributionKind, ForumPost, PostStatus, Space, SpaceKind, SpaceState
from foro.search import POSTGRESQL_INDEX, excerpt, query_terms, search_posts, search_text
from foro.timeutil import now_utc
from tests.conftest import QueryCounter
from tests.helpers import login, table_row_counts

# Inputs that are SQL or full-text-query syntax somewhere: all must be searched as plain words.
HOSTILE_QUERIES = [
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    '"',
    "'",
    '"parque',
    "parque\"'",
    "*",
    "parque*",
    "-parque",
    "parque -luz",
    "NEAR",
    "NEAR(parque luz)",
    "parque NEAR luz",
    "AND",
    "parque AND",
    "OR parque",
    "parque OR luz",
    "NOT parque",
    "(parque",
    "parque)",
    "()",
    "search_text:parque",
    "^parque",
    "parque:*",
    "parque & luz | !x",
    "parque <-> luz",
    "{parque}",
    "½ ² ⁂ ꞔ 中文 🙂",
    "ŉ ǅ ﬁ ١٢ Ⅻ ʼ ß İ",
    "<script>alert(1)</script>",
]


def _found(query: str, forum=None) -> list[int]:
    db.session.expire_all()
    return [post.id for post in db.session.scalars(search_posts(query, forum_id=forum.id if forum else None))]


@pytest.fixture
def author(make):
    return make.make_user(display_name="Marta Ríos")


@pytest.fixture
def forum(make):
    return make.make_forum(title="Foro de parques y alumbrado")


def _post(make, forum, author, title: str, body: str = "<p>Sin más detalles.</p>", **fields) -> ForumPost:
    return make.make_post(forum, author, title=title, body=body, **fields)


# --- Matching ------------------------------------------------------------------------------------


def test_accents_and_case_do_not_matter(make, forum, author):
    without_accent = _post(make, forum, author, "Falta informacion del PROGRAMA")
    with_accent = _post(make, forum, author, "Más información sobre el programa")
    assert set(_found("información", forum)) == {without_accent.id, with_accent.id}
    assert set(_found("INFORMACION", forum)) == {without_accent.id, with_accent.id}
    assert set(_found("Programá", forum)) == {without_accent.id, with_accent.id}


def test_plurals_match_singulars_and_back(make, forum, author):
    plural = _post(make, forum, author, "Los parques del barrio están oscuros")
    singular = _post(make, forum, author, "Un parque sin bancas")
    _post(make, forum, author, "Buses nocturnos")
    assert set(_found("parques", forum)) == {plural.id, singular.id}
    assert set(_found("parque", forum)) == {plural.id, singular.id}
    assert _found("niños", forum) == [] and _found("bus", forum) != []


def test_every_word_must_appear(make, forum, author):
    both = _post(make, forum, author, "Parque sin iluminación", "<p>La comuna 18 no tiene luz.</p>")
    only_park = _post(make, forum, author, "Parque sin bancas")
    assert _found("parque iluminación", forum) == [both.id]
    assert set(_found("parque", forum)) == {both.id, only_park.id}
    assert _found("parque iluminación bancas", forum) == []


def test_function_words_are_ignored_unless_they_are_all_there_is(make, forum, author):
    post = _post(make, forum, author, "Parque oscuro", "<p>Comuna 18.</p>")
    assert query_terms("el parque de la comuna") == ["parqu", "comun"]
    assert _found("el parque de la comuna", forum) == [post.id]
    # "paro" is a word, not the function word "para", though both stem alike.
    assert query_terms("paro para") == ["par"]
    function_words_only = _post(make, forum, author, "Lo de la junta", "<p>Texto.</p>")
    assert _found("de la", forum) == [function_words_only.id]


def test_the_last_word_also_matches_as_the_start_of_a_word(make, forum, author):
    post = _post(make, forum, author, "Iluminación del parque", "<p>Alumbrado público.</p>")
    assert _found("ilum", forum) == [post.id]
    assert _found("parque ilum", forum) == [post.id]
    assert _found("ilum parque", forum) == []


def test_html_in_the_body_is_not_searched_as_words(make, forum, author):
    post = _post(make, forum, author, "Andenes", '<p><a href="https://datos.cali.gov.co">Datos</a> abiertos</p>')
    assert _found("datos abiertos", forum) == [post.id]
    assert _found("href", forum) == []


def test_more_relevant_posts_come_first_then_newer_ones(make, forum, author):
    now = now_utc()
    passing = _post(
        make,
        forum,
        author,
        "Informe de la comuna",
        "<p>" + "Texto largo sobre muchas cosas. " * 20 + "Semáforos.</p>",
        created_at=now,
    )
    focused = _post(
        make,
        forum,
        author,
        "Semáforos dañados",
        "<p>Los semáforos de la quinta y los semáforos del centro.</p>",
        created_at=now - timedelta(days=3),
    )
    assert _found("semáforos", forum) == [focused.id, passing.id]
    older = _post(make, forum, author, "Reciclaje", "<p>Reciclaje.</p>", created_at=now - timedelta(days=2))
    newer = _post(make, forum, author, "Reciclaje", "<p>Reciclaje.</p>", created_at=now - timedelta(days=1))
    assert _found("reciclaje", forum) == [newer.id, older.id]


# --- Scope and visibility ------------------------------------------------------------------------


def test_search_within_one_forum_or_across_forums(make, forum, author):
    other_forum = make.make_forum(title="Foro de ciclorrutas")
    here = _post(make, forum, author, "Ciclorruta interrumpida")
    there = _post(make, other_forum, author, "Ciclorruta sin señalización")
    assert _found("ciclorruta", forum) == [here.id]
    assert _found("ciclorruta", other_forum) == [there.id]
    assert set(_found("ciclorruta")) == {here.id, there.id}


def test_only_published_posts_of_public_spaces_are_found(make, forum, author):
    published = _post(make, forum, author, "Humedal contaminado")
    for status in (PostStatus.PENDING, PostStatus.FLAGGED, PostStatus.HIDDEN, PostStatus.WITHDRAWN):
        _post(make, forum, author, f"Humedal {status.value}", status=status)
    draft_forum = make.make_forum(state=SpaceState.DRAFT)
    _post(make, draft_forum, author, "Humedal en borrador")
    closed_forum = make.make_forum(state=SpaceState.CLOSED)
    closed = _post(make, closed_forum, author, "Humedal de un foro cerrado")
    assert set(_found("humedal")) == {published.id, closed.id}
    # Not even for their author: search only shows what everyone may see.
    found_for_author = db.session.scalars(search_posts("humedal", forum_id=None, viewer=author))
    assert {post.id for post in found_for_author} == {published.id, closed.id}


def test_replies_are_found_only_in_threads_whose_head_is_public(make, forum, author):
    replier = make.make_user()
    public_head = _post(make, forum, author, "Basuras en el caño")
    withdrawn_head = _post(make, forum, author, "Otro tema", status=PostStatus.WITHDRAWN)
    hidden_head = _post(make, forum, author, "Tema oculto", status=PostStatus.HIDDEN)
    pending_head = _post(make, forum, author, "Tema en espera", status=PostStatus.PENDING)
    in_public = make.make_post(forum, replier, thread=public_head, body="<p>Escombros también.</p>")
    in_withdrawn = make.make_post(forum, replier, thread=withdrawn_head, body="<p>Escombros en la vía.</p>")
    for head in (hidden_head, pending_head):
        make.make_post(forum, replier, thread=head, body="<p>Escombros ocultos.</p>")
    make.make_post(forum, replier, thread=public_head, body="<p>Escombros.</p>", status=PostStatus.HIDDEN)
    assert set(_found("escombros", forum)) == {in_public.id, in_withdrawn.id}


# --- Hostile and empty input ---------------------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_syntax_of_sql_and_full_text_queries_is_searched_literally(make, forum, author, query):
    _post(make, forum, author, "Otro asunto", "<p>Nada que ver.</p>")
    assert _found(query, forum) == []
    assert all(re.fullmatch(r"[^\W_]+", term) for term in query_terms(query))


def test_operators_are_words_not_operators(make, forum, author):
    park = _post(make, forum, author, "Parque", "<p>Sin luz.</p>")
    _post(make, forum, author, "Andén", "<p>Roto.</p>")
    # Neither OR nor NOT nor a minus sign widens or narrows the search: they are words (or nothing).
    assert _found("parque OR andén", forum) == []
    assert _found("-parque", forum) == [park.id]
    assert _found("parque*", forum) == [park.id]
    assert _found('"parque" luz', forum) == [park.id]


def test_hostile_queries_give_a_page_not_an_error(client, make, forum, author):
    _post(make, forum, author, "Otro asunto", "<p>Nada que ver.</p>")
    before = table_row_counts()
    for query in HOSTILE_QUERIES:
        for url in ("/foros/buscar", f"/espacios/{forum.space_id}/foro/buscar"):
            response = client.get(url, query_string={"q": query})
            assert response.status_code == 200, (query, url)
            assert "Otro asunto" not in response.get_data(as_text=True)
    assert table_row_counts() == before


def test_an_empty_query_asks_for_words_and_searches_nothing(client, make, forum, author, count_queries):
    _post(make, forum, author, "Parque sin luz")
    for query in ("", "   ", None):
        with count_queries() as counter:
            response = client.get("/foros/buscar", query_string={"q": query} if query is not None else {})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Escribe una o más palabras para buscar entre los aportes publicados." in page
        assert "Parque sin luz" not in page and "encontrado" not in page
        assert not any("forum_posts" in statement for statement in counter.statements)
    response = client.get("/foros/buscar?q=%25+%2A+%22")
    assert response.status_code == 200
    assert "Tu búsqueda no tiene palabras que podamos buscar." in response.get_data(as_text=True)


def test_an_oversized_query_is_refused_with_a_message(client, make, forum, author):
    _post(make, forum, author, "Parque sin luz")
    response = client.get("/foros/buscar", query_string={"q": "parque " + "x" * 200})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La búsqueda admite hasta 200 caracteres." in page
    assert "Parque sin luz" not in page


def test_a_nul_byte_in_the_query_is_a_400(client):
    assert client.get("/foros/buscar?q=parque%00").status_code == 400


# --- Keeping the index in step -------------------------------------------------------------------


def test_edits_are_searchable_at_once(make, forum, author):
    post = _post(make, forum, author, "Alcantarillas tapadas")
    assert _found("alcantarillas", forum) == [post.id]
    post.title = "Sumideros tapados"
    post.search_text = search_text(post.title, post.body)
    db.session.commit()
    assert _found("alcantarillas", forum) == []
    assert _found("sumideros", forum) == [post.id]
    # Counter updates leave the index alone and the post findable.
    db.session.execute(update(ForumPost).values(supports_count=ForumPost.supports_count + 1))
    db.session.commit()
    assert _found("sumideros", forum) == [post.id]


def _assert_index_consistent():
    """On SQLite, FTS5 checks its index against forum_posts (it fails if a trigger missed a change)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO forum_posts_fts (forum_posts_fts, rank) VALUES ('integrity-check', 1)"))


def test_deleted_rows_leave_the_index_consistent(make, forum, author):
    kept = _post(make, forum, author, "Quebrada con basuras")
    removed = _post(make, forum, author, "Quebrada desbordada")
    make.make_post(forum, author, thread=removed, body="<p>La quebrada se llevó un puente.</p>")
    other_forum = make.make_forum()
    _post(make, other_forum, author, "Quebrada del otro foro")
    _assert_index_consistent()
    db.session.execute(delete(ForumPost).where(ForumPost.id == removed.id))  # its reply goes by cascade
    db.session.execute(delete(Space).where(Space.id == other_forum.space_id))  # forum and posts by cascade
    db.session.commit()
    _assert_index_consistent()
    assert _found("quebrada") == [kept.id]
    # A new post may reuse a freed rowid on SQLite: it must not inherit the old words.
    fresh = _post(make, forum, author, "Puente caído")
    _assert_index_consistent()
    assert _found("quebrada") == [kept.id]
    assert _found("puente") == [fresh.id]


def test_postgresql_answers_from_the_gin_index(make, forum, author):
    """The match expression search_posts uses can be answered from the GIN index of migration 0004.

    Only the match itself is explained: the plan of the whole ranked query depends on table statistics.
    On SQLite the FTS5 table plays this part (see the consistency tests above).
    """
    if db.engine.dialect.name != "postgresql":
        tables = db.session.scalars(text("SELECT name FROM sqlite_master WHERE name = 'forum_posts_fts'")).all()
        assert tables == ["forum_posts_fts"]
        return
    _post(make, forum, author, "Parque sin luz")
    match = search_module._VECTOR.op("@@")(func.to_tsquery("simple", "parqu"))
    compiled = select(ForumPost.id).where(match).compile(db.engine)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params))
    db.session.rollback()
    assert f"Bitmap Index Scan on {POSTGRESQL_INDEX}" in plan, plan


# --- The pages -----------------------------------------------------------------------------------


def test_results_show_title_excerpt_kind_author_forum_date_and_link(client, make, forum, author):
    head = _post(
        make,
        forum,
        author,
        "Semáforo dañado en la Quinta",
        "<p>Desde hace un mes el <strong>semáforo</strong> de la calle 5 no funciona.</p>",
        kind=ContributionKind.PROBLEM,
    )
    reply = make.make_post(
        forum,
        make.make_user(display_name="Julián Mora"),
        thread=head,
        body="<p>Confirmo: el semáforo sigue apagado.</p>",
    )
    response = client.get("/foros/buscar?q=sem%C3%A1foro")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 aportes encontrados para «semáforo»" in page
    assert page.count("Semáforo dañado en la Quinta") == 2  # the reply shows its thread's title
    assert "Desde hace un mes el semáforo de la calle 5 no funciona." in page  # plain text, no <strong>
    assert "<strong>semáforo" not in page
    assert "Problema" in page and "Respuesta" in page
    assert "Marta Ríos" in page and "Julián Mora" in page
    assert forum.space.title in page
    assert f'href="/espacios/{forum.space_id}/foro/aportes/{head.id}"' in page
    assert f'href="/espacios/{forum.space_id}/foro/aportes/{reply.id}"' in page
    # That address opens the thread on the page that shows the reply.
    opened = client.get(f"/espacios/{forum.space_id}/foro/aportes/{reply.id}")
    assert opened.status_code == 302 and opened.location.endswith(f"/aportes/{head.id}#aporte-{reply.id}")


def test_titles_and_bodies_are_escaped(client, make, forum, author):
    _post(make, forum, author, '<script>alert("parque")</script>', "<p>&lt;img src=x onerror=alert(1)&gt; parque</p>")
    page = client.get("/foros/buscar?q=parque").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt; parque" in page


def test_a_reply_in_a_withdrawn_thread_shows_the_placeholder_title(client, make, forum, author):
    head = _post(make, forum, author, "Título que su autor retiró", status=PostStatus.WITHDRAWN)
    make.make_post(forum, make.make_user(), thread=head, body="<p>Respuesta sobre el acueducto.</p>")
    page = client.get("/foros/buscar?q=acueducto").get_data(as_text=True)
    assert "Contribución retirada por su autor" in page
    assert "Título que su autor retiró" not in page


def test_the_forum_search_page_searches_only_that_forum(client, make, forum, author):
    other = make.make_forum()
    _post(make, forum, author, "Ruido de discotecas")
    _post(make, other, author, "Ruido de motos")
    page = client.get(f"/espacios/{forum.space_id}/foro/buscar?q=ruido").get_data(as_text=True)
    assert "Ruido de discotecas" in page and "Ruido de motos" not in page
    assert "1 aporte encontrado para «ruido»" in page
    assert f'action="/espacios/{forum.space_id}/foro/buscar"' in page
    page = client.get("/foros/buscar?q=ruido").get_data(as_text=True)
    assert "Ruido de discotecas" in page and "Ruido de motos" in page


def test_nothing_found_says_so(client, make, forum, author):
    _post(make, forum, author, "Parque sin luz")
    page = client.get("/foros/buscar?q=volcanes").get_data(as_text=True)
    assert "0 aportes encontrados para «volcanes»" in page
    assert "Ningún aporte publicado coincide con tu búsqueda." in page


def test_forum_search_is_404_without_a_forum_or_for_hidden_drafts(client, make):
    survey_space = make.make_space(kind=SpaceKind.SURVEY)
    assert client.get(f"/espacios/{survey_space.id}/foro/buscar?q=parque").status_code == 404
    for bad_id in ("0", "-1", "abc", "99999999999999999999", "2147483648"):
        assert client.get(f"/espacios/{bad_id}/foro/buscar?q=parque").status_code == 404
    draft = make.make_forum(state=SpaceState.DRAFT)
    _post(make, draft, make.make_user(), "Parque en borrador")
    assert client.get(f"/espacios/{draft.space_id}/foro/buscar?q=parque").status_code == 404
    login(client, make.make_user())
    assert client.get(f"/espacios/{draft.space_id}/foro/buscar?q=parque").status_code == 404


def test_staff_may_open_a_draft_forum_search_but_find_nothing_in_it(client, make):
    draft = make.make_forum(state=SpaceState.DRAFT)
    _post(make, draft, make.make_user(), "Parque en borrador")
    login(client, make.make_official("SDTPC"))
    response = client.get(f"/espacios/{draft.space_id}/foro/buscar?q=parque")
    assert response.status_code == 200
    assert "Parque en borrador" not in response.get_data(as_text=True)


def test_results_are_paginated_twenty_per_page(client, make, forum, author):
    now = now_utc()
    for n in range(25):
        _post(make, forum, author, f"Hueco número {n:02d}", created_at=now - timedelta(minutes=n))
    first = client.get("/foros/buscar?q=hueco").get_data(as_text=True)
    assert "25 aportes encontrados" in first and "Página 1 de 2" in first
    assert len(re.findall(r"Hueco número \d\d", first)) == 20
    assert "Hueco número 00" in first and "Hueco número 19" in first
    assert 'href="/foros/buscar?q=hueco&amp;pagina=2"' in first
    second = client.get("/foros/buscar?q=hueco&pagina=2").get_data(as_text=True)
    assert re.findall(r"Hueco número \d\d", second) == [f"Hueco número {n}" for n in range(20, 25)]
    assert 'start="21"' in second
    for page in ("0", "-3", "abc", "99999999999999999999"):
        assert client.get(f"/foros/buscar?q=hueco&pagina={page}").status_code == 200


@pytest.mark.parametrize("logged_in", [False, True])
def test_result_pages_run_a_constant_number_of_queries(client, make, forum, author, count_queries, logged_in):
    if logged_in:
        login(client, make.make_user())
    other = make.make_forum()
    urls = ("/foros/buscar?q=arboles", f"/espacios/{forum.space_id}/foro/buscar?q=arboles")
    _post(make, forum, author, "Árboles caídos")

    def measure() -> list[QueryCounter]:
        counters = []
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counters.append(counter)
        return counters

    small = measure()
    for n in range(30):
        where = forum if n % 2 else other
        head = _post(make, where, make.make_user(), f"Árboles sin poda {n}")
        make.make_post(where, make.make_user(), thread=head, body="<p>Más árboles caídos.</p>")
    large = measure()
    assert [c.count for c in small] == [c.count for c in large], [c.statements for c in large]
    # The results and their count; the forum page also loads its forum; a signed-in person adds loading
    # them and their unread notifications (base.html).
    account = 2 if logged_in else 0
    assert large[0].count <= 2 + account and large[1].count <= 3 + account, [c.statements for c in large]


def test_excerpt_starts_near_the_first_match_and_cuts_at_words():
    body = "<p>" + "Introducción larga del contexto. " * 20 + "</p><p>El <em>alumbrado</em> falla.</p>"
    words = query_terms("alumbrado")
    short = excerpt(body, words, length=80)
    assert short.startswith("…") and "alumbrado falla." in short and "<em>" not in short
    assert len(short) <= 82
    assert excerpt("<p>Alumbrado falla.</p>", words) == "Alumbrado falla."
    assert excerpt("<p>" + "palabra " * 100 + "</p>", query_terms("nada"), length=40).endswith("…")
