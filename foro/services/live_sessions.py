"""Live accountability sessions (rendición de cuentas): settings, agenda, the live queue of questions,
polls, commitments, presence, the record (acta) and the attendees' evaluation.

Every live action validates its input, checks permissions (foro.permissions), checks that the ids it
names belong to this session, checks the space's state, writes, bumps ``LiveSession.revision`` in the
same transaction and returns the ``LiveChange`` list the caller broadcasts after committing. Services
never commit.

Concurrency: every write first re-reads the space's state under a share lock (a state change locks the
space row for update, so an event racing the close is stored before it or refused after it) and then
locks the session row (PostgreSQL ``FOR UPDATE``; on SQLite the writing request's ``BEGIN IMMEDIATE``
already serialises writers). Writes to one session therefore happen one at a time: rate limits counted
from the rows hold, "at most one question being answered" holds, and revisions follow commit order.
On top of that, one upvote / one poll vote per person is a primary key (INSERT ... ON CONFLICT DO
NOTHING, the counter grows in SQL only when the row went in) and a moderation move is a conditional
UPDATE on the expected status, so the rules hold even without the lock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, quote, urlsplit

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed, NotFound, RateLimited
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    NotificationKind,
    Organism,
    Phase,
    PollStatus,
    Procedure,
    QuestionStatus,
    Space,
    SpaceKind,
    SpaceState,
    User,
)
from foro.models.live import (
    AGENDA_NOTES_MAX,
    AGENDA_TITLE_MAX,
    ANSWER_SUMMARY_MAX,
    COMMITMENT_MAX,
    DISMISSAL_REASON_MAX,
    EVALUATION_COMMENT_MAX,
    POLL_OPTION_MAX,
    POLL_OPTIONS_MAX,
    POLL_OPTIONS_MIN,
    POLL_QUESTION_MAX,
    QUESTION_MAX,
    STREAM_URL_MAX,
    WRITTEN_ANSWER_MAX,
    AgendaItem,
    Commitment,
    LiveAttendance,
    LivePoll,
    LivePollOption,
    LivePollVote,
    LivePresence,
    LiveQuestion,
    LiveSession,
    QuestionUpvote,
    SessionEvaluation,
)
from foro.models.user import DELETED_ACCOUNT_NAME
from foro.sanitize import is_blank, normalise_plain_text
from foro.security import MAX_ID
from foro.services.common import save_own_row
from foro.services.forums import suspended_until
from foro.services.notifications import Notice, notify, notify_each
from foro.services.plans import ActionDetails, add_action_to_plan
from foro.templating import money, number
from foro.timeutil import local_today, now_utc, utc_to_local

# A socket that has not been refreshed for this long belongs to a process that died: not present.
PRESENCE_TTL_SECONDS = 90
# Rows that old are deleted by the next refresh of any process.
PRESENCE_FORGET_SECONDS = 3_600
# Per person, counted from the stored rows (so the limits hold across server processes).
QUESTIONS_PER_MINUTE = 5
UPVOTES_PER_MINUTE = 30
RATE_WINDOW_SECONDS = 60
# Co-organising organisms a session may name besides its own.
CO_ORGANISERS_MAX = 20
# Sockets refreshed per UPDATE statement (well inside every driver's parameter limit).
PRESENCE_BATCH = 500
COMMITMENT_TITLE_PREFIX = "Compromiso: "
ACTION_TITLE_MAX = 200

# The embed hosts a session page may frame (its CSP frame-src).
STREAM_HOSTS: tuple[str, ...] = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://www.facebook.com",
)

_LIVE_STATES = (SpaceState.ANNOUNCED, SpaceState.OPEN)
_AFTER_STATES = (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN)
_PUBLIC_STATUSES = (QuestionStatus.APPROVED, QuestionStatus.ANSWERING, QuestionStatus.ANSWERED)
_SETTLED_STATUSES = (QuestionStatus.ANSWERED, QuestionStatus.DISMISSED)
# C0 controls other than tab and line feed (carriage returns are turned into line feeds first).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_DIGITS = re.compile(r"[0-9]{1,20}")
_FACEBOOK_PAGE = re.compile(r"[A-Za-z0-9.\-_]{1,100}")

RATING_LABELS = {1: _l("No"), 2: _l("En parte"), 3: _l("Sí")}


@dataclass
class LiveSettings:
    """What the settings form sends: the stream link and the co-organising organisms."""

    stream_url: str = ""
    organism_ids: list[int] = field(default_factory=list)  # co-organisers besides space.organism


@dataclass(frozen=True)
class LiveChange:
    """One broadcast to make after commit."""

    event: str  # "question" | "poll" | "commitment" | "agenda" | "presence" | "session"
    data: dict  # JSON-safe; always includes "space" and "revision"
    audience: str  # "public" (room live:<space>), "moderators" (live:<space>:moderators) or "user:<id>"


@dataclass
class EvaluationSummary:
    """The attendees' evaluation, counted: answers 1 no, 2 in part, 3 yes; usefulness 1 to 5."""

    total: int = 0
    information_clear: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    questions_answered: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    usefulness: dict[int, int] = field(default_factory=lambda: {n: 0 for n in range(1, 6)})
    usefulness_average: float | None = None
    comments: list[str] = field(default_factory=list)  # newest first


@dataclass
class SessionRecord:
    """Everything the record (acta) shows, as plain JSON-safe values plus the space."""

    space: Space
    title: str
    organisms: list[str]
    state_label: str
    opens_at: datetime
    closes_at: datetime
    location: str
    stream_url: str
    agenda: list[dict] = field(default_factory=list)
    registered: int = 0
    joined: int = 0
    peak_present: int = 0
    # Every question with its answer or its dismissal reason; a dismissed question's text is "" (not
    # public) unless the viewer may see it; "hidden" says the text was left out.
    questions: list[dict] = field(default_factory=list)
    # The questions still owed a written answer, each with "days_owed" since the session closed.
    owed: list[dict] = field(default_factory=list)
    polls: list[dict] = field(default_factory=list)
    commitments: list[dict] = field(default_factory=list)
    evaluation: EvaluationSummary = field(default_factory=EvaluationSummary)
    closed_on: date | None = None
    generated_at: datetime | None = None


