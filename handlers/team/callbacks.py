"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import MemberId, Page
from storage.models import Role


class InviteRoleCb(CallbackData, prefix="inv"):
    role: Role


class TeamAction(StrEnum):
    LIST = "list"
    OPEN = "open"
    ROLE = "role"
    ROLE_SURE = "role_ok"  # the role given after "you will not manage them then" (an admin's)
    ASK_OFF = "ask_off"
    OFF = "off"
    ON = "on"


class TeamCb(CallbackData, prefix="team"):
    """The team list's page, a member's card, and what can be done to them."""

    action: TeamAction
    member_id: MemberId = 0
    role: Role | None = None  # with ROLE: the new role
    page: Page = 0


class HandOverCb(CallbackData, prefix="hand"):
    """Deactivate ``member_id``, handing their clients, deals and open tasks to ``to``."""

    member_id: MemberId
    to: MemberId
    page: Page = 0
