"""Views of the spaces capability: the public calendar and its iCalendar feed, the space page, the
envelope editor and the lifecycle moves. Rules live in foro.services.spaces and foro.permissions."""

from itertools import groupby

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from foro import permissions
from foro.blueprints.lookups import organism_or_404, visible_space_or_404
from foro.blueprints.spaces import bp
from foro.blueprints.spaces.forms import (
    LEVEL_EXPLANATIONS,
    MOVE_LABELS,
    CalendarFilterForm,
    SpaceForm,
    StateChangeForm,
)
from foro.errors import DomainError, NotAllowed
from foro.extensions import db
from foro.forms import show_domain_error
from foro.models import (
    Action,
    ActionPlan,
    Cycle,
    Organism,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
)
from foro.models.space import space_response_actions
from foro.services import live_sessions
from foro.services.business_days import business_days_between
from foro.services.ical import Event, build_calendar, html_to_text
from foro.services.live_broadcast import publish
from foro.services.spaces import (
    NEXT_STATE,
    SpaceDetails,
    calendar_query,
    change_space_state,
    create_space,
    moderator_candidates,
    response_action_choices,
    update_space,
)
from foro.timeutil import local_to_utc, local_today, now_utc, utc_to_local

PER_PAGE = 30
# Pages past the last one are simply empty; the bound keeps OFFSET far from integer overflow.
MAX_PAGE = 100_000
# States in which the organism owes its institutional response, so the deadline is shown.
AWAITING_RESPONSE = (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED)


# --- The public calendar -------------------------------------------------------------------------


def _filter_form() -> CalendarFilterForm:
    organisms = db.session.scalars(select(Organism).order_by(Organism.name)).all()
    territories = db.session.scalars(select(Territory).order_by(Territory.kind, Territory.number)).all()
    return CalendarFilterForm(request.args, organisms=organisms, territories=territories)


def _page_number() -> int:
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


def _by_local_month(spaces: list[Space]) -> list[tuple]:
    """``[(first day of the month, [spaces]), ...]`` by the Cali date each space opens."""
    return [
        (month, list(group))
        for month, group in groupby(spaces, key=lambda space: utc_to_local(space.opens_at).date().replace(day=1))
    ]


@bp.get("/cronograma")
def calendar():
    form = _filter_form()
    pagination = db.paginate(calendar_query(form.to_filters()), page=_page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "spaces/calendar.html",
        form=form,
        pagination=pagination,
        months=_by_local_month(pagination.items),
        today=local_today(),
    )


def _space_event(space: Space) -> Event:
    facts = [
        _("Organismo: %(name)s", name=space.organism.name),
        _("Estado: %(state)s", state=space.state.label),
        _("Fase: %(phase)s", phase=space.phase.label),
        _("Nivel de participación: %(level)s", level=space.participation_level.label),
    ]
    text = html_to_text(space.description)
    return Event(
        uid=f"space-{space.id}@foro",
        starts_at=space.opens_at,
        ends_at=space.closes_at,
        summary=space.title,
        description="\n".join(facts) + ("\n\n" + text if text else ""),
        url=url_for("spaces.show", space_id=space.id, _external=True),
        location=space.location or ", ".join(territory.display_name for territory in space.territories),
        categories=[str(space.kind.label)],
    )


