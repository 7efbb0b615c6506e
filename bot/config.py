"""Settings from the environment or ``.env``. The only place that reads them."""

from __future__ import annotations

import logging
import socket
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///kartoteka.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    owner_ids: Annotated[tuple[int, ...], NoDecode] = ()
    telegram_api_url: str | None = None
    default_timezone: str = "Europe/Moscow"
    default_language: Literal["ru", "en"] = "ru"
    default_phone_region: str = "RU"
    log_level: str = "INFO"
    redis_url: str | None = None
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    card_context_minutes: int = Field(default=15, ge=1, le=24 * 60)
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    default_task_hour: int = Field(default=10, ge=0, le=23)
    nudge_after_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    automation_max_per_hour: int = Field(default=200, ge=1, le=1_000_000)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    # Lead intake: the address the web server is reached at from outside (the URL shown
    # for each lead source), and the limits per source token.
    public_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    lead_max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=10 * 1024 * 1024)
    lead_rate_per_minute: int = Field(default=60, ge=1, le=100_000)
    # The HTTP server (health, metrics, webhook, lead intake): off unless a port is set
    # or webhook mode needs it (then WEB_PORT defaults to 8080).
    web_host: str = "127.0.0.1"
    web_port: int | None = Field(default=None, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    log_format: Literal["text", "json"] = "text"
    # Several processes of one bot: needs webhook mode, PostgreSQL and Redis.
    instances: int = Field(default=1, ge=1, le=64)
    instance_name: str = Field(default_factory=socket.gethostname, min_length=1, max_length=64)
    redis_prefix: str = Field(default="kartoteka", min_length=1, max_length=64)
    shutdown_seconds: float = Field(default=20.0, gt=0, le=600)
    # An update another instance took but did not finish is taken over after this long.
    update_takeover_seconds: float = Field(default=30.0, gt=0, le=3600)
    # The nightly backup (its hour is set in /settings): into this folder when set, keeping
    # the newest BACKUP_KEEP files; otherwise to the owner's private chat (up to 50 MB).
    backup_dir: str | None = None
    backup_keep: int = Field(default=7, ge=1, le=1000)

    @property
    def webhook_mode(self) -> bool:
        return self.webhook_url is not None

    @property
    def http_port(self) -> int | None:
        """The HTTP server's port, or None when it does not run."""
        if self.web_port is None and self.webhook_mode:
            return 8080
        return self.web_port

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, int):
            return (value,)
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            ids = []
            for part in parts:
                if not part:
                    continue
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a Telegram user id (a number)")
                ids.append(int(part))
            return tuple(ids)
        return value

    @field_validator(
        "telegram_api_url",
        "redis_url",
        "smtp_host",
        "smtp_user",
        "smtp_password",
        "smtp_from",
        "public_url",
        "webhook_url",
        "web_port",
        "backup_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("instance_name", mode="before")
    @classmethod
    def _empty_name_is_host(cls, value: object) -> object:
        return socket.gethostname() if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Moscow") from exc
        return value

    @field_validator("default_phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a two-letter country code such as RU")
        return region

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"{value!r} is not a log level (DEBUG, INFO, WARNING, ERROR)")
        return level
