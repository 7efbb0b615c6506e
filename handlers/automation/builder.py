"""/settings → Automation → New rule: trigger and its parameter, conditions, actions, delay,
name; saved by the CRM, which checks the whole rule again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm import placeholders
from crm.automation.rules import MAX_CONDITIONS, MAX_TEXT
from crm.clients import MAX_TAG, clean_tag
from crm.errors import ErrorCode, InvalidInput, amount_refusal
from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.search_text import shows
from crm.service import Crm
from handlers.automation import builder_views as views
from handlers.automation.builder_steps import (
    DEAL_TRIGGERS,
    ask,
    asked,
    card_fields,
    conditions,
    ends_when_gone,
    show_actions,
    show_step,
    statuses_step,
)
from handlers.automation.builder_texts import prompt
from handlers.automation.callbacks import BuildCb, Code, Step
from handlers.automation.rules import rule_view
from handlers.automation.states import RuleDraft, RuleFlow
from handlers.kit.alerts import alert
from handlers.kit.labels import status_label
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import builtin_stage_name
from storage.models import User

routes = Routes(__name__)


# The longest typed answer each question takes (a longer one is refused, and asked again).
LIMITS = {
    "source": 60,
    "cond_source": 64,
    "tag": MAX_TAG,
    "add_tag": MAX_TAG,
    "title": 500,
    "text": MAX_TEXT,
    "cond_custom": 200,
    "changed_value": 200,
    "field_value": MAX_TEXT,
}


def _building(step: Step) -> Any:
    return BuildCb.filter(F.step == step)


@routes.callback_query(RuleFlow.building, _building(Step.STAGE))
async def stage(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "trigger_stage", "move_stage")
    chosen = await crm.pipelines.stage(callback_data.value)
    stage_id = chosen.id
    name = chosen.name or builtin_stage_name(chosen.code) or "—"
    draft = draft.with_name("stage", stage_id, name)
    if draft.asking == "trigger_stage":
        draft = draft.with_rule(params={**draft.data().get("params", {}), "stage_id": stage_id})
        await show_step(callback, state, *conditions(draft))
    else:
        await show_actions(callback, state, draft.with_action(stage_id=stage_id))


@routes.callback_query(RuleFlow.building, _building(Step.NUMBER))
async def number(
    callback: CallbackQuery, callback_data: BuildCb, member: User, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "days", "hours", "due")
    value = callback_data.value
    if draft.asking in ("days", "hours"):
        draft = draft.with_rule(params={**draft.data().get("params", {}), draft.asking: value})
        await show_step(callback, state, *conditions(draft))
    elif draft.asking == "due" and callback_data.code == Code.HIGH:
        high = draft.action().get("priority") != "high"
        draft = draft.with_action(priority="high" if high else "normal")
        question = _("When is it due?")
        screen = views.numbers_screen(
            draft.data(), question, views.due_options(), workday=True, high_priority=high
        )
        await show_step(callback, state, draft, screen)
    else:
        if callback_data.code == Code.NEXT_WORKDAY:
            draft = draft.with_action(due_minutes=0, due="next_workday")
        else:
            draft = draft.with_action(due_minutes=value)
        team = [m for m in await crm.members.team(member) if m.active]
        screen = views.task_who_screen(draft.data(), team)
        await show_step(callback, state, ask(draft, "task_who"), screen)


@routes.callback_query(RuleFlow.building, _building(Step.ANY))
async def any_value(callback: CallbackQuery, state: FSMContext) -> None:
    draft = asked(await RuleDraft.load(state), "source", "changed_value", "trigger_status")
    await show_step(callback, state, *conditions(draft))


@routes.callback_query(RuleFlow.building, _building(Step.STATUS))
async def status(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "trigger_status", "cond_status", "set_status")
    statuses = await crm.settings.statuses()
    code = callback_data.status
    if not any(s.code == code for s in statuses):  # gone from the list since it was shown
        await alert(callback, _("This status is no longer in the list: choose again."))
        await show(callback, statuses_step(draft, statuses))
        return
    draft = draft.with_name("status", code, status_label(code, statuses))
    if draft.asking == "trigger_status":
        params = {**draft.data().get("params", {}), "value": code}
        await show_step(callback, state, *conditions(draft.with_rule(params=params)))
    elif draft.asking == "cond_status":
        draft = draft.add_condition({"field": "status", "op": "eq", "value": code})
        await show_step(callback, state, *conditions(draft))
    else:
        await show_actions(callback, state, draft.with_action(status=code))


@routes.callback_query(RuleFlow.building, _building(Step.CONDITION))
async def condition(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "conditions")
    if len(draft.data().get("conditions") or []) >= MAX_CONDITIONS:  # an older screen's button
        raise InvalidInput(ErrorCode.BAD_RULE, part="conditions_many", limit=MAX_CONDITIONS)
    code = callback_data.code
    if code == Code.CUSTOM:
        fields = await card_fields(crm)
        if not fields:  # nothing to choose: said on the press, the draft stays on its screen
            raise InvalidInput(ErrorCode.BAD_RULE, part="no_fields")
        draft = ask(draft, "cond_field")
        screen = views.fields_screen(draft.data(), fields, _("Which field?"))
        await show_step(callback, state, draft, screen)
        return
    if code == Code.STATUS:
        draft = ask(draft, "cond_status")
        screen = views.statuses_screen(
            draft.data(), await crm.settings.statuses(), _("Which status?")
        )
        await show_step(callback, state, draft, screen)
        return
    asking = {
        Code.AMOUNT_GT: "amount_gt",
        Code.AMOUNT_LT: "amount_lt",
        Code.SOURCE: "cond_source",
        Code.TAG: "tag",
    }.get(code)
    if asking is None:
        raise InvalidInput(ErrorCode.BAD_RULE, part="condition")
    draft = ask(draft, asking)
    await show_step(callback, state, draft, views.ask_screen(draft.data(), prompt(asking)))


@routes.callback_query(RuleFlow.building, _building(Step.ACTIONS))
async def to_actions(callback: CallbackQuery, state: FSMContext) -> None:
    draft = asked(await RuleDraft.load(state), "conditions")
    rule = draft.data()
    draft = ask(draft, "action")
    await show_step(
        callback, state, draft, views.actions_screen(rule, rule.get("trigger") in DEAL_TRIGGERS)
    )


@routes.message(RuleFlow.building, F.text)
async def typed(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    async with ends_when_gone(state, message):
        await _answer(message, member, crm, state)


async def _answer(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    """A typed answer to the question the draft asks (``RuleDraft.asking``)."""
    draft = await RuleDraft.load(state)
    text = (message.text or "").strip()
    asking = draft.asking
    limit = LIMITS.get(asking)
    if limit is not None and len(text) > limit:  # refused whole, never cut short silently
        raise InvalidInput(ErrorCode.TOO_LONG, field="rule", limit=limit)
    if limit is not None and not shows(text):  # marks only: a blank task, tag or message
        raise InvalidInput(ErrorCode.EMPTY, field="rule")
    if asking == "source":
        params = {**draft.data().get("params", {}), "source": text}
        await show_step(message, state, *conditions(draft.with_rule(params=params)))
    elif asking in ("amount_gt", "amount_lt"):
        try:
            amount = parse_amount(text)
        except AmountError as error:
            raise InvalidInput(amount_refusal(error.code)) from error
        op = "gt" if asking == "amount_gt" else "lt"
        draft = draft.add_condition({"field": "amount", "op": op, "value": amount})
        await show_step(message, state, *conditions(draft))
    elif asking in ("cond_source", "tag"):
        field, op = ("source", "eq") if asking == "cond_source" else ("tag", "has")
        value = text if asking == "cond_source" else clean_tag(text)  # "#VIP" is the tag vip
        draft = draft.add_condition({"field": field, "op": op, "value": value})
        await show_step(message, state, *conditions(draft))
    elif asking == "title":
        placeholders.check(text, await crm.templates.custom_keys())
        draft = ask(draft.with_action(title=text), "due")
        question = _("When is it due?")
        screen = views.numbers_screen(draft.data(), question, views.due_options(), workday=True)
        await show_step(message, state, draft, screen)
    elif asking in ("text", "add_tag"):
        if asking == "text":
            placeholders.check(text, await crm.templates.custom_keys())
        # a tag as the cards keep it: "#Крупный" is the tag крупный, shown as #крупный
        action = {"text": text} if asking == "text" else {"tag": clean_tag(text)}
        await show_actions(message, state, draft.with_action(**action))
    elif asking == "cond_custom":  # a value the field cannot hold is refused now, and asked again
        picked = draft.action()
        field = f"custom.{picked.get('field_id')}"
        value = await crm.automation.rule_value(field, text)
        condition = {"field": field, "op": "eq", "value": value, "label": picked.get("label")}
        draft = draft.add_condition(condition)
        await show_step(message, state, *conditions(replace(draft, pending="{}")))
    elif asking == "changed_value":
        params = draft.data().get("params", {})
        value = await crm.automation.rule_value(str(params.get("field", "")), text)
        params = {**params, "value": value}
        await show_step(message, state, *conditions(draft.with_rule(params=params)))
    elif asking == "field_value":
        chosen = await crm.fields.get(int(draft.action().get("field_id") or 0))
        crm.field_values.parse(chosen, text)  # a value the field cannot hold is refused now
        await show_actions(message, state, draft.with_action(value=text))
    elif asking == "name":
        rule = draft.data()
        saved = await crm.automation.add(
            member,
            text,
            str(rule.get("trigger")),
            dict(rule.get("params") or {}),
            list(rule.get("actions") or []),
            conditions=list(rule.get("conditions") or []),
            delay=dict(rule.get("delay") or {"kind": "now"}),
        )
        await RuleDraft.drop(state)
        await state.set_state(None)
        await show(message, await rule_view(crm, member, saved.id))
    else:
        await message.answer(_("Use the buttons above, or /cancel."))


@routes.message(RuleFlow.building)
async def not_text(message: Message) -> None:
    await message.answer(_("Use the buttons above, or /cancel."))
