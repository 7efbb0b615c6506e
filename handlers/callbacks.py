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


class TaskCb(CallbackData, prefix="tk"):
    """A button on a task or its reminder: done, snooze (value: 15m, 1h, tomorrow), open…"""

    action: str
    task_id: int
    value: str = ""


class NewTaskCb(CallbackData, prefix="tn"):
    """Starting a task from a client's or a deal's card (one of the two ids is set)."""

    client_id: int = 0
    deal_id: int = 0


class TasksCb(CallbackData, prefix="tks"):
    """/tasks: ``action`` show, pick (the member picker) or done; ``who`` 0 is everyone's."""

    action: str
    who: int = 0
    page: int = 0
    task_id: int = 0


class ReportCb(CallbackData, prefix="rep"):
    """/report: ``action`` menu, period (``value``: today/week/month/quarter), type, show,
    charts, xlsx. ``first``/``last``: the report's days as YYYYMMDD, both inclusive."""

    action: str
    value: str = ""
    first: int = 0
    last: int = 0


class GroupCb(CallbackData, prefix="gr"):
    """The subscription switches under /bind's answer in a group."""

    action: str
    chat_id: int
    topic: str = ""


class DigestCb(CallbackData, prefix="dg"):
    """/settings: the summary's time (owner) and one's own morning list."""

    action: str
    value: str = ""
