"""The search box: a GET form, so results have a URL that can be shared, bookmarked and paged."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional

from foro.search import QUERY_MAX


class SearchForm(FlaskForm):
    """No CSRF: searching changes nothing."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Palabras que buscas"),
        validators=[
            Optional(),
            Length(max=QUERY_MAX, message=_l("La búsqueda admite hasta %(n)s caracteres.", n=QUERY_MAX)),
        ],
    )
