"""The rule builder's steps shared by its routers: what comes after a trigger, the
conditions screen, and marking what a typed answer will be."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import CrmError, ErrorCode, InvalidInput
from crm.parsing.fields import FieldType
from crm.service import Crm
from crm.team_settings import Status
from handlers.automation import builder_views as views
from handlers.automation.callbacks import Code
from handlers.automation.states import RuleDraft, RuleFlow
from handlers.kit.errors import error_text
from handlers.kit.screen import Screen, show
from storage.models import FieldDef

DEAL_TRIGGERS = ("deal_entered_stage", "deal_stale", "deal_won", "deal_lost")
RULE_GONE = frozenset(
    {
        ErrorCode.STAGE_GONE,
        ErrorCode.TEMPLATE_GONE,
        ErrorCode.FIELD_GONE,
        ErrorCode.RECORD_TYPE_GONE,
        ErrorCode.BAD_RULE,
        ErrorCode.TOO_MANY_RULES,
    }
)
"""Refusals of a typed answer that no answer mends: what the draft names is gone."""


async def show_step(
    event: CallbackQuery | Message, state: FSMContext, draft: RuleDraft, screen: Screen
) -> None:
    await draft.save(state)
    await show(event, screen)


async def show_actions(event: CallbackQuery | Message, state: FSMContext, draft: RuleDraft) -> None:
    draft = ask(draft.finish_action(), "action")
    rule = draft.data()
    await show_step(
        event, state, draft, views.actions_screen(rule, rule.get("trigger") in DEAL_TRIGGERS)
    )


async def card_fields(crm: Crm) -> list[FieldDef]:
    """The clients' and the deals' custom fields: what a rule can watch or change."""
    return [*await crm.fields.of(CardKind.CLIENT), *await crm.fields.of(CardKind.DEAL)]


def ask(draft: RuleDraft, asking: str) -> RuleDraft:
    return replace(draft, asking=asking)


def asked(draft: RuleDraft, *questions: str) -> RuleDraft:
    """The draft, when it asks one of ``questions``: the button of a question no longer
    asked (pressed twice, or late from an older screen) must not change it."""
    if draft.asking not in questions:
        raise InvalidInput(ErrorCode.BAD_CARD)  # "This button is no longer active."
    return draft


def conditions(draft: RuleDraft) -> tuple[RuleDraft, Screen]:
    draft = ask(draft, "conditions")
    return draft, views.conditions_screen(draft.data())


async def next_after_trigger(crm: Crm, draft: RuleDraft, code: Code) -> tuple[RuleDraft, Screen]:
    """The trigger's parameter, asked for; or the conditions when it has none."""
    rule = draft.data()
    if code == Code.DEAL_ENTERED_STAGE:
        stages = await crm.pipelines.stages()
        return ask(draft, "trigger_stage"), views.stages_screen(rule, stages, _("Which stage?"))
    if code == Code.DEAL_STALE:
        screen = views.numbers_screen(rule, _("After how many days?"), views.days_options())
        return ask(draft, "days"), screen
    if code == Code.TASK_OVERDUE:
        screen = views.numbers_screen(rule, _("Overdue by how many hours?"), views.hours_options())
        return ask(draft, "hours"), screen
    if code == Code.CLIENT_CREATED:
        question = _("From any source, or send one source to fire only for it.")
        return ask(draft, "source"), views.any_screen(rule, question, _("Any source"))
    if code in (Code.DATE_APPROACHING, Code.CUSTOM_CHANGED):
        fields = await card_fields(crm)
        if code == Code.DATE_APPROACHING:
            fields = [f for f in fields if f.type == FieldType.DATE]
        if not fields:  # nothing to choose: said on the press, the triggers stay on screen
            raise InvalidInput(ErrorCode.BAD_RULE, part="no_fields")
        if code == Code.DATE_APPROACHING:
            return ask(draft, "date_field"), views.fields_screen(rule, fields, _("Which date?"))
        draft = draft.with_rule(trigger="field_changed", shown=code.value)
        screen = views.fields_screen(draft.data(), fields, _("Which field?"))
        return ask(draft, "changed_field"), screen
    if code == Code.RECORD_CREATED:
        types = await crm.record_types.all()
        if not types:
            raise InvalidInput(ErrorCode.BAD_RULE, part="no_record_types")
        return ask(draft, "record_type"), views.record_types_screen(rule, types)
    if code == Code.FIELD_CHANGED:
        draft = draft.with_rule(params={"field": "client.status"})
        draft = ask(draft, "trigger_status")
        return draft, statuses_step(draft, await crm.settings.statuses())
    return conditions(draft)


def statuses_step(draft: RuleDraft, statuses: list[Status]) -> Screen:
    """The statuses to choose from for the question the draft asks (a trigger's: any too)."""
    if draft.asking == "trigger_status":
        question, any_label = _("To which status?"), _("Any change")
        return views.statuses_screen(draft.data(), statuses, question, any_label)
    return views.statuses_screen(draft.data(), statuses, _("Which status?"))


@asynccontextmanager
async def ends_when_gone(state: FSMContext, message: Message) -> AsyncIterator[None]:
    """A typed answer refused for the draft itself (``RULE_GONE``: a stage, template, field
    or type of card it names deleted while it was built, or the rules' limit reached): every
    answer would be refused the same, so the builder ends, told why and that nothing was
    saved. Any other refusal (a name too long, a value the field cannot hold) is asked
    again."""
    try:
        yield
    except CrmError as error:
        if error.code not in RULE_GONE or await state.get_state() != RuleFlow.building.state:
            raise
        await RuleDraft.drop(state)
        await state.set_state(None)
        not_saved = _("The rule was not saved: start it again in /settings → Automation.")
        await message.answer(f"{error_text(error)}\n{not_saved}")
