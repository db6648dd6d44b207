"""Headers, error pages and the request guards every page shares (RELIABILITY.md: sessions and headers)."""

import pytest
from sqlalchemy import func, select

from foro import create_app
from foro.extensions import db
from foro.models import Space, SpaceState, User
from tests.helpers import login, post_form


def test_html_responses_carry_the_security_headers(client, reference):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts_or_styles(client, make):
    make.make_space()
    for url in ("/", "/cronograma", "/organismos", "/territorios", "/cuenta/registro", "/cuenta/ingresar"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html, url


@pytest.mark.parametrize("raw_id", ["0", "-1", "abc", "99999999999999999999", "2147483648"])
def test_malformed_and_overflowing_ids_are_404_not_500(client, reference, raw_id):
    for url in (f"/espacios/{raw_id}", f"/acciones/{raw_id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Página no encontrada" in response.get_data(as_text=True)


def test_unknown_page_is_a_spanish_404(client):
    response = client.get("/no-existe")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Página no encontrada" in body and 'lang="es-CO"' in body


def test_nul_byte_in_a_form_is_a_400_and_stores_nothing(client, make):
    users_before = db.session.scalar(select(func.count(User.id)))
    response = post_form(
        client,
        "/cuenta/registro",
        {"email": "nul@example.org", "display_name": "Ana\x00", "password": "Un-buen-secreto-1",
         "password_confirmation": "Un-buen-secreto-1", "consent": "y"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == users_before


def test_nul_byte_in_a_query_string_is_a_400(client, reference):
    assert client.get("/cronograma?organismo=%00").status_code == 400


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, make):
    official = make.make_official()
    space = make.make_space(state=SpaceState.DRAFT)
    login(client, official)
    response = client.post(f"/espacios/{space.id}/estado", data={"target": "announced"})
    assert response.status_code == 400
    assert "formulario" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Space, space.id).state is SpaceState.DRAFT


def test_body_over_the_limit_is_413(client, reference):
    response = client.post("/cuenta/ingresar", data={"email": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "tamaño" in response.get_data(as_text=True)


def test_forced_exception_shows_spanish_500_without_traceback(app):
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        PROPAGATE_EXCEPTIONS=False)

    @broken.get("/_falla")
    def _fail():
        raise RuntimeError("secreto interno")

    response = broken.test_client().get("/_falla")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Error del servidor" in body
    assert "secreto interno" not in body and "Traceback" not in body
    with broken.app_context():
        db.engine.dispose()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from config import DEV_SECRET_KEY, Config

    monkeypatch.setattr(Config, "SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_unreachable_database_gives_a_spanish_503(app):
    # Port 1 on loopback refuses connections at once: the database "went away".
    down = create_app("testing", SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/foro")
    response = down.test_client().get("/")
    assert response.status_code == 503
    assert "no está disponible" in response.get_data(as_text=True)
