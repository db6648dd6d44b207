"""Control and evaluation of plan actions: the organism's progress updates, citizens following an
action, their ratings of what it achieved, and control-social observations the organism must answer.

Rules:
- Only the officials of the action's organism (and admins) report progress and answer observations.
- The newest update by date is the action's official state: it sets the action's status, and the
  newest measured value sets its current indicator value, unless a later measurement is already there.
- Evidence is a list of http(s) addresses, one per line; any other scheme is refused, never stored.
- One evaluation per person per action (a unique constraint): a second submit changes it, and two first
  submits at once store one row. The evaluator's self-declared territory is copied for the averages.
- An observation gets one public answer; two officials answering at once store the first one.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from foro import permissions
from foro.errors import Conflict, InvalidInput, NotAllowed
from foro.extensions import db
from foro.models import Action, ActionStatus, NotificationKind, Territory, User
from foro.models.followup import (
    BODY_MAX,
    ActionEvaluation,
    ControlObservation,
    ProgressUpdate,
    action_follows,
)
from foro.models.proposal import Proposal, ProposalAnswer, ProposalCoauthor, proposal_follows
from foro.sanitize import clean_text_area, is_blank, normalise_plain_text
from foro.services.common import save_own_row
from foro.services.notifications import Notice, notify, notify_each, path_for
from foro.services.plans import _check_indicator_value
from foro.timeutil import local_today, now_utc

COMMENT_MAX = 2_000
ANSWER_MAX = 5_000
LINK_MAX = 500
LINKS_MAX = 20
RATING_MIN, RATING_MAX = 1, 5
# Per-territory averages of fewer people are not shown: with the comments beside them, a small cell
# would tell where a named evaluator lives (Ley 1581 de 2012; RELIABILITY.md suppresses cells under 5).
MIN_TERRITORY_CELL = 5
# How many of the latest evaluation comments the action page shows.
COMMENTS_SHOWN = 50

# A link is a plain run of visible ASCII: no spaces, controls or invisible characters that browsers or
# mail clients would read differently (java\u200bscript:, jav&#x09;ascript:).
_LINK_CHARACTERS = re.compile(r"[!-~]+")


# --- Shared checks -------------------------------------------------------------------------------------


def clean_evidence_links(text: str | None) -> str:
    """The evidence as stored: one http(s) address per line, blank lines dropped, repeats removed.

    Raises InvalidInput (field ``evidence_links``) naming the first address that is not a web address.
    """
    links: list[str] = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        link = line.strip()
        if not link:
            continue
        if len(link) > LINK_MAX:
            raise InvalidInput(_l("Cada enlace admite hasta %(n)s caracteres.", n=LINK_MAX), field="evidence_links")
        if not _is_web_address(link):
            raise InvalidInput(
                _l(
                    "«%(link)s» no es una dirección web válida: cada enlace debe empezar por http:// o https:// "
                    "e ir en su propia línea.",
                    link=link[:80],
                ),
                field="evidence_links",
            )
        if link not in links:
            links.append(link)
    if len(links) > LINKS_MAX:
        raise InvalidInput(_l("Puedes adjuntar hasta %(n)s enlaces.", n=LINKS_MAX), field="evidence_links")
    return "\n".join(links)


def _is_web_address(link: str) -> bool:
    if not _LINK_CHARACTERS.fullmatch(link):
        return False
    try:
        parts = urlsplit(link)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host) and "." in host.strip(".")


def _plain_text(value: str | None, *, field: str, required, too_long, max_length: int, optional=False) -> str:
    text = normalise_plain_text((value or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if is_blank(text):
        if optional:
            return ""
        raise InvalidInput(required, field=field)
    if len(text) > max_length:
        raise InvalidInput(too_long, field=field)
    return text


def _clean_report_body(body: str | None) -> str:
    """The report's text as stored (foro.sanitize.clean_text_area), with the reports' messages."""
    return clean_text_area(
        body,
        field="body",
        limit=BODY_MAX,
        required=_l("Escribe el texto del reporte: es un campo obligatorio."),
        too_long=_l("El texto del reporte admite hasta %(n)s caracteres.", n=BODY_MAX),
        emptied=_l("El texto quedó vacío: no se admiten scripts, estilos ni imágenes. Escribe el reporte en texto."),
    )


def _lock_action(action: Action) -> Action:
    """Re-read the action under a row lock (PostgreSQL; SQLite's write lock is already held), so that
    two reports at once decide in turn which one is the newest."""
    return db.session.scalars(
        select(Action).where(Action.id == action.id).with_for_update().execution_options(populate_existing=True)
    ).one()


# --- Progress updates ---------------------------------------------------------------------------------


@dataclass
class ProgressDetails:
    """A progress report as plain values (from the form, the CLI or a test)."""

    reported_on: date | None
    percent_done: int | None
    status: ActionStatus | str | None
    body: str
    indicator_value: Decimal | None = None
    evidence_links: str = ""


def publish_update(actor: User, action: Action, details: ProgressDetails) -> ProgressUpdate:
    """Publish a progress report on ``action`` and tell the people who follow it.

    Only the officials of the action's organism and admins may (NotAllowed). The date may not be in the
    future, the percent is 0 to 100, the text is required (sanitised HTML), evidence links are http(s).
    The newest report by date sets the action's status; the newest measured value sets its indicator.
    Followers of the action, and authors and followers of the proposals answered into it, are notified
    once each. Raises NotAllowed or InvalidInput (naming the field); nothing is stored then.
    """
    if not permissions.can_report_progress(actor, action):
        raise NotAllowed(_l("Solo el personal del organismo responsable puede reportar avances de esta acción."))
    reported_on = details.reported_on
    if reported_on is None:
        raise InvalidInput(_l("Indica la fecha del reporte."), field="reported_on")
    if reported_on > local_today():
        raise InvalidInput(_l("La fecha del reporte no puede ser posterior a hoy."), field="reported_on")
    percent = details.percent_done
    if percent is None or isinstance(percent, bool) or not isinstance(percent, int):
        raise InvalidInput(_l("Escribe el porcentaje de avance, de 0 a 100."), field="percent_done")
    if not 0 <= percent <= 100:
        raise InvalidInput(_l("El porcentaje de avance debe estar entre 0 y 100."), field="percent_done")
    try:
        status = ActionStatus(details.status)
    except ValueError:
        raise InvalidInput(_l("Elige un estado de la lista."), field="status") from None
    value = details.indicator_value
    if value is not None:
        value = _check_indicator_value(value, "indicator_value", _l("El valor del indicador"))
    body = _clean_report_body(details.body)
    links = clean_evidence_links(details.evidence_links)

    action = _lock_action(action)
    newest_other = db.session.scalar(
        select(func.max(ProgressUpdate.reported_on)).where(ProgressUpdate.action_id == action.id)
    )
    update_row = ProgressUpdate(
        action_id=action.id,
        author_id=actor.id,
        reported_on=reported_on,
        indicator_value=value,
        percent_done=percent,
        status=status,
        body=body,
        evidence_links=links,
        created_at=now_utc(),
    )
    db.session.add(update_row)
    # Same date as the newest so far: the later report is the newer word.
    if newest_other is None or reported_on >= newest_other:
        action.status = status
    if value is not None and (action.indicator_measured_on is None or reported_on >= action.indicator_measured_on):
        action.indicator_current = value
        action.indicator_measured_on = reported_on
    action.updated_at = now_utc()
    db.session.flush()
    _notify_followers(actor, action)
    return update_row


def _notify_followers(actor: User, action: Action) -> int:
    """One FOLLOWED_ITEM notification per person: the action's followers first, then the authors,
    accepted co-authors and followers of each proposal answered into the action."""
    url = path_for("plans.action", action_id=action.id) + "#avances"
    notices = [
        Notice(user_id, NotificationKind.FOLLOWED_ITEM, _action_message(action))
        for user_id in db.session.scalars(
            select(action_follows.c.user_id)
            .where(action_follows.c.action_id == action.id)
            .order_by(action_follows.c.user_id)
        )
    ]
    answered = select(ProposalAnswer.proposal_id).where(ProposalAnswer.action_id == action.id)
    people = (
        select(Proposal.author_id.label("user_id"), Proposal.id.label("proposal_id"), Proposal.title.label("title"))
        .where(Proposal.id.in_(answered), Proposal.author_id.is_not(None))
        .union(
            select(ProposalCoauthor.user_id, Proposal.id, Proposal.title)
            .join(Proposal, Proposal.id == ProposalCoauthor.proposal_id)
            .where(Proposal.id.in_(answered), ProposalCoauthor.accepted_at.is_not(None)),
            select(proposal_follows.c.user_id, Proposal.id, Proposal.title)
            .join(Proposal, Proposal.id == proposal_follows.c.proposal_id)
            .where(Proposal.id.in_(answered)),
        )
        .subquery()
    )
    for user_id, _proposal_id, title in db.session.execute(
        select(people.c.user_id, people.c.proposal_id, people.c.title).order_by(people.c.proposal_id, people.c.user_id)
    ):
        notices.append(Notice(user_id, NotificationKind.FOLLOWED_ITEM, _proposal_message(action, title)))
    # The one who reports is not told of their own report.
    return notify_each([notice for notice in notices if notice.user_id != actor.id], url)


def _action_message(action: Action) -> str:
    return str(_l("Nuevo reporte de avance de «%(action)s», una acción que sigues.", action=action.title))


def _proposal_message(action: Action, proposal_title: str) -> str:
    return str(
        _l(
            "Nuevo reporte de avance de «%(action)s», la acción que recoge la propuesta «%(proposal)s».",
            action=action.title,
            proposal=proposal_title,
        )
    )


# --- Follows ------------------------------------------------------------------------------------------


def follow(actor: User, action: Action) -> bool:
    """Follow an action, to be told of its progress reports. Idempotent: following it again changes
    nothing; two follows at once store one row (the primary key). Returns whether a row was added."""
    if not permissions.can_follow(actor):
        raise NotAllowed(_l("Ingresa con tu cuenta para seguir acciones."))
    try:
        with db.session.begin_nested():
            db.session.execute(insert(action_follows).values(action_id=action.id, user_id=actor.id))
    except IntegrityError:
        return False
    return True


def unfollow(actor: User, action: Action) -> bool:
    """Stop following an action; not following it is no error. Returns whether a row was removed."""
    if not permissions.can_follow(actor):
        raise NotAllowed(_l("Ingresa con tu cuenta para seguir acciones."))
    removed = db.session.execute(
        delete(action_follows).where(action_follows.c.action_id == action.id, action_follows.c.user_id == actor.id)
    ).rowcount
    return removed == 1


def is_following(user, action: Action) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(action_follows.c.user_id).where(
                action_follows.c.action_id == action.id, action_follows.c.user_id == user.id
            )
        )
        is not None
    )


# --- Evaluations --------------------------------------------------------------------------------------


def _rating(value, field: str, message) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise InvalidInput(message, field=field)
    return value


def evaluation_refusal(user, action: Action) -> NotAllowed | None:
    """Why ``user`` may not rate ``action`` now, or None if they may."""
    if permissions.can_evaluate_action(user, action, local_today()):
        return None
    if permissions.is_official_of(user, action.plan.organism_id):
        return NotAllowed(_l("La ciudadanía evalúa las acciones; el organismo que las ejecuta reporta su avance."))
    return NotAllowed(
        _l(
            "Esta acción todavía no se puede evaluar: se evalúa cuando está cumplida o cuando empieza "
            "la fase de evaluación de la vigencia."
        )
    )


def evaluate(actor: User, action: Action, *, fulfilment, effect, comment: str = "") -> tuple[ActionEvaluation, bool]:
    """Rate what ``action`` achieved: fulfilment and effect from 1 to 5, an optional plain-text comment.

    Allowed when ``permissions.can_evaluate_action`` (the action is done, or its cycle's evaluation
    phase has started). One evaluation per person: a second one changes the first, and two first ones
    at once store one row (the unique constraint, then an update). The evaluator's self-declared
    territory is copied. Returns (evaluation, created). Raises NotAllowed or InvalidInput.
    """
    refusal = evaluation_refusal(actor, action)
    if refusal is not None:
        raise refusal
    values = {
        "fulfilment": _rating(fulfilment, "fulfilment", _l("Califica el cumplimiento de 1 a 5.")),
        "effect": _rating(effect, "effect", _l("Califica el efecto de 1 a 5.")),
        "comment": _plain_text(
            comment,
            field="comment",
            required=None,
            too_long=_l("El comentario admite hasta %(n)s caracteres.", n=COMMENT_MAX),
            max_length=COMMENT_MAX,
            optional=True,
        ),
        "territory_id": actor.territory_id,
    }
    evaluation, created = save_own_row(
        _own_evaluation_query(actor, action),
        lambda: ActionEvaluation(action_id=action.id, user_id=actor.id, **values),
        values,
    )
    if not created:
        evaluation.updated_at = now_utc()
    db.session.flush()
    return evaluation, created


def _own_evaluation_query(user, action: Action):
    return select(ActionEvaluation).where(ActionEvaluation.action_id == action.id, ActionEvaluation.user_id == user.id)


def own_evaluation(user, action: Action) -> ActionEvaluation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(_own_evaluation_query(user, action))


@dataclass
class RatingCell:
    """Averages of one group of evaluations (all of them, or one territory's)."""

    count: int
    fulfilment: float | None
    effect: float | None
    territory: Territory | None = None


@dataclass
class EvaluationSummary:
    overall: RatingCell
    # Territories with at least MIN_TERRITORY_CELL evaluations, most evaluations first.
    territories: list[RatingCell]
    # Evaluations not shown per territory: fewer than MIN_TERRITORY_CELL in their territory, or none declared.
    not_by_territory: int
    comments_count: int


def _average(total, count: int) -> float | None:
    return round(float(total) / count, 1) if count else None


def evaluation_summary(action: Action) -> EvaluationSummary:
    """Counts and averages overall and per territory, in one query whatever the number of evaluations."""
    rows = db.session.execute(
        select(
            Territory,
            func.count(ActionEvaluation.id),
            func.sum(ActionEvaluation.fulfilment),
            func.sum(ActionEvaluation.effect),
            func.sum(case((ActionEvaluation.comment != "", 1), else_=0)),
        )
        .select_from(ActionEvaluation)
        .outerjoin(Territory, Territory.id == ActionEvaluation.territory_id)
        .where(ActionEvaluation.action_id == action.id)
        .group_by(Territory.id)
    ).all()
    count = sum(row[1] for row in rows)
    overall = RatingCell(
        count, _average(sum(row[2] for row in rows), count), _average(sum(row[3] for row in rows), count)
    )
    cells = [
        RatingCell(n, _average(fulfilment, n), _average(effect, n), territory)
        for territory, n, fulfilment, effect, _comments in rows
        if territory is not None and n >= MIN_TERRITORY_CELL
    ]
    cells.sort(key=lambda cell: (-cell.count, cell.territory.kind.value, cell.territory.number))
    return EvaluationSummary(
        overall=overall,
        territories=cells,
        not_by_territory=count - sum(cell.count for cell in cells),
        comments_count=sum(int(row[4] or 0) for row in rows),
    )


def evaluation_comments(action: Action, limit: int = COMMENTS_SHOWN) -> list[ActionEvaluation]:
    """The latest evaluations with a comment, their authors loaded, in one query."""
    return list(
        db.session.scalars(
            select(ActionEvaluation)
            .where(ActionEvaluation.action_id == action.id, ActionEvaluation.comment != "")
            .options(joinedload(ActionEvaluation.user).lazyload("*"))
            .order_by(ActionEvaluation.updated_at.desc(), ActionEvaluation.id.desc())
            .limit(limit)
        )
    )


# --- Control-social observations ---------------------------------------------------------------------


def observe(actor: User, action: Action, *, body: str, evidence_links: str = "") -> ControlObservation:
    """Report, with evidence, that ``action`` is not happening as reported. Any logged-in person may.
    The text is required (plain text); links are http(s). Raises NotAllowed or InvalidInput."""
    if not permissions.can_observe_action(actor):
        raise NotAllowed(_l("Ingresa con tu cuenta para enviar una observación."))
    text = _plain_text(
        body,
        field="body",
        required=_l("Describe lo que observaste: es un campo obligatorio."),
        too_long=_l("La observación admite hasta %(n)s caracteres.", n=BODY_MAX),
        max_length=BODY_MAX,
    )
    observation = ControlObservation(
        action_id=action.id,
        author_id=actor.id,
        body=text,
        evidence_links=clean_evidence_links(evidence_links),
        created_at=now_utc(),
    )
    db.session.add(observation)
    db.session.flush()
    return observation


def answer_observation(actor: User, observation: ControlObservation, *, answer: str) -> ControlObservation:
    """The organism's public answer to an observation; its author is notified (INSTITUTIONAL_ANSWER).

    Only the officials of the action's organism and admins may (NotAllowed). The answer is required
    (plain text). An observation is answered once: the second of two answers at once, or a later one,
    is a Conflict. Raises NotAllowed, InvalidInput or Conflict.
    """
    action = observation.action
    if not permissions.can_answer_observation(actor, action):
        raise NotAllowed(_l("Solo el personal del organismo responsable puede responder esta observación."))
    text = _plain_text(
        answer,
        field="answer",
        required=_l("Escribe la respuesta: es un campo obligatorio."),
        too_long=_l("La respuesta admite hasta %(n)s caracteres.", n=ANSWER_MAX),
        max_length=ANSWER_MAX,
    )
    moment = now_utc()
    # The condition on answered_at makes the answer a compare-and-set: of two at once, one row changes.
    changed = db.session.execute(
        update(ControlObservation)
        .where(and_(ControlObservation.id == observation.id, ControlObservation.answered_at.is_(None)))
        .values(answer=text, answered_by_id=actor.id, answered_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(_l("Esta observación ya tiene respuesta del organismo."))
    db.session.refresh(observation)
    if observation.author is not None and observation.author_id != actor.id:
        notify(
            observation.author,
            NotificationKind.INSTITUTIONAL_ANSWER,
            str(_l("El organismo respondió tu observación sobre «%(action)s».", action=action.title)),
            path_for("plans.action", action_id=action.id) + f"#observacion-{observation.id}",
        )
    return observation


# --- The action page ----------------------------------------------------------------------------------


def progress_updates(action: Action) -> list[ProgressUpdate]:
    """The action's reports, newest first (by date, then by publication), in one query."""
    return list(
        db.session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.action_id == action.id)
            .options(joinedload(ProgressUpdate.author).lazyload("*"))
            .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc())
        )
    )


def observations(action: Action) -> list[ControlObservation]:
    """The action's observations, unanswered first then newest first, authors loaded, in one query."""
    return list(
        db.session.scalars(
            select(ControlObservation)
            .where(ControlObservation.action_id == action.id)
            .options(
                joinedload(ControlObservation.author).lazyload("*"),
                joinedload(ControlObservation.answered_by).lazyload("*"),
            )
            .order_by(
                ControlObservation.answered_at.is_not(None),
                ControlObservation.created_at.desc(),
                ControlObservation.id.desc(),
            )
        )
    )


def observation_of(action: Action, observation_id: int) -> ControlObservation | None:
    """An observation of this action (another action's id is None)."""
    return db.session.scalar(
        select(ControlObservation).where(
            ControlObservation.id == observation_id, ControlObservation.action_id == action.id
        )
    )
