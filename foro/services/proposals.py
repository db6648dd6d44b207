"""Citizens' proposals in a call: submitting, editing and withdrawing them, supports, comments, co-authors,
follows, merging duplicates and hiding them (moderators), and the read queries of the proposal pages.

Which window of the call runs decides what may happen (``ProposalCall.window_at``); every writing
service reads it again inside its transaction, with the space row under a shared lock, so that a
state change of the space (which takes that row's write lock) cannot slip between the check and the
write. One support and one follow per person are primary keys; counters change only in SQL.
"""

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotAllowed, NotFound
from foro.extensions import db
from foro.models import (
    CallWindow,
    ContributionKind,
    Forum,
    ForumPost,
    NotificationKind,
    PostStatus,
    Proposal,
    ProposalAnswer,
    ProposalCall,
    ProposalCoauthor,
    ProposalComment,
    ProposalEndorsement,
    ProposalKind,
    ProposalStatus,
    ProposalSupport,
    Space,
    SpaceState,
    SpaceSuspension,
    TargetGroup,
    Territory,
    User,
    proposal_follows,
    proposal_origins,
)
from foro.models.proposal import BODY_MAX, ON_BEHALF_MAX, PROBLEM_MAX, TITLE_MAX
from foro.sanitize import clean_text_area, is_blank, normalise_plain_text
from foro.security import MAX_ID
from foro.services.accounts import normalise_email
from foro.services.common import rows_by_id
from foro.services.forums import suspended_until
from foro.services.notifications import Notice, notify, notify_each, path_for
from foro.services.page_cache import bump_call_revision, bump_forum_revision
from foro.timeutil import now_utc

COMMENT_MAX = 5_000
HIDE_REASON_MAX = 500
MERGE_REASON_MAX = 500
COAUTHORS_MAX = 10
# Numeric(16, 2) holds 14 digits of pesos.
MONEY_LIMIT = Decimal("99999999999999")
PER_PAGE = 20
COMMENTS_PER_PAGE = 50
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 100_000
QUOTED_TITLE_MAX = 120

# ?orden= of the list: the key, then what it sorts by (newest first among equals).
LIST_ORDERS = {
    "apoyos": (Proposal.supports_count.desc(), Proposal.created_at.desc(), Proposal.id.desc()),
    "recientes": (Proposal.created_at.desc(), Proposal.id.desc()),
    "comentadas": (Proposal.comments_count.desc(), Proposal.created_at.desc(), Proposal.id.desc()),
    "votos": (Proposal.votes_count.desc(), Proposal.created_at.desc(), Proposal.id.desc()),
}
DEFAULT_ORDER = "apoyos"

_ANY_TAG = re.compile(r"<[^>]*>")


# --- Windows and who may take part ---------------------------------------------------------------


