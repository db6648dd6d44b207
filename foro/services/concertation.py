"""Concertation: in the concertation window, the organism's staff or the authors of the originals combine
two or more published proposals of a call into a concerted proposal, which then goes to the vote in their
place; the originals' authors endorse or object to it publicly.

An original goes into at most one concerted proposal: the unique constraint on
``proposal_origins.original_id`` is the rule, so two people concerting the same original at once make
one concerted proposal and a Conflict. The window is read again inside the writing transaction
(foro.services.voting.lock_window).
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from foro.extensions import db
from foro.models import (
    CallWindow,
    NotificationKind,
    Proposal,
    ProposalCall,
    ProposalCoauthor,
    ProposalEndorsement,
    ProposalKind,
    ProposalStatus,
    Stance,
    TargetGroup,
    Territory,
    User,
    proposal_origins,
)
from foro.models.proposal import BODY_MAX, PROBLEM_MAX, REASON_MAX, TITLE_MAX
from foro.sanitize import clean_text_area, is_blank, normalise_plain_text
from foro.services.common import rows_by_id
from foro.services.notifications import Notice, notify_each, path_for
from foro.services.page_cache import bump_call_revision
from foro.services.voting import lock_window
from foro.timeutil import now_utc

# A proposal's estimated cost, in whole Colombian pesos: well above any participatory budget.
COST_MAX = Decimal("1000000000000")
ORIGINALS_MAX = 50


@dataclass
class ConcertedDetails:
    """The content of a concerted proposal, as plain values (from a form, a test or the benchmark).

    It names no author, call or status: those come from the actor and the URL."""

    title: str
    problem: str
    description: str
    territory_id: int | None = None
    estimated_cost: Decimal = Decimal(0)
    target_group_ids: list[int] = field(default_factory=list)


def _plain(value: str | None, name: str, max_length: int, required, too_long, *, one_line: bool) -> str:
    text = normalise_plain_text(value or "")
    if one_line:
        text = " ".join(text.split())
    if is_blank(text):
        raise InvalidInput(required, field=name)
    if len(text) > max_length:
        raise InvalidInput(too_long, field=name)
    return text


def _clean_description(value: str | None) -> str:
    """Sanitised HTML (foro.sanitize.clean_text_area); blank and emptied say the same."""
    required = _l("Describe la propuesta concertada: es un campo obligatorio.")
    return clean_text_area(
        value,
        field="description",
        limit=BODY_MAX,
        required=required,
        too_long=_l("La descripción admite hasta %(n)s caracteres.", n=BODY_MAX),
        emptied=required,
    )


def _cost(value) -> Decimal:
    try:
        cost = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        cost = None
    if cost is None or not cost.is_finite():
        raise InvalidInput(_l("El costo estimado debe ser un número en pesos."), field="estimated_cost")
    if cost < 0:
        raise InvalidInput(_l("El costo estimado no puede ser negativo."), field="estimated_cost")
    if cost > COST_MAX:
        raise InvalidInput(
            _l("El costo estimado no puede superar un billón de pesos ($ 1.000.000.000.000)."), field="estimated_cost"
        )
    if cost != cost.to_integral_value():
        raise InvalidInput(_l("El costo estimado se escribe en pesos enteros, sin centavos."), field="estimated_cost")
    return cost


def available_originals_query(call: ProposalCall):
    """Published originals of the call not yet in a concerted proposal: what may still be combined."""
    return (
        select(Proposal)
        .where(
            Proposal.call_id == call.id,
            Proposal.kind == ProposalKind.ORIGINAL,
            Proposal.status == ProposalStatus.PUBLISHED,
            ~exists().where(proposal_origins.c.original_id == Proposal.id),
        )
        .options(
            joinedload(Proposal.territory), joinedload(Proposal.author).lazyload("*"), selectinload(Proposal.coauthors)
        )
        .order_by(Proposal.title, Proposal.id)
    )


def create_concerted(actor: User, call: ProposalCall, original_ids: list[int], details: ConcertedDetails) -> Proposal:
    """Combine ``original_ids`` (two or more published originals of ``call`` not yet concerted) into a new
    concerted proposal authored by ``actor``, and tell the originals' authors.

    Only in the concertation window, by the organism's staff or an author of one of the originals
    (permissions.can_concert). Raises InvalidTransition (outside the window), NotAllowed, InvalidInput
    naming the field, or Conflict (an original was concerted meanwhile); in every case nothing is stored.
    """
    window = lock_window(call)
    if window is not CallWindow.CONCERTATION:
        raise InvalidTransition(_l("Las propuestas solo se concertan durante la etapa de concertación."))
    ids = sorted(set(original_ids))
    if len(ids) < 2:
        raise InvalidInput(_l("Elige al menos dos propuestas para concertarlas."), field="original_ids")
    if len(ids) > ORIGINALS_MAX:
        raise InvalidInput(
            _l("Una propuesta concertada reúne como máximo %(n)s propuestas.", n=ORIGINALS_MAX), field="original_ids"
        )
    originals = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids), Proposal.call_id == call.id)))
    if len(originals) != len(ids):
        raise InvalidInput(_l("Alguna de las propuestas elegidas no es de esta convocatoria."), field="original_ids")
    if not permissions.can_concert(actor, call.space, window, originals):
        raise NotAllowed(
            _l(
                "Solo el personal del organismo o las personas autoras de alguna de estas propuestas pueden "
                "concertarlas."
            )
        )
    for original in originals:
        if original.kind is not ProposalKind.ORIGINAL:
            raise InvalidInput(
                _l("«%(title)s» ya es una propuesta concertada.", title=original.title), field="original_ids"
            )
        if original.status is not ProposalStatus.PUBLISHED:
            raise InvalidInput(
                _l("«%(title)s» no está publicada: no se puede concertar.", title=original.title), field="original_ids"
            )
        if original.concerted_into:
            raise Conflict(
                _l(
                    "«%(title)s» ya hace parte de la propuesta concertada «%(other)s».",
                    title=original.title,
                    other=original.concerted_into[0].title,
                ),
                field="original_ids",
            )
    title = _plain(
        details.title,
        "title",
        TITLE_MAX,
        _l("Escribe el título de la propuesta concertada."),
        _l("El título admite hasta %(n)s caracteres.", n=TITLE_MAX),
        one_line=True,
    )
    problem = _plain(
        details.problem,
        "problem",
        PROBLEM_MAX,
        _l("Escribe el problema al que responde la propuesta."),
        _l("El problema admite hasta %(n)s caracteres.", n=PROBLEM_MAX),
        one_line=False,
    )
    description = _clean_description(details.description)
    territory = None
    if details.territory_id is not None:
        territory = db.session.get(Territory, details.territory_id)
        if territory is None:
            raise InvalidInput(_l("La comuna o corregimiento elegido no existe."), field="territory_id")
    cost = _cost(details.estimated_cost)
    groups = rows_by_id(
        TargetGroup, details.target_group_ids, _l("Alguno de los grupos de valor no existe."), "target_group_ids"
    )

    concerted = Proposal(
        call_id=call.id,
        kind=ProposalKind.CONCERTED,
        author_id=actor.id,
        title=title,
        problem=problem,
        description=description,
        territory=territory,
        estimated_cost=cost,
        target_groups=groups,
        origins=originals,
    )
    try:
        with db.session.begin_nested():
            db.session.add(concerted)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _l("Otra persona acaba de concertar alguna de estas propuestas. Recarga la página y revisa la lista."),
            field="original_ids",
        ) from None
    _tell_original_authors(actor, concerted, originals)
    bump_call_revision(call.id)
    return concerted


def _tell_original_authors(actor: User, concerted: Proposal, originals: list[Proposal]) -> None:
    coauthors = db.session.execute(
        select(ProposalCoauthor.proposal_id, ProposalCoauthor.user_id).where(
            ProposalCoauthor.proposal_id.in_([o.id for o in originals]), ProposalCoauthor.accepted_at.is_not(None)
        )
    ).all()
    notices = []
    for original in originals:
        message = _l(
            "Tu propuesta «%(title)s» quedó en la propuesta concertada «%(concerted)s». Puedes respaldarla u "
            "objetarla públicamente.",
            title=original.title,
            concerted=concerted.title,
        )
        people = [original.author_id] + [uid for pid, uid in coauthors if pid == original.id]
        notices += [
            Notice(uid, NotificationKind.PROPOSAL, str(message)) for uid in people if uid not in (None, actor.id)
        ]
    url = path_for("voting.concertation", space_id=concerted.call.space_id) + f"#concertada-{concerted.id}"
    notify_each(notices, url)


def take_stance(actor: User, concerted: Proposal, stance: Stance | str, comment: str = "") -> ProposalEndorsement:
    """An author of one of the originals endorses or objects to the concerted proposal, publicly; one
    stance per person, which they may change until the vote closes. An objection must say why.

    Raises InvalidTransition (outside the concertation and vote windows), NotAllowed or InvalidInput.
    """
    window = lock_window(concerted.call)
    if window not in (CallWindow.CONCERTATION, CallWindow.VOTING):
        raise InvalidTransition(_l("Ya no se reciben respaldos ni objeciones: la votación terminó."))
    if concerted.kind is not ProposalKind.CONCERTED:
        raise InvalidInput(_l("Solo se respalda u objeta una propuesta concertada."))
    if not permissions.can_take_stance(actor, concerted, window):
        raise NotAllowed(_l("Solo las personas autoras de las propuestas originales pueden respaldarla u objetarla."))
    try:
        stance = Stance(stance)
    except ValueError:
        raise InvalidInput(_l("Elige si respaldas u objetas la propuesta concertada."), field="stance") from None
    text = normalise_plain_text(comment or "")
    if len(text) > REASON_MAX:
        raise InvalidInput(_l("El comentario admite hasta %(n)s caracteres.", n=REASON_MAX), field="comment")
    if stance is Stance.OBJECT and is_blank(text):
        raise InvalidInput(_l("Explica por qué objetas la propuesta concertada."), field="comment")
    text = "" if is_blank(text) else text

    key = (concerted.id, actor.id)
    endorsement = db.session.get(ProposalEndorsement, key)
    stored = False
    if endorsement is None:
        try:
            with db.session.begin_nested():
                endorsement = ProposalEndorsement(
                    concerted_id=concerted.id, user_id=actor.id, stance=stance, comment=text
                )
                db.session.add(endorsement)
                db.session.flush()
            stored = True
        except IntegrityError:
            # The same person's other request stored a stance first: this one changes it.
            endorsement = db.session.get(ProposalEndorsement, key, populate_existing=True)
    if not stored:
        endorsement.stance = stance
        endorsement.comment = text
        endorsement.updated_at = now_utc()
        db.session.flush()
    # Stances are public on the concerted proposal's page.
    bump_call_revision(concerted.call_id)
    return endorsement


@dataclass
class ConcertationPage:
    available: list[Proposal]
    concerted: list[Proposal]
    stances: dict[int, list[ProposalEndorsement]]


def concertation_page(call: ProposalCall) -> ConcertationPage:
    """The originals still available, and the concerted proposals with their originals and public stances.
    Six queries whatever the numbers."""
    available = list(db.session.scalars(available_originals_query(call)).unique())
    concerted = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.call_id == call.id, Proposal.kind == ProposalKind.CONCERTED)
            .options(
                joinedload(Proposal.territory),
                joinedload(Proposal.author).lazyload("*"),
                selectinload(Proposal.origins).joinedload(Proposal.author).lazyload("*"),
                selectinload(Proposal.origins).selectinload(Proposal.coauthors),
            )
            .order_by(Proposal.created_at, Proposal.id)
        ).unique()
    )
    stances: dict[int, list[ProposalEndorsement]] = {p.id: [] for p in concerted}
    if concerted:
        rows = db.session.scalars(
            select(ProposalEndorsement)
            .where(ProposalEndorsement.concerted_id.in_(list(stances)))
            .options(joinedload(ProposalEndorsement.user).lazyload("*"))
            .order_by(ProposalEndorsement.created_at)
        )
        for row in rows:
            stances[row.concerted_id].append(row)
    return ConcertationPage(available, concerted, stances)
