"""/invite: a single-use deep link for a new admin or manager."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import (
    CallbackQuery,
    LinkPreviewOptions,
    Message,
)
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import NotAllowed
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.dialogs import DialogData
from handlers.kit.gated import gated
from handlers.kit.keyboards import MENU_INVITE, button, cancel_row, keyboard
from handlers.kit.labels import local_time, role_name
from handlers.kit.routes import Routes
from handlers.team.callbacks import InviteRoleCb
from storage.models import Role, User

routes = Routes(__name__)


class InviteFlow(StatesGroup):
    role = gated(access.can_invite)  # the live keyboard is in ``InviteData``


@dataclass(frozen=True)
class InviteData(DialogData):
    """The message whose role keyboard is the live one: the newest /invite's."""

    keyboard: int = 0


@routes.message(Command("invite"))
@routes.message(F.text == MENU_INVITE)
async def ask_role(message: Message, member: User, state: FSMContext) -> None:
    if not access.can_invite(member):
        await message.answer(_("Only the owner or an admin can invite people."))
        return
    await state.set_state(InviteFlow.role)
    roles = [
        button(_("Manager"), InviteRoleCb(role=Role.MANAGER)),
        button(_("Admin"), InviteRoleCb(role=Role.ADMIN)),
    ]
    question = await message.answer(
        _(
            "Whom are you inviting? A manager works with their clients; "
            "an admin also manages the team."
        ),
        reply_markup=keyboard(roles, cancel_row()),
    )
    await InviteData(keyboard=question.message_id).save(state)


@routes.message(InviteFlow.role, F.text, ~F.text.startswith("/"))
async def typed_role(message: Message) -> None:
    """The role is chosen with a button; what is typed meanwhile is not read."""
    await message.answer(_("Choose the role with a button above, or /cancel."))


@routes.callback_query(InviteRoleCb.filter())
async def create_invite(
    callback: CallbackQuery,
    callback_data: InviteRoleCb,
    member: User,
    crm: Crm,
    state: FSMContext,
    bot: Bot,
) -> None:
    if not access.can_invite(member):  # made a manager since (kit.gated closed the step)
        raise NotAllowed()
    # The state is the proof that this keyboard is still the live one: a second
    # press, or a press on an old keyboard, finds it gone.
    if await state.get_state() != InviteFlow.role.state:
        await alert(callback, _("This button is no longer active."))
        return
    live = (await InviteData.load(state)).keyboard
    if callback.message is not None and live and callback.message.message_id != live:
        await alert(callback, _("A newer /invite replaced this one: choose the role under it."))
        return
    await state.clear()
    token, invite = await crm.invites.create(member, callback_data.role)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={token}"
    content = as_list(
        Bold(_("Invitation for a new {role}").format(role=role_name(invite.role))),
        Text(link),
        Text(
            _(
                "Send this link to the person you are inviting. "
                "It admits one person and works until {date}."
            ).format(date=local_time(invite.expires_at, member.timezone))
        ),
        sep="\n\n",
    )
    # Not kit.screen.show: the link is shown without its preview.
    if isinstance(callback.message, Message) and callback.message.chat.type == "private":
        await callback.message.edit_text(
            **content.as_kwargs(), link_preview_options=LinkPreviewOptions(is_disabled=True)
        )
    else:
        await bot.send_message(
            member.id,
            **content.as_kwargs(),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