def current_window(call: ProposalCall) -> CallWindow:
    """The running window, read again from the database under a shared lock of the space row.

    A concurrent state change (which locks the row for update) waits for this transaction, or this
    one waits for it and sees the new state. On SQLite the request's BEGIN IMMEDIATE does the same.
    """
    db.session.execute(
        select(Space)
        .where(Space.id == call.space_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return call.window_at(now_utc())


def _is_active(user) -> bool:
    return getattr(user, "is_authenticated", False) and not user.is_deleted


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _window_closed(window: CallWindow, message) -> InvalidTransition:
    if window is CallWindow.NOT_OPEN:
        return InvalidTransition(_l("La convocatoria todavía no está abierta."))
    return InvalidTransition(message)


def submit_refusal(user, call: ProposalCall, window: CallWindow) -> DomainError | None:
    """Why ``user`` may not submit a proposal now (None if they may)."""
    suspension = suspended_until(user, call.space) if _is_active(user) else None
    if permissions.can_submit_proposal(user, call.space, window, suspended=suspension is not None):
        return None
    if not _is_active(user):
        return NotAllowed(_l("Inicia sesión para presentar una propuesta."))
    if window is not CallWindow.PROPOSING:
        return _window_closed(window, _l("La recepción de propuestas de esta convocatoria ya cerró."))
    return NotAllowed(_l("Estás suspendido de este espacio: no puedes presentar propuestas por ahora."))


def _edit_refusal(user, proposal: Proposal, window: CallWindow) -> DomainError | None:
    if permissions.can_edit_proposal(user, proposal, window):
        return None
    if not permissions.is_proposal_author(user, proposal):
        return NotAllowed(_l("Solo las personas autoras de esta propuesta pueden cambiarla."))
    if proposal.status is not ProposalStatus.PUBLISHED:
        return InvalidTransition(
            _l("Esta propuesta ya no se puede cambiar: está «%(status)s».", status=proposal.status.label)
        )
    if proposal.kind is not ProposalKind.ORIGINAL:
        return InvalidTransition(_l("Las propuestas concertadas se cambian en la concertación."))
    return _window_closed(window, _l("Las propuestas se pueden cambiar hasta que cierra la recepción de propuestas."))


def edit_refusal(user, proposal: Proposal) -> DomainError | None:
    """For the edit page: why ``user`` may not edit ``proposal`` now (None if they may)."""
    return _edit_refusal(user, proposal, proposal.call.window_at(now_utc()))


# --- Cleaning what people write ------------------------------------------------------------------


def _plain(value: str | None, *, field_name: str, required_message, limit: int, limit_message) -> str:
    text = normalise_plain_text(value or "")
    if "\x00" in text:
        raise InvalidInput(_l("El texto contiene caracteres no válidos."), field=field_name)
    if required_message is not None and is_blank(text):
        raise InvalidInput(required_message, field=field_name)
    if len(text) > limit:
        raise InvalidInput(limit_message, field=field_name)
    return text


def clean_rich_text(value: str | None, *, field_name: str, required_message, limit: int) -> str:
    """A proposal's rich text as stored (foro.sanitize.clean_text_area), with the proposals' messages."""
    return clean_text_area(
        value,
        field=field_name,
        limit=limit,
        required=required_message,
        too_long=_l("Este texto admite hasta %(n)s caracteres.", n=limit),
        emptied=_l("El texto quedó vacío: no se admiten scripts, estilos ni imágenes. Escríbelo en texto."),
    )


def parse_pesos(text: str | None) -> Decimal:
    """A cost typed in pesos: digits, optionally with "$" and thousands separated by dots, commas or
    spaces ("25.000.000"). Cents are not used in municipal budgets. Raises InvalidInput."""
    raw = (text or "").strip().removeprefix("$").strip()
    if raw.startswith("-"):
        raise InvalidInput(_l("El costo estimado no puede ser negativo."), field="estimated_cost")
    if not re.fullmatch(r"\d{1,3}([.,\s]?\d{3})*", raw):
        raise InvalidInput(
            _l("Escribe el costo estimado en pesos, solo con números; por ejemplo, 25000000 o 25.000.000."),
            field="estimated_cost",
        )
    return Decimal(re.sub(r"\D", "", raw))


@dataclass
class ProposalDetails:
    """What an author writes, as plain values (from a form, the CLI or a test)."""

    title: str
    problem: str
    description: str
    estimated_cost: Decimal
    territory_id: int | None = None
    target_group_ids: list[int] = field(default_factory=list)
    on_behalf_of: str = ""
    # The forum problem or proposal the proposal comes from (only read when it is submitted).
    forum_post_id: int | None = None


def territory_choices(call: ProposalCall) -> list[Territory]:
    """Where a proposal may happen: the space's comunas and corregimientos, or any if it names none."""
    if call.space.territories:
        return list(call.space.territories)
    return list(db.session.scalars(select(Territory).order_by(Territory.kind, Territory.number)))


def _checked_details(call: ProposalCall, details: ProposalDetails) -> dict:
    title = _plain(
        details.title,
        field_name="title",
        required_message=_l("Escribe un título: es un campo obligatorio."),
        limit=TITLE_MAX,
        limit_message=_l("El título admite hasta %(n)s caracteres.", n=TITLE_MAX),
    )
    problem = _plain(
        details.problem,
        field_name="problem",
        required_message=_l("Cuenta qué problema resuelve tu propuesta: es un campo obligatorio."),
        limit=PROBLEM_MAX,
        limit_message=_l("El problema admite hasta %(n)s caracteres.", n=PROBLEM_MAX),
    )
    description = clean_rich_text(
        details.description,
        field_name="description",
        required_message=_l("Describe tu propuesta: es un campo obligatorio."),
        limit=BODY_MAX,
    )
    on_behalf_of = _plain(
        details.on_behalf_of,
        field_name="on_behalf_of",
        required_message=None,
        limit=ON_BEHALF_MAX,
        limit_message=_l("El nombre de la organización admite hasta %(n)s caracteres.", n=ON_BEHALF_MAX),
    )
    cost = details.estimated_cost
    if not isinstance(cost, Decimal) or not cost.is_finite():
        raise InvalidInput(_l("Escribe el costo estimado en pesos."), field="estimated_cost")
    if cost < 0:
        raise InvalidInput(_l("El costo estimado no puede ser negativo."), field="estimated_cost")
    if cost > MONEY_LIMIT:
        raise InvalidInput(_l("El costo estimado es demasiado alto; revísalo."), field="estimated_cost")
    territory_id = details.territory_id
    if territory_id is not None and not any(t.id == territory_id for t in territory_choices(call)):
        raise InvalidInput(
            _l("Elige una comuna o un corregimiento de esta convocatoria, o «Toda la ciudad»."), field="territory_id"
        )
    if any(not _is_id(group_id) for group_id in details.target_group_ids):
        raise InvalidInput(_l("Alguno de los grupos de valor elegidos no existe."), field="target_group_ids")
    groups = rows_by_id(
        TargetGroup,
        details.target_group_ids,
        _l("Alguno de los grupos de valor elegidos no existe."),
        "target_group_ids",
    )
    return dict(
        title=title,
        problem=problem,
        description=description,
        on_behalf_of=on_behalf_of,
        estimated_cost=cost,
        territory_id=territory_id,
        target_groups=groups,
    )


# --- The forum contribution behind a proposal ------------------------------------------------------


def linkable_forum_post(call: ProposalCall, post_id) -> ForumPost | None:
    """A forum problem or proposal a proposal of ``call`` may come from: a published contribution of a
    forum of the same organism (with its forum and its problem loaded), or None."""
    if not _is_id(post_id):
        return None
    return db.session.scalar(
        select(ForumPost)
        .join(Forum, Forum.id == ForumPost.forum_id)
        .join(Space, Space.id == Forum.space_id)
        .where(
            ForumPost.id == post_id,
            ForumPost.thread_id.is_(None),
            ForumPost.status == PostStatus.PUBLISHED,
            ForumPost.kind.in_((ContributionKind.PROBLEM, ContributionKind.PROPOSAL)),
            Space.organism_id == call.space.organism_id,
            Space.state != SpaceState.DRAFT,
        )
        .options(joinedload(ForumPost.forum), joinedload(ForumPost.parent), joinedload(ForumPost.author).lazyload("*"))
    )


def prefill_from_forum_post(post: ForumPost) -> dict:
    """The form values a forum contribution suggests: a problem gives the problem; a forum proposal
    gives the title, its description, and the problem it answers."""
    body_text = html.unescape(_ANY_TAG.sub(" ", post.body or ""))
    body_text = re.sub(r"[ \t]+", " ", body_text).strip()
    if post.kind is ContributionKind.PROBLEM:
        return {"problem": f"{post.title}. {body_text}"[:PROBLEM_MAX]}
    values = {"title": post.title, "description": post.body}
    if post.parent is not None and post.parent.status is PostStatus.PUBLISHED:
        values["problem"] = post.parent.title
    return values


# --- Submitting, editing, withdrawing ------------------------------------------------------------


def _quoted(title: str) -> str:
    return title if len(title) <= QUOTED_TITLE_MAX else title[: QUOTED_TITLE_MAX - 1] + "…"


def proposal_path(proposal: Proposal) -> str:
    return path_for("proposals.show", space_id=proposal.call.space_id, proposal_id=proposal.id)


def _author_ids(proposal: Proposal) -> list[int]:
    """The author and the accepted co-authors."""
    ids = [proposal.author_id] if proposal.author_id is not None else []
    return ids + [c.user_id for c in proposal.coauthors if c.accepted_at is not None]


def _follower_ids(proposal: Proposal) -> list[int]:
    return list(
        db.session.scalars(select(proposal_follows.c.user_id).where(proposal_follows.c.proposal_id == proposal.id))
    )


def _pages_changed(proposal: Proposal) -> None:
    """The last statement of every writer that changes what anonymous visitors see of ``proposal``:
    the call's pages, and the thread page of the forum contribution the proposal carries, which lists
    the proposals taking it up (title, status). The forum first, then the call: the order
    foro.services.accounts takes them in, so writers never deadlock on the two rows."""
    if proposal.forum_post_id is not None:
        bump_forum_revision(db.session.scalar(select(ForumPost.forum_id).where(ForumPost.id == proposal.forum_post_id)))
    bump_call_revision(proposal.call_id)


def submit_proposal(actor: User, call: ProposalCall, details: ProposalDetails) -> Proposal:
    """A new proposal by ``actor`` in ``call``, who then follows it.

    Rules: logged in, not suspended from the space, while the proposing window runs; title (≤200) and
    problem (≤2,000) plain text, description sanitised HTML (≤10,000), all required; the territory is
    one of the call's (None: the whole city); the cost in pesos is 0 or more; target groups exist;
    "on behalf of" ≤200; a forum contribution, if named, is a published problem or proposal of a forum
    of the same organism. Raises NotAllowed, InvalidTransition or InvalidInput (naming the field).
    """
    refusal = submit_refusal(actor, call, current_window(call))
    if refusal is not None:
        raise refusal
    values = _checked_details(call, details)
    forum_post_id = None
    if details.forum_post_id is not None:
        post = linkable_forum_post(call, details.forum_post_id)
        if post is None:
            raise InvalidInput(
                _l("El aporte del foro elegido no existe o no es un problema o una propuesta de este organismo."),
                field="forum_post_id",
            )
        forum_post_id = post.id
    groups = values.pop("target_groups")
    proposal = Proposal(
        call_id=call.id,
        author_id=actor.id,
        kind=ProposalKind.ORIGINAL,
        status=ProposalStatus.PUBLISHED,
        forum_post_id=forum_post_id,
        **values,
    )
    proposal.target_groups = groups
    db.session.add(proposal)
    db.session.flush()
    db.session.execute(insert(proposal_follows).values(proposal_id=proposal.id, user_id=actor.id))
    _pages_changed(proposal)
    return proposal


def edit_proposal(actor: User, proposal: Proposal, details: ProposalDetails) -> Proposal:
    """Authors and accepted co-authors change their proposal until the proposing window closes.

    The same rules as ``submit_proposal``; the forum contribution is kept. Raises NotAllowed,
    InvalidTransition or InvalidInput.
    """
    refusal = _edit_refusal(actor, proposal, current_window(proposal.call))
    if refusal is not None:
        raise refusal
    values = _checked_details(proposal.call, details)
    proposal.target_groups = values.pop("target_groups")
    for name, value in values.items():
        setattr(proposal, name, value)
    db.session.flush()
    _pages_changed(proposal)
    return proposal


def withdraw_proposal(actor: User, proposal: Proposal) -> Proposal:
    """The authors withdraw their proposal while the proposing window runs. It stays as a record
    (status withdrawn) and its followers are told. Raises NotAllowed, InvalidTransition or Conflict."""
    refusal = _edit_refusal(actor, proposal, current_window(proposal.call))
    if refusal is not None:
        raise refusal
    changed = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.PUBLISHED)
        .values(status=ProposalStatus.WITHDRAWN, updated_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(_l("Esta propuesta cambió mientras tanto. Recarga la página e inténtalo de nuevo."))
    db.session.expire(proposal, ["status", "updated_at"])
    message = str(_l("Se retiró la propuesta «%(title)s», que sigues.", title=_quoted(proposal.title)))
    notify_each(
        [Notice(uid, NotificationKind.FOLLOWED_ITEM, message) for uid in _follower_ids(proposal) if uid != actor.id],
        proposal_path(proposal),
    )
    _pages_changed(proposal)
    return proposal


# --- Supports --------------------------------------------------------------------------------------


def _support_refusal(actor, proposal: Proposal, window: CallWindow) -> DomainError | None:
    if permissions.can_support_proposal(actor, proposal, window):
        return None
    if not _is_active(actor):
        return NotAllowed(_l("Inicia sesión para apoyar una propuesta."))
    if proposal.status is not ProposalStatus.PUBLISHED:
        return InvalidTransition(_l("Solo se pueden apoyar propuestas publicadas."))
    if permissions.is_proposal_author(actor, proposal):
        return NotAllowed(_l("No puedes apoyar tu propia propuesta."))
    return _window_closed(window, _l("Los apoyos se reciben mientras la convocatoria recibe propuestas."))


def _add_to_supports(proposal: Proposal, delta: int) -> int:
    """Change the counter in SQL, only while the proposal is published; returns the rows changed."""
    changed = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.PUBLISHED)
        .values(supports_count=Proposal.supports_count + delta)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(proposal, ["supports_count"])
    return changed


def support(actor: User, proposal: Proposal) -> None:
    """One support of ``actor`` for a published proposal while proposals are received; not for its
    authors. The row goes in a savepoint: a second support (two at once too) hits the primary key and
    is a Conflict; the counter grows in SQL, and only if the proposal is still published (a merge
    running at the same time wins). Raises NotAllowed, InvalidTransition or Conflict."""
    refusal = _support_refusal(actor, proposal, current_window(proposal.call))
    if refusal is not None:
        raise refusal
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(ProposalSupport).values(proposal_id=proposal.id, user_id=actor.id, created_at=now_utc())
            )
            if _add_to_supports(proposal, 1) != 1:
                raise InvalidTransition(_l("Solo se pueden apoyar propuestas publicadas."))
    except IntegrityError:
        raise Conflict(_l("Ya apoyaste esta propuesta.")) from None
    bump_call_revision(proposal.call_id)


