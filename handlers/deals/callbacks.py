"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


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
