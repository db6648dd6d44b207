"""Administration pages: reference data (organisms, territories, target groups, cycles) and roles.

Thin views: form -> foro.services.administration -> commit -> redirect. Anonymous visitors are sent to
log in; signed-in people without the admin permission get 403.
"""

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from foro import permissions
from foro.blueprints.admin import bp
from foro.blueprints.admin.forms import (
    CycleForm,
    OrganismForm,
    RoleForm,
    TargetGroupForm,
    TerritoryForm,
    UserSearchForm,
)
from foro.errors import DomainError
from foro.extensions import db, login_manager
from foro.forms import show_domain_error
from foro.models import Cycle, Organism, TargetGroup, Territory, TerritoryKind, User
from foro.services import administration

USERS_PER_PAGE = 50
# Beyond this a page number is nonsense, and its OFFSET would overflow PostgreSQL's bigint.
MAX_PAGE = 100_000


def _can_open_admin(user) -> bool:
    return permissions.can_manage_reference_data(user) or permissions.can_manage_users(user)


def _requires(check):
    """Log-in first (redirect), then ``check(current_user)`` or 403."""

    def decorator(view):
        @wraps(view)
        def guarded(**kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                abort(403)
            return view(**kwargs)

        return guarded

    return decorator


def _submit(form, save, success: str) -> int | None:
    """Run ``save()`` for a valid submit, commit and flash: None then, else the status to render with."""
    if form.validate_on_submit():
        try:
            save()
            db.session.commit()
        except DomainError as error:
            return show_domain_error(form, error)
        flash(success, "success")
        return None
    return 400 if form.is_submitted() else 200


@bp.get("/admin")
@_requires(_can_open_admin)
def index():
    counts = db.session.execute(
        select(
            select(func.count(Organism.id)).scalar_subquery().label("organisms"),
            select(func.count(Territory.id)).scalar_subquery().label("territories"),
            select(func.count(TargetGroup.id)).scalar_subquery().label("target_groups"),
            select(func.count(Cycle.id)).scalar_subquery().label("cycles"),
            select(func.count(User.id)).where(User.deleted_at.is_(None)).scalar_subquery().label("users"),
        )
    ).one()
    return render_template("admin/index.html", counts=counts)


# Organisms ------------------------------------------------------------------------------------------


@bp.get("/admin/organismos")
@_requires(permissions.can_manage_reference_data)
def organisms():
    rows = db.session.scalars(select(Organism).order_by(Organism.acronym)).all()
    return render_template("admin/organisms.html", organisms=rows)


def _render_form(status: int, form, title: str, back_url: str, submit_label: str):
    return render_template(
        "admin/form.html", form=form, title=title, back_url=back_url, submit_label=submit_label
    ), status


@bp.route("/admin/organismos/nuevo", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def organism_new():
    form = OrganismForm()
    status = _submit(form, lambda: administration.create_organism(current_user, form.details()), _("Organismo creado."))
    if status is None:
        return redirect(url_for("admin.organisms"))
    return _render_form(status, form, _("Nuevo organismo"), url_for("admin.organisms"), _("Crear organismo"))


@bp.route("/admin/organismos/<id:organism_id>/editar", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def organism_edit(organism_id: int):
    organism = db.get_or_404(Organism, organism_id)
    title = _("Editar organismo %(acronym)s", acronym=organism.acronym)
    form = OrganismForm(obj=organism)
    status = _submit(
        form,
        lambda: administration.update_organism(current_user, organism, form.details()),
        _("Organismo actualizado."),
    )
    if status is None:
        return redirect(url_for("admin.organisms"))
    return _render_form(status, form, title, url_for("admin.organisms"), _("Guardar cambios"))


# Territories ----------------------------------------------------------------------------------------


@bp.get("/admin/territorios")
@_requires(permissions.can_manage_reference_data)
def territories():
    comunas_first = case((Territory.kind == TerritoryKind.COMUNA, 0), else_=1)
    rows = db.session.scalars(select(Territory).order_by(comunas_first, Territory.number)).all()
    return render_template("admin/territories.html", territories=rows)


@bp.route("/admin/territorios/<id:territory_id>/editar", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def territory_edit(territory_id: int):
    territory = db.get_or_404(Territory, territory_id)
    title = _("Nombre de %(kind)s %(number)s", kind=territory.kind.label, number=territory.number)
    form = TerritoryForm(obj=territory)
    status = _submit(
        form,
        lambda: administration.rename_territory(current_user, territory, form.name.data),
        _("Nombre actualizado."),
    )
    if status is None:
        return redirect(url_for("admin.territories"))
    return _render_form(status, form, title, url_for("admin.territories"), _("Guardar nombre"))


# Target groups --------------------------------------------------------------------------------------


@bp.route("/admin/grupos-de-valor", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def target_groups():
    form = TargetGroupForm()
    status = _submit(
        form,
        lambda: administration.create_target_group(current_user, form.name.data),
        _("Grupo de valor agregado."),
    )
    if status is None:
        return redirect(url_for("admin.target_groups"))
    groups = db.session.scalars(select(TargetGroup).order_by(TargetGroup.name)).all()
    return render_template("admin/target_groups.html", form=form, groups=groups), status


@bp.route("/admin/grupos-de-valor/<id:group_id>/editar", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def target_group_edit(group_id: int):
    group = db.get_or_404(TargetGroup, group_id)
    form = TargetGroupForm(obj=group)
    status = _submit(
        form,
        lambda: administration.rename_target_group(current_user, group, form.name.data),
        _("Grupo de valor actualizado."),
    )
    if status is None:
        return redirect(url_for("admin.target_groups"))
    return _render_form(
        status, form, _("Renombrar grupo de valor"), url_for("admin.target_groups"), _("Guardar nombre")
    )


# Cycles ---------------------------------------------------------------------------------------------


@bp.get("/admin/vigencias")
@_requires(permissions.can_manage_reference_data)
def cycles():
    rows = db.session.scalars(select(Cycle).options(selectinload(Cycle.phases)).order_by(Cycle.year.desc())).all()
    return render_template("admin/cycles.html", cycles=rows)


@bp.route("/admin/vigencias/nueva", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def cycle_new():
    form = CycleForm()
    status = _submit(form, lambda: administration.create_cycle(current_user, form.details()), _("Vigencia creada."))
    if status is None:
        return redirect(url_for("admin.cycles"))
    return render_template(
        "admin/cycle_form.html", form=form, title=_("Nueva vigencia"), submit_label=_("Crear vigencia")
    ), status


@bp.route("/admin/vigencias/<id:cycle_id>/editar", methods=["GET", "POST"])
@_requires(permissions.can_manage_reference_data)
def cycle_edit(cycle_id: int):
    cycle = db.get_or_404(Cycle, cycle_id)
    title = _("Editar vigencia %(year)s", year=cycle.year)
    form = CycleForm.for_cycle(cycle)
    status = _submit(
        form, lambda: administration.update_cycle(current_user, cycle, form.details()), _("Vigencia actualizada.")
    )
    if status is None:
        return redirect(url_for("admin.cycles"))
    return render_template("admin/cycle_form.html", form=form, title=title, submit_label=_("Guardar cambios")), status


# People and roles -----------------------------------------------------------------------------------


def _list_state() -> dict:
    """The search term and page the admin was on, to come back to them after changing a role."""
    state = {}
    if request.args.get("buscar"):
        state["buscar"] = request.args["buscar"]
    if request.args.get("pagina", type=int):
        state["pagina"] = request.args.get("pagina", type=int)
    return state


def _organisms() -> list[Organism]:
    return list(db.session.scalars(select(Organism).order_by(Organism.acronym)))


@bp.get("/admin/usuarios")
@_requires(permissions.can_manage_users)
def users():
    search = UserSearchForm(request.args)
    status, term = (200, search.buscar.data or "") if search.validate() else (400, "")
    page = request.args.get("pagina", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    pagination = db.paginate(
        administration.search_users(term), page=page, per_page=USERS_PER_PAGE, max_per_page=USERS_PER_PAGE
    )
    organisms = _organisms()
    forms = {
        user.id: RoleForm.for_user(user.id, organisms, obj=user)
        for user in pagination.items
        if not user.is_deleted and user.id != current_user.id
    }
    return render_template(
        "admin/users.html", search=search, term=term, pagination=pagination, forms=forms, list_state=_list_state()
    ), status


@bp.post("/admin/usuarios/<id:user_id>/rol")
@_requires(permissions.can_manage_users)
def user_role(user_id: int):
    target = db.get_or_404(User, user_id)
    form = RoleForm.for_user(target.id, _organisms())
    status = _submit(
        form,
        lambda: administration.set_user_role(current_user, target, form.role.data, form.organism_id.data),
        _("Rol actualizado. La persona deberá iniciar sesión de nuevo."),
    )
    if status is None:
        return redirect(url_for("admin.users", **_list_state()))
    return render_template("admin/user_role.html", form=form, target=target, list_state=_list_state()), status