def retract_support(actor: User, proposal: Proposal) -> None:
    """Take one's support back while proposals are received. Raises like ``support``, or Conflict if
    there was none."""
    refusal = _support_refusal(actor, proposal, current_window(proposal.call))
    if refusal is not None:
        raise refusal
    removed = db.session.execute(
        delete(ProposalSupport)
        .where(ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed != 1:
        raise Conflict(_l("No habías apoyado esta propuesta."))
    if _add_to_supports(proposal, -1) != 1:
        raise InvalidTransition(_l("Solo se pueden apoyar propuestas publicadas."))
    bump_call_revision(proposal.call_id)


# --- Comments --------------------------------------------------------------------------------------


def comment(actor: User, proposal: Proposal, body: str) -> ProposalComment:
    """A comment on a published proposal while proposing, concertation or voting run; not while
    suspended from the space. The authors and the followers are told. Raises NotAllowed,
    InvalidTransition or InvalidInput."""
    window = current_window(proposal.call)
    suspension = suspended_until(actor, proposal.call.space) if _is_active(actor) else None
    if not permissions.can_comment_proposal(actor, proposal, window, suspended=suspension is not None):
        if not _is_active(actor):
            raise NotAllowed(_l("Inicia sesión para comentar."))
        if suspension is not None:
            raise NotAllowed(_l("Estás suspendido de este espacio: no puedes comentar por ahora."))
        if proposal.status is not ProposalStatus.PUBLISHED:
            raise InvalidTransition(_l("Solo se pueden comentar propuestas publicadas."))
        raise _window_closed(window, _l("La convocatoria ya no recibe comentarios."))
    cleaned = clean_rich_text(
        body,
        field_name="body",
        required_message=_l("Escribe tu comentario: es un campo obligatorio."),
        limit=COMMENT_MAX,
    )
    new_comment = ProposalComment(proposal_id=proposal.id, author_id=actor.id, body=cleaned, created_at=now_utc())
    db.session.add(new_comment)
    db.session.flush()
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(comments_count=Proposal.comments_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(proposal, ["comments_count"])
    title = _quoted(proposal.title)
    to_authors = str(_l("%(name)s comentó tu propuesta «%(title)s».", name=actor.public_name, title=title))
    to_followers = str(
        _l("%(name)s comentó la propuesta «%(title)s», que sigues.", name=actor.public_name, title=title)
    )
    notices = [Notice(uid, NotificationKind.PROPOSAL, to_authors) for uid in _author_ids(proposal)]
    notices += [Notice(uid, NotificationKind.FOLLOWED_ITEM, to_followers) for uid in _follower_ids(proposal)]
    notify_each([n for n in notices if n.user_id != actor.id], proposal_path(proposal))
    bump_call_revision(proposal.call_id)
    return new_comment


# --- Co-authors ------------------------------------------------------------------------------------


def invite_refusal(actor, proposal: Proposal, window: CallWindow) -> DomainError | None:
    """Why ``actor`` may not invite co-authors to ``proposal`` now (None if they may)."""
    if permissions.can_invite_coauthor(actor, proposal, window):
        return None
    if _is_active(actor) and proposal.author_id == actor.id:
        return _edit_refusal(actor, proposal, window) or InvalidTransition(
            _l("Ya no se pueden invitar coautores a esta propuesta.")
        )
    return NotAllowed(_l("Solo quien presentó la propuesta puede invitar coautores."))


def invite_coauthor(actor: User, proposal: Proposal, email: str) -> User:
    """The author invites a registered, active person, by email, to co-author (returned); they are
    notified and accept or decline. Not oneself, not twice, at most 10. Raises NotAllowed, InvalidTransition,
    InvalidInput (field "email") or Conflict."""
    refusal = invite_refusal(actor, proposal, current_window(proposal.call))
    if refusal is not None:
        raise refusal
    address = normalise_email(email)
    if is_blank(address) or "@" not in address:
        raise InvalidInput(_l("Escribe el correo electrónico de la persona que quieres invitar."), field="email")
    invitee = db.session.scalar(select(User).where(User.email == address, User.deleted_at.is_(None)))
    if invitee is None:
        raise InvalidInput(
            _l("No hay ninguna cuenta activa con ese correo. La persona debe registrarse en Foro antes."),
            field="email",
        )
    if invitee.id == proposal.author_id:
        raise InvalidInput(_l("No puedes invitarte a ti mismo: ya eres autor de la propuesta."), field="email")
    if len(proposal.coauthors) >= COAUTHORS_MAX:
        raise InvalidInput(_l("Una propuesta admite hasta %(n)s coautores.", n=COAUTHORS_MAX), field="email")
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(ProposalCoauthor).values(proposal_id=proposal.id, user_id=invitee.id, invited_at=now_utc())
            )
    except IntegrityError:
        raise Conflict(_l("Ya invitaste a esta persona."), field="email") from None
    notify(
        invitee,
        NotificationKind.PROPOSAL,
        str(
            _l(
                "%(name)s te invitó a ser coautor o coautora de la propuesta «%(title)s». Acepta o rechaza la "
                "invitación en la página de la propuesta.",
                name=actor.public_name,
                title=_quoted(proposal.title),
            )
        ),
        proposal_path(proposal),
    )
    db.session.expire(proposal, ["coauthors"])
    return invitee


def respond_invitation(actor: User, proposal: Proposal, *, accept: bool) -> None:
    """The invitee accepts (while the proposal is published and the call running) or declines (a
    co-author may also leave this way). The author is told. Raises NotAllowed, InvalidTransition or
    Conflict."""
    if not _is_active(actor):
        raise NotAllowed(_l("Inicia sesión para responder la invitación."))
    invitation = db.session.get(ProposalCoauthor, (proposal.id, actor.id), with_for_update=True)
    if invitation is None:
        raise NotAllowed(_l("No tienes una invitación para ser coautor o coautora de esta propuesta."))
    title = _quoted(proposal.title)
    if accept:
        if invitation.accepted_at is not None:
            raise Conflict(_l("Ya eres coautor o coautora de esta propuesta."))
        window = current_window(proposal.call)
        if proposal.status is not ProposalStatus.PUBLISHED or window not in (
            CallWindow.PROPOSING,
            CallWindow.CONCERTATION,
            CallWindow.VOTING,
        ):
            raise InvalidTransition(_l("Esta propuesta ya no admite nuevos coautores."))
        invitation.accepted_at = now_utc()
        message = _l(
            "%(name)s aceptó ser coautor o coautora de tu propuesta «%(title)s».", name=actor.public_name, title=title
        )
    else:
        db.session.delete(invitation)
        message = _l(
            "%(name)s no será coautor o coautora de tu propuesta «%(title)s».", name=actor.public_name, title=title
        )
    db.session.flush()
    db.session.expire(proposal, ["coauthors"])
    if proposal.author is not None:
        notify(proposal.author, NotificationKind.PROPOSAL, str(message), proposal_path(proposal))
    # Accepted co-authors are named with the author on the list and the proposal page (one who leaves too).
    bump_call_revision(proposal.call_id)


# --- Follows ---------------------------------------------------------------------------------------


def _require_follower(actor, proposal: Proposal) -> None:
    if not permissions.can_follow(actor):
        raise NotAllowed(_l("Inicia sesión para seguir una propuesta."))
    if not permissions.can_see_proposal(actor, proposal, proposal.call.space):
        raise NotFound(_l("Esta propuesta no existe."))


def follow(actor: User, proposal: Proposal) -> None:
    """Follow a proposal to be told of its comments, merges and answer. Raises NotAllowed, NotFound or
    Conflict."""
    _require_follower(actor, proposal)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(proposal_follows).values(proposal_id=proposal.id, user_id=actor.id))
    except IntegrityError:
        raise Conflict(_l("Ya sigues esta propuesta.")) from None


def unfollow(actor: User, proposal: Proposal) -> None:
    _require_follower(actor, proposal)
    removed = db.session.execute(
        delete(proposal_follows).where(
            proposal_follows.c.proposal_id == proposal.id, proposal_follows.c.user_id == actor.id
        )
    ).rowcount
    if removed != 1:
        raise Conflict(_l("No seguías esta propuesta."))


# --- Moderation: merging duplicates, hiding --------------------------------------------------------


def _lock_proposals(*ids: int) -> dict[int, Proposal]:
    """The proposals, re-read and locked for update in id order (so two merges cannot deadlock)."""
    rows = db.session.scalars(
        select(Proposal)
        .where(Proposal.id.in_(ids))
        .order_by(Proposal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def merge_refusal(actor, call: ProposalCall, window: CallWindow) -> DomainError | None:
    """Why ``actor`` may not merge proposals of ``call`` now (None if they may)."""
    if permissions.can_merge_proposals(actor, call.space, window):
        return None
    if not permissions.can_moderate(actor, call.space):
        return NotAllowed(_l("Solo las personas moderadoras del espacio pueden unir propuestas."))
    return _window_closed(window, _l("Las propuestas duplicadas se unen antes de que empiece la votación."))


def merge_proposals(actor: User, duplicate: Proposal, target_id, reason: str) -> Proposal:
    """A moderator merges ``duplicate`` into the proposal ``target_id`` of the same call, before the vote.

    The duplicate becomes "merged" (merged_into, by, at) and stays as a record; earlier merges into it
    now point at the target. Its supports carry over without counting twice anyone who supported both
    (INSERT ... SELECT of the missing ones; the target's authors are left out, as they may not support
    their own proposal), then the target's counter is recounted in SQL; its followers follow the
    target. The authors of both and the duplicate's followers are told, with the reason.
    Both rows are locked, so a support or another merge running at the same time is counted once.
    Raises NotAllowed, InvalidTransition, InvalidInput (fields "into", "reason") or Conflict.
    """
    call = duplicate.call
    refusal = merge_refusal(actor, call, current_window(call))
    if refusal is not None:
        raise refusal
    reason = _plain(
        reason,
        field_name="reason",
        required_message=_l("Explica por qué estas propuestas son duplicadas."),
        limit=MERGE_REASON_MAX,
        limit_message=_l("El motivo admite hasta %(n)s caracteres.", n=MERGE_REASON_MAX),
    )
    target = db.session.get(Proposal, target_id) if _is_id(target_id) else None
    if target is None or target.call_id != call.id:
        raise InvalidInput(_l("Elige una propuesta de esta misma convocatoria."), field="into")
    if target.id == duplicate.id:
        raise InvalidInput(_l("Una propuesta no se puede unir consigo misma."), field="into")
    locked = _lock_proposals(duplicate.id, target.id)
    duplicate, target = locked[duplicate.id], locked[target.id]
    if duplicate.status is not ProposalStatus.PUBLISHED:
        raise Conflict(_l("Esta propuesta ya no está publicada: está «%(status)s».", status=duplicate.status.label))
    if target.status is not ProposalStatus.PUBLISHED:
        raise InvalidInput(_l("Solo puedes unirla a una propuesta publicada."), field="into")
    if duplicate.kind is not ProposalKind.ORIGINAL:
        raise InvalidTransition(_l("Una propuesta concertada no se une como duplicada."))
    if db.session.scalar(select(exists().where(proposal_origins.c.original_id == duplicate.id))):
        raise InvalidTransition(_l("Esta propuesta ya hace parte de una propuesta concertada."))

    moment = now_utc()
    duplicate.status = ProposalStatus.MERGED
    duplicate.merged_into_id = target.id
    duplicate.merged_by_id = actor.id
    duplicate.merged_at = moment
    duplicate.merge_reason = reason
    db.session.flush()
    db.session.execute(
        update(Proposal)
        .where(Proposal.merged_into_id == duplicate.id)
        .values(merged_into_id=target.id)
        .execution_options(synchronize_session=False)
    )
    target_authors = _author_ids(target)
    already = select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == target.id)
    db.session.execute(
        insert(ProposalSupport).from_select(
            ["proposal_id", "user_id", "created_at"],
            select(literal(target.id, Integer), ProposalSupport.user_id, ProposalSupport.created_at).where(
                ProposalSupport.proposal_id == duplicate.id,
                ProposalSupport.user_id.not_in(already),
                ProposalSupport.user_id.not_in(target_authors or [0]),
            ),
        )
    )
    recount = (
        select(func.count())
        .select_from(ProposalSupport)
        .where(ProposalSupport.proposal_id == target.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == target.id)
        .values(supports_count=recount)
        .execution_options(synchronize_session=False)
    )
    following = select(proposal_follows.c.user_id).where(proposal_follows.c.proposal_id == target.id)
    db.session.execute(
        insert(proposal_follows).from_select(
            ["proposal_id", "user_id"],
            select(literal(target.id, Integer), proposal_follows.c.user_id).where(
                proposal_follows.c.proposal_id == duplicate.id, proposal_follows.c.user_id.not_in(following)
            ),
        )
    )
    db.session.expire(target, ["supports_count"])

    values = dict(duplicate=_quoted(duplicate.title), target=_quoted(target.title), reason=reason)
    to_duplicate = str(
        _l(
            "Tu propuesta «%(duplicate)s» se unió a «%(target)s», que era igual o muy parecida. Motivo: %(reason)s",
            **values,
        )
    )
    to_target = str(
        _l(
            "La propuesta «%(duplicate)s» se unió a tu propuesta «%(target)s»; sus apoyos se suman. Motivo: %(reason)s",
            **values,
        )
    )
    notices = [Notice(uid, NotificationKind.PROPOSAL, to_duplicate) for uid in _author_ids(duplicate)]
    notices += [Notice(uid, NotificationKind.PROPOSAL, to_target) for uid in target_authors]
    to_followers = str(_l("La propuesta «%(duplicate)s», que sigues, se unió a «%(target)s».", **values))
    notices += [Notice(uid, NotificationKind.FOLLOWED_ITEM, to_followers) for uid in _follower_ids(duplicate)]
    notify_each([n for n in notices if n.user_id != actor.id], proposal_path(target))
    _pages_changed(duplicate)
    return target


def moderate_proposal(actor: User, proposal: Proposal, *, hide: bool, reason: str = "") -> Proposal:
    """A moderator of the space hides a published proposal with a public reason (its authors still see
    it), or restores a hidden one. The authors are told. Raises NotAllowed, InvalidInput or Conflict."""
    if not permissions.can_moderate(actor, proposal.call.space):
        raise NotAllowed(_l("Solo las personas moderadoras del espacio pueden ocultar o restaurar propuestas."))
    if hide:
        reason = _plain(
            reason,
            field_name="reason",
            required_message=_l("Explica por qué se oculta la propuesta: el motivo es público."),
            limit=HIDE_REASON_MAX,
            limit_message=_l("El motivo admite hasta %(n)s caracteres.", n=HIDE_REASON_MAX),
        )
    before, after = (
        (ProposalStatus.PUBLISHED, ProposalStatus.HIDDEN) if hide else (ProposalStatus.HIDDEN, ProposalStatus.PUBLISHED)
    )
    changed = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == before)
        .values(status=after, hidden_reason=reason if hide else "", updated_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(_l("Esta propuesta no está publicada.") if hide else _l("Esta propuesta no está oculta."))
    db.session.expire(proposal)
    title = _quoted(proposal.title)
    if hide:
        message = _l("La moderación ocultó tu propuesta «%(title)s». Motivo: %(reason)s", title=title, reason=reason)
    else:
        message = _l("La moderación volvió a publicar tu propuesta «%(title)s».", title=title)
    notify_each(
        [Notice(uid, NotificationKind.PROPOSAL, str(message)) for uid in _author_ids(proposal) if uid != actor.id],
        proposal_path(proposal),
    )
    _pages_changed(proposal)
    return proposal


# --- Reading ---------------------------------------------------------------------------------------


def order_choices(call: ProposalCall, window: CallWindow) -> list[str]:
    """The sort keys offered: by votes only once vote totals may be seen."""
    keys = ["apoyos", "recientes", "comentadas"]
    if permissions.can_see_vote_totals(call, window):
        keys.append("votos")
    return keys


def _authors_loaded():
    return (
        joinedload(Proposal.author).lazyload("*"),
        selectinload(Proposal.coauthors).joinedload(ProposalCoauthor.user).lazyload("*"),
    )


def proposal_list(
    call: ProposalCall, order: str, territory_id: int | None, page: int, window: CallWindow
) -> Pagination:
    """One page (20) of the call's published proposals, by ``order`` (an unknown or not yet allowed key
    means "apoyos"), optionally of one territory, each with its territory, author and co-authors.
    Three queries whatever the number of proposals, supports and votes: the count, the page, the
    co-authors of the page."""
    if order not in order_choices(call, window):
        order = DEFAULT_ORDER
    query = (
        select(Proposal)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.PUBLISHED)
        .options(joinedload(Proposal.territory), *_authors_loaded())
        .order_by(*LIST_ORDERS[order])
    )
    if territory_id is not None:
        query = query.where(Proposal.territory_id == territory_id)
    return db.paginate(query, page=min(max(page, 1), MAX_PAGE), per_page=PER_PAGE, error_out=False)


@dataclass
class CallSummary:
    """What the space page shows of its call."""

    call: ProposalCall
    window: CallWindow
    proposals: int


def call_summary(space: Space) -> CallSummary | None:
    """The call of ``space`` (None if not configured yet) and its published proposals, in two queries."""
    call = db.session.scalar(select(ProposalCall).where(ProposalCall.space_id == space.id))
    if call is None:
        return None
    count = db.session.scalar(
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.PUBLISHED)
    )
    return CallSummary(call=call, window=call.window_at(now_utc()), proposals=count)


