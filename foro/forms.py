"""Form pieces shared by several capabilities."""

from itertools import groupby

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from foro.errors import DomainError
from foro.extensions import db
from foro.models import Territory, TerritoryKind

INVALID_CHOICE = _l("Elige una de las opciones de la lista.")


class MultiCheckboxField(SelectMultipleField):
    """Several ids as checkboxes (the ``field`` macro renders this type as a fieldset).

    By default the service, not the form, checks that the ids exist, and names this field in its error.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("invalid_value_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)

    def option_groups(self) -> list[tuple[str | None, list]]:
        """The checkboxes grouped by their choices' ``optgroup``, in the order of the choices."""
        pairs = zip((choice.optgroup for choice in self.choices), self, strict=True)
        return [(group, [option for _, option in items]) for group, items in groupby(pairs, key=lambda p: p[0])]


def labelled_choices(enum_cls, leave_out=()) -> list[SelectChoice]:
    """Choices of a LabelledEnum: its code as the value, its translated label as the text."""
    return [SelectChoice(member.value, member.label) for member in enum_cls if member not in leave_out]


def show_domain_error(form, error: DomainError) -> int:
    """Undo the failed change, put the service's message on the field it names (or atop the form).

    Returns the status code the page should be rendered with.
    """
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return error.status_code


TERRITORY_GROUP_LABELS = {TerritoryKind.COMUNA: _l("Comunas"), TerritoryKind.CORREGIMIENTO: _l("Corregimientos")}


def grouped_territory_choices(territories: list[Territory], value=int) -> list[SelectChoice]:
    """Comunas first, then corregimientos, each under its group, as residents look for them."""
    ordered = sorted(territories, key=lambda t: (list(TerritoryKind).index(t.kind), t.number))
    return [
        SelectChoice(value=value(t.id), label=t.display_name, optgroup=str(TERRITORY_GROUP_LABELS[t.kind]))
        for t in ordered
    ]
