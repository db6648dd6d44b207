"""The live session over HTTP: the one session page (before, during and after), its state as JSON, the
settings and agenda, every live action as a plain form (the fallback when the socket cannot connect),
the record (acta) and its download, the written answers owed and the attendees' evaluation.

Thin views: permission check -> form -> foro.services.live_sessions -> commit -> publish the changes
(foro.services.live_broadcast) -> 303 back to the page with a Spanish flash. A refusal rolls back,
flashes the service's message and shows the page again with its status (400/403/404/409/429), so
nothing is stored. Page views never write to the database.
"""

from dataclasses import dataclass

from flask import Response, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.blueprints.live import bp
from foro.blueprints.live.forms import (
    AdvanceForm,
    AgendaItemForm,
    AskForm,
    AttendForm,
    CommitmentForm,
    ModerateForm,
    MoveForm,
    PollForm,
    PollVoteForm,
    PostForm,
    SessionEvaluationForm,
    SettingsForm,
    WrittenAnswerForm,
)
from foro.blueprints.lookups import visible_space_or_404
from foro.errors import DomainError, NotAllowed
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import Organism, Space, SpaceKind, SpaceState
from foro.models.live import AgendaItem, LiveAttendance, LiveSession
from foro.security import CONTENT_SECURITY_POLICY
from foro.services import live_sessions
from foro.services.live_broadcast import publish

AFTER_STATES = (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN)
# Stands for an id in the URL patterns the page hands to live.js, which puts the real id in its place.
URL_ID_PLACEHOLDER = 999_999_999
# The stream is framed from its host only on the session page.
SESSION_PAGE_POLICY = CONTENT_SECURITY_POLICY + "; frame-src " + " ".join(live_sessions.STREAM_HOSTS)


def _space_or_404(space_id: int) -> Space:
    """A live session space the current user may see (drafts stay hidden), or 404."""
    space = visible_space_or_404(space_id, joinedload(Space.organism), selectinload(Space.moderators))
    if space.kind is not SpaceKind.LIVE_SESSION:
        abort(404)
    return space


def _session_url(space: Space, anchor: str | None = None) -> str:
    return url_for("live.session", space_id=space.id, _anchor=anchor)


def _first_error(form) -> str:
    for errors in form.errors.values():
        for error in errors:
            # FieldList errors come as a list per entry.
            if isinstance(error, list):
                if error:
                    return error[0]
                continue
            return error
    return _("Revisa los datos del formulario.")


# --- The space page block --------------------------------------------------------------------------


@dataclass
class SessionSummary:
    session: LiveSession | None
    registered: int


@bp.app_template_global("live_session_summary")
def live_session_summary(space: Space) -> SessionSummary:
    """For spaces/kinds/_live_session.html: the session with its co-organisers and agenda (with their
    actions), and how many people registered. Four queries whatever the size of the agenda."""
    session = db.session.scalar(
        select(LiveSession)
        .where(LiveSession.space_id == space.id)
        .options(selectinload(LiveSession.organisms), selectinload(LiveSession.agenda).joinedload(AgendaItem.action))
    )
    registered = 0
    if session is not None:
        registered = db.session.scalar(
            select(func.count())
            .select_from(LiveAttendance)
            .where(LiveAttendance.session_id == session.id, LiveAttendance.registered_at.is_not(None))
        )
    return SessionSummary(session=session, registered=registered)


# --- The session page ------------------------------------------------------------------------------


def _organism_choices(space: Space, session: LiveSession | None) -> list[tuple[int, str]]:
    organisms = [space.organism, *(session.organisms if session else [])]
    seen: set[int] = set()
    return [(o.id, o.name) for o in organisms if not (o.id in seen or seen.add(o.id))]


def _url_patterns(space: Space) -> dict[str, str]:
    """The form targets of the page with a placeholder id, for the forms live.js builds."""
    sid, ph = space.id, URL_ID_PLACEHOLDER
    return {
        "upvote": url_for("live.upvote", space_id=sid, question_id=ph),
        "moderate": url_for("live.moderate", space_id=sid, question_id=ph),
        "vote": url_for("live.vote_poll", space_id=sid, poll_id=ph),
        "close": url_for("live.close_poll", space_id=sid, poll_id=ph),
    }


