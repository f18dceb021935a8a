"""Settings from the environment (CONTRACT.md) and what the factory makes of them."""

from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.settings import PROJECT_ROOT, Settings


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.language == "zh_CN"
    assert settings.instance_dir == PROJECT_ROOT / "instance"
    assert settings.index_dir == PROJECT_ROOT / "index"
    assert settings.content_dir == PROJECT_ROOT / "content"
    assert settings.database_url is None
    assert settings.resolved_database_url() == f"sqlite:///{PROJECT_ROOT / 'instance' / 'isupport.sqlite3'}"
    assert settings.secure_cookies is True and settings.rate_limits is True


def test_every_documented_variable_is_read(tmp_path):
    settings = Settings.from_env(
        {
            "ISUPPORT_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "ISUPPORT_INDEX_DIR": str(tmp_path / "ix"),
            "ISUPPORT_CONTENT_DIR": str(tmp_path / "content"),
            "ISUPPORT_SECRET_KEY": "s3cret",
            "ISUPPORT_LANGUAGE": "en",
            "ISUPPORT_INSTANCE_DIR": str(tmp_path / "inst"),
            "ISUPPORT_SECURE_COOKIES": "0",
        }
    )
    assert settings.resolved_database_url() == "postgresql+psycopg://u@h/db"
    assert settings.index_dir == tmp_path / "ix" and settings.content_dir == tmp_path / "content"
    assert settings.resolved_secret_key() == "s3cret"
    assert settings.language == "en"
    assert settings.secure_cookies is False


@pytest.mark.parametrize("value", ["fr", "zh", "EN", "zh-CN"])
def test_unsupported_language_is_a_clear_error(value):
    with pytest.raises(
        ValueError, match=f"ISUPPORT_LANGUAGE='{value}' is not supported; use one of zh_CN, en"
    ):
        Settings.from_env({"ISUPPORT_LANGUAGE": value})


def test_bad_smtp_port_is_a_clear_error():
    with pytest.raises(ValueError, match="ISUPPORT_SMTP_PORT='abc' is not a port number"):
        Settings.from_env({"ISUPPORT_SMTP_PORT": "abc"})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    settings = Settings(instance_dir=tmp_path / "inst")
    first = settings.resolved_secret_key()
    assert len(first) == 64
    assert Settings(instance_dir=tmp_path / "inst").resolved_secret_key() == first
    key_file = Path(tmp_path / "inst" / "secret_key")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_english_as_the_default_language(settings, client):
    app = create_app(settings.with_(language="en"))
    try:
        page = app.test_client().get("/login").get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()
    assert "No account yet?" in page and '<html lang="en">' in page


@pytest.mark.parametrize("raw, expected", [("1", True), ("yes", True), ("ON", True), (" true ", True),
                                           ("0", False), ("no", False), ("Off", False), ("", True)])
def test_secure_cookies_reads_yes_and_no(raw, expected):
    assert Settings.from_env({"ISUPPORT_SECURE_COOKIES": raw}).secure_cookies is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "nein"])
def test_secure_cookies_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="ISUPPORT_SECURE_COOKIES"):
        Settings.from_env({"ISUPPORT_SECURE_COOKIES": raw})
