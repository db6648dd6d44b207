from flask import Blueprint

from foro.services import page_cache

bp = Blueprint("forums", __name__)
# The anonymous page cache of the forum and thread pages lives on the app that registers the forums.
bp.record_once(lambda state: page_cache.init_app(state.app))

from foro.blueprints.forums import setup_views, views  # noqa: E402,F401
