"""Foro: deliberation and e-participation for city administrations."""

import os

from flask import Flask

from config import CONFIGS, DEV_SECRET_KEY

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config_name = config_name or os.environ.get("FORO_ENV", "development")
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "foro.sqlite")
    if config_name == "production" and app.config["SECRET_KEY"] in (None, "", DEV_SECRET_KEY):
        raise RuntimeError(
            "Foro no arranca en producción sin una SECRET_KEY propia. Genere una con\n"
            "  python -c 'import secrets; print(secrets.token_hex(32))'\n"
            "y expórtela antes de iniciar: export SECRET_KEY=<valor>"
        )

    from foro import cli, errors_http, security, templating
    from foro.database import configure_engine
    from foro.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
    from foro.services import page_cache

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale, timezone_selector=lambda: "America/Bogota")
    limiter.init_app(app)
    socketio.init_app(
        app,
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=app.config["SOCKETIO_CORS_ALLOWED_ORIGINS"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
        logger=False,
        engineio_logger=False,
    )

    from foro.blueprints.accounts import bp as accounts_bp
    from foro.blueprints.accounts.auth import init_login

    init_login(login_manager, app)
    security.init_app(app)
    errors_http.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    # The anonymous page cache of forum and call pages (foro.services.page_cache).
    page_cache.init_app(app)

    from foro.blueprints.admin import bp as admin_bp
    from foro.blueprints.answers import bp as answers_bp
    from foro.blueprints.followup import bp as followup_bp
    from foro.blueprints.forums import bp as forums_bp
    from foro.blueprints.live import bp as live_bp
    from foro.blueprints.main import bp as main_bp
    from foro.blueprints.moderation import bp as moderation_bp
    from foro.blueprints.notifications import bp as notifications_bp
    from foro.blueprints.organisms import bp as organisms_bp
    from foro.blueprints.plans import bp as plans_bp
    from foro.blueprints.proposals import bp as proposals_bp
    from foro.blueprints.search import bp as search_bp
    from foro.blueprints.spaces import bp as spaces_bp
    from foro.blueprints.territories import bp as territories_bp
    from foro.blueprints.voting import bp as voting_bp

    for blueprint in (
        main_bp,
        accounts_bp,
        admin_bp,
        organisms_bp,
        territories_bp,
        plans_bp,
        spaces_bp,
        search_bp,
        moderation_bp,
        forums_bp,
        notifications_bp,
        proposals_bp,
        voting_bp,
        answers_bp,
        followup_bp,
        live_bp,
    ):
        app.register_blueprint(blueprint)
    return app