@bp.get("/cronograma.ics")
def calendar_ics():
    spaces = db.session.scalars(calendar_query(_filter_form().to_filters())).all()
    body = build_calendar(
        (_space_event(space) for space in spaces),
        name=_("Cronograma de participación ciudadana de Cali"),
        stamp=now_utc(),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="cronograma-foro-cali.ics"'
    return response


# --- The space page and its lifecycle -----------------------------------------------------------


def _visible_space_or_404(space_id: int) -> Space:
    """The space with everything its page shows, or 404 for a draft the current user may not see."""
    return visible_space_or_404(
        space_id,
        joinedload(Space.organism),
        joinedload(Space.cycle),
        joinedload(Space.action),
        selectinload(Space.territories),
        selectinload(Space.target_groups),
        selectinload(Space.moderators),
        selectinload(Space.transitions),
    )


def _timeline(space: Space) -> list[dict]:
    """Every state in order, with the moment it was reached (None if unrecorded) and where the space is now."""
    reached = {SpaceState.DRAFT: space.created_at}
    reached.update({transition.to_state: transition.created_at for transition in space.transitions})
    states = list(SpaceState)
    current_index = states.index(space.state)
    return [
        {
            "state": state,
            "reached_at": reached.get(state) if index <= current_index else None,
            "status": "done" if index < current_index else "current" if index == current_index else "pending",
        }
        for index, state in enumerate(states)
    ]


def _response_deadline(space: Space, today) -> dict | None:
    """Business days left (positive), due today (0) or overdue (negative), while the response is owed."""
    if space.state not in AWAITING_RESPONSE or space.response_due_on is None:
        return None
    return {"due_on": space.response_due_on, "days_left": business_days_between(today, space.response_due_on)}


def _render_space(space: Space, state_form: StateChangeForm | None = None, status: int = 200):
    """The space page; ``state_form`` carries a refused move's input and errors back to the person."""
    next_state = NEXT_STATE.get(space.state)
    may_move = next_state is not None and permissions.can_move_space_to(current_user, space, next_state)
    refusals = list(state_form.form_errors) if state_form is not None else []
    if may_move:
        state_form = state_form or StateChangeForm()
        # Always offer the move that is possible now, even if the refused one was another.
        state_form.target.data = next_state.value
        if next_state is SpaceState.RESPONSE_GIVEN:
            state_form.set_action_choices(response_action_choices(space))
    today = local_today()
    return (
        render_template(
            "spaces/show.html",
            space=space,
            today=today,
            timeline=_timeline(space),
            deadline=_response_deadline(space, today),
            level_explanation=LEVEL_EXPLANATIONS[space.participation_level],
            next_state=next_state if may_move else None,
            move_label=MOVE_LABELS[next_state] if may_move else None,
            state_form=state_form if may_move else None,
            refusals=refusals,
            response_actions=_response_actions(space),
        ),
        status,
    )


def _response_actions(space: Space) -> list[Action]:
    """The plan actions the institutional response names, with their plan's vigencia, once it is given."""
    if space.state is not SpaceState.RESPONSE_GIVEN:
        return []
    return list(
        db.session.scalars(
            select(Action)
            .join(space_response_actions, space_response_actions.c.action_id == Action.id)
            .where(space_response_actions.c.space_id == space.id)
            .options(joinedload(Action.plan).joinedload(ActionPlan.cycle))
            .order_by(Action.id)
        )
    )


@bp.get("/espacios/<id:space_id>")
def show(space_id: int):
    return _render_space(_visible_space_or_404(space_id))


@bp.post("/espacios/<id:space_id>/estado")
@login_required
def change_state(space_id: int):
    space = _visible_space_or_404(space_id)
    try:
        target = SpaceState(request.form.get("target", ""))
    except ValueError:
        abort(400)
    form = StateChangeForm()
    if not form.validate():
        return _render_space(space, form, 400)
    try:
        change_space_state(
            current_user,
            space,
            target,
            response=form.response.data or "",
            note=(form.note.data or "").strip(),
            action_ids=(form.action_ids.data or []) if target is SpaceState.RESPONSE_GIVEN else (),
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        current_app.logger.info(
            "space %s: move to %s by user %s refused: %s", space_id, target.value, current_user.id, error
        )
        if isinstance(error, NotAllowed):
            abort(403)
        # The rollback expired the space: the page shows its state as it is now, and the form again.
        show_domain_error(form, error)
        return _render_space(space, form, error.status_code)
    if space.kind is SpaceKind.LIVE_SESSION:
        # People in the session's room see it go live or close without reloading.
        publish(live_sessions.state_change(space))
    flash(_("El espacio pasó a «%(state)s».", state=target.label), "success")
    return redirect(url_for("spaces.show", space_id=space_id))


# --- Creating and editing the envelope ----------------------------------------------------------


def _fill_choices(form: SpaceForm, organism: Organism) -> None:
    actions = db.session.scalars(
        select(Action)
        .join(ActionPlan)
        .join(Cycle)
        .where(ActionPlan.organism_id == organism.id)
        .options(selectinload(Action.plan).selectinload(ActionPlan.cycle))
        .order_by(Cycle.year.desc(), Action.id)
    ).all()
    form.set_choices(
        cycles=db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all(),
        actions=actions,
        territories=db.session.scalars(select(Territory).order_by(Territory.kind, Territory.number)).all(),
        target_groups=db.session.scalars(select(TargetGroup).order_by(TargetGroup.name)).all(),
        moderators=moderator_candidates(),
    )


def _details(form: SpaceForm) -> SpaceDetails:
    return SpaceDetails(
        kind=form.kind.data,
        title=form.title.data or "",
        description=form.description.data or "",
        cycle_id=form.cycle_id.data,
        phase=form.phase.data,
        participation_level=form.participation_level.data,
        action_id=form.action_id.data,
        opens_at=local_to_utc(form.opens_at.data),
        closes_at=local_to_utc(form.closes_at.data),
        location=form.location.data or "",
        response_business_days=form.response_business_days.data,
        territory_ids=form.territory_ids.data or [],
        target_group_ids=form.target_group_ids.data or [],
        moderator_ids=form.moderator_ids.data or [],
    )


def _save_space(form: SpaceForm, organism: Organism, save, template_args: dict):
    """Validate, call ``save(details)`` (a service), commit and go to the space; re-show the form otherwise."""
    if form.validate_on_submit():
        try:
            space = save(_details(form))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = error.status_code
        else:
            flash(_("Se guardó el espacio «%(title)s».", title=space.title), "success")
            return redirect(url_for("spaces.show", space_id=space.id))
    else:
        status = 400 if form.is_submitted() else 200
    return render_template("spaces/form.html", form=form, organism=organism, **template_args), status


@bp.route("/organismos/<acronym>/espacios/nuevo", methods=["GET", "POST"])
@login_required
def new(acronym: str):
    organism = organism_or_404(acronym)
    if not permissions.can_create_space(current_user, organism.id):
        abort(403)
    current_cycle = db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))
    form = SpaceForm(
        data={
            "response_business_days": current_app.config["DEFAULT_RESPONSE_BUSINESS_DAYS"],
            "cycle_id": current_cycle.id if current_cycle else None,
        }
    )
    _fill_choices(form, organism)
    return _save_space(form, organism, lambda details: create_space(current_user, organism, details), {"space": None})


def _naive_local(moment):
    return utc_to_local(moment).replace(tzinfo=None)


@bp.route("/espacios/<id:space_id>/editar", methods=["GET", "POST"])
@login_required
def edit(space_id: int):
    space = _visible_space_or_404(space_id)
    if not permissions.can_edit_space(current_user, space):
        abort(403)
    form = SpaceForm(
        data={
            "kind": space.kind,
            "title": space.title,
            "description": space.description,
            "cycle_id": space.cycle_id,
            "phase": space.phase,
            "participation_level": space.participation_level,
            "action_id": space.action_id,
            "opens_at": _naive_local(space.opens_at),
            "closes_at": _naive_local(space.closes_at),
            "location": space.location,
            "response_business_days": space.response_business_days,
            "territory_ids": [territory.id for territory in space.territories],
            "target_group_ids": [group.id for group in space.target_groups],
            "moderator_ids": [user.id for user in space.moderators],
        }
    )
    organism = space.organism
    _fill_choices(form, organism)
    return _save_space(form, organism, lambda details: update_space(current_user, space, details), {"space": space})
