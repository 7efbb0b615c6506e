"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


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
