"""Every inline button's data. Ids only: it is untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CancelCb(CallbackData, prefix="cancel"):
    pass


class InviteRoleCb(CallbackData, prefix="inv"):
    role: str


class TeamCb(CallbackData, prefix="team"):
    """``action``: list, open, role, ask_off, off, on."""

    action: str
    member_id: int = 0
    role: str = ""
    page: int = 0


class SettingsCb(CallbackData, prefix="set"):
    """``action``: lang, tz, tz_pick."""

    action: str
    value: str = ""


class ClientCb(CallbackData, prefix="cl"):
    """A button on or about one client's card. ``value`` carries the action's argument."""

    action: str
    client_id: int
    page: int = 0
    value: str = ""


class ClientListCb(CallbackData, prefix="cls"):
    """The client list: ``action`` is page, filter menu, a filter choice or reset."""

    action: str
    page: int = 0
    value: str = ""


class NewClientCb(CallbackData, prefix="nc"):
    """The new-client dialog: skip a step, create despite a duplicate, open the duplicate."""

    action: str
    client_id: int = 0


class DealCb(CallbackData, prefix="dl"):
    """A button on or about one deal. ``value`` carries the action's argument (a stage id…)."""

    action: str
    deal_id: int
    page: int = 0
    value: str = ""


class NewDealCb(CallbackData, prefix="nd"):
    """Starting a deal from a client's card."""

    action: str
    client_id: int


class DealsCb(CallbackData, prefix="dls"):
    """/deals: the overview, a stage's list, filters. ``f`` packs the filters as letters."""

    action: str
    stage_id: int = 0
    page: int = 0
    f: str = ""


class PipelineCb(CallbackData, prefix="pl"):
    """The owner's pipeline and lost-reason settings."""

    action: str
    item_id: int = 0
    value: str = ""
