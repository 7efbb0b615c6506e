"""The client list's filter pickers: the choices for one filter, each button re-checked."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.clients.callbacks import ClientListCb, ListAction
from handlers.clients.filters import DATES, ListFilters, token
from handlers.clients.list_views import Rows, Screen, StaleButton, button, checked, pairs
from handlers.kit.labels import member_name, status_label
from handlers.kit.responsible import member_page
from storage.models import User

VALUES_SHOWN = 12  # tags or cities on a page of their picker
MAX_VALUE_PAGE = 100_000  # a forged page past this is the first (never an offset too large)


async def picker_screen(
    crm: Crm, member: User, filters: ListFilters, kind: str, page: int, team_page: int = 0
) -> Screen:
    """The choices for one filter; ``kind`` comes from the button, so it is checked.
    ``page``: the list's, to go back to; ``team_page``: the page of the members shown."""
    if kind == "status":
        title, rows = await _status_choices(crm, filters)
    elif kind in ("tag", "city"):
        title, rows = await _value_choices(crm, member, filters, kind, page, team_page)
    elif kind == "manager":
        title, rows = await _manager_choices(crm, member, filters, page, team_page)
    elif kind == "period":
        title, rows = _period_choices(filters, page)
    else:
        raise StaleButton()
    rows.append([button(_("◀️ Filters"), ListAction.MENU, page)])
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


async def _status_choices(crm: Crm, filters: ListFilters) -> tuple[str, Rows]:
    statuses = await crm.settings.statuses()
    options = [
        button(
            checked(status_label(s.code, statuses), s.code == filters.status),
            ListAction.STATUS,
            0,
            s.code,
        )
        for s in statuses
    ]
    return _("Show the clients with the status:"), [
        *pairs(options),
        [button(_("Any status"), ListAction.STATUS)],
    ]


async def _value_choices(
    crm: Crm, member: User, filters: ListFilters, kind: str, page: int, shown_page: int
) -> tuple[str, Rows]:
    """The tags or cities, most common first, ``VALUES_SHOWN`` a page (``shown_page``; a
    page past the last shows the first); a button holds a token of the value, not the value."""
    for at in dict.fromkeys((shown_page if shown_page <= MAX_VALUE_PAGE else 0, 0)):
        values = await crm.client_queries.common_values(
            member, kind, VALUES_SHOWN + 1, at * VALUES_SHOWN, filters.archived
        )
        if values:
            break
    if kind == "tag":
        title = _("Show the clients with the tag:") if values else _("No client has tags yet.")
        current, anything = filters.tag, _("Any tag")
    else:
        title = _("Show the clients from the city:") if values else _("No client has a city yet.")
        current, anything = filters.city, _("Any city")
    options = [
        button(checked(value, value == current), ListAction(kind), 0, token(value))
        for value in values[:VALUES_SHOWN]
    ]
    turn = [(at - 1, "◀️")] if at > 0 else []
    turn += [(at + 1, "▶️")] if len(values) > VALUES_SHOWN else []
    pages = [button(text, ListAction.ASK, page, kind, member_id=to) for to, text in turn]
    return title, [
        *pairs(options),
        *([pages] if pages else []),
        [button(anything, ListAction(kind))],
    ]


async def _manager_choices(
    crm: Crm, member: User, filters: ListFilters, page: int, team_page: int
) -> tuple[str, Rows]:
    """Active members first; deactivated ones too, since their clients may need a new owner:
    a page of the team at a time (``team_page``), the list's ``page`` kept to go back to."""

    def to_page(to: int) -> ClientListCb:
        return ClientListCb(action=ListAction.ASK, page=page, code="manager", member_id=to)

    shown, pages = member_page(await crm.members.team(member), team_page, to_page)
    options = [
        button(
            checked(
                ("" if user.active else "⛔ ") + member_name(user), user.id == filters.manager_id
            ),
            ListAction.MANAGER,
            member_id=user.id,
        )
        for user in shown
    ]
    return _("Show the clients whose responsible is:"), [
        [
            button(
                checked(_("Nobody responsible"), filters.unassigned),
                ListAction.MANAGER,
                member_id=0,
            )
        ],
        *pairs(options),
        *([pages] if pages else []),
        [button(_("Anyone"), ListAction.MANAGER)],
    ]


def _period_choices(filters: ListFilters, page: int) -> tuple[str, Rows]:
    presets = [
        ("today", _("Today")),
        ("week", _("This week")),
        ("month", _("This month")),
        ("30d", _("Last 30 days")),
    ]
    options = [
        button(checked(text, code == filters.period), ListAction.PERIOD, 0, code)
        for code, text in presets
    ]
    typed = checked(_("✏️ Type the dates"), filters.period == DATES)
    return _("Show the clients created:"), [
        *pairs(options),
        [button(typed, ListAction.TYPE_PERIOD, page)],
        [button(_("Any time"), ListAction.PERIOD)],
    ]
