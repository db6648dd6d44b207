"""Public pages of the organisms: the directory, each organism's page and its participation health."""

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from foro import permissions
from foro.blueprints.lookups import organism_or_404
from foro.blueprints.organisms import bp
from foro.models import OrganismKind
from foro.services import plans, public
from foro.services.health import owed_follow_up, participation_health
from foro.timeutil import local_today

KIND_HEADINGS = {
    OrganismKind.SECRETARIA: _l("Secretarías"),
    OrganismKind.DEPARTAMENTO: _l("Departamentos administrativos"),
    OrganismKind.UNIDAD: _l("Unidades administrativas"),
}


@bp.get("/organismos")
def index():
    today = local_today()
    return render_template("organisms/index.html", groups=public.organisms_by_kind(today), headings=KIND_HEADINGS)


@bp.get("/organismos/<acronym>")
def show(acronym: str):
    organism = organism_or_404(acronym)
    today = local_today()
    cycle = public.current_cycle(today)
    plan = public.organism_plan(organism.id, cycle.id) if cycle else None
    return render_template(
        "organisms/show.html",
        organism=organism,
        cycle=cycle,
        plan=plan,
        plan_actions=plans.plan_actions(plan.id) if plan else [],
        spaces=public.organism_spaces(
            organism.id, include_drafts=permissions.can_see_drafts_of(current_user, organism.id)
        ),
        health=participation_health(organism.id, today),
        today=today,
    )


@bp.get("/organismos/<acronym>/salud")
def health(acronym: str):
    organism = organism_or_404(acronym)
    today = local_today()
    return render_template(
        "organisms/health.html",
        organism=organism,
        health=participation_health(organism.id, today),
        follow_up=owed_follow_up(organism.id),
        today=today,
    )
