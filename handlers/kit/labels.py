"""Words and small renderings shared by the handlers (and the proactive senders)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from aiogram.types import User as TgUser
from aiogram.utils.i18n import gettext as _

from crm.team_settings import Status
from storage.models import Role, User


def full_name(tg_user: TgUser) -> str:
    return " ".join(part for part in (tg_user.first_name, tg_user.last_name) if part)[:256]


def member_name(user: User) -> str:
    if user.full_name:
        return user.full_name
    if user.username:
        return f"@{user.username}"
    return _("member {id}").format(id=user.id)


def responsible_name(user: User) -> str:
    """Whose a task is; a deactivated member's is marked: the bot no longer reminds them."""
    if user.active:
        return member_name(user)
    return _("{name} (deactivated)").format(name=member_name(user))


def role_name(role: str) -> str:
    names: dict[str, str] = {
        Role.OWNER: _("owner"),
        Role.ADMIN: _("admin"),
        Role.MANAGER: _("manager"),
    }
    return names.get(role, role)


def language_name(code: str) -> str:
    return {"ru": "Русский", "en": "English"}.get(code, code)


def zone_label(zone: str) -> str:
    """A time zone as people write it: POSIX's fixed zones invert the sign (an offset
    typed as "UTC+3" is kept as ``Etc/GMT-3``), shown back as "UTC+3"."""
    match = re.fullmatch(r"Etc/GMT(?:([+-])(\d{1,2}))?", zone)
    if match is None:
        return zone
    sign, hours = match.groups()
    if not hours or int(hours) == 0:
        return "UTC"
    return f"UTC{'+' if sign == '-' else '-'}{int(hours)}"


def local_time(moment: datetime, timezone: str) -> str:
    """A moment as the reader's wall clock shows it: ``26.11.2026 14:05``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y %H:%M")


@lru_cache(maxsize=4096)  # parsed and formatted by phonenumbers: ~19 µs a phone
def format_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


STATUS_ICONS = {"new": "🆕", "cold": "❄️", "warm": "🌤", "hot": "🔥", "vip": "⭐", "regular": "🔁"}


def status_name(status: Status) -> str:
    if status.name:
        return status.name
    names = {
        "new": _("new"),
        "cold": _("cold"),
        "warm": _("warm"),
        "hot": _("hot"),
        "vip": _("VIP"),
        "regular": _("regular"),
    }
    return names.get(status.code, status.code)


def status_label(code: str, statuses: list[Status]) -> str:
    status = next((s for s in statuses if s.code == code), Status(code, None))
    return f"{STATUS_ICONS.get(code, '•')} {status_name(status)}"


def already_so() -> str:
    """A switch pressed for the state already in place (twice, or on an older message)."""
    return _("It is so already: nothing changed.")
