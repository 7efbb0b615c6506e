"""How the client list looks: the page of clients, the filter menu and its pickers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import CrmError
from crm.service import Crm
from crm.team_settings import Status
from handlers.clients.callbacks import ClientCb, ClientListCb
from handlers.clients.filters import DATES, ListFilters, to_client_filter, token
from handlers.clients.views import client_summary
from handlers.kit.labels import STATUS_ICONS, member_name, status_label, status_name
from storage.models import User

PER_PAGE = 8
MAX_BUTTON = 64
MAX_MEMBERS = 40

Screen = tuple[Text, InlineKeyboardMarkup]


class StaleButton(Exception):
    """A press that no longer means anything: unknown action, or a choice that is gone."""


def button(text: str, action: str, page: int = 0, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text[:MAX_BUTTON],
        callback_data=ClientListCb(action=action, page=page, value=value).pack(),
    )


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
    return " · ".join(parts)


async def list_screen(crm: Crm, member: User, filters: ListFilters, page: int) -> Screen:
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
    else:
        parts.append(_("No clients yet. Add the first one with ➕ New client."))
    rows = [
        [
            InlineKeyboardButton(
                text=f"{STATUS_ICONS.get(client.status, '•')} {client_summary(client)}"[
                    :MAX_BUTTON
                ],
                callback_data=ClientCb(action="open", client_id=client.id).pack(),
            )
        ]
        for client in found.clients
    ]
    nav = []
    if found.page > 0:
        nav.append(button("◀️", "page", found.page - 1))
    if found.page < found.pages - 1:
        nav.append(button("▶️", "page", found.page + 1))
    if nav:
        rows.append(nav)
    tools = [button(_("🔎 Filters"), "menu", found.page)]
    if filters.active:
        tools.append(button(_("✖️ Reset filters"), "reset"))
    rows.append(tools)
    if filters.archived:
        rows.append([button(_("📇 Active clients"), "archive", value="0")])
    else:
        rows.append([button(_("🗄 Archive"), "archive", value="1")])
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
        button(labelled(_("🏷 Status"), status), "ask", page, "status"),
        button(labelled(_("#️⃣ Tag"), filters.tag), "ask", page, "tag"),
        button(labelled(_("📍 City"), filters.city), "ask", page, "city"),
    ]
    if access.is_staff(member):
        manager = _("nobody") if filters.unassigned else await _manager_text(crm, member, filters)
        choices.append(button(labelled(_("👤 Responsible"), manager), "ask", page, "manager"))
    rows = pairs(choices)
    rows.append([button(labelled(_("📅 Created"), period_label(filters)), "ask", page, "period")])
    rows.append(
        [
            button(
                checked(_("Has open deals"), filters.open_deals),
                "deals",
                value="0" if filters.open_deals else "1",
            ),
            button(
                checked(_("Has overdue tasks"), filters.overdue_tasks),
                "overdue",
                value="0" if filters.overdue_tasks else "1",
            ),
        ]
    )
    if filters.active:
        rows.append([button(_("✖️ Reset filters"), "reset")])
    rows.append([button(_("◀️ Back to the list"), "page", page)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def picker_screen(
    crm: Crm, member: User, filters: ListFilters, kind: str, page: int
) -> Screen:
    """The choices for one filter; ``kind`` comes from the button, so it is checked."""
    if kind == "status":
        title, rows = await _status_choices(crm, filters)
    elif kind in ("tag", "city"):
        title, rows = await _value_choices(crm, member, filters, kind)
    elif kind == "manager":
        title, rows = await _manager_choices(crm, member, filters)
    elif kind == "period":
        title, rows = _period_choices(filters, page)
    else:
        raise StaleButton()
    rows.append([button(_("◀️ Filters"), "menu", page)])
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


Rows = list[list[InlineKeyboardButton]]


async def _status_choices(crm: Crm, filters: ListFilters) -> tuple[str, Rows]:
    statuses = await crm.settings.statuses()
    options = [
        button(
            checked(status_label(s.code, statuses), s.code == filters.status), "status", 0, s.code
        )
        for s in statuses
    ]
    return _("Show the clients with the status:"), [
        *pairs(options),
        [button(_("Any status"), "status")],
    ]


async def _value_choices(
    crm: Crm, member: User, filters: ListFilters, kind: str
) -> tuple[str, Rows]:
    """The most common tags or cities; a button holds a token of the value, not the value."""
    if kind == "tag":
        values = await crm.client_queries.tags(member)
        title = _("Show the clients with the tag:") if values else _("No client has tags yet.")
        current, anything = filters.tag, _("Any tag")
    else:
        values = await crm.client_queries.cities(member)
        title = _("Show the clients from the city:") if values else _("No client has a city yet.")
        current, anything = filters.city, _("Any city")
    options = [button(checked(value, value == current), kind, 0, token(value)) for value in values]
    return title, [*pairs(options), [button(anything, kind)]]


async def _manager_choices(crm: Crm, member: User, filters: ListFilters) -> tuple[str, Rows]:
    """Active members first; deactivated ones too, since their clients may need a new owner."""
    team = (await crm.members.team(member))[:MAX_MEMBERS]
    options = [
        button(
            checked(
                ("" if user.active else "⛔ ") + member_name(user), user.id == filters.manager_id
            ),
            "manager",
            0,
            str(user.id),
        )
        for user in team
    ]
    return _("Show the clients whose responsible is:"), [
        [button(checked(_("Nobody responsible"), filters.unassigned), "manager", 0, "none")],
        *pairs(options),
        [button(_("Anyone"), "manager")],
    ]


def _period_choices(filters: ListFilters, page: int) -> tuple[str, Rows]:
    presets = [
        ("today", _("Today")),
        ("week", _("This week")),
        ("month", _("This month")),
        ("30d", _("Last 30 days")),
    ]
    options = [
        button(checked(text, code == filters.period), "period", 0, code) for code, text in presets
    ]
    typed = checked(_("✏️ Type the dates"), filters.period == DATES)
    return _("Show the clients created:"), [
        *pairs(options),
        [button(typed, "type_period", page)],
        [button(_("Any time"), "period")],
    ]


def period_prompt(page: int) -> Screen:
    text = Text(
        _(
            "Send the period as 01.10.2026–31.10.2026, or one day as 01.10.2026. "
            "Days are counted in your time zone."
        )
    )
    return text, InlineKeyboardMarkup(inline_keyboard=[[button(_("◀️ Filters"), "menu", page)]])
