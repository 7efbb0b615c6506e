"""/team: the members, their roles, deactivation. Every press is checked again by the CRM."""

from __future__ import annotations

from aiogram import Bot, Dispatcher, F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_key_value, as_list
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import Conflict, CrmError, ErrorCode, NotAllowed
from crm.handoff import Counts
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.keyboards import MENU_TEAM, button, keyboard, pick
from handlers.kit.labels import local_time, member_name, role_name
from handlers.kit.refused import on_refusal
from handlers.kit.routes import Routes
from handlers.kit.screen import send, show
from handlers.kit.timeline import shorten
from handlers.team.callbacks import HandOverCb, TeamAction, TeamCb
from storage.models import User

routes = Routes(__name__)
PAGE_SIZE = 10
HEIRS_SHOWN = 20


@routes.message(Command("team"))
@routes.message(F.text == MENU_TEAM)
async def team_command(message: Message, member: User, crm: Crm) -> None:
    if not access.is_staff(member):
        await message.answer(_("Only the owner or an admin can manage the team."))
        return
    await send(message, *await team_screen(crm, member, page=0))


async def no_longer_staff(callback: CallbackQuery, member: User) -> bool:
    """A button of an old team screen pressed by one who no longer manages the team."""
    if access.is_staff(member):
        return False
    await alert(callback, _("Only the owner or an admin can manage the team."))
    return True


@routes.callback_query(TeamCb.filter(F.action == TeamAction.LIST))
async def list_page(callback: CallbackQuery, callback_data: TeamCb, member: User, crm: Crm) -> None:
    if not await no_longer_staff(callback, member):
        await show(callback, *await team_screen(crm, member, callback_data.page))


async def end_dialog(dispatcher: Dispatcher, bot: Bot, member_id: int) -> None:
    """A member turned off (or back on) leaves the dialog they were in: let back in, what
    they type is read afresh, not as the answer to a question asked before."""
    context = dispatcher.fsm.resolve_context(bot, chat_id=member_id, user_id=member_id)
    if context is not None:
        await context.clear()


