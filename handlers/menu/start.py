"""/start (with an invitation or the setup code) and /help."""

from __future__ import annotations

from functools import lru_cache

from aiogram import F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, MessageEntity
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.context import get_i18n

from crm.access import is_staff
from crm.service import Crm
from handlers.kit.keyboards import MENU_HELP, main_menu
from handlers.kit.labels import full_name, member_name, role_name
from handlers.kit.middlewares import refusal_text
from handlers.kit.routes import Routes
from handlers.menu.commands import commands_for
from storage.models import User

routes = Routes(__name__)


@routes.message(CommandStart(deep_link=True), F.chat.type == "private")
async def start_with_payload(
    message: Message,
    command: CommandObject,
    crm: Crm,
    member: User | None,
    state: FSMContext,
    i18n: I18n,
) -> None:
    assert message.from_user is not None
    tg_user = message.from_user
    payload = command.args or ""
    if member is not None:
        if await crm.invites.unused(payload) is not None:  # theirs, or one for another
            await message.answer(
                _(
                    "You are already in the team (your role: {role}): this invitation changed "
                    "nothing and was not used. It can still admit someone else."
                ).format(role=role_name(member.role))
            )
        await greet(message, member, state)
        return
    owner = await crm.setup_codes.claim(
        tg_user.id, payload, full_name(tg_user), tg_user.username, tg_user.language_code
    )
    if owner is not None:
        await state.clear()
        with i18n.use_locale(owner.language):  # theirs from now on, not Telegram's
            await message.answer(_("You are now the owner of this Kartoteka."))
            await greet(message, owner, state)
        return
    accepted = await crm.invites.accept(
        payload, tg_user.id, full_name(tg_user), tg_user.username, tg_user.language_code
    )
    if accepted is None:
        why = await crm.invites.why_refused(payload)
        if await crm.setup_codes.expired(payload):
            await message.answer(
                _(
                    "This setup code has expired. Ask whoever runs the bot to restart it: "
                    "it writes a new code to its log."
                )
            )
        elif why == "used":
            await message.answer(
                _("This invitation link was already used. Ask for a new one to join the team.")
            )
        elif why == "expired":
            await message.answer(
                _("This invitation link has expired. Ask for a new one to join the team.")
            )
        else:
            await message.answer(refusal_text())
        return
    # In the language they chose when they were here before (back by a new invitation),
    # as everything after: not Telegram's, which let them in.
    with i18n.use_locale(accepted.member.language):
        if accepted.joined:
            await message.answer(
                _("Welcome to the team! Your role: {role}.").format(
                    role=role_name(accepted.member.role)
                )
            )
        await greet(message, accepted.member, state)


@routes.message(CommandStart())
async def start(message: Message, member: User, state: FSMContext) -> None:
    await greet(message, member, state)


async def greet(message: Message, member: User, state: FSMContext) -> None:
    await state.clear()
    content = Text(
        _("Hello, {name}!").format(name=member_name(member)),
        "\n",
        _("Kartoteka keeps your team's clients. Choose a section below or see /help."),
    )
    await message.answer(**content.as_kwargs(), reply_markup=main_menu(member))


@routes.message(Command("help"))
@routes.message(F.text == MENU_HELP)
async def help_command(message: Message, member: User, crm: Crm) -> None:
    types = ", ".join(f"{t.emoji} {t.plural}" for t in await crm.record_types.listed())
    text, entities = help_text(get_i18n().current_locale, member.role, is_staff(member), types)
    await message.answer(
        text, entities=list(entities), parse_mode=None, reply_markup=main_menu(member)
    )


@lru_cache(maxsize=64)
def help_text(
    _locale: str, role: str, staff: bool, types: str
) -> tuple[str, tuple[MessageEntity, ...]]:
    """The /help message in a language for a role (kept: it changes with the record types)."""
    content = as_list(
        Bold(_("What I can do for you ({role}):").format(role=role_name(role))),
        *(Text(f"/{info.command} — {info.description}") for info in commands_for(staff)),
        *([Text(_("Your records (/records): {types}").format(types=types))] if types else []),
        Text(_("Buttons under a message act on it; /cancel leaves any dialog.")),
    )
    text, entities = content.render()
    return text, tuple(entities)
