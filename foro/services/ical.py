"""A small iCalendar (RFC 5545) writer for public schedules: one VCALENDAR of VEVENTs.

Only what a published, read-only feed needs. The details that calendar clients are strict about:
CRLF line endings, content lines folded at 75 octets (never inside a UTF-8 character), TEXT values
escaped (backslash, semicolon, comma, newline), and times written in UTC with a trailing ``Z``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODUCT_ID = "-//Foro Cali//Cronograma de participación//ES"

# RFC 5545 TEXT allows no control characters except horizontal tab; line breaks are escaped as \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLOCK_TAGS = {"p", "br", "li", "ul", "ol", "blockquote", "div"}


@dataclass
class Event:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    url: str = ""
    location: str = ""
    categories: list[str] = field(default_factory=list)
    # TENTATIVE, CONFIRMED or CANCELLED (RFC 5545, 3.8.1.11).
    status: str = "CONFIRMED"


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of stored (already sanitised) HTML: tags dropped, entities decoded, blocks on their own lines."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    return "\n".join(line for line in lines if line)


def format_utc(moment: datetime) -> str:
    """A DATE-TIME in UTC form (``20261103T140000Z``); naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("iCalendar times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line so that no physical line exceeds 75 octets (RFC 5545, 3.1).

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    pieces: list[str] = []
    current, size, limit = [], 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{format_utc(event.starts_at)}",
        f"DTEND:{format_utc(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(category) for category in event.categories))
    lines.append(f"STATUS:{event.status}")
    lines.append("END:VEVENT")
    return lines


def build_calendar(events: Iterable[Event], *, name: str, stamp: datetime) -> str:
    """The whole VCALENDAR as text with CRLF line endings; ``stamp`` becomes every event's DTSTAMP."""
    stamp_text = format_utc(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:America/Bogota",
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp_text))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
