"""The app factory: `create_app` builds the Flask app from the configuration and the components."""

import logging
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from plaza import components, embedded_redis, web
from plaza.config import CONFIGS, REPOSITORY_ROOT, ConfigurationError
from plaza.config import config_name as pick_config_name
from plaza.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

# Tables of the kernel, which every component may use.
KERNEL_MODELS = ("plaza.audit.models", "plaza.districts", "plaza.outbox", "plaza.search", "plaza.submissions",
                 "plaza.tasks.models")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the Plaza app. `config_name` is development, testing or production (see `config.config_name`)."""
    config_name = pick_config_name(config_name)
    instance_path = os.environ.get("PLAZA_INSTANCE_PATH") or str(REPOSITORY_ROOT / "instance")
    app = Flask("plaza", instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    missing = [env for key, env in app.config["REQUIRED_SETTINGS"].items() if not app.config.get(key)]
    if missing:
        hint = " (to try Plaza on this machine, set PLAZA_ENV=development or use make run)" \
            if config_name == "production" else ""
        raise ConfigurationError(f"{', '.join(missing)} not set: the {config_name} configuration refuses to "
                                 f"start without them (see README, Configuration){hint}")
    if app.config["PLAZA_PROXY_COUNT"]:
        count = app.config["PLAZA_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'plaza.sqlite'}"
    _configure_rate_limits(app)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _make_sqlite_behave(db.engine)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    _configure_login(app)
    _configure_babel(app)
    web.install(app)  # the id converter must exist before the blueprints' routes
    _register_components(app)
    _register_security_headers(app)

    from plaza.cli import plaza as plaza_commands

    app.cli.add_command(plaza_commands)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _make_sqlite_behave(engine) -> None:
    """Enforce foreign keys, and let web and worker processes wait for each other's writes."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA busy_timeout = 5000")


def _configure_rate_limits(app: Flask) -> None:
    if app.config.get("RATELIMIT_STORAGE_URI"):
        return
    if not app.config["RATELIMIT_ENABLED"]:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        return
    # Never start the embedded Redis just for this: the limiter falls back to memory until it runs.
    url = app.config.get("REDIS_URL") or embedded_redis.url_for_socket(embedded_redis.socket_path(app.instance_path))
    if url.startswith("unix://"):
        url = "redis+unix://" + url.removeprefix("unix://")
    app.config["RATELIMIT_STORAGE_URI"] = url


def _configure_login(app: Flask) -> None:
    from plaza.accounts import services as accounts

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"  # "strong" would sign out people whose mobile IP changes
    # The cookies hold the key of a sign-in row (accounts.services.start_session), not the user id.
    login_manager.id_attribute = "sign_in_key"
    login_manager.user_loader(accounts.user_for_session)


def _configure_babel(app: Flask) -> None:
    from plaza import i18n

    babel.init_app(app, locale_selector=i18n.select_locale)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.context_processor(i18n.template_globals)


def _register_components(app: Flask) -> None:
    """Every installed component's models, blueprints and set-up hooks, from its manifest.

    Packages do not import their views themselves, so that services, models and jobs can be imported
    without the web layer (a worker's cron process imports `workers.voting` alone)."""
    from plaza.processes import scope

    manifests = components.manifests()
    for manifest in manifests:
        for module in manifest.models:  # puts the tables on db.metadata (migrations, create_all)
            components.resolve(module)
    for module in KERNEL_MODELS:
        components.resolve(module)
    for manifest in manifests:
        for mount in manifest.mounts:
            blueprint = components.resolve(mount.blueprint)
            if mount.url_prefix is None:
                scope.nest(blueprint)
            else:
                app.register_blueprint(blueprint, url_prefix=mount.url_prefix or None)
        if manifest.setup:
            components.resolve(manifest.setup)(app)
    app.register_blueprint(scope.bp)


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
