"""A rule's screen: delete it (asks first), and test it on one record (nothing is done)."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.automation.callbacks import RuleAction, RuleCb
from handlers.automation.preview_views import delete_screen, preview_screen, samples_screen
from handlers.automation.rule_texts import names_of
from handlers.automation.rules import summary_of
from handlers.automation.screens import rules_screen
from handlers.kit.alerts import alert
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(RuleCb.filter(F.action == RuleAction.DELETE))
async def ask_delete(
    callback: CallbackQuery, callback_data: RuleCb, member: User, crm: Crm
) -> None:
    await show(callback, delete_screen(await crm.automation.get(member, callback_data.rule_id)))


@routes.callback_query(RuleCb.filter(F.action == RuleAction.DELETE_YES))
async def delete(callback: CallbackQuery, callback_data: RuleCb, member: User, crm: Crm) -> None:
    rule = await crm.automation.get(member, callback_data.rule_id)
    name = rule.name
    await crm.automation.delete(member, rule.id)
    note = _("Deleted: «{name}».").format(name=name)
    await show(callback, rules_screen(await crm.automation.rules(member), member.timezone, note))
    await alert(callback, note, toast=True)


@routes.callback_query(RuleCb.filter(F.action == RuleAction.TEST))
async def pick_record(
    callback: CallbackQuery, callback_data: RuleCb, member: User, crm: Crm
) -> None:
    rule = await crm.automation.get(member, callback_data.rule_id)
    samples = await crm.automation.samples(member, rule.id)
    kind = "deal" if crm.automation.about_deals(rule) else "client"
    await show(
        callback,
        samples_screen(rule, samples, "record" if rule.trigger == "record_created" else kind),
    )


@routes.callback_query(RuleCb.filter(F.action == RuleAction.TEST_ON))
async def test_on(callback: CallbackQuery, callback_data: RuleCb, member: User, crm: Crm) -> None:
    rule = await crm.automation.get(member, callback_data.rule_id)
    record = callback_data.record_id
    if rule.trigger == "record_created":
        label = (await crm.records.visible(member, record)).title
        preview = await crm.automation.test(member, rule.id, record_id=record)
    elif crm.automation.about_deals(rule):
        label = (await crm.deals.visible(member, record)).title
        preview = await crm.automation.test(member, rule.id, deal_id=record)
    else:
        label = (await crm.clients.visible(member, record)).name
        preview = await crm.automation.test(member, rule.id, client_id=record)
    summary = await summary_of(crm, member, rule.id)
    names = names_of(summary.named, await crm.settings.statuses())
    screen = preview_screen(rule, label, preview, member.timezone, summary.fields.values(), names)
    await show(callback, screen)
