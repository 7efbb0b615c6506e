"""The /settings screen, which every settings dialog returns to."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_key_value, as_list
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.members import SUPPORTED_LANGUAGES
from crm.service import Crm
from crm.team_settings import can_change_settings
from handlers.automation.callbacks import AutoAction, AutoCb
from handlers.business.callbacks import BizAction, BizCb
from handlers.intake.callbacks import SourceAction, SourceCb
from handlers.kit.labels import language_name, local_time, zone_label
from handlers.records.callbacks import Ent, EntCb
from handlers.settings.callbacks import (
    BackupAction,
    BackupCb,
    DayPartAction,
    DayPartCb,
    DigestAction,
    DigestCb,
    PipelineAction,
    PipelineCb,
    SettingsAction,
    SettingsCb,
)
from handlers.templates.callbacks import TplAction, TplCb
from storage.models import Role, User

AUTOMATION = AutoCb(action=AutoAction.LIST).pack()
TEMPLATES = TplCb(action=TplAction.LIST).pack()


async def morning_buttons(member: User, crm: Crm) -> list[list[InlineKeyboardButton]]:
    """The rows /settings shows for the mornings, by role."""
    rows = []
    if is_owner(member):
        at = (await crm.digests.digest_time()).strftime("%H:%M")
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("🗞 Daily summary at {time}").format(time=at),
                    callback_data=DigestCb(action=DigestAction.TIME).pack(),
                )
            ]
        )
    if not access.is_staff(member):
        state = _("on") if member.morning_list else _("off")
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("🌅 My morning list: {state}").format(state=state),
                    callback_data=DigestCb(
                        action=DigestAction.MORNING, on=not member.morning_list
                    ).pack(),
                )
            ]
        )
    return rows


async def settings_screen(member: User, crm: Crm) -> tuple[Text, InlineKeyboardMarkup]:
    now = local_time(crm.clock.now(), member.timezone)
    zone = zone_label(member.timezone)
    owner = can_change_settings(member)
    see_all = owner and await crm.settings.managers_see_all()
    lines = [
        Bold(_("Settings")),
        as_key_value(_("Language"), language_name(member.language)),
        as_key_value(_("Time zone"), _("{zone} (now {time})").format(zone=zone, time=now)),
    ]
    if owner:
        lines.append(as_key_value(_("Managers see all clients"), on_off(see_all)))
    connected = any(c.enabled for c in await crm.business.mine(member))
    lines.append(
        as_key_value(_("Telegram Business"), _("connected") if connected else _("not connected"))
    )
    other_languages = [code for code in SUPPORTED_LANGUAGES if code != member.language]
    rows = [
        [
            InlineKeyboardButton(
                text=f"🌐 {language_name(code)}",
                callback_data=SettingsCb(action=SettingsAction.LANG, language=code).pack(),
            )
            for code in other_languages
        ],
        [button(_("🕒 Change time zone"), SettingsAction.TZ)],
    ]
    if owner:
        rows.append(
            [
                button(
                    _("👁 Managers see all clients: {state}").format(state=on_off(see_all)),
                    SettingsAction.SEE_ALL,
                    on=not see_all,
                )
            ]
        )
        rows.append([button(_("🏷 Client statuses"), SettingsAction.STATUSES)])
        pipeline = PipelineCb(action=PipelineAction.STAGES).pack()
        rows.append([InlineKeyboardButton(text=_("🪜 Pipeline"), callback_data=pipeline)])
        fields = EntCb(action=Ent.SETTINGS).pack()
        rows.append(
            [InlineKeyboardButton(text=_("🧩 Fields and record types"), callback_data=fields)]
        )
        rows.append([InlineKeyboardButton(text=_("🤖 Automation"), callback_data=AUTOMATION)])
        rows.append([InlineKeyboardButton(text=_("📄 Templates"), callback_data=TEMPLATES)])
        sources = SourceCb(action=SourceAction.LIST).pack()
        rows.append([InlineKeyboardButton(text=_("📥 Lead sources"), callback_data=sources)])
        rows.append([await backup_button(member, crm)])
        times = " · ".join(f"{h:02d}:{m:02d}" for h, m in (await crm.settings.day_parts()).values())
        parts = DayPartCb(action=DayPartAction.LIST).pack()
        label = _("🌗 Parts of the day: {times}").format(times=times)
        rows.append([InlineKeyboardButton(text=label, callback_data=parts)])
    business = BizCb(action=BizAction.SETTINGS).pack()
    rows.append([InlineKeyboardButton(text=_("✈️ Telegram Business"), callback_data=business)])
    rows.extend(await morning_buttons(member, crm))
    return as_list(*lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def backup_button(member: User, crm: Crm) -> InlineKeyboardButton:
    """The hour is the backup owner's; named with its zone when it is not the reader's."""
    plan = await crm.backups.plan()
    if plan is None:
        text = _("🗄 Nightly backup: off")
    elif plan.timezone == member.timezone:
        text = _("🗄 Nightly backup at {hour:02d}:00").format(hour=plan.hour)
    else:
        text = _("🗄 Nightly backup at {hour:02d}:00 ({zone})").format(
            hour=plan.hour, zone=zone_label(plan.timezone)
        )
    return InlineKeyboardButton(text=text, callback_data=BackupCb(action=BackupAction.ASK).pack())


def on_off(on: bool) -> str:
    return _("on") if on else _("off")


def button(
    text: str, action: SettingsAction, *, status: str = "", on: bool = False
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=SettingsCb(action=action, status=status, on=on).pack()
    )


def is_owner(member: User) -> bool:
    return access.is_staff(member) and member.role == Role.OWNER
