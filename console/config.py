"""Settings read from ``CONSOLE_*`` environment variables when the app is created."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused outside development
ENVIRONMENTS = ("development", "production", "testing")
DEFAULT_AUDIT_ORIGIN = "hellowork-shibuya.example/console-audit"
SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")


class ConfigurationError(RuntimeError):
    """The environment asks for something the console refuses to run with."""


@dataclass(frozen=True)
class EnvVar:
    name: str
    help: str


DOCUMENTED_VARIABLES = (
    EnvVar("CONSOLE_ENV", "development (default), production or testing"),
    EnvVar("CONSOLE_DATABASE_URL", "SQLAlchemy URL; default sqlite:///instance/console.sqlite3"),
    EnvVar("CONSOLE_SECRET_KEY", "signs session cookies; required in production"),
    EnvVar("CONSOLE_MAX_UPLOAD_MB", "largest evidence upload in MB (default 50)"),
    EnvVar("CONSOLE_MASK_KEY", "key of the short hashes shown for masked device ids"),
    EnvVar("CONSOLE_AUDIT_SIGNING_KEY", "path of the Ed25519 private key for checkpoints"),
    EnvVar(
        "CONSOLE_AUDIT_PINNED_KEYS",
        "path of the file of checkpoint public keys verification trusts (required in production)",
    ),
    EnvVar("CONSOLE_AUDIT_ORIGIN", "the trail's name in checkpoints and key names"),
    EnvVar(
        "CONSOLE_REQUIRE_TOTP",
        "1 or 0; TOTP for supervisors and administrators (default: 1 in production)",
    ),
)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _positive_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from error
    if value <= 0:
        raise ConfigurationError(f"{name} must be greater than zero, got {value}")
    return value


def _flag(name: str, *, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0, got {raw!r}")


def default_database_url(instance_path: str) -> str:
    """The development database: a SQLite file in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'console.sqlite3'}"


def database_url(raw: str) -> str:
    """``raw`` if it is a SQLite or PostgreSQL URL whose place can exist; else a clear refusal."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as error:
        raise ConfigurationError(
            f"CONSOLE_DATABASE_URL is not a database URL ({raw[:40]!r}): use "
            "sqlite:///path/to/console.sqlite3 or postgresql://user@host/database"
        ) from error
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() not in SUPPORTED_DATABASES:
        raise ConfigurationError(
            f"CONSOLE_DATABASE_URL must be a sqlite:/// or postgresql:// URL, got {shown}"
        )
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).resolve().parent
        if not folder.is_dir():
            raise ConfigurationError(
                f"CONSOLE_DATABASE_URL names a SQLite file in {folder}, which does not exist"
            )
    return raw


def load_settings(instance_path: str) -> dict[str, Any]:
    """Read the environment into Flask config keys, refusing unsafe production settings."""
    env = _env("CONSOLE_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(
            f"CONSOLE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}"
        )
    secret_key = _env("CONSOLE_SECRET_KEY", DEV_SECRET_KEY)
    if env == "production" and secret_key == DEV_SECRET_KEY:
        raise ConfigurationError(
            "CONSOLE_SECRET_KEY is not set: the console refuses to run in production with "
            "the development secret key. Set CONSOLE_SECRET_KEY to a long random value, e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    max_upload_mb = _positive_int("CONSOLE_MAX_UPLOAD_MB", 50)
    development = env != "production"
    require_totp = _flag("CONSOLE_REQUIRE_TOTP", default=not development)
    return {
        "CONSOLE_ENV": env,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url(
            _env("CONSOLE_DATABASE_URL", default_database_url(instance_path)) or ""
        ),
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
        "MASK_KEY": _env("CONSOLE_MASK_KEY", secret_key),
        "AUDIT_SIGNING_KEY": _env("CONSOLE_AUDIT_SIGNING_KEY"),
        "AUDIT_PINNED_KEYS": _env("CONSOLE_AUDIT_PINNED_KEYS"),
        "AUDIT_ORIGIN": _env("CONSOLE_AUDIT_ORIGIN", DEFAULT_AUDIT_ORIGIN),
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "console_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "IDLE_TIMEOUT": timedelta(minutes=30),
        "FRESH_LOGIN_WINDOW": timedelta(minutes=10),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "HSTS": not development,
        "REQUIRE_TOTP": require_totp,
    }
