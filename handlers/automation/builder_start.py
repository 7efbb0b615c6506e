"""The rule builder's start: /settings → Automation → New rule, "🔄 Start over" (of its own
draft only), and the trigger chosen first."""

from __future__ import annotations

import secrets

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.automation import builder_views as views
from handlers.automation.builder_steps import ask, asked, next_after_trigger, show_step
from handlers.automation.callbacks import BuildCb, Step
from handlers.automation.states import RuleDraft, RuleFlow
from handlers.kit.alerts import alert
from handlers.kit.callbacks import MAX_RECORD_ID
from handlers.kit.routes import Routes
from handlers.kit.screen import show_below
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(BuildCb.filter(F.step.in_({Step.NEW, Step.RESTART})))
async def new_rule(
    callback: CallbackQuery, callback_data: BuildCb, member: User, crm: Crm, state: FSMContext
) -> None:
    """A new rule; "🔄 Start over" drops the draft it was sent for, and no other."""
    await crm.automation.room_for_one(member)  # the owner's, and not past the limit
    if await state.get_state() == RuleFlow.building.state:
        draft = await RuleDraft.load(state)
        if callback_data.step == Step.RESTART and callback_data.value != draft.started:
            # An older Start over: its draft was saved, cancelled or started over since.
            await alert(callback, stale_start_over())
            return
        if callback_data.step == Step.NEW and draft.data():
            # A rule under way is not dropped unasked; the menu pressed stays.
            await show_below(callback, views.in_progress_screen(draft.data(), draft.started))
            return
    await state.set_state(RuleFlow.building)
    draft = ask(RuleDraft(started=secrets.randbelow(MAX_RECORD_ID) + 1), "trigger")
    await show_step(callback, state, draft, views.triggers_screen())


def stale_start_over() -> str:
    return _(
        "This button is from an earlier draft: the rule being built now stays as it is. "
        "Finish it in its message, or /cancel."
    )


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.TRIGGER))
async def trigger(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    begun = asked(await RuleDraft.load(state), "trigger")  # not a late press from an older screen
    draft = RuleDraft(started=begun.started).with_rule(
        trigger=callback_data.code.value, params={}, conditions=[], actions=[]
    )
    draft, screen = await next_after_trigger(crm, draft, callback_data.code)
    await show_step(callback, state, draft, screen)
