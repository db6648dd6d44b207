"""Full-text search over forum posts, one interface for SQLite (FTS5) and PostgreSQL (tsvector).

Both backends index the same text: ``search_words``, which lower-cases, strips accents and stems each
Spanish word (Snowball), so "niños", "nino" and "niño" match, and so do "parque" and "parques".
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from sqlalchemy import Select, String, column, false, func, literal, literal_column, or_, select, table
from sqlalchemy.orm import aliased, contains_eager, joinedload

from foro.extensions import db
from foro.models import Forum, ForumPost, PostStatus, Space, SpaceState
from foro.models.forum import DIALECT_INDEXES
from foro.services.ical import html_to_text

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TAG = re.compile(r"<[^>]*>")
_stemmer = snowballstemmer.stemmer("spanish")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return _strip_accents(_stemmer.stemWord(word))


def search_words(text: str) -> list[str]:
    """The normalised words of ``text`` (HTML tags dropped), in order."""
    plain = _TAG.sub(" ", text or "").casefold()
    return [_stem(word) for word in _WORD.findall(plain)]


def search_text(*parts: str) -> str:
    """What is stored in ``ForumPost.search_text`` for the given title and body."""
    return " ".join(word for part in parts for word in search_words(part))


# --- Querying ------------------------------------------------------------------------------------
# The index itself is built by migration 0004: an FTS5 table kept by triggers on SQLite, a GIN index on
# to_tsvector('simple', search_text) on PostgreSQL. Neither is declared in the models.

FTS_TABLE = "forum_posts_fts"
POSTGRESQL_INDEX = "ix_forum_posts_search"
QUERY_MAX = 200
EXCERPT_LENGTH = 240

# Function words dropped from a query (when it has other words): every post would need them otherwise,
# since all search terms must appear. Compared accent-free before stemming, so that "paro" is not taken for
# "para" (both stem to "par").
_STOP_WORDS = frozenset(
    "a al ante con contra cual de del desde donde e el en entre es esa ese eso esta este esto ha hay la las le "
    "les lo los me mi muy ni no nos o para pero por que quien se si sin sobre su sus te tu u un una uno unos unas "
    "y ya".split()
)

_fts = table(FTS_TABLE, column("rowid"), column("rank"))
# A constant, not a parameter: PostgreSQL uses the index only for this exact expression.
_SIMPLE = literal_column("'simple'")
_VECTOR = func.to_tsvector(_SIMPLE, ForumPost.search_text)


def query_terms(query: str) -> list[str]:
    """The distinct normalised words of a search query, in order; empty when there is nothing to look for.

    The words go through the same stemming as ``search_text``. Re-splitting them on word characters
    guarantees each term is letters and digits only, so quoting it can never produce FTS syntax.
    """
    plain = _WORD.findall(_TAG.sub(" ", (query or "")[:QUERY_MAX]).casefold())
    stemmed = [(_strip_accents(word), part) for word in plain for part in _WORD.findall(_stem(word))]
    content = [term for word, term in stemmed if word not in _STOP_WORDS]
    return list(dict.fromkeys(content or [term for _, term in stemmed]))


def _tsquery(terms: list[str]) -> str:
    """``'a' & 'b' & 'c':*`` for PostgreSQL's to_tsquery: every term, the last one also as a prefix."""
    return " & ".join(f"'{term}'" for term in terms) + ":*"


def _fts5_query(terms: list[str]) -> str:
    """``"a" "b" "c"*`` for FTS5 MATCH: quoted strings (no operators), implicit AND, last one as a prefix."""
    return " ".join(f'"{term}"' for term in terms) + "*"


def search_posts(query: str, *, forum_id: int | None = None, viewer=None) -> Select:
    """Posts matching every word of ``query`` (the last one also as the start of a word), best first.

    Only what everyone may see is ever found, whoever asks (``viewer`` does not widen it): published
    posts, in spaces that are not drafts, and replies only in threads whose head is public (published,
    or withdrawn and shown as a placeholder). ``forum_id`` limits the search to one forum. Order: rank,
    then newest first. Loads each post with its forum, space, thread head and author, so a page of
    results costs one query (and one more to count them). A query without words finds nothing.
    """
    head = aliased(ForumPost)
    statement = (
        select(ForumPost)
        .join(ForumPost.forum)
        .join(Forum.space)
        .outerjoin(ForumPost.thread.of_type(head))
        .where(
            ForumPost.status == PostStatus.PUBLISHED,
            Space.state != SpaceState.DRAFT,
            or_(ForumPost.thread_id.is_(None), head.status.in_((PostStatus.PUBLISHED, PostStatus.WITHDRAWN))),
        )
        .options(
            contains_eager(ForumPost.forum).contains_eager(Forum.space),
            contains_eager(ForumPost.thread.of_type(head)),
            joinedload(ForumPost.author),
        )
    )
    if forum_id is not None:
        statement = statement.where(ForumPost.forum_id == forum_id)
    terms = query_terms(query)
    if not terms:
        return statement.where(false())
    newest = (ForumPost.created_at.desc(), ForumPost.id.desc())
    if db.engine.dialect.name == "postgresql":
        tsquery = func.to_tsquery(_SIMPLE, literal(_tsquery(terms), String))
        return statement.where(_VECTOR.bool_op("@@")(tsquery)).order_by(func.ts_rank(_VECTOR, tsquery).desc(), *newest)
    # FTS5's rank is bm25(): lower is better.
    return (
        statement.join(_fts, _fts.c.rowid == ForumPost.id)
        .where(literal_column(FTS_TABLE).op("MATCH")(literal(_fts5_query(terms), String)))
        .order_by(_fts.c.rank, *newest)
    )


def excerpt(html: str, terms: list[str], length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a post's body, about ``length`` characters cut at word boundaries, starting a quarter of
    that before the first word that matches ``terms`` (as ``search_posts`` matches them), to show it in context."""
    text = " ".join(html_to_text(html).split())
    start = 0
    wanted, prefix = set(terms), terms[-1] if terms else None
    for match in _WORD.finditer(text):
        stem = _stem(match.group().casefold())
        if stem in wanted or (prefix and stem.startswith(prefix)):
            start = text.rfind(" ", 0, max(match.start() - length // 4, 0)) + 1
            break
    end = start + length
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def include_in_autogenerate(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name`` hook: the search index objects (migration 0004) and the forum's
    per-database indexes (migration 0008) live in migrations, not in the models, so comparing the
    database with the models must not see them (nor offer to drop them)."""
    if type_ == "table":
        return not (name == FTS_TABLE or (name or "").startswith(FTS_TABLE + "_"))
    if type_ == "index":
        return name != POSTGRESQL_INDEX and name not in DIALECT_INDEXES
    return True
