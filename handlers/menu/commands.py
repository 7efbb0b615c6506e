"""The bot's commands: one list for /help and for Telegram's command menu."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy


@dataclass(frozen=True)
class BotCommandInfo:
    command: str
    description: LazyProxy
    staff_only: bool = False


COMMANDS: tuple[BotCommandInfo, ...] = (
    BotCommandInfo("start", __("main menu")),
    BotCommandInfo("clients", __("the client list with filters")),
    BotCommandInfo("new", __("add a client (or /new Name +7 999 … email company)")),
    BotCommandInfo("deals", __("the pipeline at a glance: stages, totals, filters")),
    BotCommandInfo("task", __("add a task: /task tomorrow 10:00 call Ivan")),
    BotCommandInfo("tasks", __("your tasks: overdue, today, the next 7 days")),
    BotCommandInfo("deal", __("a deal for the open client: /deal 150000 Title")),
    BotCommandInfo("find", __("find a client by name, phone, email, city or tag")),
    BotCommandInfo("records", __("the team's own cards: suppliers, products, documents…")),
    BotCommandInfo("help", __("what the bot can do")),
    BotCommandInfo("cancel", __("leave the current dialog")),
    BotCommandInfo("settings", __("language and time zone")),
    BotCommandInfo("digest", __("today so far, yesterday one tap away"), staff_only=True),
    BotCommandInfo("team", __("team members and roles"), staff_only=True),
    BotCommandInfo("invite", __("invite a new member"), staff_only=True),
    BotCommandInfo("report", __("reports: funnel, win rate, charts, XLSX"), staff_only=False),
    BotCommandInfo("import", __("bring clients in from Excel or CSV")),
    BotCommandInfo("imports", __("past imports, and undo")),
    BotCommandInfo("export", __("clients, deals or tasks as XLSX or CSV")),
    BotCommandInfo("backup", __("the whole base as one file (owner)"), staff_only=True),
)


def commands_for(staff: bool) -> list[BotCommandInfo]:
    """The commands of a member who is staff (``staff``) or not."""
    return [info for info in COMMANDS if staff or not info.staff_only]


async def publish_commands(bot: Bot, i18n: I18n) -> None:
    """Telegram's command menu in each language, and in the default one for the rest."""
    for language in (*sorted(i18n.available_locales), None):
        with i18n.context(), i18n.use_locale(language or i18n.default_locale):
            commands = [
                BotCommand(command=info.command, description=str(info.description))
                for info in COMMANDS
            ]
        await bot.set_my_commands(commands, language_code=language)
