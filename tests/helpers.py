"""Helpers for driving the app through its HTTP forms, CSRF token included."""

import re
import threading

from tests.factories import DEFAULT_PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/cuenta/ingresar") -> str:
    html = client.get(url).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """POST ``data`` to ``url`` with a valid CSRF token of this client's session."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, token_from or "/cuenta/ingresar"))
    return client.post(url, data=payload, **kwargs)


def login(client, user, password: str = DEFAULT_PASSWORD):
    response = post_form(client, "/cuenta/ingresar", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def table_row_counts() -> dict[str, int]:
    """Rows per table, read in a fresh transaction: compare before and after a refused request."""
    from sqlalchemy import func, select

    from foro.extensions import db
    from foro.models import Base

    db.session.rollback()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def race(workers) -> list:
    """Run the callables at the same instant (a barrier); return what each returned."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, work):
        barrier.wait()
        try:
            results[index] = work()
        except Exception as error:  # surfaced by the assertions, never swallowed
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
