"""How the client list looks: the page of clients, the filter menu and its pickers."""

from __future__ import annotations

from dataclasses import replace

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm import access, visibility
from crm.cards import CardKind
from crm.errors import CrmError
from crm.service import Crm
from crm.team_settings import Status
from handlers.clients.callbacks import CardAction, ClientCb, ClientListCb, ListAction
from handlers.clients.filters import DATES, ListFilters, to_client_filter
from handlers.clients.views import client_summary
from handlers.imports.callbacks import ExportWhat, export_button
from handlers.kit import field_filters
from handlers.kit.labels import STATUS_ICONS, member_name, status_name
from storage.models import User

PER_PAGE = 8
MAX_BUTTON = 64

Screen = tuple[Text, InlineKeyboardMarkup]
Rows = list[list[InlineKeyboardButton]]


class StaleButton(Exception):
    """A press that no longer means anything: unknown action, or a choice that is gone."""


def button(
    text: str,
    action: ListAction,
    page: int = 0,
    code: str = "",
    *,
    on: bool | None = None,
    member_id: int | None = None,
) -> InlineKeyboardButton:
    data = ClientListCb(action=action, page=page, code=code, on=on, member_id=member_id)
    return InlineKeyboardButton(text=text[:MAX_BUTTON], callback_data=data.pack())


def pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def checked(text: str, on: bool) -> str:
    return f"✅ {text}" if on else text


def labelled(label: str, value: str | None) -> str:
    return f"{label}: {value}" if value else label


def period_label(filters: ListFilters) -> str | None:
    if filters.period == DATES and filters.first_day and filters.last_day:
        first, last = (day.strftime("%d.%m.%Y") for day in (filters.first_day, filters.last_day))
        if first == last:
            return _("created on {day}").format(day=first)
        return _("created {first}–{last}").format(first=first, last=last)
    presets = {
        "today": _("created today"),
        "week": _("created this week"),
        "month": _("created this month"),
        "30d": _("created in the last 30 days"),
    }
    return presets.get(filters.period or "")


async def _status_text(crm: Crm, code: str) -> str:
    statuses = await crm.settings.statuses()
    return status_name(next((s for s in statuses if s.code == code), Status(code, None)))


async def _manager_text(crm: Crm, member: User, filters: ListFilters) -> str | None:
    if not access.is_staff(member) or filters.manager_id is None:
        return None
    try:
        return member_name(await crm.members.get(member, filters.manager_id))
    except CrmError:
        return str(filters.manager_id)


async def describe(crm: Crm, member: User, filters: ListFilters) -> str:
    """The chosen filters in one line: ``status hot · tag vip · city Москва``."""
    parts = []
    if filters.status:
        parts.append(_("status {name}").format(name=await _status_text(crm, filters.status)))
    if filters.tag:
        parts.append(_("tag {tag}").format(tag=filters.tag))
    if filters.city:
        parts.append(_("city {city}").format(city=filters.city))
    manager = await _manager_text(crm, member, filters)
    if manager:
        parts.append(_("responsible {name}").format(name=manager))
    elif filters.unassigned and access.is_staff(member):
        parts.append(_("no responsible"))
    if filters.open_deals:
        parts.append(_("with open deals"))
    if filters.overdue_tasks:
        parts.append(_("with overdue tasks"))
    period = period_label(filters)
    if period:
        parts.append(period)
    if filters.fields:
        custom = await crm.fields.of(CardKind.CLIENT)
        parts.extend(field_filters.words(filters.fields, custom, crm.config.currency))
    return " · ".join(parts)


async def without_gone_fields(crm: Crm, filters: ListFilters) -> ListFilters:
    """The filters without those of custom fields deleted since they were chosen."""
    if not filters.fields:
        return filters
    kept = field_filters.current(filters.fields, await crm.fields.of(CardKind.CLIENT))
    return replace(filters, fields=kept)


