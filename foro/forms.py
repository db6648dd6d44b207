"""Form pieces shared by several capabilities."""

from itertools import groupby

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

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
