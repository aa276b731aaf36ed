"""Configuration from the environment, and the refusal of unsafe production settings."""

import pytest

from console.config import ConfigurationError, load_settings


def test_development_defaults_to_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("CONSOLE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CONSOLE_ENV", raising=False)
    settings = load_settings(str(tmp_path))
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'console.sqlite3'}"
    assert settings["CONSOLE_ENV"] == "development"
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_production_refuses_the_development_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_ENV", "production")
    monkeypatch.delenv("CONSOLE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="CONSOLE_SECRET_KEY"):
        load_settings(str(tmp_path))


def test_production_with_a_real_key_has_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_ENV", "production")
    monkeypatch.setenv("CONSOLE_SECRET_KEY", "x" * 64)
    settings = load_settings(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["HSTS"] is True


@pytest.mark.parametrize(
    ("name", "value"),
    [("CONSOLE_ENV", "staging"), ("CONSOLE_MAX_UPLOAD_MB", "lots"), ("CONSOLE_MAX_UPLOAD_MB", "0")],
)
def test_bad_values_are_named_in_the_error(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_settings(str(tmp_path))