@routes.callback_query(TeamCb.filter(F.action != TeamAction.LIST))
async def member_button(
    callback: CallbackQuery,
    callback_data: TeamCb,
    member: User,
    crm: Crm,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    if await no_longer_staff(callback, member):
        return
    action, target_id, page = callback_data.action, callback_data.member_id, callback_data.page

    async def as_now(_refused: CrmError) -> None:  # the old card, refreshed; why, in an alert
        await show_as_now(callback, member, crm, target_id, page)

    role = callback_data.role or ""
    async with on_refusal(as_now):
        if action == TeamAction.ROLE and access.gives_away(member, role):
            target = await crm.members.role_to_confirm(member, target_id, role)
            await show(callback, *confirm_role(target, role, page))
            return
        if action in (TeamAction.ROLE, TeamAction.ROLE_SURE):
            await crm.members.change_role(member, target_id, role)
        elif action in (TeamAction.OFF, TeamAction.ON):
            await crm.members.set_active(member, target_id, active=action == TeamAction.ON)
            await end_dialog(dispatcher, bot, target_id)
    target = await crm.members.get(member, target_id)
    refused: CrmError | None = None
    if action == TeamAction.ASK_OFF and not access.can_manage_member(member, target):
        refused = NotAllowed()  # an old card's button: made admin (or owner) since
    elif action == TeamAction.ASK_OFF and not target.active:
        refused = Conflict(ErrorCode.ALREADY_INACTIVE)
    if action != TeamAction.ASK_OFF or refused is not None:
        await show(callback, *member_screen(member, target, page))
        if refused is not None:
            raise refused
    else:
        await ask_deactivation(callback, member, crm, target, page)


async def ask_deactivation(
    callback: CallbackQuery, member: User, crm: Crm, target: User, page: int
) -> None:
    counts = await crm.handoff.member_preview(member, target.id)
    heirs = [u for u in await crm.members.team(member) if u.active and u.id != target.id]
    await show(callback, *confirm_deactivation(target, counts, heirs, page))


async def show_as_now(
    callback: CallbackQuery, member: User, crm: Crm, target_id: int, page: int, asking: bool = False
) -> None:
    """In place of the screen pressed, the member's card as it is now (if it is still there);
    ``asking``: the question "deactivate?" again, with who can take over now, while it stands."""
    try:
        target = await crm.members.get(member, target_id)
    except CrmError:
        return
    if asking and target.active and access.can_manage_member(member, target):
        await ask_deactivation(callback, member, crm, target, page)
    else:
        await show(callback, *member_screen(member, target, page))


@routes.callback_query(HandOverCb.filter())
async def hand_over(
    callback: CallbackQuery,
    callback_data: HandOverCb,
    member: User,
    crm: Crm,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    """Deactivate and hand their work to another active member, in one step."""
    if await no_longer_staff(callback, member):
        return

    async def asking_again(_refused: CrmError) -> None:  # the question, with who can take over
        await show_as_now(
            callback, member, crm, callback_data.member_id, callback_data.page, asking=True
        )

    async with on_refusal(asking_again):
        counts = await crm.handoff.deactivate(member, callback_data.member_id, callback_data.to)
    await end_dialog(dispatcher, bot, callback_data.member_id)
    target = await crm.members.get(member, callback_data.member_id)
    await show(callback, *member_screen(member, target, callback_data.page))
    note = _(
        "Deactivated. Handed over: clients {clients}, deals {deals}, records {records}, "
        "open tasks {tasks}."
    ).format(clients=counts.clients, deals=counts.deals, records=counts.records, tasks=counts.tasks)
    if counts.tasks_elsewhere:
        note += " " + _(
            "Open tasks on cards the successor does not see went to those cards' managers "
            "(or to you): {tasks}."
        ).format(tasks=counts.tasks_elsewhere)
    await alert(callback, note)


async def team_screen(crm: Crm, member: User, page: int) -> tuple[Text, InlineKeyboardMarkup]:
    members = await crm.members.team(member)
    pages = max(1, -(-len(members) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = members[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = pick(
        [
            (
                f"{'' if user.active else '⛔ '}{member_name(user)} · {role_name(user.role)}",
                TeamCb(action=TeamAction.OPEN, member_id=user.id, page=page),
            )
            for user in shown
        ]
    )
    nav = []
    if page > 0:
        nav.append(button("◀️", TeamCb(action=TeamAction.LIST, page=page - 1)))
    if page < pages - 1:
        nav.append(button("▶️", TeamCb(action=TeamAction.LIST, page=page + 1)))
    rows.append(nav)
    active = sum(1 for user in members if user.active)
    header = Bold(_("Team: {active} active of {total}").format(active=active, total=len(members)))
    footer = Text(
        _("Page {page} of {pages}. Tap a member to change their role or access.").format(
            page=page + 1, pages=pages
        )
    )
    return as_list(header, footer), keyboard(*rows)


def member_screen(actor: User, target: User, page: int) -> tuple[Text, InlineKeyboardMarkup]:
    content = as_list(
        Bold(member_name(target)),
        as_key_value(_("Role"), role_name(target.role)),
        as_key_value(_("Access"), _("active") if target.active else _("deactivated")),
        as_key_value(_("Member since"), local_time(target.created_at, actor.timezone)),
    )

    def to(action: TeamAction, role: str | None = None) -> TeamCb:
        return TeamCb(action=action, member_id=target.id, role=role, page=page)

    choices = []
    if target.active:
        for role in access.assignable_roles(actor, target):
            choices.append(
                (_("Make {role}").format(role=role_name(role)), to(TeamAction.ROLE, role))
            )
    if access.can_manage_member(actor, target):
        if target.active:
            choices.append((_("⛔ Deactivate"), to(TeamAction.ASK_OFF)))
        else:
            choices.append((_("✅ Reactivate"), to(TeamAction.ON)))
    rows = [*pick(choices), [button(_("◀️ Team"), TeamCb(action=TeamAction.LIST, page=page))]]
    return content, keyboard(*rows)


def confirm_deactivation(
    target: User, counts: Counts, heirs: list[User], page: int
) -> tuple[Text, InlineKeyboardMarkup]:
    """What they hold, and who can take it over in the same step (issue 10, item 15)."""
    question = _("Deactivate {name}? They will lose access at once; their history stays.").format(
        name=member_name(target)
    )
    holds = _(
        "They are responsible for clients: {clients}, deals: {deals}, records: {records}, "
        "open tasks: {tasks}."
    ).format(clients=counts.clients, deals=counts.deals, records=counts.records, tasks=counts.tasks)
    rows = []
    if counts != Counts():
        question += "\n\n" + holds + "\n" + _("Hand them over to:")
        rows = pick(
            [
                (
                    "➡️ " + shorten(member_name(heir), 40),
                    HandOverCb(member_id=target.id, to=heir.id, page=page),
                )
                for heir in heirs[:HEIRS_SHOWN]
            ],
            columns=2,
        )
    keep = _("Deactivate, keep them as they are") if rows else _("Yes, deactivate")
    yes = TeamCb(action=TeamAction.OFF, member_id=target.id, page=page)
    no = TeamCb(action=TeamAction.OPEN, member_id=target.id, page=page)
    return Text(question), keyboard(*rows, [button(keep, yes)], [button(_("No"), no)])


def confirm_role(target: User, role: str, page: int) -> tuple[Text, InlineKeyboardMarkup]:
    """Asked of an admin before a role that takes the member out of their hands (admin)."""
    question = _(
        "Make {name} {role}? After that you will not be able to change this member's role "
        "or deactivate them: only the owner can."
    ).format(name=member_name(target), role=role_name(role))
    yes = TeamCb(action=TeamAction.ROLE_SURE, member_id=target.id, role=role, page=page)
    no = TeamCb(action=TeamAction.OPEN, member_id=target.id, page=page)
    sure = _("Yes, make {role}").format(role=role_name(role))
    return Text(question), keyboard([button(sure, yes)], [button(_("No"), no)])
