"""Settings of the portal, read from the environment (see CONTRACT.md) into one value."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LANGUAGES = ("zh_CN", "en")


@dataclass(frozen=True)
class Settings:
    instance_dir: Path = PROJECT_ROOT / "instance"
    database_url: str | None = None
    index_dir: Path = PROJECT_ROOT / "index"
    content_dir: Path = PROJECT_ROOT / "content"
    secret_key: str | None = None
    language: str = "zh_CN"
    secure_cookies: bool = True
    rate_limits: bool = True
    testing: bool = False
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "isupport@localhost"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> Settings:
        env = os.environ if env is None else env
        instance_dir = Path(env.get("ISUPPORT_INSTANCE_DIR") or PROJECT_ROOT / "instance")
        language = env.get("ISUPPORT_LANGUAGE") or "zh_CN"
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(
                f"ISUPPORT_LANGUAGE={language!r} is not supported; "
                f"use one of {', '.join(SUPPORTED_LANGUAGES)}"
            )
        return cls(
            instance_dir=instance_dir,
            database_url=env.get("ISUPPORT_DATABASE_URL") or None,
            index_dir=Path(env.get("ISUPPORT_INDEX_DIR") or PROJECT_ROOT / "index"),
            content_dir=Path(env.get("ISUPPORT_CONTENT_DIR") or PROJECT_ROOT / "content"),
            secret_key=env.get("ISUPPORT_SECRET_KEY") or None,
            language=language,
            secure_cookies=_flag("ISUPPORT_SECURE_COOKIES", env.get("ISUPPORT_SECURE_COOKIES"), default=True),
            smtp_host=env.get("ISUPPORT_SMTP_HOST") or None,
            smtp_port=_port(env.get("ISUPPORT_SMTP_PORT")),
            smtp_sender=env.get("ISUPPORT_SMTP_SENDER") or "isupport@localhost",
        )

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_dir / 'isupport.sqlite3'}"

    def resolved_secret_key(self) -> str:
        """The configured key, else one generated once and kept in the instance folder."""
        if self.secret_key:
            return self.secret_key
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.instance_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


def _port(raw: str | None) -> int:
    if not raw:
        return 25
    try:
        port = int(raw)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError(f"ISUPPORT_SMTP_PORT={raw!r} is not a port number (1-65535)")
    return port


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ValueError(f"{name}={raw!r} is not a yes/no setting; use 1 or 0")
