"""Dialog steps only some members may be in, and taking a member out of one no longer theirs.

A step of the owner's settings, or of an admin's invitation, says who may be in it
(``gated``). A member made a manager, or deactivated, while in such a step would
otherwise stay in it: their next text would still be taken as its answer. ``LostSteps``
ends the step at their next update instead: a message that would have been its answer
is refused (with the menu of their role now), a command or a menu button goes where it
goes, as if no dialog had been open, and a press is handled without the dialog. A
deactivated member's step is ended too (the door refuses them as it refuses anyone), so
it is not there if they are let back in. Handlers still check the role themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import gettext as _

from crm.team_settings import can_change_settings
from handlers.kit.keyboards import main_menu
from handlers.kit.middlewares import Handler, goes_elsewhere
from storage.models import User

log = logging.getLogger(__name__)

May = Callable[[User], bool]
_STEPS: list[tuple[State, May]] = []


def gated(may: May) -> State:
    """A dialog step for the members ``may`` lets in: ``role = gated(access.can_invite)``.

    A plain ``State`` (aiogram's own: the handler index narrows by it), kept here with
    its check."""
    step = State()
    _STEPS.append((step, may))
    return step


def owners_step() -> State:
    """A step of the owner's settings (statuses, the pipeline, fields, rules, templates…)."""
    return gated(can_change_settings)


def who_may_be_in(raw_state: str | None) -> May | None:
    """The check of the gated step ``raw_state`` (None: no dialog, or one for any member)."""
    if raw_state is None:
        return None
    return next((may for step, may in _STEPS if step.state == raw_state), None)


class LostSteps(BaseMiddleware):
    """Ends a gated step its member may no longer be in (an outer update middleware, inside
    i18n and outside the door)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        raw_state = data.get("raw_state")
        may = who_may_be_in(raw_state)
        member: User | None = data.get("member")
        state: FSMContext | None = data.get("state")
        if may is None or state is None or (member is not None and may(member)):
            return await handler(event, data)
        await state.clear()
        data["raw_state"] = None
        message = event.message if isinstance(event, Update) else None
        if (
            member is None  # deactivated: refused at the door like anyone
            or message is None
            or message.chat.type != "private"
            or goes_elsewhere(message.text)
        ):
            return await handler(event, data)
        log.info("member %s left %s: no longer theirs", member.id, raw_state)
        await message.answer(
            _(
                "Your role in the team has changed, so what you had started here is closed "
                "and this message was not used."
            ),
            reply_markup=main_menu(member),
        )
        return None