def load_proposal(call: ProposalCall, proposal_id: int, viewer) -> Proposal | None:
    """A proposal of ``call`` that ``viewer`` may see, with what its page shows, or None."""
    proposal = db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, Proposal.call_id == call.id)
        .options(
            joinedload(Proposal.territory),
            *_authors_loaded(),
            selectinload(Proposal.target_groups),
        )
    )
    if proposal is None or not permissions.can_see_proposal(viewer, proposal, call.space):
        return None
    return proposal


@dataclass
class ViewerState:
    supported: bool = False
    following: bool = False
    # "pending", "accepted" or None: the viewer's co-author invitation.
    invitation: str | None = None
    suspended: bool = False


def viewer_state(viewer, proposal: Proposal) -> ViewerState:
    """What the page needs about the viewer, in one query."""
    if not _is_active(viewer):
        return ViewerState()
    supported = exists().where(ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == viewer.id)
    following = exists().where(proposal_follows.c.proposal_id == proposal.id, proposal_follows.c.user_id == viewer.id)
    suspended = exists().where(
        SpaceSuspension.space_id == proposal.call.space_id,
        SpaceSuspension.user_id == viewer.id,
        SpaceSuspension.until > now_utc(),
    )
    row = db.session.execute(select(supported, following, suspended)).one()
    invitation = next((c for c in proposal.coauthors if c.user_id == viewer.id), None)
    state = None if invitation is None else ("accepted" if invitation.accepted_at else "pending")
    return ViewerState(supported=bool(row[0]), following=bool(row[1]), invitation=state, suspended=bool(row[2]))


