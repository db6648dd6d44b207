"""The one place where user-written HTML is cleaned, with nh3 (Ammonia).

bleach, the classic choice, is unmaintained since June 2026; nh3 is its maintained successor.

Allow-list (a small Markdown-like subset): paragraphs and line breaks, strong and em, ordered and
unordered lists, blockquotes and links. Links keep ``href`` and ``title`` only, accept the schemes
http, https and mailto, and always get ``rel="nofollow noopener noreferrer"``. No images, scripts,
styles, classes, ids or event attributes. Names, titles and other plain-text fields are never passed
here: Jinja autoescapes them.
"""

import functools
import html
import re
import unicodedata

import nh3
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from foro.errors import InvalidInput

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_BLOCK_TAG = re.compile(r"<(p|ul|ol|li|blockquote)[\s>]", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def clean_user_html(text: str) -> str:
    """Return ``text`` reduced to the allow-list; tags outside it are dropped, their text kept."""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@functools.lru_cache(maxsize=2048)
def _cleaned_for_display(text: str) -> str:
    # A pure function of the stored text: the same body shown again (a 50-reply thread page read by
    # many people) is cleaned once per process. Bounded: at most 2,048 texts of up to 10,000 characters.
    return clean_user_html(text)


def user_html(text: str | None) -> Markup:
    """Mark stored, already-cleaned text as safe for templates, cleaning it again on the way out.

    Text is cleaned when it is stored; cleaning again when shown protects rows written before an
    allow-list change, and is memoised, so it costs a dictionary look-up for text already shown.
    """
    if not text:
        return Markup("")
    return Markup(_cleaned_for_display(text))


def is_blank(text: str | None) -> bool:
    """True for text that is empty once whitespace and zero-width characters are removed."""
    if text is None:
        return True
    return not "".join(ch for ch in text if ch not in _INVISIBLE and not ch.isspace())


def normalise_plain_text(text: str) -> str:
    """NFC-normalise and trim a plain-text field so that the same words are stored the same way."""
    return unicodedata.normalize("NFC", text).strip()


def visible_text(cleaned_html: str) -> str:
    """What a reader sees of stored HTML: its text, without tags, entities decoded."""
    return html.unescape(_ANY_TAG.sub("", cleaned_html))


def clean_text_area(value: str | None, *, field: str, limit: int, required, too_long, emptied) -> str:
    """A rich text typed in a text area, as stored: the allow-list, and plain text turned into paragraphs.

    People mostly type plain text; without paragraphs their line breaks would be lost. Text that already
    uses block tags is kept as the sanitiser leaves it. Each capability brings its own messages: blank
    (``required``), over ``limit`` characters (``too_long``), and nothing left to read once the
    allow-list dropped scripts, styles or images (``emptied``). Raises InvalidInput on ``field``.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if is_blank(text):
        raise InvalidInput(required, field=field)
    if "\x00" in text:
        raise InvalidInput(_l("El texto contiene caracteres no válidos."), field=field)
    if len(text) > limit:
        raise InvalidInput(too_long, field=field)
    cleaned = clean_user_html(normalise_plain_text(text))
    if not _BLOCK_TAG.search(cleaned):
        paragraphs = [part.strip() for part in re.split(r"\n\s*\n", cleaned) if part.strip()]
        cleaned = clean_user_html("".join("<p>" + part.replace("\n", "<br>") + "</p>" for part in paragraphs))
    if is_blank(visible_text(cleaned)):
        raise InvalidInput(emptied, field=field)
    return cleaned
