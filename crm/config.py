"""The part of the settings the CRM core needs, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from crm.mailer import MailConfig


def as_written(text: str, _language: str) -> str:
    """The catalogs' text as it is written in the code (English): ``CrmConfig.words`` of a
    core built without the bot's catalogs (a script, a test of the core alone)."""
    return text


@dataclass(frozen=True)
class TeamReading:
    """How the team reads a value, in whatever language its reader reads: the team's
    ``currency`` and the catalogs' ``words`` (as ``CrmConfig`` has them). A filled
    template's values read in them (``template_values.for_reader``)."""

    currency: str
    words: Callable[[str, str], str]


@dataclass(frozen=True)
class CrmConfig:
    default_language: str = "ru"
    default_timezone: str = "Europe/Moscow"
    default_phone_region: str = "RU"
    owner_ids: tuple[int, ...] = field(default_factory=tuple)
    currency: str = "RUB"
    # A task still open this long after it was due gets one more nudge.
    nudge_after: timedelta = timedelta(hours=1)
    # A day given without a time means this hour.
    default_hour: int = 10
    invite_ttl: timedelta = timedelta(days=7)
    # The first owner's setup code, printed in the server's log at start: shorter than an
    # invitation, since a log outlives and travels further than a private chat, and whoever
    # holds the code gets a new one by restarting the bot.
    setup_code_ttl: timedelta = timedelta(hours=24)
    # How long after opening a card plain text still becomes a comment on it.
    card_context: timedelta = timedelta(minutes=15)
    # A rule that fires more often than this in an hour is paused and the owner told.
    automation_per_hour: int = 200
    # The team's SMTP server for "Send by email"; None: email is off.
    mail: MailConfig | None = None
    # Where the web server is reached from outside: lead sources show PUBLIC_URL/leads/<token>.
    public_url: str | None = None
    # The nightly backup goes into this folder (keeping the last ``backup_keep``) when set,
    # else to the owner's private chat.
    backup_dir: str | None = None
    backup_keep: int = 7
    # A text the core marks for the catalogs (``crm.words.N_``) in a language: the bot's
    # gettext catalogs (bot/locales), handed in by the composition root.
    words: Callable[[str, str], str] = as_written

    @property
    def reading(self) -> TeamReading:
        """The currency and the words, as a template's values are read in them."""
        return TeamReading(self.currency, self.words)