def _js_texts() -> dict[str, str]:
    """Every text live.js writes into the page, translated here (the script holds none)."""
    return {
        "placeholder": str(URL_ID_PLACEHOLDER),
        "upvote": _("Apoyar"),
        "upvoted": _("Apoyaste esta pregunta"),
        "upvotes_one": _("1 apoyo"),
        "upvotes_many": _("%(num)s apoyos", num="{n}"),
        "pending": _("Esperando moderación"),
        "approve": _("Aprobar"),
        "dismiss": _("Descartar"),
        "reason": _("Motivo para descartarla"),
        "answering": _("Respondiendo"),
        "answered": _("Respondida"),
        "summary": _("Resumen de la respuesta"),
        "answer": _("Respuesta:"),
        "dismissed_reason": _("Descartada. Motivo:"),
        "topic": _("Tema:"),
        "no_questions": _("Todavía no hay preguntas en la fila."),
        "no_pending": _("No hay preguntas esperando moderación."),
        "no_polls": _("No hay encuestas todavía."),
        "no_commitments": _("Todavía no hay compromisos."),
        "no_current": _("La sesión todavía no empieza a tratar un tema de la agenda."),
        "votes_one": _("1 voto"),
        "votes_many": _("%(num)s votos", num="{n}"),
        "vote": _("Votar"),
        "your_vote": _("Tu voto:"),
        "close_poll": _("Cerrar encuesta"),
        "poll_closed": _("Encuesta cerrada"),
        "poll_open": _("Encuesta abierta"),
        "responsible": _("Responsable:"),
        "due": _("Fecha límite:"),
        "related_action": _("Acción relacionada:"),
        "tracking": _("Seguimiento del compromiso"),
        "action_link": _("Ver la acción del plan"),
        "done": _("Listo: el cambio quedó guardado."),
        "asked": _("Tu pregunta quedó enviada. Aparece en la fila cuando la moderación la apruebe."),
        "offline": _("Conexión en vivo no disponible: la página se actualiza cada 15 segundos."),
        "reconnecting": _("Se perdió la conexión en vivo; intentando reconectar…"),
        "connected": _("Conectado en vivo."),
        "failed": _("No se pudo hacer el cambio. Inténtalo de nuevo."),
    }


