"""/team: the members, their roles, deactivation. Every press is checked again by the CRM."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_key_value, as_list
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import CrmError
from crm.service import Crm
from handlers.kit.errors import error_text
from handlers.kit.keyboards import MENU_TEAM
from handlers.kit.labels import local_time, member_name, role_name
from handlers.kit.routes import Routes
from handlers.team.callbacks import TeamCb
from storage.models import User

routes = Routes(__name__)
PAGE_SIZE = 10


@routes.message(Command("team"))
@routes.message(F.text == MENU_TEAM)
async def team_command(message: Message, member: User, crm: Crm) -> None:
    if not access.is_staff(member):
        await message.answer(_("Only the owner or an admin can manage the team."))
        return
    text, keyboard = await team_screen(crm, member, page=0)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.callback_query(TeamCb.filter())
async def team_button(
    callback: CallbackQuery, callback_data: TeamCb, member: User, crm: Crm
) -> None:
    action = callback_data.action
    try:
        if action == "list":
            text, keyboard = await team_screen(crm, member, callback_data.page)
        else:
            if action == "role":
                await crm.members.change_role(member, callback_data.member_id, callback_data.role)
            elif action == "off":
                await crm.members.set_active(member, callback_data.member_id, active=False)
            elif action == "on":
                await crm.members.set_active(member, callback_data.member_id, active=True)
            target = await crm.members.get(member, callback_data.member_id)
            if action == "ask_off" and access.can_manage_member(member, target) and target.active:
                text, keyboard = confirm_deactivation(target, callback_data.page)
            else:
                text, keyboard = member_screen(member, target, callback_data.page)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    if isinstance(callback.message, Message):
        await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
    await callback.answer()


async def team_screen(crm: Crm, member: User, page: int) -> tuple[Text, InlineKeyboardMarkup]:
    members = await crm.members.team(member)
    pages = max(1, -(-len(members) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = members[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [
        [
            InlineKeyboardButton(
                text=f"{'' if user.active else '⛔ '}{member_name(user)} · {role_name(user.role)}",
                callback_data=TeamCb(action="open", member_id=user.id, page=page).pack(),
            )
        ]
        for user in shown
    ]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                text="◀️", callback_data=TeamCb(action="list", page=page - 1).pack()
            )
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(
                text="▶️", callback_data=TeamCb(action="list", page=page + 1).pack()
            )
        )
    if nav:
        rows.append(nav)
    active = sum(1 for user in members if user.active)
    header = Bold(_("Team: {active} active of {total}").format(active=active, total=len(members)))
    footer = Text(
        _("Page {page} of {pages}. Tap a member to change their role or access.").format(
            page=page + 1, pages=pages
        )
    )
    return as_list(header, footer), InlineKeyboardMarkup(inline_keyboard=rows)


def member_screen(actor: User, target: User, page: int) -> tuple[Text, InlineKeyboardMarkup]:
    content = as_list(
        Bold(member_name(target)),
        as_key_value(_("Role"), role_name(target.role)),
        as_key_value(_("Access"), _("active") if target.active else _("deactivated")),
        as_key_value(_("Member since"), local_time(target.created_at, actor.timezone)),
    )
    rows: list[list[InlineKeyboardButton]] = []
    if target.active:
        for role in access.assignable_roles(actor, target):
            rows.append(
                [
                    InlineKeyboardButton(
                        text=_("Make {role}").format(role=role_name(role)),
                        callback_data=TeamCb(
                            action="role", member_id=target.id, role=role, page=page
                        ).pack(),
                    )
                ]
            )
    if access.can_manage_member(actor, target):
        if target.active:
            rows.append(
                [
                    InlineKeyboardButton(
                        text=_("⛔ Deactivate"),
                        callback_data=TeamCb(
                            action="ask_off", member_id=target.id, page=page
                        ).pack(),
                    )
                ]
            )
        else:
            rows.append(
                [
                    InlineKeyboardButton(
                        text=_("✅ Reactivate"),
                        callback_data=TeamCb(action="on", member_id=target.id, page=page).pack(),
                    )
                ]
            )
    rows.append(
        [
            InlineKeyboardButton(
                text=_("◀️ Team"), callback_data=TeamCb(action="list", page=page).pack()
            )
        ]
    )
    return content, InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_deactivation(target: User, page: int) -> tuple[Text, InlineKeyboardMarkup]:
    content = Text(
        _(
            "Deactivate {name}? They will lose access at once; their clients and history stay."
        ).format(name=member_name(target))
    )
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Yes, deactivate"),
                    callback_data=TeamCb(action="off", member_id=target.id, page=page).pack(),
                ),
                InlineKeyboardButton(
                    text=_("No"),
                    callback_data=TeamCb(action="open", member_id=target.id, page=page).pack(),
                ),
            ]
        ]
    )
    return content, keyboard
