"""Writers that both page-cache test files run through their real routes (tests/test_forum_cache.py and
tests/test_call_cache.py). ``world`` is either file's World: it has ``official``, ``author``,
``space_id`` and ``as_user(person)`` (a browser logged in as that person)."""

from tests.factories import DEFAULT_PASSWORD
from tests.helpers import post_form


def ok(response) -> None:
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:3000]


def close_space(world) -> None:
    ok(post_form(world.as_user(world.official), f"/espacios/{world.space_id}/estado", {"target": "closed"}))


def rename_author(world) -> None:
    data = {
        "display_name": "Ana Renombrada",
        "territory_id": "",
        "age_range": "18-28",
        "gender": "woman",
        "ethnic_group": "none",
        "disability": "no",
    }
    ok(post_form(world.as_user(world.author), "/cuenta", data))


def delete_author(world) -> None:
    ok(post_form(world.as_user(world.author), "/cuenta/eliminar", {"password": DEFAULT_PASSWORD, "confirm": "y"}))