# --- Small shared checks ---------------------------------------------------------------------------


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and not user.is_deleted


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _check_id(value, field_name: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not _is_id(value):
        raise InvalidInput(_l("El identificador no es válido."), field=field_name)
    return value


def _text(value, *, field_name: str, limit: int, required, too_long, multiline: bool = True, optional=False) -> str:
    """Plain text as stored: NFC, trimmed, no control characters, not blank (unless optional), within limit."""
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(required or _l("El texto no es válido."), field=field_name)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise InvalidInput(_l("El texto contiene caracteres no válidos."), field=field_name)
    # Far over the limit: refuse before normalising megabytes.
    if len(text) > 4 * limit + 100:
        raise InvalidInput(too_long, field=field_name)
    text = normalise_plain_text(text)
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    else:
        text = " ".join(text.split())
    if is_blank(text):
        if optional:
            return ""
        raise InvalidInput(required, field=field_name)
    if len(text) > limit:
        raise InvalidInput(too_long, field=field_name)
    return text


def _inserted(model, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING in the session's dialect; True if the row went in. RETURNING says
    so on both databases (an INSERT's rowcount is not reported by every driver)."""
    table = model.__table__
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(table).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.returning(*table.primary_key.columns)).first() is not None


def _require_live_kind(space) -> None:
    if space is None or space.kind is not SpaceKind.LIVE_SESSION:
        raise NotFound(_l("Este espacio no es una sesión de rendición de cuentas."))


def _state_refusal(space: Space, *, what, after=None) -> InvalidTransition:
    """The plain reason an action cannot be taken in the space's present state (``after``: the message
    once the session ended, for actions also open before it)."""
    if space.state is SpaceState.DRAFT:
        return InvalidTransition(_l("La sesión todavía no se ha anunciado."))
    if space.state is SpaceState.ANNOUNCED:
        return InvalidTransition(_l("La sesión todavía no ha empezado: %(what)s cuando esté en vivo.", what=what))
    return InvalidTransition(after or _l("La sesión ya terminó: %(what)s solo durante la sesión.", what=what))


def _rate_cutoff() -> datetime:
    return now_utc() - timedelta(seconds=RATE_WINDOW_SECONDS)


# --- Getting the session, locking, revisions ------------------------------------------------------------


def session_of(space) -> LiveSession | None:
    """The space's live session, or None if it has none yet."""
    if space is None or space.id is None:
        return None
    return db.session.scalar(select(LiveSession).where(LiveSession.space_id == space.id))


def session_for(space) -> LiveSession:
    """The space's live session, created (flushed) if missing; ValueError if the space is not a live session.

    Two first callers at once: the unique space_id lets one insert win; the other reads the winner's row.
    """
    if space.kind is not SpaceKind.LIVE_SESSION:
        raise ValueError(f"space {space.id} is a {space.kind}, not a live session")
    existing = session_of(space)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            created = LiveSession(space_id=space.id, stream_url="", revision=0, peak_present=0)
            db.session.add(created)
    except IntegrityError:
        return db.session.scalars(select(LiveSession).where(LiveSession.space_id == space.id)).one()
    return created


def _lock(space) -> LiveSession:
    """Start a write: re-read the space's state under a share lock, then lock the session row (see the
    module's docstring). Returns the session, fresh from the database."""
    _require_live_kind(space)
    db.session.execute(
        select(Space)
        .where(Space.id == space.id)
        .with_for_update(read=True, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()
    # FOR NO KEY UPDATE: serialises the session's writers without blocking inserts that merely reference
    # the session (presence rows, attendances), whose foreign-key checks take a key-share lock.
    session = db.session.scalar(
        select(LiveSession)
        .where(LiveSession.space_id == space.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return session if session is not None else session_for(space)


def _bump(session: LiveSession) -> int:
    """Increase the session's revision in SQL, in the caller's transaction; returns the new revision."""
    db.session.flush()
    revision = db.session.execute(
        update(LiveSession)
        .where(LiveSession.id == session.id)
        .values(revision=LiveSession.revision + 1)
        .returning(LiveSession.revision)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.expire(session, ["revision"])
    return revision


def _change(event: str, data: dict, audience: str, space, revision: int) -> LiveChange:
    return LiveChange(event=event, data={**data, "space": space.id, "revision": revision}, audience=audience)


def _require_runner(actor, space, *, what, open_only: bool) -> None:
    """Moderators' actions: NotAllowed for others, InvalidTransition outside the states they run in."""
    if not permissions.can_moderate(actor, space):
        raise NotAllowed(_l("Solo quienes moderan la sesión pueden hacer esto."))
    if open_only and space.state is not SpaceState.OPEN:
        raise _state_refusal(space, what=what)
    if not permissions.can_run_live_session(actor, space):
        raise _state_refusal(space, what=what)


def _row_of(model, session: LiveSession, row_id, message, *options):
    """The row of ``model`` with this id in this session, fresh from the database; NotFound otherwise."""
    row = db.session.scalar(
        select(model)
        .where(model.id == row_id, model.session_id == session.id)
        .options(*options)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(message)
    return row


def _item_of(session: LiveSession, item_id: int | None) -> AgendaItem | None:
    if item_id is None:
        return None
    return _row_of(AgendaItem, session, item_id, _l("Ese punto no es de la agenda de esta sesión."))


def _question_of(session: LiveSession, question_id) -> LiveQuestion:
    _check_id(question_id, "question")
    return _row_of(LiveQuestion, session, question_id, _l("Esa pregunta no es de esta sesión."))


def _poll_of(session: LiveSession, poll_id) -> LivePoll:
    _check_id(poll_id, "poll")
    return _row_of(
        LivePoll, session, poll_id, _l("Esa encuesta no es de esta sesión."), selectinload(LivePoll.options)
    )


# --- Serialisers: one per kind, shared by the snapshot, the broadcasts and the record -----------------------


def _number(value: Decimal | None) -> str | None:
    # None, not "": the session page says "Sin medición todavía" for an indicator never measured.
    return None if value is None else number(value)


def _action_data(action: Action | None) -> dict | None:
    if action is None:
        return None
    ratio = action.progress_ratio
    return {
        "id": action.id,
        "title": action.title,
        "goal": action.goal,
        "indicator_name": action.indicator_name,
        "indicator_unit": action.indicator_unit,
        "indicator_baseline": _number(action.indicator_baseline),
        "indicator_target": _number(action.indicator_target),
        "indicator_current": _number(action.indicator_current),
        "percent": None if ratio is None else round(ratio * 100),
        "budget": money(action.budget),
        "status_label": str(action.status.label),
        "url": f"/acciones/{action.id}",
    }


def _item_data(item: AgendaItem | None) -> dict | None:
    if item is None:
        return None
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "notes": item.notes,
        "action": _action_data(item.action),
    }


def _author_name(user) -> str:
    return str(user.public_name) if user is not None else str(DELETED_ACCOUNT_NAME)


def _question_data(question: LiveQuestion, *, show_reason: bool) -> dict:
    return {
        "id": question.id,
        "body": question.body,
        "status": question.status.value,
        "status_label": str(question.status.label),
        "item": question.agenda_item_id,
        "upvotes": question.upvote_count,
        "author": _author_name(question.author),
        "in_advance": question.in_advance,
        "answer": question.answer,
        "answered_in_writing": question.answered_in_writing,
        "dismissal_reason": question.dismissal_reason if show_reason else "",
        "created_at": question.created_at.isoformat(),
    }


def _poll_data(poll: LivePoll) -> dict:
    return {
        "id": poll.id,
        "question": poll.question,
        "status": poll.status.value,
        "item": poll.agenda_item_id,
        "votes": poll.vote_count,
        "options": [{"id": o.id, "label": o.label, "votes": o.vote_count} for o in poll.options],
    }


def _commitment_data(commitment: Commitment) -> dict:
    action = commitment.action
    return {
        "id": commitment.id,
        "body": commitment.body,
        "organism": commitment.organism.name,
        "due_on": commitment.due_on.isoformat(),
        "due_label": format_date(commitment.due_on, "d 'de' MMMM 'de' y"),
        "action": None if action is None else {"id": action.id, "title": action.title, "url": f"/acciones/{action.id}"},
        "tracking_url": f"/acciones/{commitment.tracking_action_id}",
    }


def _session_data(space: Space) -> dict:
    return {"state": space.state.value, "state_label": str(space.state.label), "live": space.state is SpaceState.OPEN}


def _question_changes(space, question: LiveQuestion, revision: int, *, was_public: bool = False) -> list[LiveChange]:
    """Where a question's new state goes: everyone when it is public; otherwise the moderators and its
    author (and, if the public had it before, a notice to drop it)."""
    data = _question_data(question, show_reason=True)
    if question.status in _PUBLIC_STATUSES:
        return [_change("question", data, "public", space, revision)]
    changes = []
    if was_public:
        stub = {"id": question.id, "status": question.status.value}
        changes.append(_change("question", stub, "public", space, revision))
    changes.append(_change("question", data, "moderators", space, revision))
    if question.author_id is not None:
        changes.append(_change("question", {**data, "mine": True}, f"user:{question.author_id}", space, revision))
    return changes


# --- Settings and agenda ---------------------------------------------------------------------------------


def _require_configurer(actor, space) -> None:
    _require_live_kind(space)
    if permissions.can_configure_live_session(actor, space):
        return
    if not (permissions.is_admin(actor) or permissions.is_official_of(actor, space.organism_id)):
        raise NotAllowed(_l("Solo el personal del organismo puede configurar la sesión."))
    raise InvalidTransition(_l("La sesión ya terminó: su configuración ya no cambia."))


def embed_url(url: str) -> str:
    """A YouTube/Vimeo/Facebook link normalised to its https embed URL; "" stays ""; InvalidInput otherwise.

    Only the video's id is taken from the link: the embed address is rebuilt from it, so nothing else a
    link carries (parameters, other paths, other hosts) reaches the page.
    """
    refused = InvalidInput(
        _l("Pega el enlace de una transmisión o video de YouTube, Vimeo o Facebook."), field="stream_url"
    )
    if url is None:
        return ""
    if not isinstance(url, str) or len(url) > STREAM_URL_MAX or _CONTROL.search(url):
        raise refused
    url = url.strip()
    if is_blank(url):
        return ""
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password or parts.port:
            raise refused
    except ValueError:
        raise refused from None
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in ("youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"):
        if segments == ["watch"]:
            video = (query.get("v") or [""])[0]
        elif len(segments) == 2 and segments[0] in ("embed", "live", "shorts"):
            video = segments[1]
        else:
            video = ""
        if _YOUTUBE_ID.fullmatch(video):
            return f"https://www.youtube-nocookie.com/embed/{video}"
    elif host == "youtu.be":
        if len(segments) == 1 and _YOUTUBE_ID.fullmatch(segments[0]):
            return f"https://www.youtube-nocookie.com/embed/{segments[0]}"
    elif host in ("vimeo.com", "www.vimeo.com", "player.vimeo.com"):
        video = segments[-1] if segments else ""
        shapes_ok = len(segments) == 1 or (len(segments) == 2 and segments[0] == "video")
        if shapes_ok and _DIGITS.fullmatch(video):
            return f"https://player.vimeo.com/video/{video}"
    elif host in ("facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"):
        canonical = None
        if segments == ["plugins", "video.php"]:
            inner = (query.get("href") or [""])[0]
            if inner and "plugins" not in inner:
                return embed_url(inner)
        elif len(segments) == 3 and segments[1] == "videos" and _FACEBOOK_PAGE.fullmatch(segments[0]):
            if _DIGITS.fullmatch(segments[2]):
                canonical = f"https://www.facebook.com/{segments[0]}/videos/{segments[2]}/"
        elif segments == ["watch"]:
            video = (query.get("v") or [""])[0]
            if _DIGITS.fullmatch(video):
                canonical = f"https://www.facebook.com/watch/?v={video}"
        if canonical:
            return "https://www.facebook.com/plugins/video.php?href=" + quote(canonical, safe="")
    raise refused


def configure(actor, space, settings: LiveSettings) -> LiveSession:
    """Save the stream and the co-organising organisms (besides the space's own). Staff of the space's
    organism, until the session closes. Raises NotAllowed, InvalidTransition or InvalidInput."""
    _require_configurer(actor, space)
    stream = embed_url(settings.stream_url)
    ids = settings.organism_ids
    if not isinstance(ids, list | tuple) or not all(_is_id(i) for i in ids):
        raise InvalidInput(_l("Alguno de los organismos no existe."), field="organism_ids")
    wanted = sorted({i for i in ids if i != space.organism_id})
    if len(wanted) > CO_ORGANISERS_MAX:
        raise InvalidInput(
            _l("Una sesión admite hasta %(n)s organismos además del suyo.", n=CO_ORGANISERS_MAX), field="organism_ids"
        )
    organisms = list(db.session.scalars(select(Organism).where(Organism.id.in_(wanted)))) if wanted else []
    if len(organisms) != len(wanted):
        raise InvalidInput(_l("Alguno de los organismos no existe."), field="organism_ids")
    session = _lock(space)
    session.stream_url = stream
    session.organisms = organisms
    _bump(session)
    return session


def _organism_ids(space, session: LiveSession | None) -> list[int]:
    co = [o.id for o in session.organisms] if session is not None else []
    return [space.organism_id, *co]


def agenda_action_choices(space) -> list[Action]:
    """Actions of the organisms' plans (space + co-organisers) in the space's cycle, by title."""
    ids = _organism_ids(space, session_of(space))
    return list(
        db.session.scalars(
            select(Action)
            .join(ActionPlan, ActionPlan.id == Action.plan_id)
            .where(ActionPlan.organism_id.in_(ids), ActionPlan.cycle_id == space.cycle_id)
            .order_by(Action.title, Action.id)
        )
    )


def _agenda_fields(space, session, *, title, action_id, notes) -> tuple[str, int | None, str]:
    title = _text(
        title,
        field_name="title",
        limit=AGENDA_TITLE_MAX,
        multiline=False,
        required=_l("Escribe el título del punto de la agenda."),
        too_long=_l("El título admite hasta %(n)s caracteres.", n=AGENDA_TITLE_MAX),
    )
    notes = _text(
        notes,
        field_name="notes",
        limit=AGENDA_NOTES_MAX,
        optional=True,
        required=_l("Las notas no son válidas."),
        too_long=_l("Las notas admiten hasta %(n)s caracteres.", n=AGENDA_NOTES_MAX),
    )
    action_id = _check_id(action_id, "action_id", optional=True)
    if action_id is not None and action_id not in {a.id for a in agenda_action_choices(space)}:
        raise InvalidInput(
            _l("Elige una acción del plan de los organismos de la sesión en esta vigencia."), field="action_id"
        )
    return title, action_id, notes


def add_agenda_item(actor, space, *, title, action_id=None, notes="") -> AgendaItem:
    """Append an item to the agenda. Staff of the organism, until the session closes."""
    _require_configurer(actor, space)
    session = _lock(space)
    title, action_id, notes = _agenda_fields(space, session, title=title, action_id=action_id, notes=notes)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.session_id == session.id))
    item = AgendaItem(
        session_id=session.id, position=0 if last is None else last + 1, title=title, notes=notes, action_id=action_id
    )
    db.session.add(item)
    _bump(session)
    return item


def _own_item(session: LiveSession, item_id) -> AgendaItem:
    _check_id(item_id, "item")
    item = _item_of(session, item_id)
    return item


def update_agenda_item(actor, space, item_id, *, title, action_id=None, notes="") -> AgendaItem:
    """Change an agenda item's title, action and notes."""
    _require_configurer(actor, space)
    session = _lock(space)
    item = _own_item(session, item_id)
    title, action_id, notes = _agenda_fields(space, session, title=title, action_id=action_id, notes=notes)
    item.title, item.action_id, item.notes = title, action_id, notes
    db.session.flush()
    db.session.expire(item, ["action"])
    _bump(session)
    return item


def remove_agenda_item(actor, space, item_id) -> None:
    """Remove an agenda item (positions may keep a gap; only their order matters). Questions and polls
    about it stay, without an item."""
    _require_configurer(actor, space)
    session = _lock(space)
    item = _own_item(session, item_id)
    if session.current_position == item.position:
        session.current_position = None
    db.session.delete(item)
    _bump(session)


def move_agenda_item(actor, space, item_id, direction: int) -> None:
    """Move an agenda item one place earlier (-1) or later (+1); at either end nothing changes."""
    _require_configurer(actor, space)
    if direction not in (-1, 1) or isinstance(direction, bool):
        raise InvalidInput(_l("Indica si el punto sube o baja."), field="direction")
    session = _lock(space)
    item = _own_item(session, item_id)
    neighbour_query = select(AgendaItem).where(AgendaItem.session_id == session.id)
    if direction < 0:
        neighbour_query = neighbour_query.where(AgendaItem.position < item.position).order_by(
            AgendaItem.position.desc()
        )
    else:
        neighbour_query = neighbour_query.where(AgendaItem.position > item.position).order_by(AgendaItem.position)
    neighbour = db.session.scalars(neighbour_query.limit(1)).first()
    if neighbour is None:
        return
    mine, theirs = item.position, neighbour.position
    # The (session, position) pair is unique at every statement: park one item on a free position first.
    item.position = -1 - mine
    db.session.flush()
    neighbour.position = mine
    db.session.flush()
    item.position = theirs
    if session.current_position == mine:
        session.current_position = theirs
    elif session.current_position == theirs:
        session.current_position = mine
    _bump(session)


# --- Attendance ------------------------------------------------------------------------------------------


def register_attendance(actor, space, *, attending: bool = True) -> bool:
    """Register (or take back) the actor's attendance while the session is announced or open; True if
    something changed. Raises NotAllowed (not logged in) or InvalidTransition (the session ended)."""
    _require_live_kind(space)
    if not _active(actor):
        raise NotAllowed(_l("Inicia sesión para inscribirte en la sesión."))
    session = _lock(space)
    if not permissions.can_register_attendance(actor, space):
        raise _state_refusal(
            space,
            what=_l("las inscripciones se reciben"),
            after=_l("La sesión ya terminó: ya no se reciben inscripciones."),
        )
    moment = now_utc()
    if attending:
        inserted = _inserted(LiveAttendance, {"session_id": session.id, "user_id": actor.id, "registered_at": moment})
        if inserted:
            return True
        changed = db.session.execute(
            update(LiveAttendance)
            .where(
                LiveAttendance.session_id == session.id,
                LiveAttendance.user_id == actor.id,
                LiveAttendance.registered_at.is_(None),
            )
            .values(registered_at=moment)
            .execution_options(synchronize_session=False)
        ).rowcount
        return changed == 1
    changed = db.session.execute(
        update(LiveAttendance)
        .where(
            LiveAttendance.session_id == session.id,
            LiveAttendance.user_id == actor.id,
            LiveAttendance.registered_at.is_not(None),
        )
        .values(registered_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    # A registration taken back leaves no row unless the person was also present in the room.
    db.session.execute(
        delete(LiveAttendance).where(
            LiveAttendance.session_id == session.id,
            LiveAttendance.user_id == actor.id,
            LiveAttendance.registered_at.is_(None),
            LiveAttendance.joined_at.is_(None),
        )
    )
    return changed == 1


def _attendance(user, space) -> LiveAttendance | None:
    if not _active(user) or space is None or space.id is None:
        return None
    return db.session.scalar(
        select(LiveAttendance)
        .join(LiveSession, LiveSession.id == LiveAttendance.session_id)
        .where(LiveSession.space_id == space.id, LiveAttendance.user_id == user.id)
    )


def is_registered(user, space) -> bool:
    """Whether the person registered to attend."""
    attendance = _attendance(user, space)
    return attendance is not None and attendance.registered_at is not None


def has_attended(user, space) -> bool:
    """Registered in advance or present in the room while it ran."""
    attendance = _attendance(user, space)
    return attendance is not None and (attendance.registered_at is not None or attendance.joined_at is not None)


# --- Questions -------------------------------------------------------------------------------------------


def ask(actor, space, *, body, item_id=None) -> tuple[LiveQuestion, list[LiveChange]]:
    """A pending question (moderators' room and the author's sockets get it); in advance while the
    session is announced. At most QUESTIONS_PER_MINUTE per person. Raises InvalidInput, NotAllowed,
    NotFound, InvalidTransition or RateLimited; nothing is stored then."""
    _require_live_kind(space)
    body = _text(
        body,
        field_name="body",
        limit=QUESTION_MAX,
        required=_l("Escribe tu pregunta."),
        too_long=_l("La pregunta admite hasta %(n)s caracteres.", n=QUESTION_MAX),
    )
    item_id = _check_id(item_id, "item", optional=True)
    if not _active(actor):
        raise NotAllowed(_l("Inicia sesión para hacer una pregunta."))
    session = _lock(space)
    suspended = suspended_until(actor, space) is not None
    if not permissions.can_ask_live_question(actor, space, suspended=suspended):
        if suspended:
            raise NotAllowed(_l("Tienes una suspensión en este espacio: por ahora no puedes hacer preguntas."))
        raise _state_refusal(
            space, what=_l("las preguntas se reciben"), after=_l("La sesión ya terminó: ya no se reciben preguntas.")
        )
    item = _item_of(session, item_id)
    recent = db.session.scalar(
        select(func.count())
        .select_from(LiveQuestion)
        .where(
            LiveQuestion.session_id == session.id,
            LiveQuestion.author_id == actor.id,
            LiveQuestion.created_at >= _rate_cutoff(),
        )
    )
    if recent >= QUESTIONS_PER_MINUTE:
        raise RateLimited(_l("Enviaste muchas preguntas en poco tiempo. Espera un minuto y vuelve a intentarlo."))
    question = LiveQuestion(
        session_id=session.id,
        agenda_item_id=item.id if item else None,
        author_id=actor.id,
        body=body,
        status=QuestionStatus.PENDING,
        in_advance=space.state is SpaceState.ANNOUNCED,
        upvote_count=0,
        created_at=now_utc(),
    )
    db.session.add(question)
    revision = _bump(session)
    return question, _question_changes(space, question, revision)


_DECISIONS = {
    # decision: (statuses it moves from, status it moves to)
    "approve": ((QuestionStatus.PENDING,), QuestionStatus.APPROVED),
    "dismiss": ((QuestionStatus.PENDING, QuestionStatus.APPROVED), QuestionStatus.DISMISSED),
    "answering": ((QuestionStatus.APPROVED,), QuestionStatus.ANSWERING),
    "answered": ((QuestionStatus.APPROVED, QuestionStatus.ANSWERING), QuestionStatus.ANSWERED),
}


def _session_path(space) -> str:
    return f"/espacios/{space.id}/sesion"


def _record_path(space) -> str:
    return f"/espacios/{space.id}/sesion/acta"


def moderate_question(actor, space, question_id, decision, *, reason="", summary="") -> list[LiveChange]:
    """Move a question through the moderated queue:

    "approve" (pending → approved, public), "dismiss" (pending|approved → dismissed; a reason is required
    and the author is told), "answering" (approved → answering, while open; any other question being
    answered goes back to approved), "answered" (approved|answering → answered, while open; a summary of
    the answer is required). Each move is a conditional UPDATE on the expected status: of two moderators
    deciding at once, one succeeds and the other gets Conflict with no change.
    """
    _require_live_kind(space)
    if not isinstance(decision, str) or decision not in _DECISIONS:
        raise InvalidInput(_l("Elige una decisión válida."), field="decision")
    _check_id(question_id, "question")
    values: dict = {}
    if decision == "dismiss":
        values["dismissal_reason"] = _text(
            reason,
            field_name="reason",
            limit=DISMISSAL_REASON_MAX,
            multiline=False,
            required=_l("Escribe el motivo por el que no se publica la pregunta."),
            too_long=_l("El motivo admite hasta %(n)s caracteres.", n=DISMISSAL_REASON_MAX),
        )
    if decision == "answered":
        values["answer"] = _text(
            summary,
            field_name="summary",
            limit=ANSWER_SUMMARY_MAX,
            required=_l("Escribe un resumen de la respuesta."),
            too_long=_l("El resumen admite hasta %(n)s caracteres.", n=ANSWER_SUMMARY_MAX),
        )
    live_only = decision in ("answering", "answered")
    _require_runner(actor, space, what=_l("las preguntas se responden"), open_only=live_only)
    session = _lock(space)
    _require_runner(actor, space, what=_l("las preguntas se responden"), open_only=live_only)
    question = _question_of(session, question_id)
    sources, target = _DECISIONS[decision]
    was_public = question.status in _PUBLIC_STATUSES
    moment = now_utc()
    values.update(status=target, moderated_by_id=actor.id, moderated_at=moment)
    if decision == "answered":
        values.update(answered_by_id=actor.id, answered_at=moment, answered_in_writing=False)
    moved = db.session.execute(
        update(LiveQuestion)
        .where(LiveQuestion.id == question.id, LiveQuestion.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        # Under the session lock the status read above is current: it already was not one this move
        # starts from (another moderator got there first, or the move does not apply any more).
        if question.status is target:
            raise Conflict(_l("Esta pregunta ya está «%(status)s».", status=target.label))
        raise Conflict(
            _l(
                "Esta pregunta está «%(status)s» y ya no admite ese cambio. Revisa la fila actualizada.",
                status=question.status.label,
            )
        )
    demoted: list[LiveQuestion] = []
    if decision == "answering":
        demoted_ids = list(
            db.session.scalars(
                select(LiveQuestion.id).where(
                    LiveQuestion.session_id == session.id,
                    LiveQuestion.status == QuestionStatus.ANSWERING,
                    LiveQuestion.id != question.id,
                )
            )
        )
        if demoted_ids:
            db.session.execute(
                update(LiveQuestion)
                .where(LiveQuestion.id.in_(demoted_ids), LiveQuestion.status == QuestionStatus.ANSWERING)
                .values(status=QuestionStatus.APPROVED)
                .execution_options(synchronize_session=False)
            )
            demoted = list(
                db.session.scalars(
                    select(LiveQuestion)
                    .where(LiveQuestion.id.in_(demoted_ids))
                    .execution_options(populate_existing=True)
                )
            )
    db.session.refresh(question)
    if decision == "dismiss" and question.author is not None:
        notify(
            question.author,
            NotificationKind.MODERATION,
            str(
                _l(
                    "Tu pregunta en la sesión «%(title)s» no se publicó. Motivo: %(reason)s",
                    title=space.title,
                    reason=question.dismissal_reason,
                )
            ),
            _session_path(space),
        )
    revision = _bump(session)
    changes: list[LiveChange] = []
    for other in demoted:
        changes.extend(_question_changes(space, other, revision))
    changes.extend(_question_changes(space, question, revision, was_public=was_public))
    return changes


def upvote(actor, space, question_id) -> tuple[bool, list[LiveChange]]:
    """One upvote per person per approved question (not one's own), while announced or open; a second
    one gives (False, []). At most UPVOTES_PER_MINUTE per person. Raises NotAllowed, NotFound,
    InvalidTransition or RateLimited."""
    _require_live_kind(space)
    _check_id(question_id, "question")
    if not _active(actor):
        raise NotAllowed(_l("Inicia sesión para apoyar preguntas."))
    session = _lock(space)
    question = _question_of(session, question_id)
    if not permissions.can_see_live_question(actor, question, space):
        raise NotFound(_l("Esa pregunta no es de esta sesión."))
    if not permissions.can_upvote_question(actor, question, space):
        if question.author_id == actor.id:
            raise NotAllowed(_l("No puedes apoyar tu propia pregunta."))
        if space.state not in _LIVE_STATES:
            raise _state_refusal(
                space, what=_l("las preguntas se apoyan"), after=_l("La sesión ya terminó: ya no se apoyan preguntas.")
            )
        raise InvalidTransition(_l("Solo se apoyan las preguntas aprobadas que siguen en la fila."))
    recent = db.session.scalar(
        select(func.count())
        .select_from(QuestionUpvote)
        .where(QuestionUpvote.user_id == actor.id, QuestionUpvote.created_at >= _rate_cutoff())
    )
    if recent >= UPVOTES_PER_MINUTE:
        raise RateLimited(_l("Apoyaste muchas preguntas en poco tiempo. Espera un minuto y vuelve a intentarlo."))
    inserted = _inserted(QuestionUpvote, {"question_id": question.id, "user_id": actor.id, "created_at": now_utc()})
    if not inserted:
        return False, []
    db.session.execute(
        update(LiveQuestion)
        .where(LiveQuestion.id == question.id)
        .values(upvote_count=LiveQuestion.upvote_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(question)
    revision = _bump(session)
    return True, _question_changes(space, question, revision)


# --- Agenda during the session, polls, commitments ---------------------------------------------------------


def advance(actor, space, position: int | None = None) -> list[LiveChange]:
    """Move the current agenda item: to ``position``, or with None to the next one (the first one at the
    start). Moderators, only while open. Raises InvalidInput, NotAllowed, NotFound or InvalidTransition."""
    _require_live_kind(space)
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or abs(position) > MAX_ID):
        raise InvalidInput(_l("El punto de la agenda no es válido."), field="position")
    _require_runner(actor, space, what=_l("la agenda avanza"), open_only=True)
    session = _lock(space)
    _require_runner(actor, space, what=_l("la agenda avanza"), open_only=True)
    positions = list(
        db.session.scalars(
            select(AgendaItem.position).where(AgendaItem.session_id == session.id).order_by(AgendaItem.position)
        )
    )
    if not positions:
        raise InvalidTransition(_l("La agenda de esta sesión no tiene puntos."))
    if position is None:
        current = session.current_position
        later = [p for p in positions if current is None or p > current]
        if not later:
            raise InvalidTransition(_l("Ya se está presentando el último punto de la agenda."))
        position = later[0]
    elif position not in positions:
        raise NotFound(_l("Ese punto no es de la agenda de esta sesión."))
    session.current_position = position
    revision = _bump(session)
    item = db.session.scalar(
        select(AgendaItem)
        .where(AgendaItem.session_id == session.id, AgendaItem.position == position)
        .options(joinedload(AgendaItem.action))
    )
    return [_change("agenda", {"current": _item_data(item)}, "public", space, revision)]


def launch_poll(actor, space, *, question, options: list[str], item_id=None) -> tuple[LivePoll, list[LiveChange]]:
    """Open a single-choice poll with 2 to 8 distinct options. Moderators, only while open."""
    _require_live_kind(space)
    text = _text(
        question,
        field_name="question",
        limit=POLL_QUESTION_MAX,
        multiline=False,
        required=_l("Escribe la pregunta de la encuesta."),
        too_long=_l("La pregunta de la encuesta admite hasta %(n)s caracteres.", n=POLL_QUESTION_MAX),
    )
    count_message = _l(
        "Una encuesta tiene entre %(min)s y %(max)s opciones distintas.", min=POLL_OPTIONS_MIN, max=POLL_OPTIONS_MAX
    )
    if not isinstance(options, list | tuple) or len(options) > POLL_OPTIONS_MAX * 4:
        raise InvalidInput(count_message, field="options")
    labels = []
    for option in options:
        if option is None or (isinstance(option, str) and is_blank(option)):
            continue  # the form's empty spare rows
        labels.append(
            _text(
                option,
                field_name="options",
                limit=POLL_OPTION_MAX,
                multiline=False,
                required=_l("Escribe el texto de cada opción."),
                too_long=_l("Cada opción admite hasta %(n)s caracteres.", n=POLL_OPTION_MAX),
            )
        )
    if not POLL_OPTIONS_MIN <= len(labels) <= POLL_OPTIONS_MAX:
        raise InvalidInput(count_message, field="options")
    if len({label.casefold() for label in labels}) != len(labels):
        raise InvalidInput(_l("Las opciones de la encuesta no pueden repetirse."), field="options")
    item_id = _check_id(item_id, "item", optional=True)
    _require_runner(actor, space, what=_l("las encuestas se abren"), open_only=True)
    session = _lock(space)
    _require_runner(actor, space, what=_l("las encuestas se abren"), open_only=True)
    item = _item_of(session, item_id)
    poll = LivePoll(
        session_id=session.id,
        agenda_item_id=item.id if item else None,
        question=text,
        status=PollStatus.OPEN,
        vote_count=0,
        created_by_id=actor.id,
        opened_at=now_utc(),
    )
    poll.options = [LivePollOption(position=i, label=label, vote_count=0) for i, label in enumerate(labels)]
    db.session.add(poll)
    revision = _bump(session)
    return poll, [_change("poll", _poll_data(poll), "public", space, revision)]


def close_poll(actor, space, poll_id) -> list[LiveChange]:
    """Close an open poll; its results are kept. Moderators, only while open; Conflict if already closed."""
    _require_live_kind(space)
    _check_id(poll_id, "poll")
    _require_runner(actor, space, what=_l("las encuestas se cierran"), open_only=True)
    session = _lock(space)
    _require_runner(actor, space, what=_l("las encuestas se cierran"), open_only=True)
    poll = _poll_of(session, poll_id)
    closed = db.session.execute(
        update(LivePoll)
        .where(LivePoll.id == poll.id, LivePoll.status == PollStatus.OPEN)
        .values(status=PollStatus.CLOSED, closed_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        raise Conflict(_l("Esta encuesta ya estaba cerrada."))
    db.session.refresh(poll)
    revision = _bump(session)
    return [_change("poll", _poll_data(poll), "public", space, revision)]


def vote_poll(actor, space, poll_id, option_id) -> list[LiveChange]:
    """One vote per person per open poll, while the session is open; Conflict on a second one."""
    _require_live_kind(space)
    _check_id(poll_id, "poll")
    _check_id(option_id, "option")
    if not _active(actor):
        raise NotAllowed(_l("Inicia sesión para votar en la encuesta."))
    session = _lock(space)
    poll = _poll_of(session, poll_id)
    option = next((o for o in poll.options if o.id == option_id), None)
    if option is None:
        raise NotFound(_l("Esa opción no es de esta encuesta."))
    if not permissions.can_vote_in_poll(actor, poll, space):
        if space.state is not SpaceState.OPEN:
            raise _state_refusal(space, what=_l("las encuestas se responden"))
        raise InvalidTransition(_l("Esta encuesta ya se cerró."))
    inserted = _inserted(
        LivePollVote, {"poll_id": poll.id, "user_id": actor.id, "option_id": option.id, "created_at": now_utc()}
    )
    if not inserted:
        raise Conflict(_l("Ya votaste en esta encuesta."))
    db.session.execute(
        update(LivePollOption)
        .where(LivePollOption.id == option.id)
        .values(vote_count=LivePollOption.vote_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(LivePoll)
        .where(LivePoll.id == poll.id)
        .values(vote_count=LivePoll.vote_count + 1)
        .execution_options(synchronize_session=False)
    )
    poll = _poll_of(session, poll.id)
    revision = _bump(session)
    return [_change("poll", _poll_data(poll), "public", space, revision)]


def _commitment_title(body: str) -> str:
    """The words "Compromiso: " and the body's first words, cut at a word within the action title's limit."""
    words = " ".join(body.split())
    room = ACTION_TITLE_MAX - len(COMMITMENT_TITLE_PREFIX)
    if len(words) > room:
        cut = words[: room - 1]
        cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
        words = cut.rstrip(" ,.;:") + "…"
    return COMMITMENT_TITLE_PREFIX + words


def session_date(space) -> date:
    """The session's day, in Cali."""
    return utc_to_local(space.opens_at).date()


def record_commitment(
    actor, space, *, body, organism_id, due_on: date, action_id=None
) -> tuple[Commitment, list[LiveChange]]:
    """Record a commitment made during the session (moderators, while open) and create its tracking
    action in the responsible organism's plan for the space's cycle (the plan created if missing): a
    social-control action in the monitoring phase from the session's day to the due date, measured in
    percent of fulfilment. The responsible organism is the space's or a co-organiser; the linked action,
    if any, belongs to that organism's plan in the space's cycle."""
    _require_live_kind(space)
    text = _text(
        body,
        field_name="body",
        limit=COMMITMENT_MAX,
        required=_l("Escribe el compromiso."),
        too_long=_l("El compromiso admite hasta %(n)s caracteres.", n=COMMITMENT_MAX),
    )
    if not _is_id(organism_id):
        raise InvalidInput(_l("Elige el organismo responsable."), field="organism")
    if isinstance(due_on, datetime) or not isinstance(due_on, date):
        raise InvalidInput(_l("Indica la fecha límite del compromiso."), field="due_on")
    if due_on < session_date(space):
        raise InvalidInput(_l("La fecha límite no puede ser anterior al día de la sesión."), field="due_on")
    action_id = _check_id(action_id, "action", optional=True)
    _require_runner(actor, space, what=_l("los compromisos se registran"), open_only=True)
    session = _lock(space)
    _require_runner(actor, space, what=_l("los compromisos se registran"), open_only=True)
    if organism_id not in _organism_ids(space, session):
        raise InvalidInput(
            _l("El organismo responsable debe ser uno de los que organizan la sesión."), field="organism"
        )
    organism = db.session.get(Organism, organism_id)
    if action_id is not None:
        linked = db.session.scalar(
            select(Action.id)
            .join(ActionPlan, ActionPlan.id == Action.plan_id)
            .where(Action.id == action_id, ActionPlan.organism_id == organism_id, ActionPlan.cycle_id == space.cycle_id)
        )
        if linked is None:
            raise InvalidInput(
                _l("La acción debe ser del plan del organismo responsable en esta vigencia."), field="action"
            )
    details = ActionDetails(
        procedure=Procedure.SOCIAL_CONTROL,
        title=_commitment_title(text),
        objective=text,
        goal=text,
        indicator_name=str(_l("Cumplimiento del compromiso")),
        indicator_unit="%",
        indicator_target=Decimal(100),
        indicator_baseline=Decimal(0),
        budget=Decimal(0),
        responsible_office=organism.name[:200],
        phase=Phase.MONITORING,
        starts_on=session_date(space),
        ends_on=due_on,
        status=ActionStatus.PLANNED,
        territory_ids=[t.id for t in space.territories],
    )
    tracking = add_action_to_plan(organism, space.cycle, details)
    commitment = Commitment(
        session_id=session.id,
        body=text,
        organism_id=organism.id,
        due_on=due_on,
        action_id=action_id,
        tracking_action_id=tracking.id,
        created_by_id=actor.id,
        created_at=now_utc(),
    )
    db.session.add(commitment)
    db.session.flush()
    db.session.refresh(commitment)
    revision = _bump(session)
    return commitment, [_change("commitment", _commitment_data(commitment), "public", space, revision)]


# --- The space's lifecycle ------------------------------------------------------------------------------


def after_transition(space, target) -> None:
    """Run by spaces.change_space_state in its transaction after every move of a live session: the
    revision grows (clients see the new state), and on CLOSED open polls close, no item is current and
    a question being answered goes back to the queue (it is owed a written answer)."""
    session = session_of(space)
    if session is None:
        return
    if target is SpaceState.CLOSED:
        db.session.execute(
            update(LivePoll)
            .where(LivePoll.session_id == session.id, LivePoll.status == PollStatus.OPEN)
            .values(status=PollStatus.CLOSED, closed_at=now_utc())
            .execution_options(synchronize_session=False)
        )
        # Nothing is being answered live any more: a question left mid-answer is owed like the others.
        db.session.execute(
            update(LiveQuestion)
            .where(LiveQuestion.session_id == session.id, LiveQuestion.status == QuestionStatus.ANSWERING)
            .values(status=QuestionStatus.APPROVED)
            .execution_options(synchronize_session=False)
        )
        session.current_position = None
        _invite_to_evaluate(space, session)
    _bump(session)


def _invite_to_evaluate(space, session: LiveSession) -> int:
    """On closing: every attendee who may rate the session is asked to, with a link to the survey."""
    attendees = select(User).join(LiveAttendance, LiveAttendance.user_id == User.id).where(
        LiveAttendance.session_id == session.id
    )
    raters = [
        user
        for user in db.session.scalars(attendees)
        if permissions.can_evaluate_live_session(user, space, attended=True)
    ]
    message = str(
        _l("La sesión «%(title)s» terminó. ¿Cómo te pareció? Evalúala en un minuto.", title=space.title)
    )
    notices = [Notice(user_id=user.id, kind=NotificationKind.FOLLOWED_ITEM, message=message) for user in raters]
    return notify_each(notices, f"{_session_path(space)}/evaluar")


def state_change(space) -> list[LiveChange]:
    """The public "session" change after the space moved state. The revision was already increased by
    ``after_transition`` in the moving transaction, so this is the same before or after its commit."""
    session = session_of(space)
    if session is None:
        return []
    db.session.refresh(session, ["revision"])
    return [_change("session", _session_data(space), "public", space, session.revision)]


def _owed_clause(session_id: int):
    return (LiveQuestion.session_id == session_id) & LiveQuestion.status.not_in(_SETTLED_STATUSES)


def owed_questions(space) -> list[LiveQuestion]:
    """Questions neither answered nor dismissed (pending ones too), once the session closed; oldest first."""
    session = session_of(space)
    if session is None or space.state not in _AFTER_STATES:
        return []
    return list(
        db.session.scalars(
            select(LiveQuestion)
            .where(_owed_clause(session.id))
            .options(joinedload(LiveQuestion.author), joinedload(LiveQuestion.agenda_item))
            .order_by(LiveQuestion.created_at, LiveQuestion.id)
        )
    )


def answer_in_writing(actor, space, question_id, *, answer) -> LiveQuestion:
    """The organism's written answer to an owed question (its staff, once the session closed); the
    author is told with a link to the record. Conflict if it was answered meanwhile."""
    _require_live_kind(space)
    _check_id(question_id, "question")
    text = _text(
        answer,
        field_name="answer",
        limit=WRITTEN_ANSWER_MAX,
        required=_l("Escribe la respuesta."),
        too_long=_l("La respuesta admite hasta %(n)s caracteres.", n=WRITTEN_ANSWER_MAX),
    )
    if not (permissions.is_admin(actor) or permissions.is_official_of(actor, space.organism_id)):
        raise NotAllowed(_l("Solo el personal del organismo responde por escrito las preguntas de la sesión."))
    session = _lock(space)
    if not permissions.can_answer_owed_question(actor, space):
        raise InvalidTransition(_l("Las preguntas pendientes se responden por escrito después de la sesión."))
    question = _question_of(session, question_id)
    moment = now_utc()
    answered = db.session.execute(
        update(LiveQuestion)
        .where(LiveQuestion.id == question.id, LiveQuestion.status.not_in(_SETTLED_STATUSES))
        .values(
            status=QuestionStatus.ANSWERED,
            answer=text,
            answered_in_writing=True,
            answered_by_id=actor.id,
            answered_at=moment,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if answered != 1:
        raise Conflict(_l("Esta pregunta ya tiene respuesta o no se publicó: no se debe una respuesta por escrito."))
    db.session.refresh(question)
    if question.author is not None:
        notify(
            question.author,
            NotificationKind.INSTITUTIONAL_ANSWER,
            str(_l("El organismo respondió por escrito tu pregunta de la sesión «%(title)s».", title=space.title)),
            _record_path(space),
        )
    _bump(session)
    return question


def transition_refusal(space, target) -> str | None:
    """A lazy message refusing RESPONSE_GIVEN while written answers are owed; None otherwise."""
    if target is not SpaceState.RESPONSE_GIVEN:
        return None
    session = session_of(space)
    if session is None:
        return None
    owed = db.session.scalar(select(func.count()).select_from(LiveQuestion).where(_owed_clause(session.id)))
    if not owed:
        return None
    return _nl(
        "Falta responder por escrito %(num)s pregunta de la sesión antes de dar la respuesta institucional.",
        "Faltan responder por escrito %(num)s preguntas de la sesión antes de dar la respuesta institucional.",
        owed,
    )


# --- Presence ----------------------------------------------------------------------------------------------


def present_count(space) -> int:
    """Sockets in the session's room seen in the last PRESENCE_TTL_SECONDS."""
    cutoff = now_utc() - timedelta(seconds=PRESENCE_TTL_SECONDS)
    return db.session.scalar(
        select(func.count())
        .select_from(LivePresence)
        .join(LiveSession, LiveSession.id == LivePresence.session_id)
        .where(LiveSession.space_id == space.id, LivePresence.seen_at >= cutoff)
    )


def presence_change(space, count: int) -> LiveChange:
    """The public "presence" change: how many are in the room. Presence is not part of the live state a
    revision orders (it changes with every socket and every snapshot recounts it), so the change carries
    the current revision without increasing it."""
    session = session_of(space)
    return _change("presence", {"present": count}, "public", space, session.revision if session else 0)


def enter_room(sid: str, space, user) -> int:
    """A socket joined the room: its presence row; for a logged-in person while the session is open, the
    attendance's joined_at; the session's peak of people present. Returns how many are present.

    Nothing is broadcast here: a join telling everyone already in the room would make N joins cost N²/2
    messages (the fan-out benchmark lost clients to it). Each server process broadcasts the count, when
    it changed, from its presence tick."""
    _require_live_kind(space)
    if not isinstance(sid, str) or not 0 < len(sid) <= 64:
        raise InvalidInput(_l("El identificador no es válido."), field="sid")
    session = session_for(space)
    moment = now_utc()
    user_id = user.id if _active(user) else None
    db.session.execute(delete(LivePresence).where(LivePresence.sid == sid))
    db.session.execute(insert(LivePresence).values(sid=sid, session_id=session.id, user_id=user_id, seen_at=moment))
    if user_id is not None and space.state is SpaceState.OPEN:
        inserted = _inserted(LiveAttendance, {"session_id": session.id, "user_id": user_id, "joined_at": moment})
        if not inserted:
            db.session.execute(
                update(LiveAttendance)
                .where(
                    LiveAttendance.session_id == session.id,
                    LiveAttendance.user_id == user_id,
                    LiveAttendance.joined_at.is_(None),
                )
                .values(joined_at=moment)
                .execution_options(synchronize_session=False)
            )
    count = present_count(space)
    if space.state is SpaceState.OPEN:
        db.session.execute(
            update(LiveSession)
            .where(LiveSession.id == session.id, LiveSession.peak_present < count)
            .values(peak_present=count)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(session, ["peak_present"])
    return count


def leave_room(sid: str) -> None:
    """A socket left: its presence row goes (the presence tick broadcasts the new count)."""
    if isinstance(sid, str):
        db.session.execute(delete(LivePresence).where(LivePresence.sid == sid))


def refresh_presence(sids: list[str]) -> None:
    """Mark this process's sockets as still present (one UPDATE per PRESENCE_BATCH sockets), and forget
    sockets of processes that died long ago (they stopped counting after PRESENCE_TTL_SECONDS already)."""
    sids = [sid for sid in sids if isinstance(sid, str)]
    moment = now_utc()
    db.session.execute(
        delete(LivePresence)
        .where(LivePresence.seen_at < moment - timedelta(seconds=PRESENCE_FORGET_SECONDS))
        .execution_options(synchronize_session=False)
    )
    for start in range(0, len(sids), PRESENCE_BATCH):
        db.session.execute(
            update(LivePresence)
            .where(LivePresence.sid.in_(sids[start : start + PRESENCE_BATCH]))
            .values(seen_at=moment)
            .execution_options(synchronize_session=False)
        )


# --- The state for clients ---------------------------------------------------------------------------------


def _queue_key(question: LiveQuestion):
    """answering; approved by upvotes then id; answered newest first; pending oldest first; dismissed."""
    status = question.status
    if status is QuestionStatus.ANSWERING:
        return (0, 0, question.id)
    if status is QuestionStatus.APPROVED:
        return (1, -question.upvote_count, question.id)
    if status is QuestionStatus.ANSWERED:
        answered = question.answered_at or question.created_at
        return (2, -answered.timestamp(), -question.id)
    if status is QuestionStatus.PENDING:
        return (3, question.created_at.timestamp(), question.id)
    return (4, question.created_at.timestamp(), question.id)


def _load_session(space) -> LiveSession | None:
    return db.session.scalar(
        select(LiveSession)
        .where(LiveSession.space_id == space.id)
        .options(selectinload(LiveSession.agenda).joinedload(AgendaItem.action))
        .execution_options(populate_existing=True)
    )


def snapshot(space, viewer) -> dict:
    """The whole current state for a client, as ``viewer`` may see it (see the brief's shape): the agenda
    with its actions' figures, the visible question queue, polls (newest first), commitments, how many
    are present and the viewer's own upvotes and poll votes. A constant number of queries: the viewer's
    upvotes and votes come with the questions and polls, the presence count with the session."""
    _require_live_kind(space)
    cutoff = now_utc() - timedelta(seconds=PRESENCE_TTL_SECONDS)
    present = (
        select(func.count())
        .select_from(LivePresence)
        .where(LivePresence.session_id == LiveSession.id, LivePresence.seen_at >= cutoff)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(LiveSession, present)
        .where(LiveSession.space_id == space.id)
        .options(selectinload(LiveSession.agenda).joinedload(AgendaItem.action))
        .execution_options(populate_existing=True)
    ).first()
    session, present_now = row if row is not None else (None, 0)
    active = _active(viewer)
    moderator = permissions.can_moderate(viewer, space)
    suspended = active and suspended_until(viewer, space) is not None
    viewer_state = {
        "id": viewer.id if active else None,
        "moderator": moderator,
        "can_ask": permissions.can_ask_live_question(viewer, space, suspended=suspended),
        "can_vote": active and space.state is SpaceState.OPEN,
        "upvoted": [],
        "poll_votes": {},
    }
    result = {
        **_session_data(space),
        "space": space.id,
        "revision": session.revision if session else 0,
        "present": present_now,
        "current": None,
        "agenda": [],
        "questions": [],
        "polls": [],
        "commitments": [],
        "viewer": viewer_state,
    }
    if session is None:
        return result
    result["agenda"] = [_item_data(item) for item in session.agenda]
    result["current"] = next((data for data in result["agenda"] if data["position"] == session.current_position), None)

    viewer_id = viewer.id if active else 0  # no user has id 0: the viewer columns are then always empty
    upvoted = (
        select(QuestionUpvote.question_id)
        .where(QuestionUpvote.question_id == LiveQuestion.id, QuestionUpvote.user_id == viewer_id)
        .exists()
    )
    query = (
        select(LiveQuestion, upvoted)
        .where(LiveQuestion.session_id == session.id)
        .options(joinedload(LiveQuestion.author))
    )
    if not moderator:
        visible = LiveQuestion.status.in_(_PUBLIC_STATUSES)
        query = query.where(or_(visible, LiveQuestion.author_id == viewer_id) if active else visible)
    rows = sorted(db.session.execute(query).all(), key=lambda r: _queue_key(r[0]))
    result["questions"] = [
        {
            **_question_data(q, show_reason=moderator or (active and q.author_id == viewer_id)),
            # Only in the viewer's own snapshot: broadcasts go to everyone and never say whose a question is.
            "mine": active and q.author_id == viewer_id,
        }
        for q, _ in rows
    ]
    viewer_state["upvoted"] = sorted(q.id for q, mine in rows if mine)

    voted = (
        select(LivePollVote.option_id)
        .where(LivePollVote.poll_id == LivePoll.id, LivePollVote.user_id == viewer_id)
        .scalar_subquery()
    )
    polls = db.session.execute(
        select(LivePoll, voted)
        .where(LivePoll.session_id == session.id)
        .options(selectinload(LivePoll.options))
        .order_by(LivePoll.opened_at.desc(), LivePoll.id.desc())
    ).all()
    result["polls"] = [_poll_data(poll) for poll, _ in polls]
    viewer_state["poll_votes"] = {str(poll.id): option_id for poll, option_id in polls if option_id is not None}
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.session_id == session.id)
        .options(joinedload(Commitment.organism), joinedload(Commitment.action))
        .order_by(Commitment.created_at, Commitment.id)
    )
    result["commitments"] = [_commitment_data(c) for c in commitments]
    return result


# --- Evaluation ----------------------------------------------------------------------------------------------


def _rating(value, field_name: str, top: int, message) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise InvalidInput(message, field=field_name)
    return value


def evaluate_session(
    actor, space, *, information_clear, questions_answered, usefulness, comment=""
) -> tuple[SessionEvaluation, bool]:
    """The attendee's evaluation (attendees: registered or present; once the session closed): was the
    information clear and were the questions answered (1 no, 2 in part, 3 yes), usefulness 1 to 5, an
    optional comment. One per person: a second one changes the first, and two first ones at once store
    one row. Returns (evaluation, created). Raises InvalidInput, NotAllowed or InvalidTransition."""
    _require_live_kind(space)
    values = {
        "information_clear": _rating(
            information_clear, "information_clear", 3, _l("Responde si la información fue clara.")
        ),
        "questions_answered": _rating(
            questions_answered, "questions_answered", 3, _l("Responde si se contestaron las preguntas.")
        ),
        "usefulness": _rating(usefulness, "usefulness", 5, _l("Califica la utilidad de la sesión de 1 a 5.")),
        "comment": _text(
            comment,
            field_name="comment",
            limit=EVALUATION_COMMENT_MAX,
            optional=True,
            required=_l("El comentario no es válido."),
            too_long=_l("El comentario admite hasta %(n)s caracteres.", n=EVALUATION_COMMENT_MAX),
        ),
    }
    if not _active(actor):
        raise NotAllowed(_l("Inicia sesión para evaluar la sesión."))
    session = _lock(space)
    attended = has_attended(actor, space)
    if not permissions.can_evaluate_live_session(actor, space, attended=attended):
        if (
            not attended
            or permissions.can_moderate(actor, space)
            or permissions.is_official_of(actor, space.organism_id)
        ):
            raise NotAllowed(_l("Evalúan la sesión las personas que se inscribieron o estuvieron presentes."))
        raise InvalidTransition(_l("La sesión se evalúa cuando termina."))
    own = select(SessionEvaluation).where(
        SessionEvaluation.session_id == session.id, SessionEvaluation.user_id == actor.id
    )
    evaluation, created = save_own_row(
        own,
        lambda: SessionEvaluation(session_id=session.id, user_id=actor.id, created_at=now_utc(), **values),
        values,
    )
    db.session.flush()
    return evaluation, created


def own_evaluation(user, space) -> SessionEvaluation | None:
    """The person's evaluation of the session, to fill the form again."""
    if not _active(user):
        return None
    return db.session.scalar(
        select(SessionEvaluation)
        .join(LiveSession, LiveSession.id == SessionEvaluation.session_id)
        .where(LiveSession.space_id == space.id, SessionEvaluation.user_id == user.id)
    )


def evaluation_summary(space) -> EvaluationSummary:
    """Counts per answer, the usefulness average and the comments (newest first), in one query."""
    summary = EvaluationSummary()
    rows = db.session.execute(
        select(
            SessionEvaluation.information_clear,
            SessionEvaluation.questions_answered,
            SessionEvaluation.usefulness,
            SessionEvaluation.comment,
        )
        .join(LiveSession, LiveSession.id == SessionEvaluation.session_id)
        .where(LiveSession.space_id == space.id)
        .order_by(SessionEvaluation.created_at.desc(), SessionEvaluation.id.desc())
    ).all()
    for clear, answered, useful, comment in rows:
        summary.information_clear[clear] += 1
        summary.questions_answered[answered] += 1
        summary.usefulness[useful] += 1
        if comment:
            summary.comments.append(comment)
    summary.total = len(rows)
    if rows:
        summary.usefulness_average = round(sum(row[2] for row in rows) / len(rows), 1)
    return summary


# --- The record (acta) ------------------------------------------------------------------------------------


def session_record(space, viewer) -> SessionRecord:
    """Everything the record shows: agenda with each item's action figures, attendance, every question
    with its answer or dismissal reason (a dismissed question's text only to whom may see it), questions
    still owed with the days since the session closed, poll results, commitments with their tracking
    links and the evaluation. A constant number of queries."""
    _require_live_kind(space)
    session = _load_session(space)
    organisms = [space.organism.name] + ([o.name for o in session.organisms] if session else [])
    record = SessionRecord(
        space=space,
        title=space.title,
        organisms=organisms,
        state_label=str(space.state.label),
        opens_at=space.opens_at,
        closes_at=space.closes_at,
        location=space.location,
        stream_url=session.stream_url if session else "",
        closed_on=utc_to_local(space.closed_at).date() if space.closed_at else None,
        generated_at=now_utc(),
        evaluation=evaluation_summary(space),
    )
    if session is None:
        return record
    record.agenda = [_item_data(item) for item in session.agenda]
    record.peak_present = session.peak_present
    registered, joined = db.session.execute(
        select(
            func.count(LiveAttendance.registered_at),
            func.count(LiveAttendance.joined_at),
        ).where(LiveAttendance.session_id == session.id)
    ).one()
    record.registered, record.joined = registered, joined
    titles = {item.id: item.title for item in session.agenda}
    questions = db.session.scalars(
        select(LiveQuestion)
        .where(LiveQuestion.session_id == session.id)
        .options(joinedload(LiveQuestion.author))
        .order_by(LiveQuestion.created_at, LiveQuestion.id)
    ).all()
    after = space.state in _AFTER_STATES
    today = local_today()
    for question in questions:
        data = _question_data(question, show_reason=True)
        data["item_title"] = titles.get(question.agenda_item_id, "")
        data["hidden"] = not permissions.can_see_live_question(viewer, question, space)
        if data["hidden"]:
            data["body"] = ""
            data["author"] = ""
        record.questions.append(data)
        if after and question.status not in _SETTLED_STATUSES:
            owed = dict(data)
            owed["days_owed"] = (today - record.closed_on).days if record.closed_on else 0
            record.owed.append(owed)
    polls = db.session.scalars(
        select(LivePoll)
        .where(LivePoll.session_id == session.id)
        .options(selectinload(LivePoll.options))
        .order_by(LivePoll.opened_at, LivePoll.id)
    )
    record.polls = [_poll_data(poll) for poll in polls]
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.session_id == session.id)
        .options(joinedload(Commitment.organism), joinedload(Commitment.action))
        .order_by(Commitment.created_at, Commitment.id)
    )
    record.commitments = [_commitment_data(c) for c in commitments]
    return record


def _local_moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return utc_to_local(moment).strftime("%d/%m/%Y %H:%M")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "0 %"


def record_text(record: SessionRecord) -> str:
    """The downloadable plain-text record, in Spanish, with headings (UTF-8 when encoded)."""
    lines: list[str] = []

    def heading(text) -> None:
        text = str(text)
        lines.extend(["", text, "=" * len(text)])

    def add(text="") -> None:
        lines.append(str(text))

    title = str(_l("Acta de la sesión de rendición de cuentas"))
    lines.extend([title, "=" * len(title), record.title])
    add(_l("Organismos: %(names)s", names=", ".join(record.organisms)))
    add(_l("Inicio: %(moment)s (hora de Colombia)", moment=_local_moment(record.opens_at)))
    add(_l("Fin previsto: %(moment)s", moment=_local_moment(record.closes_at)))
    if record.location:
        add(_l("Lugar: %(place)s", place=record.location))
    add(_l("Estado: %(state)s", state=record.state_label))

    heading(_l("Agenda"))
    if not record.agenda:
        add(_l("La sesión no tuvo agenda."))
    for position, item in enumerate(record.agenda, start=1):
        add(f"{position}. {item['title']}")
        if item["notes"]:
            add("   " + item["notes"].replace("\n", "\n   "))
        action = item["action"]
        if action:
            add("   " + str(_l("Acción del plan: %(title)s", title=action["title"])))
            add("   " + str(_l("Meta: %(goal)s", goal=action["goal"])))
            current = action["indicator_current"] if action["indicator_current"] is not None else "—"
            add(
                "   "
                + str(
                    _l(
                        "Indicador: %(name)s — actual %(current)s de %(target)s %(unit)s",
                        name=action["indicator_name"],
                        current=current,
                        target=action["indicator_target"],
                        unit=action["indicator_unit"],
                    )
                )
            )
            if action["percent"] is not None:
                add("   " + str(_l("Avance: %(percent)s %%", percent=action["percent"])))
            add("   " + str(_l("Presupuesto: %(budget)s", budget=action["budget"])))
            add("   " + str(_l("Estado: %(status)s", status=action["status_label"])))

    heading(_l("Asistencia"))
    add(_l("Personas inscritas: %(n)s", n=record.registered))
    add(_l("Personas que se conectaron: %(n)s", n=record.joined))
    add(_l("Máximo de conexiones al mismo tiempo: %(n)s", n=record.peak_present))

    heading(_l("Preguntas"))
    if not record.questions:
        add(_l("No se recibieron preguntas."))
    for position, question in enumerate(record.questions, start=1):
        if question["status"] == QuestionStatus.DISMISSED.value:
            add(
                f"{position}. "
                + str(_l("Pregunta no publicada. Motivo: %(reason)s", reason=question["dismissal_reason"]))
            )
            continue
        if question["hidden"]:
            add(f"{position}. " + str(_l("Pregunta sin moderar (%(status)s).", status=question["status_label"])))
        else:
            add(f"{position}. {question['body']}")
            add("   " + str(_l("De: %(name)s · Apoyos: %(n)s", name=question["author"], n=question["upvotes"])))
        if question["answer"]:
            label = _l("Respuesta por escrito") if question["answered_in_writing"] else _l("Respuesta en la sesión")
            add(f"   {label}: " + question["answer"].replace("\n", "\n   "))
        else:
            add("   " + str(_l("Sin respuesta todavía.")))

    heading(_l("Respuestas por escrito pendientes"))
    if not record.owed:
        add(_l("No se debe ninguna respuesta."))
    for question in record.owed:
        text = question["body"] or str(_l("Pregunta sin moderar"))
        add(
            "- "
            + str(
                _nl(
                    "%(text)s (pendiente hace %(num)s día)",
                    "%(text)s (pendiente hace %(num)s días)",
                    question["days_owed"],
                    text=text,
                )
            )
        )

    heading(_l("Encuestas"))
    if not record.polls:
        add(_l("No hubo encuestas."))
    for poll in record.polls:
        add(poll["question"] + " " + str(_nl("(%(num)s voto)", "(%(num)s votos)", poll["votes"])))
        for option in poll["options"]:
            add(f"   - {option['label']}: {option['votes']} ({_percent(option['votes'], poll['votes'])})")

    heading(_l("Compromisos"))
    if not record.commitments:
        add(_l("No se registraron compromisos."))
    for commitment in record.commitments:
        add("- " + commitment["body"].replace("\n", "\n  "))
        add(
            "  "
            + str(
                _l(
                    "Responsable: %(name)s · Fecha límite: %(due)s",
                    name=commitment["organism"],
                    due=commitment["due_label"],
                )
            )
        )
        add("  " + str(_l("Seguimiento: %(url)s", url=commitment["tracking_url"])))

    heading(_l("Evaluación de la sesión"))
    summary = record.evaluation
    if not summary.total:
        add(_l("Todavía no hay evaluaciones."))
    else:
        add(_nl("%(num)s persona evaluó la sesión.", "%(num)s personas evaluaron la sesión.", summary.total))
        for label, counts in (
            (_l("¿La información fue clara?"), summary.information_clear),
            (_l("¿Se respondieron las preguntas?"), summary.questions_answered),
        ):
            add(str(label) + " " + ", ".join(f"{RATING_LABELS[k]}: {counts[k]}" for k in (3, 2, 1)))
        add(_l("Utilidad promedio: %(average)s de 5", average=summary.usefulness_average))
        if summary.comments:
            add(_l("Comentarios:"))
            for comment in summary.comments:
                add("- " + comment.replace("\n", "\n  "))
    add()
    add(_l("Generada el %(moment)s.", moment=_local_moment(record.generated_at)))
    text = "\n".join(lines) + "\n"
    return unicodedata.normalize("NFC", text)
