import os
import subprocess
import sys

import pytest

from plaza.app import create_app
from tests.conftest import REPOSITORY_ROOT


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PLAZA_ENV")}
    return subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY_ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.pure
def test_standard_library_platform_is_not_shadowed_from_the_repository_root():
    assert not (REPOSITORY_ROOT / "platform" / "__init__.py").exists()
    result = run_python("import platform, uuid; print(platform.system(), uuid.uuid4().version)")
    assert result.returncode == 0, result.stderr
    system, version = result.stdout.split()
    assert system in {"Linux", "Darwin", "Windows"}
    assert version == "4"


@pytest.mark.pure
def test_plaza_is_importable_as_an_installed_package_from_the_platform_folder():
    result = run_python("import plaza, workers; print(plaza.__file__); print(workers.__file__)")
    assert result.returncode == 0, result.stderr
    plaza_file, workers_file = result.stdout.splitlines()
    assert plaza_file == str(REPOSITORY_ROOT / "platform" / "plaza" / "__init__.py")
    assert workers_file == str(REPOSITORY_ROOT / "workers" / "__init__.py")


@pytest.mark.pure
def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import wsgi", PLAZA_INSTANCE_PATH="/tmp/p", DATABASE_URL="sqlite://",
                        REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0
    assert "SECRET_KEY not set" in result.stderr


@pytest.mark.pure
def test_production_starts_with_a_secret_key_and_secure_cookies(tmp_path):
    code = ("from plaza.app import create_app; a = create_app('production'); "
            "print(a.config['SESSION_COOKIE_SECURE'], a.config['SQLALCHEMY_DATABASE_URI'])")
    result = run_python(code, SECRET_KEY="s3cret", DATABASE_URL="sqlite:///x.db", REDIS_URL="redis://127.0.0.1:1/0",
                        PLAZA_INSTANCE_PATH=str(tmp_path))
    assert result.returncode == 0, result.stderr
    wsgi = run_python("import wsgi; print(wsgi.app.config['SESSION_COOKIE_SECURE'])",
                      SECRET_KEY="s3cret", DATABASE_URL="sqlite:///x.db", REDIS_URL="redis://127.0.0.1:1/0",
                      PLAZA_INSTANCE_PATH=str(tmp_path))
    assert wsgi.stdout.strip() == "True", "wsgi.py must default to the production configuration"
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "sqlite:///x.db"]


@pytest.mark.pure
def test_worker_without_configuration_refuses_to_start_like_the_web_server(tmp_path):
    """`python -m workers` used to run the development configuration (fixed key, no e-mail, local SQLite)."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "PLAZA_ENV", "DATABASE_URL", "REDIS_URL")}
    result = subprocess.run([sys.executable, "-m", "workers", "--burst"], cwd=REPOSITORY_ROOT,
                            env={**clean, "PLAZA_INSTANCE_PATH": str(tmp_path)},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY, DATABASE_URL, REDIS_URL not set: the production configuration refuses" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "plaza.sqlite").exists()


@pytest.mark.pure
def test_every_entry_point_defaults_to_production(monkeypatch):
    from plaza.config import config_name

    monkeypatch.delenv("PLAZA_ENV", raising=False)
    assert config_name() == "production"
    monkeypatch.setenv("PLAZA_ENV", "development")
    assert config_name() == "development"
    assert config_name("testing") == "testing"
    monkeypatch.delenv("PLAZA_ENV")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY.* not set: the production configuration refuses"):
        create_app()


@pytest.mark.pure
def test_real_configurations_hash_passwords_with_scrypt():
    from plaza.config import DevelopmentConfig, ProductionConfig

    assert DevelopmentConfig.PASSWORD_HASH_METHOD == ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"


@pytest.mark.pure
def test_unknown_configuration_name_is_refused():
    with pytest.raises(RuntimeError, match="unknown configuration"):
        create_app("staging")


@pytest.mark.pure
def test_unknown_language_in_plaza_languages_is_refused():
    result = run_python("import plaza.config", PLAZA_LANGUAGES="en,xx")
    assert result.returncode != 0
    assert "xx" in result.stderr


@pytest.mark.pure
def test_database_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAZA_INSTANCE_PATH", str(tmp_path))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=None)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'plaza.sqlite'}"


def test_security_headers_and_cookie_flags(client):
    client.get("/language/es")
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development serves plain HTTP
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


@pytest.mark.pure
def test_production_sends_hsts_and_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAZA_INSTANCE_PATH", str(tmp_path))
    app = create_app("production", SECRET_KEY="s3cret", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.db",
                     REDIS_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    client.get("/language/es")
    assert client.get_cookie("session").secure
    assert "max-age=" in client.get("/healthz").headers["Strict-Transport-Security"]


@pytest.mark.pure
def test_production_refuses_to_start_without_database_and_redis(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAZA_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="DATABASE_URL, REDIS_URL not set"):
        create_app("production", SECRET_KEY="s3cret", SQLALCHEMY_DATABASE_URI=None, REDIS_URL=None)


def test_proxy_count_makes_the_client_address_the_forwarded_one(app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert not isinstance(app.wsgi_app, ProxyFix)
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PLAZA_PROXY_COUNT=1)
    assert isinstance(proxied.wsgi_app, ProxyFix)


def test_health_endpoint(client):
    assert client.get("/healthz").json == {"status": "ok"}