@dataclass
class ProposalPage:
    """Everything about one proposal and its fate (what became of it)."""

    proposal: Proposal
    window: CallWindow
    viewer: ViewerState
    comments: Pagination
    forum_post: ForumPost | None
    merged_into: Proposal | None
    merged_from: list[Proposal]
    # For a concerted proposal: its originals, and their authors' endorsements and objections.
    origins: list[Proposal]
    endorsements: list[ProposalEndorsement]
    # For an original: the concerted proposal it went into.
    concerted_into: Proposal | None
    answer: ProposalAnswer | None
    merge_candidates: list[Proposal]


def proposal_page(proposal: Proposal, viewer, page: int = 1) -> ProposalPage:
    call = proposal.call
    window = call.window_at(now_utc())
    space = call.space
    forum_post = None
    if proposal.forum_post_id is not None:
        forum_post = db.session.scalar(
            select(ForumPost).where(ForumPost.id == proposal.forum_post_id).options(joinedload(ForumPost.forum))
        )
    merged_into = None
    if proposal.merged_into_id is not None:
        merged_into = db.session.get(Proposal, proposal.merged_into_id)
    merged_from = list(
        db.session.scalars(
            select(Proposal).where(Proposal.merged_into_id == proposal.id).order_by(Proposal.merged_at, Proposal.id)
        )
    )
    origins: list[Proposal] = []
    endorsements: list[ProposalEndorsement] = []
    concerted_into = None
    if proposal.kind is ProposalKind.CONCERTED:
        origins = list(
            db.session.scalars(
                select(Proposal)
                .join(proposal_origins, proposal_origins.c.original_id == Proposal.id)
                .where(proposal_origins.c.concerted_id == proposal.id)
                .options(joinedload(Proposal.author).lazyload("*"))
                .order_by(Proposal.id)
            )
        )
        endorsements = list(
            db.session.scalars(
                select(ProposalEndorsement)
                .where(ProposalEndorsement.concerted_id == proposal.id)
                .options(joinedload(ProposalEndorsement.user).lazyload("*"))
                .order_by(ProposalEndorsement.created_at, ProposalEndorsement.user_id)
            )
        )
    else:
        concerted_into = db.session.scalar(
            select(Proposal)
            .join(proposal_origins, proposal_origins.c.concerted_id == Proposal.id)
            .where(proposal_origins.c.original_id == proposal.id)
        )
    answer = db.session.scalar(
        select(ProposalAnswer)
        .where(ProposalAnswer.proposal_id == proposal.id)
        .options(joinedload(ProposalAnswer.action))
    )
    comments = db.paginate(
        select(ProposalComment)
        .where(ProposalComment.proposal_id == proposal.id, ProposalComment.is_hidden.is_(False))
        .options(joinedload(ProposalComment.author).lazyload("*"))
        .order_by(ProposalComment.created_at, ProposalComment.id),
        page=min(max(page, 1), MAX_PAGE),
        per_page=COMMENTS_PER_PAGE,
        error_out=False,
    )
    candidates: list[Proposal] = []
    if proposal.status is ProposalStatus.PUBLISHED and permissions.can_merge_proposals(viewer, space, window):
        candidates = list(
            db.session.scalars(
                select(Proposal)
                .where(
                    Proposal.call_id == call.id,
                    Proposal.status == ProposalStatus.PUBLISHED,
                    Proposal.id != proposal.id,
                )
                .order_by(Proposal.title, Proposal.id)
            )
        )
    return ProposalPage(
        proposal=proposal,
        window=window,
        viewer=viewer_state(viewer, proposal),
        comments=comments,
        forum_post=forum_post,
        merged_into=merged_into,
        merged_from=merged_from,
        origins=origins,
        endorsements=endorsements,
        concerted_into=concerted_into,
        answer=answer,
        merge_candidates=candidates,
    )
