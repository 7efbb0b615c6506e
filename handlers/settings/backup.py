"""/settings → Nightly backup: the owner picks the hour (in their time zone) or turns it off."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardButton
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.backups import NightlyPlan
from crm.errors import NotAllowed
from crm.service import Crm
from handlers.kit.keyboards import back_row, button, keyboard
from handlers.kit.labels import zone_label
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.settings.callbacks import BackupAction, BackupCb
from handlers.settings.screen import is_owner, settings_screen
from storage.models import User

routes = Routes(__name__)
HOURS_PER_ROW = 6


def backup_screen(
    plan: NightlyPlan | None, to_folder: bool
) -> tuple[Text, list[list[InlineKeyboardButton]]]:
    where = (
        _("It is saved into the server's backup folder (BACKUP_DIR), keeping the newest ones.")
        if to_folder
        else _(
            "It comes to your private chat as a file (up to 50 MB, Telegram's limit; "
            "for larger bases set BACKUP_DIR on the server)."
        )
    )
    state = (
        _("Now: off.")
        if plan is None
        else _("Now: every night at {hour:02d}:00 ({zone}).").format(
            hour=plan.hour, zone=zone_label(plan.timezone)
        )
    )
    text = as_list(
        Bold(_("Nightly backup")),
        _("The whole base as one archive, once a day at the hour you pick (your time zone)."),
        where,
        state,
        sep="\n",
    )
    hours = [
        button(f"{hour:02d}:00", BackupCb(action=BackupAction.SET, hour=hour)) for hour in range(24)
    ]
    rows = [hours[i : i + HOURS_PER_ROW] for i in range(0, len(hours), HOURS_PER_ROW)]
    if plan is not None:
        rows.append([button(_("Turn off"), BackupCb(action=BackupAction.OFF))])
    rows.append(back_row(_("Settings"), BackupCb(action=BackupAction.BACK)))
    return text, rows


@routes.callback_query(BackupCb.filter(F.action == BackupAction.ASK))
async def ask(callback: CallbackQuery, crm: Crm, member: User) -> None:
    if not is_owner(member):
        raise NotAllowed()
    text, rows = backup_screen(await crm.backups.plan(), crm.config.backup_dir is not None)
    await show(callback, text, keyboard(*rows))


@routes.callback_query(BackupCb.filter(F.action.in_({BackupAction.SET, BackupAction.OFF})))
async def choose(callback: CallbackQuery, callback_data: BackupCb, crm: Crm, member: User) -> None:
    if not is_owner(member):
        raise NotAllowed()
    on = callback_data.action == BackupAction.SET
    await crm.backups.set_nightly(member, callback_data.hour if on else None)
    await show(callback, *await settings_screen(member, crm))
    if on:
        await callback.answer(_("Nightly backup at {hour:02d}:00.").format(hour=callback_data.hour))
    else:
        await callback.answer(_("Nightly backup off."))


@routes.callback_query(BackupCb.filter(F.action == BackupAction.BACK))
async def back(callback: CallbackQuery, crm: Crm, member: User) -> None:
    await show(callback, *await settings_screen(member, crm))