async def list_screen(crm: Crm, member: User, filters: ListFilters, page: int) -> Screen:
    filters = await without_gone_fields(crm, filters)
    query = to_client_filter(filters, member, crm.clock.now())
    found = await crm.client_queries.page(member, query, page, PER_PAGE)
    title = _("🗄 Archive: {total}") if filters.archived else _("📇 Clients: {total}")
    parts: list[Text | str] = [Bold(title.format(total=found.total))]
    chosen = await describe(crm, member, filters)
    if chosen:
        parts.append(_("Filters: {filters}").format(filters=chosen))
    if found.clients:
        parts.append(
            _(
                "Page {page} of {pages}, latest activity first. Tap a client to open the card."
            ).format(page=found.page + 1, pages=found.pages)
        )
    elif filters.active:
        parts.append(_("No clients match these filters."))
    elif filters.archived:
        parts.append(_("The archive is empty."))
    elif (await crm.client_queries.page(member, replace(query, archived=True), 0, 1)).total:
        # none active, some archived: not "no clients yet, add the first one"
        parts.append(_("No active clients: all of them are in 🗄 Archived clients."))
    elif not visibility.sees_all_clients(member, await crm.settings.managers_see_all()):
        # A manager sees their own clients: none of theirs, not none in the company.
        parts.append(_("You have no clients yet. Add your first one with ➕ New client."))
    else:
        parts.append(_("No clients yet. Add the first one with ➕ New client."))
    rows = [
        [
            InlineKeyboardButton(
                text=f"{STATUS_ICONS.get(client.status, '•')} {client_summary(client)}"[
                    :MAX_BUTTON
                ],
                callback_data=ClientCb(action=CardAction.OPEN, client_id=client.id).pack(),
            )
        ]
        for client in found.clients
    ]
    nav = []
    if found.page > 0:
        nav.append(button("◀️", ListAction.PAGE, found.page - 1))
    if found.page < found.pages - 1:
        nav.append(button("▶️", ListAction.PAGE, found.page + 1))
    if nav:
        rows.append(nav)
    tools = [button(_("🔎 Filters"), ListAction.MENU, found.page)]
    if filters.active:
        tools.append(button(_("✖️ Reset filters"), ListAction.RESET))
    rows.append(tools)
    rows.append([export_button(ExportWhat.CLIENTS)])
    if filters.archived:
        rows.append([button(_("📇 Active clients"), ListAction.ARCHIVE, on=False)])
    else:
        rows.append([button(_("🗄 Archived clients"), ListAction.ARCHIVE, on=True)])
    return as_list(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


async def menu_screen(crm: Crm, member: User, filters: ListFilters, page: int) -> Screen:
    chosen = await describe(crm, member, filters)
    text = as_list(
        Bold(_("Filters")),
        _("Chosen: {filters}").format(filters=chosen) if chosen else _("Nothing chosen yet."),
        _("The list shows the clients that match all the chosen filters."),
    )
    status = await _status_text(crm, filters.status) if filters.status else None
    choices = [
        button(labelled(_("🏷 Status"), status), ListAction.ASK, page, "status"),
        button(labelled(_("#️⃣ Tag"), filters.tag), ListAction.ASK, page, "tag"),
        button(labelled(_("📍 City"), filters.city), ListAction.ASK, page, "city"),
    ]
    if access.is_staff(member):
        manager = _("nobody") if filters.unassigned else await _manager_text(crm, member, filters)
        choices.append(
            button(labelled(_("👤 Responsible"), manager), ListAction.ASK, page, "manager")
        )
    rows = pairs(choices)
    rows.append(
        [button(labelled(_("📅 Created"), period_label(filters)), ListAction.ASK, page, "period")]
    )
    fields_label = field_filters.fields_label(len(filters.fields))
    rows.append([button(fields_label, ListAction.ASK, page, "fields")])
    rows.append(
        [
            button(
                checked(_("Has open deals"), filters.open_deals),
                ListAction.DEALS,
                on=not filters.open_deals,
            ),
            button(
                checked(_("Has overdue tasks"), filters.overdue_tasks),
                ListAction.OVERDUE,
                on=not filters.overdue_tasks,
            ),
        ]
    )
    if filters.active:
        rows.append([button(_("✖️ Reset filters"), ListAction.RESET)])
    rows.append([button(_("◀️ Back to the list"), ListAction.PAGE, page)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def period_prompt(page: int) -> Screen:
    text = Text(
        _(
            "Send the period as 01.10.2026–31.10.2026, or one day as 01.10.2026. "
            "Days are counted in your time zone."
        )
    )
    return text, InlineKeyboardMarkup(
        inline_keyboard=[[button(_("◀️ Filters"), ListAction.MENU, page)]]
    )
