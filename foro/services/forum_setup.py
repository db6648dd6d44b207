"""Opening and configuring a forum, and closing it with its synthesis (relatoría).

A forum is a space of kind forum (dates, moderators and lifecycle belong to the space) plus its Forum
row: topic, context, rules, moderation settings and guiding axes. The organism's staff open and edit
it until the space closes. Once it is closed, its moderators or the organism's staff publish the
relatoría, which cites the contributions it draws on and moves the space to "results published".
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    ContributionKind,
    Forum,
    ForumAxis,
    ForumPost,
    ModerationMode,
    PostStatus,
    Space,
    SpaceKind,
    SpaceState,
    User,
    synthesis_citations,
)
from foro.models.forum import TITLE_MAX
from foro.sanitize import clean_user_html, is_blank, normalise_plain_text
from foro.services.page_cache import bump_forum_revision
from foro.services.spaces import change_space_state
from foro.timeutil import now_utc

TOPIC_MAX = TITLE_MAX
CONTEXT_MAX = 20_000
RULES_MAX = 20_000
SYNTHESIS_MAX = 20_000
AXES_MIN = 1
AXES_MAX = 12
AXIS_TITLE_MAX = 150
AXIS_DESCRIPTION_MAX = 500
FLAG_THRESHOLD_MIN = 1
FLAG_THRESHOLD_MAX = 50
DEFAULT_FLAG_THRESHOLD = 3

# Offered when a forum is opened; the official adapts it. It is stored (cleaned) like any other rules text.
DEFAULT_RULES = _l(
    "<p>Este foro es un espacio para analizar juntos un problema de la ciudad, no una lista de peticiones.</p>"
    "<ul>"
    "<li>Clasifica tu aporte: un problema, una causa o una consecuencia de un problema, una propuesta, "
    "una pregunta u otro aporte.</li>"
    "<li>Escribe sobre el tema y el eje del foro; los aportes fuera de tema pueden ocultarse.</li>"
    "<li>Respeta a las demás personas: no se permiten insultos, amenazas ni discriminación.</li>"
    "<li>No publiques datos personales tuyos ni de otras personas (teléfonos, direcciones, documentos).</li>"
    "<li>No publiques publicidad ni propaganda política.</li>"
    "</ul>"
    "<p>Puedes reportar los aportes que incumplan estas reglas. Las personas moderadoras revisan los reportes "
    "y, si ocultan un aporte, le explican el motivo a su autor.</p>"
)

# "Title — description": a dash (em, en or hyphen) with spaces around it; "Bien-estar" is one word.
_AXIS_SEPARATOR = re.compile(r"(?:^|\s+)[—–-](?:\s+|$)")


@dataclass(frozen=True)
class AxisSpec:
    """A guiding axis as the official writes it."""

    title: str
    description: str = ""


@dataclass
class ForumDetails:
    """The editable settings of a forum, as plain values (from a form, the CLI or a test)."""

    topic: str
    context: str = ""
    rules: str = ""
    moderation_mode: ModerationMode = ModerationMode.POST
    flag_threshold: int = DEFAULT_FLAG_THRESHOLD
    axes: list[AxisSpec] = field(default_factory=list)


def parse_axes(text: str) -> list[AxisSpec]:
    """The axes of a textarea: one per non-empty line, its title optionally followed by " — description"."""
    axes = []
    for line in (text or "").splitlines():
        line = normalise_plain_text(line)
        if is_blank(line):
            continue
        title, *description = _AXIS_SEPARATOR.split(line, maxsplit=1)
        axes.append(AxisSpec(title.strip(), description[0].strip() if description else ""))
    return axes


def format_axes(axes: list[ForumAxis]) -> str:
    """The textarea text of stored axes (the inverse of ``parse_axes``)."""
    return "\n".join(f"{axis.title} — {axis.description}" if axis.description else axis.title for axis in axes)


def _lock_space(space: Space) -> Space:
    """The space row, locked for this transaction and re-read, so that checks see its current state."""
    return db.session.execute(
        select(Space).where(Space.id == space.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _checked_axes(axes: list[AxisSpec]) -> list[AxisSpec]:
    if not AXES_MIN <= len(axes) <= AXES_MAX:
        raise InvalidInput(
            _l("Escribe entre %(min)s y %(max)s ejes, uno por línea.", min=AXES_MIN, max=AXES_MAX), field="axes"
        )
    seen = set()
    for axis in axes:
        title = normalise_plain_text(axis.title)
        if is_blank(title):
            raise InvalidInput(_l("Cada eje necesita un título antes del guion."), field="axes")
        if len(title) > AXIS_TITLE_MAX:
            raise InvalidInput(
                _l("El título del eje «%(title)s…» supera los %(n)s caracteres.", title=title[:40], n=AXIS_TITLE_MAX),
                field="axes",
            )
        if len(axis.description) > AXIS_DESCRIPTION_MAX:
            raise InvalidInput(
                _l(
                    "La descripción del eje «%(title)s» supera los %(n)s caracteres.",
                    title=title,
                    n=AXIS_DESCRIPTION_MAX,
                ),
                field="axes",
            )
        # "Movilidad" and "movilidad" would look like the same axis to participants.
        if title.casefold() in seen:
            raise InvalidInput(_l("El eje «%(title)s» está repetido.", title=title), field="axes")
        seen.add(title.casefold())
    return [AxisSpec(normalise_plain_text(axis.title), normalise_plain_text(axis.description)) for axis in axes]


def _apply_axes(forum: Forum, specs: list[AxisSpec]) -> None:
    """Keep the axes whose title (case aside) is still listed, add new ones, drop unused ones, in list order.

    An axis that already has contributions cannot be removed: they would lose their place in the forum.
    """
    existing = {axis.title.casefold(): axis for axis in forum.axes}
    wanted = {spec.title.casefold() for spec in specs}
    removed = [axis for key, axis in existing.items() if key not in wanted]
    if removed and forum.id is not None:
        used = dict(
            db.session.execute(
                select(ForumPost.axis_id, func.count())
                .where(ForumPost.axis_id.in_([axis.id for axis in removed]))
                .group_by(ForumPost.axis_id)
            ).all()
        )
        for axis in removed:
            if used.get(axis.id):
                raise InvalidInput(
                    lazy_ngettext(
                        "No puedes quitar el eje «%(title)s»: ya tiene %(num)d aporte. Déjalo en la lista; "
                        "puedes cambiar su descripción.",
                        "No puedes quitar el eje «%(title)s»: ya tiene %(num)d aportes. Déjalo en la lista; "
                        "puedes cambiar su descripción.",
                        used[axis.id],
                        title=axis.title,
                    ),
                    field="axes",
                )
    axes = []
    for position, spec in enumerate(specs):
        axis = existing.get(spec.title.casefold()) or ForumAxis()
        axis.title = spec.title
        axis.description = spec.description
        axis.position = position
        axes.append(axis)
    forum.axes = axes


def configure_forum(actor: User, space: Space, details: ForumDetails) -> Forum:
    """Open the forum of ``space`` (the first time) or edit its settings.

    Only spaces of kind forum have one, and only the organism's staff may configure it, until the space
    closes (permissions.can_configure_forum). Topic is required (≤200); context and rules are cleaned HTML
    (≤20,000); the flag threshold is 1 to 50; there are 1 to 12 axes with unique titles (≤150). Editing
    keeps the axes still listed (by title), adds the new ones and refuses to remove one that has
    contributions. The space row is locked, so two officials opening the forum at once get one forum.
    Raises NotAllowed, InvalidInput (naming the form field) or Conflict.
    """
    if space.kind is not SpaceKind.FORUM:
        raise InvalidInput(_l("Este espacio no es un foro virtual."))
    space = _lock_space(space)
    if not permissions.can_configure_forum(actor, space):
        raise NotAllowed(
            _l("Solo el personal del organismo puede configurar este foro, y solo hasta que el espacio cierre.")
        )
    topic = normalise_plain_text(details.topic or "")
    if is_blank(topic):
        raise InvalidInput(_l("Escribe el tema del foro."), field="topic")
    if len(topic) > TOPIC_MAX:
        raise InvalidInput(_l("El tema admite hasta %(n)s caracteres.", n=TOPIC_MAX), field="topic")
    if len(details.context or "") > CONTEXT_MAX:
        raise InvalidInput(_l("El contexto admite hasta %(n)s caracteres.", n=CONTEXT_MAX), field="context")
    if len(details.rules or "") > RULES_MAX:
        raise InvalidInput(_l("Las reglas admiten hasta %(n)s caracteres.", n=RULES_MAX), field="rules")
    if not isinstance(details.moderation_mode, ModerationMode):
        raise InvalidInput(_l("Elige cómo se moderan los aportes."), field="moderation_mode")
    if not FLAG_THRESHOLD_MIN <= details.flag_threshold <= FLAG_THRESHOLD_MAX:
        raise InvalidInput(
            _l(
                "El número de reportes debe estar entre %(min)s y %(max)s.",
                min=FLAG_THRESHOLD_MIN,
                max=FLAG_THRESHOLD_MAX,
            ),
            field="flag_threshold",
        )
    axes = _checked_axes(details.axes)

    forum = db.session.scalar(select(Forum).where(Forum.space_id == space.id).options(selectinload(Forum.axes)))
    if forum is None:
        forum = Forum(space=space)
        db.session.add(forum)
    forum.topic = topic
    forum.context = clean_user_html(details.context or "")
    forum.rules = clean_user_html(details.rules or "")
    forum.moderation_mode = details.moderation_mode
    forum.flag_threshold = details.flag_threshold
    _apply_axes(forum, axes)
    try:
        db.session.flush()
    except IntegrityError as error:
        # A contribution filed under a removed axis in the same instant (the foreign key refuses the delete).
        raise Conflict(
            _l("Alguien acaba de aportar en uno de los ejes que quitaste. Recarga la página e inténtalo de nuevo."),
            field="axes",
        ) from error
    bump_forum_revision(forum.id)
    return forum


# --- The synthesis (relatoría) ------------------------------------------------------------------


def check_synthesis_allowed(actor: User, space: Space, forum: Forum) -> None:
    """Raise the reason ``actor`` may not publish the relatoría of ``forum`` now, if there is one.

    Once published it is final (Conflict); it is written while the space is closed (InvalidTransition);
    by the space's moderators or its organism's staff (NotAllowed). The state comes first because it
    is public: everyone learns the same thing from it.
    """
    if forum.synthesis_published_at is not None:
        raise Conflict(_l("La relatoría de este foro ya se publicó."))
    if space.state is not SpaceState.CLOSED:
        raise InvalidTransition(
            _l(
                "La relatoría se escribe cuando el foro está cerrado, y este foro está «%(state)s».",
                state=space.state.label,
            )
        )
    if not permissions.can_publish_synthesis(actor, space):
        raise NotAllowed(
            _l("Solo las personas moderadoras del foro o el personal de su organismo pueden publicar la relatoría.")
        )


def publish_synthesis(actor: User, forum: Forum, *, text: str, cited_post_ids) -> Forum:
    """Publish the relatoría of a closed forum, citing the contributions it draws on.

    The text is required (cleaned HTML, ≤20,000); it cites at least one contribution, and every cited id
    must be a published contribution (thread head) of this forum. In the same transaction the space
    moves to "results published" through ``change_space_state``, under its row lock, so the relatoría
    is published once. Raises Conflict, InvalidTransition, NotAllowed or InvalidInput (naming the field).
    """
    space = _lock_space(forum.space)
    db.session.refresh(forum)
    check_synthesis_allowed(actor, space, forum)
    if is_blank(text):
        raise InvalidInput(_l("Escribe la relatoría: qué se dijo en el foro y qué se concluye."), field="text")
    if len(text) > SYNTHESIS_MAX:
        raise InvalidInput(_l("La relatoría admite hasta %(n)s caracteres.", n=SYNTHESIS_MAX), field="text")
    post_ids = sorted(set(cited_post_ids))
    if not post_ids:
        raise InvalidInput(
            _l("Cita al menos un aporte del foro en el que se basa la relatoría."), field="cited_post_ids"
        )
    found = db.session.scalar(
        select(func.count())
        .select_from(ForumPost)
        .where(
            ForumPost.id.in_(post_ids),
            ForumPost.forum_id == forum.id,
            ForumPost.thread_id.is_(None),
            ForumPost.status == PostStatus.PUBLISHED,
        )
    )
    if found != len(post_ids):
        raise InvalidInput(
            _l("Solo puedes citar aportes publicados de este foro; alguno de los elegidos no lo es."),
            field="cited_post_ids",
        )
    forum.synthesis = clean_user_html(text)
    forum.synthesis_published_at = now_utc()
    forum.synthesis_author_id = actor.id
    db.session.execute(insert(synthesis_citations), [{"forum_id": forum.id, "post_id": pid} for pid in post_ids])
    # change_space_state bumps the forum's revision: the forum page now links to the relatoría.
    change_space_state(actor, space, SpaceState.RESULTS_PUBLISHED, note=str(_l("Relatoría del foro publicada.")))
    return forum


def _by_axis_and_kind(posts: list[ForumPost]) -> list[ForumPost]:
    kinds = list(ContributionKind)
    return sorted(posts, key=lambda post: (post.axis.position, kinds.index(post.kind), -post.supports_count, post.id))


def citable_posts(forum: Forum) -> list[ForumPost]:
    """The contributions a relatoría may cite: the forum's published thread heads, by axis, kind and support."""
    return _by_axis_and_kind(
        list(
            db.session.scalars(
                select(ForumPost)
                .where(
                    ForumPost.forum_id == forum.id,
                    ForumPost.thread_id.is_(None),
                    ForumPost.status == PostStatus.PUBLISHED,
                )
                .options(joinedload(ForumPost.axis))
            )
        )
    )


def cited_posts(forum: Forum) -> list[ForumPost]:
    """The contributions the published relatoría cites that the public may still see, by axis and kind.

    Content hidden by moderation after the relatoría drops out; a withdrawn one stays as a placeholder.
    """
    if forum.synthesis_published_at is None:
        return []
    return _by_axis_and_kind(
        list(
            db.session.scalars(
                select(ForumPost)
                .join(synthesis_citations, synthesis_citations.c.post_id == ForumPost.id)
                .where(
                    synthesis_citations.c.forum_id == forum.id,
                    ForumPost.status.in_((PostStatus.PUBLISHED, PostStatus.WITHDRAWN)),
                )
                .options(joinedload(ForumPost.axis))
            )
        )
    )
