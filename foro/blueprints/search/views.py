"""Full-text search of forum contributions, inside one forum and across all of them.

Anyone may search, logged in or not; results are only what everyone may see (foro.search.search_posts).
"""

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from foro import permissions
from foro.blueprints.search import bp
from foro.blueprints.search.forms import SearchForm
from foro.extensions import db
from foro.models import Forum, Space
from foro.search import excerpt, query_terms, search_posts

PER_PAGE = 20
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 10_000


def _page_number() -> int:
    return min(max(request.args.get("pagina", 1, type=int), 1), MAX_PAGE)


def _render_search(forum: Forum | None):
    """Validate the box, run the search (only when there are words to look for) and show one page."""
    form = SearchForm(request.args)
    valid = form.validate()
    query = (form.q.data or "").strip() if valid else ""
    terms = query_terms(query)
    pagination = None
    if terms:
        statement = search_posts(query, forum_id=forum.id if forum else None, viewer=current_user)
        pagination = db.paginate(statement, page=_page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "search/results.html",
        form=form,
        forum=forum,
        query=query,
        pagination=pagination,
        excerpts={post.id: excerpt(post.body, terms) for post in pagination.items} if pagination else {},
    ), (200 if valid else 400)


@bp.get("/foros/buscar")
def all_forums():
    return _render_search(None)


@bp.get("/espacios/<id:space_id>/foro/buscar")
def forum(space_id: int):
    """404 when the space has no forum, or is a draft this person may not see (its existence stays hidden)."""
    found = db.session.scalar(
        select(Forum).join(Forum.space).where(Space.id == space_id).options(contains_eager(Forum.space))
    )
    if found is None or not permissions.can_view_space(current_user, found.space):
        abort(404)
    return _render_search(found)
