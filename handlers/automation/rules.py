"""/settings → Automation: the rules, the ready ones to turn on, pause and resume."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from crm.automation.manage import RuleSummary
from crm.errors import NotFound
from crm.service import Crm
from handlers.automation.callbacks import AutoAction, AutoCb, RulesPageCb
from handlers.automation.screens import rule_screen, rules_screen, starter_texts, starters_screen
from handlers.kit.alerts import alert
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(AutoCb.filter(F.action == AutoAction.LIST))
async def rules_list(callback: CallbackQuery, member: User, crm: Crm) -> None:
    rules = await crm.automation.rules(member)
    await show(callback, rules_screen(rules, member.timezone))


@routes.callback_query(RulesPageCb.filter())
async def rules_page(
    callback: CallbackQuery, callback_data: RulesPageCb, member: User, crm: Crm
) -> None:
    rules = await crm.automation.rules(member)
    await show(callback, rules_screen(rules, member.timezone, page=callback_data.page))


@routes.callback_query(AutoCb.filter(F.action == AutoAction.STARTERS))
async def starters(callback: CallbackQuery, member: User, crm: Crm) -> None:
    rules = await crm.automation.rules(member)
    await show(callback, starters_screen({r.rule.starter for r in rules if r.rule.starter}))


@routes.callback_query(AutoCb.filter(F.action == AutoAction.ADD_STARTER))
async def add_starter(
    callback: CallbackQuery, callback_data: AutoCb, member: User, crm: Crm
) -> None:
    name, text = starter_texts().get(callback_data.code, ("", ""))
    rules = await crm.automation.rules(member)
    if callback_data.code not in {r.rule.starter for r in rules}:
        await crm.automation.add_starter(member, callback_data.code, name, text)
        rules = await crm.automation.rules(member)
    note = _("Turned on: {name}.").format(name=name)
    await show(callback, rules_screen(rules, member.timezone, note))
    await alert(callback, note, toast=True)


@routes.callback_query(AutoCb.filter(F.action == AutoAction.RULE))
async def one_rule(callback: CallbackQuery, callback_data: AutoCb, member: User, crm: Crm) -> None:
    await show(callback, await rule_view(crm, member, callback_data.rule_id))


@routes.callback_query(AutoCb.filter(F.action.in_({AutoAction.PAUSE, AutoAction.RESUME})))
async def pause_or_resume(
    callback: CallbackQuery, callback_data: AutoCb, member: User, crm: Crm
) -> None:
    paused = callback_data.action == AutoAction.PAUSE
    await crm.automation.set_paused(member, callback_data.rule_id, paused)
    await show(callback, await rule_view(crm, member, callback_data.rule_id))
    await callback.answer(_("Paused.") if paused else _("Resumed."))


async def summary_of(crm: Crm, member: User, rule_id: int) -> RuleSummary:
    for summary in await crm.automation.rules(member):
        if summary.rule.id == rule_id:
            return summary
    raise NotFound()


async def rule_view(crm: Crm, member: User, rule_id: int) -> Screen:
    """The rule's own screen, with the names of what it names read now."""
    summary = await summary_of(crm, member, rule_id)
    return rule_screen(summary, member.timezone, await crm.settings.statuses())
