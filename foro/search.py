"""Full-text search over forum posts, one interface for SQLite (FTS5) and PostgreSQL (tsvector).

Both backends index the same text: ``search_words``, which lower-cases, strips accents and stems each
Spanish word (Snowball), so "niños", "nino" and "niño" match, and so do "parque" and "parques".
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

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