def _session_page(space: Space, *, status: int = 200, **forms):
    """The session page for the space's current state; ``forms`` replaces the blank forms (a refused
    form is shown again with what the person wrote)."""
    session = live_sessions.session_of(space)
    snapshot = live_sessions.snapshot(space, current_user) if session is not None else None
    viewer = snapshot["viewer"] if snapshot else {"moderator": False, "can_ask": False, "can_vote": False}
    logged_in = current_user.is_authenticated
    summary = live_session_summary(space)
    registered = logged_in and session is not None and live_sessions.is_registered(current_user, space)
    attended = (
        logged_in
        and space.state in AFTER_STATES
        and session is not None
        and live_sessions.has_attended(current_user, space)
    )
    agenda = snapshot["agenda"] if snapshot else []
    item_choices = [("", _("Ninguno en particular"))] + [(item["id"], item["title"]) for item in agenda]

    ask_form = forms.get("ask_form") or AskForm()
    ask_form.item.choices = item_choices
    poll_form = forms.get("poll_form") or PollForm()
    poll_form.item.choices = item_choices
    commitment_form = forms.get("commitment_form") or CommitmentForm()
    advance_form = AdvanceForm()
    advance_form.position.choices = [(item["position"], item["title"]) for item in agenda]
    if viewer["moderator"] and space.state is SpaceState.OPEN:
        commitment_form.organism.choices = _organism_choices(space, session)
        commitment_form.action.choices = [("", _("Ninguna"))] + [
            (action.id, action.title) for action in live_sessions.agenda_action_choices(space)
        ]

    body = render_template(
        "live/session.html",
        space=space,
        session=session,
        snapshot=snapshot,
        viewer=viewer,
        summary=summary,
        registered=registered,
        attended=attended,
        after=space.state in AFTER_STATES,
        can_attend=session is not None and permissions.can_register_attendance(current_user, space),
        can_configure=permissions.can_configure_live_session(current_user, space),
        ask_form=ask_form,
        poll_form=poll_form,
        commitment_form=commitment_form,
        advance_form=advance_form,
        post_form=PostForm(),
        url_patterns=_url_patterns(space),
        js_texts=_js_texts(),
        stream_url=session.stream_url if session is not None else "",
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = SESSION_PAGE_POLICY
    return response


@bp.get("/espacios/<id:space_id>/sesion")
def session(space_id: int):
    return _session_page(_space_or_404(space_id))


@bp.get("/espacios/<id:space_id>/sesion/estado.json")
def state(space_id: int):
    space = _space_or_404(space_id)
    if live_sessions.session_of(space) is None:
        abort(404)
    return jsonify(live_sessions.snapshot(space, current_user))


# --- Live actions as forms (the HTTP fallback of the socket events) --------------------------------


def _refuse(space: Space, message, status: int, **forms):
    db.session.rollback()
    flash(message, "error")
    return _session_page(space, status=status, **forms)


def _live_action(space: Space, form, run, success: str, anchor: str | None = None, form_name: str | None = None):
    """Validate ``form``, call ``run()`` (a service call returning its changes), commit, publish, go back."""
    kept = {form_name: form} if form_name else {}
    if not form.validate_on_submit():
        return _refuse(space, _first_error(form), 400, **kept)
    try:
        changes = run()
        db.session.commit()
    except DomainError as error:
        return _refuse(space, error.message, error.status_code, **kept)
    publish(changes)
    flash(success, "success")
    return redirect(_session_url(space, anchor), 303)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _require_runner(space: Space) -> None:
    _require(
        permissions.can_run_live_session(current_user, space),
        _("Solo las personas que moderan la sesión pueden hacer esto, mientras la sesión está anunciada o abierta."),
    )


@bp.post("/espacios/<id:space_id>/sesion/asistencia")
@login_required
def attend(space_id: int):
    space = _space_or_404(space_id)
    _require(
        permissions.can_register_attendance(current_user, space),
        _("La inscripción está abierta mientras la sesión está anunciada o en curso."),
    )
    form = AttendForm()
    if not form.validate_on_submit():
        return _refuse(space, _first_error(form), 400)
    attending = form.attending.data == "yes"
    try:
        live_sessions.register_attendance(current_user, space, attending=attending)
        db.session.commit()
    except DomainError as error:
        return _refuse(space, error.message, error.status_code)
    if attending:
        flash(_("Quedaste inscrito en la sesión. Te esperamos."), "success")
    else:
        flash(_("Cancelaste tu inscripción en la sesión."), "success")
    return redirect(_session_url(space, "asistencia"), 303)


@bp.post("/espacios/<id:space_id>/sesion/preguntas")
@login_required
def ask(space_id: int):
    space = _space_or_404(space_id)
    _require(
        permissions.can_ask_live_question(current_user, space, suspended=False),
        _("Las preguntas se reciben mientras la sesión está anunciada o en curso."),
    )
    form = AskForm()
    form.item.choices = []

    def run():
        _question, changes = live_sessions.ask(current_user, space, body=form.body.data or "", item_id=form.item.data)
        return changes

    return _live_action(
        space,
        form,
        run,
        _("Tu pregunta quedó enviada. Aparece en la fila cuando la moderación la apruebe."),
        "preguntas",
        "ask_form",
    )


@bp.post("/espacios/<id:space_id>/sesion/preguntas/<id:question_id>/apoyar")
@login_required
def upvote(space_id: int, question_id: int):
    space = _space_or_404(space_id)
    form = PostForm()
    if not form.validate_on_submit():
        return _refuse(space, _first_error(form), 400)
    try:
        added, changes = live_sessions.upvote(current_user, space, question_id)
        db.session.commit()
    except DomainError as error:
        return _refuse(space, error.message, error.status_code)
    publish(changes)
    if added:
        flash(_("Apoyaste esta pregunta."), "success")
    else:
        flash(_("Ya habías apoyado esta pregunta."), "warning")
    return redirect(_session_url(space, f"pregunta-{question_id}"), 303)


_DECISION_MESSAGES = {
    "approve": lambda: _("La pregunta quedó aprobada y ya es pública."),
    "dismiss": lambda: _("La pregunta quedó descartada con su motivo."),
    "answering": lambda: _("La pregunta quedó marcada como la que se está respondiendo."),
    "answered": lambda: _("La pregunta quedó respondida con su resumen."),
}


@bp.post("/espacios/<id:space_id>/sesion/preguntas/<id:question_id>/moderar")
@login_required
def moderate(space_id: int, question_id: int):
    space = _space_or_404(space_id)
    _require_runner(space)
    form = ModerateForm()
    decision = form.decision.data
    return _live_action(
        space,
        form,
        lambda: live_sessions.moderate_question(
            current_user, space, question_id, decision, reason=form.reason.data or "", summary=form.summary.data or ""
        ),
        _DECISION_MESSAGES[decision]() if decision in _DECISION_MESSAGES else "",
        "moderacion" if decision == "approve" else "preguntas",
    )


@bp.post("/espacios/<id:space_id>/sesion/avanzar")
@login_required
def advance(space_id: int):
    space = _space_or_404(space_id)
    _require_runner(space)
    form = AdvanceForm()
    form.position.choices = []
    return _live_action(
        space,
        form,
        lambda: live_sessions.advance(current_user, space, form.position.data),
        _("El tema en curso cambió."),
        "tema-actual",
    )


@bp.post("/espacios/<id:space_id>/sesion/encuestas")
@login_required
def launch_poll(space_id: int):
    space = _space_or_404(space_id)
    _require_runner(space)
    form = PollForm()
    form.item.choices = []

    def run():
        _poll, changes = live_sessions.launch_poll(
            current_user, space, question=form.question.data or "", options=form.option_texts(), item_id=form.item.data
        )
        return changes

    return _live_action(space, form, run, _("La encuesta quedó abierta."), "encuestas", "poll_form")


@bp.post("/espacios/<id:space_id>/sesion/encuestas/<id:poll_id>/cerrar")
@login_required
def close_poll(space_id: int, poll_id: int):
    space = _space_or_404(space_id)
    _require_runner(space)
    return _live_action(
        space,
        PostForm(),
        lambda: live_sessions.close_poll(current_user, space, poll_id),
        _("La encuesta quedó cerrada; sus resultados se conservan."),
        "encuestas",
    )


@bp.post("/espacios/<id:space_id>/sesion/encuestas/<id:poll_id>/votar")
@login_required
def vote_poll(space_id: int, poll_id: int):
    space = _space_or_404(space_id)
    form = PollVoteForm()
    if form.is_submitted() and form.option.data and form.option_id() is None:
        return _refuse(space, _("Elige una opción de la encuesta."), 400)
    return _live_action(
        space,
        form,
        lambda: live_sessions.vote_poll(current_user, space, poll_id, form.option_id()),
        _("Tu voto quedó registrado."),
        f"encuesta-{poll_id}",
    )


@bp.post("/espacios/<id:space_id>/sesion/compromisos")
@login_required
def commit(space_id: int):
    space = _space_or_404(space_id)
    _require_runner(space)
    form = CommitmentForm()

    def run():
        _commitment, changes = live_sessions.record_commitment(
            current_user,
            space,
            body=form.body.data or "",
            organism_id=form.organism.data,
            due_on=form.due_on.data,
            action_id=form.action.data,
        )
        return changes

    return _live_action(
        space,
        form,
        run,
        _("El compromiso quedó registrado y ya tiene su seguimiento en el plan del organismo."),
        "compromisos",
        "commitment_form",
    )


# --- Settings and agenda ---------------------------------------------------------------------------


def _require_configurer(space: Space) -> None:
    _require(
        permissions.can_configure_live_session(current_user, space),
        _("Solo el personal del organismo puede configurar la sesión, y solo hasta que se cierre."),
    )


def _settings_page(space: Space, *, status: int = 200, settings_form=None, new_item_form=None, item_forms=None):
    session = db.session.scalar(
        select(LiveSession)
        .where(LiveSession.space_id == space.id)
        .options(selectinload(LiveSession.organisms), selectinload(LiveSession.agenda).joinedload(AgendaItem.action))
    )
    organisms = db.session.scalars(select(Organism).where(Organism.id != space.organism_id).order_by(Organism.name))
    if settings_form is None:
        settings_form = SettingsForm(
            data={
                "stream_url": session.stream_url if session else "",
                "organism_ids": [o.id for o in session.organisms] if session else [],
            }
        )
    settings_form.organism_ids.choices = [(o.id, o.name) for o in organisms]
    action_choices = [("", _("Ninguna"))] + [(a.id, a.title) for a in live_sessions.agenda_action_choices(space)]
    new_item_form = new_item_form or AgendaItemForm(prefix="new")
    new_item_form.action.choices = action_choices
    item_forms = dict(item_forms or {})
    agenda = session.agenda if session else []
    for item in agenda:
        if item.id not in item_forms:
            item_forms[item.id] = AgendaItemForm(
                prefix=f"item-{item.id}", data={"title": item.title, "notes": item.notes, "action": item.action_id}
            )
        item_forms[item.id].action.choices = action_choices
    return (
        render_template(
            "live/settings.html",
            space=space,
            session=session,
            agenda=agenda,
            settings_form=settings_form,
            new_item_form=new_item_form,
            item_forms=item_forms,
            post_form=PostForm(),
        ),
        status,
    )


def _settings_url(space: Space, anchor: str | None = None) -> str:
    return url_for("live.settings", space_id=space.id, _anchor=anchor)


@bp.route("/espacios/<id:space_id>/sesion/configurar", methods=["GET", "POST"])
@login_required
def settings(space_id: int):
    space = _space_or_404(space_id)
    _require_configurer(space)
    if not SettingsForm().is_submitted():
        return _settings_page(space)
    form = SettingsForm()
    form.organism_ids.choices = []
    if not form.validate_on_submit():
        return _settings_page(space, status=400, settings_form=form)
    try:
        live_sessions.configure(
            current_user,
            space,
            live_sessions.LiveSettings(
                stream_url=form.stream_url.data or "", organism_ids=form.organism_ids.data or []
            ),
        )
        db.session.commit()
    except DomainError as error:
        status = show_domain_error(form, error)
        return _settings_page(space, status=status, settings_form=form)
    flash(_("Se guardaron los ajustes de la sesión."), "success")
    return redirect(_settings_url(space), 303)


def _agenda_change(space: Space, form, run, success: str, *, new: bool = False, item_id: int | None = None):
    if form.validate_on_submit():
        try:
            run()
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(success, "success")
            return redirect(_settings_url(space, "agenda"), 303)
    else:
        db.session.rollback()
        status = 400
    if new:
        return _settings_page(space, status=status, new_item_form=form)
    if item_id is not None and isinstance(form, AgendaItemForm):
        return _settings_page(space, status=status, item_forms={item_id: form})
    flash(_first_error(form), "error")
    return _settings_page(space, status=status)


@bp.post("/espacios/<id:space_id>/sesion/agenda")
@login_required
def add_item(space_id: int):
    space = _space_or_404(space_id)
    _require_configurer(space)
    form = AgendaItemForm(prefix="new")
    form.action.choices = []
    return _agenda_change(
        space,
        form,
        lambda: live_sessions.add_agenda_item(
            current_user, space, title=form.title.data or "", action_id=form.action.data, notes=form.notes.data or ""
        ),
        _("El tema quedó agregado a la agenda."),
        new=True,
    )


@bp.post("/espacios/<id:space_id>/sesion/agenda/<id:item_id>")
@login_required
def update_item(space_id: int, item_id: int):
    space = _space_or_404(space_id)
    _require_configurer(space)
    form = AgendaItemForm(prefix=f"item-{item_id}")
    form.action.choices = []
    return _agenda_change(
        space,
        form,
        lambda: live_sessions.update_agenda_item(
            current_user,
            space,
            item_id,
            title=form.title.data or "",
            action_id=form.action.data,
            notes=form.notes.data or "",
        ),
        _("Se guardaron los cambios del tema."),
        item_id=item_id,
    )


@bp.post("/espacios/<id:space_id>/sesion/agenda/<id:item_id>/quitar")
@login_required
def remove_item(space_id: int, item_id: int):
    space = _space_or_404(space_id)
    _require_configurer(space)
    return _agenda_change(
        space,
        PostForm(),
        lambda: live_sessions.remove_agenda_item(current_user, space, item_id),
        _("El tema quedó fuera de la agenda."),
    )


@bp.post("/espacios/<id:space_id>/sesion/agenda/<id:item_id>/mover")
@login_required
def move_item(space_id: int, item_id: int):
    space = _space_or_404(space_id)
    _require_configurer(space)
    form = MoveForm()
    return _agenda_change(
        space,
        form,
        lambda: live_sessions.move_agenda_item(current_user, space, item_id, int(form.direction.data)),
        _("El orden de la agenda cambió."),
    )


# --- After the session: the record, written answers, evaluation ------------------------------------


def _closed_space_or_404(space_id: int) -> Space:
    space = _space_or_404(space_id)
    if space.state not in AFTER_STATES or live_sessions.session_of(space) is None:
        abort(404)
    return space


@bp.get("/espacios/<id:space_id>/sesion/acta")
def record(space_id: int):
    space = _closed_space_or_404(space_id)
    record = live_sessions.session_record(space, current_user)
    return render_template(
        "live/record.html",
        space=space,
        record=record,
        can_answer=permissions.can_answer_owed_question(current_user, space),
        can_evaluate=current_user.is_authenticated
        and permissions.can_evaluate_live_session(
            current_user, space, attended=live_sessions.has_attended(current_user, space)
        ),
    )


@bp.get("/espacios/<id:space_id>/sesion/acta.txt")
def record_download(space_id: int):
    space = _closed_space_or_404(space_id)
    text = live_sessions.record_text(live_sessions.session_record(space, current_user))
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="acta-sesion-{space.id}.txt"'
    return response


@bp.route("/espacios/<id:space_id>/sesion/preguntas/<id:question_id>/responder", methods=["GET", "POST"])
@login_required
def answer_question(space_id: int, question_id: int):
    space = _space_or_404(space_id)
    _require(
        permissions.can_answer_owed_question(current_user, space),
        _("Solo el personal del organismo responde por escrito las preguntas pendientes, después de la sesión."),
    )
    question = next((q for q in live_sessions.owed_questions(space) if q.id == question_id), None)
    if question is None:
        abort(404)
    form = WrittenAnswerForm()
    status = 200
    if form.validate_on_submit():
        try:
            live_sessions.answer_in_writing(current_user, space, question_id, answer=form.answer.data or "")
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            flash(_("La respuesta quedó publicada en el acta y avisamos a quien hizo la pregunta."), "success")
            return redirect(url_for("live.record", space_id=space.id, _anchor="debidas"), 303)
    elif form.is_submitted():
        db.session.rollback()
        status = 400
    return render_template("live/answer.html", space=space, question=question, form=form), status


@bp.route("/espacios/<id:space_id>/sesion/evaluar", methods=["GET", "POST"])
@login_required
def evaluate(space_id: int):
    space = _space_or_404(space_id)
    _require(
        permissions.can_evaluate_live_session(
            current_user, space, attended=live_sessions.has_attended(current_user, space)
        ),
        _("Evalúan la sesión las personas que asistieron, después de que se cierra."),
    )
    form = SessionEvaluationForm()
    status = 200
    if form.validate_on_submit():
        try:
            _evaluation, created = live_sessions.evaluate_session(
                current_user,
                space,
                information_clear=form.information_clear.data,
                questions_answered=form.questions_answered.data,
                usefulness=form.usefulness.data,
                comment=form.comment.data or "",
            )
            db.session.commit()
        except DomainError as error:
            status = show_domain_error(form, error)
        else:
            if created:
                flash(_("Gracias: tu evaluación de la sesión quedó guardada."), "success")
            else:
                flash(_("Actualizamos tu evaluación de la sesión."), "success")
            return redirect(url_for("live.record", space_id=space.id, _anchor="evaluacion"), 303)
    elif form.is_submitted():
        db.session.rollback()
        status = 400
    return render_template("live/evaluate.html", space=space, form=form), status
