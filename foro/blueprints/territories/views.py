"""Public pages of the territories: every comuna and corregimiento, and everything that concerns one."""

from flask import abort, render_template
from flask_babel import lazy_gettext as _l

from foro.blueprints.territories import bp
from foro.models import TerritoryKind
from foro.services import public
from foro.timeutil import local_today

KIND_HEADINGS = {
    TerritoryKind.COMUNA: _l("Comunas"),
    TerritoryKind.CORREGIMIENTO: _l("Corregimientos"),
}


@bp.get("/territorios")
def index():
    cycle = public.current_cycle(local_today())
    return render_template(
        "territories/index.html", groups=public.territories_overview(cycle), cycle=cycle, headings=KIND_HEADINGS
    )


@bp.get("/territorios/<kind>/<int:number>")
def show(kind: str, number: int):
    territory = public.territory_by_kind_number(kind, number)
    if territory is None:
        abort(404)
    today = local_today()
    cycle = public.current_cycle(today)
    return render_template(
        "territories/show.html",
        territory=territory,
        cycle=cycle,
        spaces=public.territory_spaces(territory.id),
        actions_by_organism=public.territory_actions(territory.id, cycle) if cycle else [],
        today=today,
    )
