"""The rule builder's actions and delay: each action asked for piece by piece, then when."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from crm.automation.rules import MAX_ACTIONS
from crm.errors import ErrorCode, InvalidInput, NotFound
from crm.service import Crm
from handlers.automation import builder_views as views
from handlers.automation.builder_steps import (
    DEAL_TRIGGERS,
    ask,
    asked,
    card_fields,
    conditions,
    show_actions,
    show_step,
)
from handlers.automation.builder_texts import prompt
from handlers.automation.callbacks import BuildCb, Code, Step
from handlers.automation.rule_texts import action_names, field_notes, record_type_label
from handlers.automation.states import RuleDraft, RuleFlow
from handlers.kit.labels import member_name
from handlers.kit.routes import Routes
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.ACTION))
async def action(
    callback: CallbackQuery, callback_data: BuildCb, member: User, crm: Crm, state: FSMContext
) -> None:
    code = callback_data.code
    if code not in action_names():
        raise InvalidInput(ErrorCode.BAD_RULE, part="action")
    draft = asked(await RuleDraft.load(state), "action")
    if len(draft.data().get("actions") or []) >= MAX_ACTIONS:  # an older screen's button
        raise InvalidInput(ErrorCode.BAD_RULE, part="actions_many", limit=MAX_ACTIONS)
    draft = draft.with_action(type=code.value)
    rule = draft.data()
    if code in (Code.CREATE_TASK, Code.ADD_TAG):
        asking = "title" if code == Code.CREATE_TASK else "add_tag"
        await show_step(callback, state, ask(draft, asking), views.ask_screen(rule, prompt(asking)))
    elif code == Code.NOTIFY:
        codes = [
            (Code.RESPONSIBLE, _("The responsible")),
            (Code.OWNER, _("The owner")),
            (Code.GROUP, _("The team's group chat")),
        ]
        screen = views.who_screen(rule, _("Whom should it tell?"), codes)
        await show_step(callback, state, ask(draft, "notify_who"), screen)
    elif code == Code.MOVE_STAGE:
        if rule.get("trigger") not in DEAL_TRIGGERS:
            raise InvalidInput(ErrorCode.BAD_RULE, part="action")
        stages = [s for s in await crm.pipelines.stages() if s.kind != "lost"]
        screen = views.stages_screen(rule, stages, _("To which stage?"))
        await show_step(callback, state, ask(draft, "move_stage"), screen)
    elif code == Code.SET_STATUS:
        statuses = await crm.settings.statuses()
        screen = views.statuses_screen(rule, statuses, _("Which status?"))
        await show_step(callback, state, ask(draft, "set_status"), screen)
    elif code == Code.ROUND_ROBIN:
        screen = views.members_screen(rule, await active_team(crm, member), [])
        await show_step(callback, state, ask(draft.with_action(members=[]), "members"), screen)
    elif code == Code.SET_FIELD:
        fields = await card_fields(crm)
        if not fields:  # nothing to choose: said on the press, the draft stays on its screen
            raise InvalidInput(ErrorCode.BAD_RULE, part="no_fields")
        screen = views.fields_screen(rule, fields, _("Which field?"))
        await show_step(callback, state, ask(draft, "set_field"), screen)
    else:
        templates = await crm.templates.all()
        if not templates:
            raise InvalidInput(ErrorCode.BAD_RULE, part="no_templates")
        screen = views.templates_screen(rule, templates)
        await show_step(callback, state, ask(draft, "template"), screen)


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.WHO))
async def who(
    callback: CallbackQuery, callback_data: BuildCb, member: User, state: FSMContext
) -> None:
    draft = await RuleDraft.load(state)
    code = callback_data.code
    if draft.asking == "task_who" and code in (Code.RESPONSIBLE, Code.ACTOR, Code.OWNER):
        assignee: str | int = member.id if code == Code.OWNER else code.value
        if code == Code.OWNER:
            draft = draft.with_name("member", member.id, member_name(member))
        await show_actions(callback, state, draft.with_action(assignee=assignee))
    elif draft.asking == "notify_who" and code in (Code.RESPONSIBLE, Code.OWNER, Code.GROUP):
        draft = ask(draft.with_action(to=code.value), "text")
        await show_step(callback, state, draft, views.ask_screen(draft.data(), prompt("text")))
    else:  # a button of a question no longer asked (pressed twice, or late)
        raise InvalidInput(ErrorCode.BAD_CARD)


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.MEMBER))
async def toggle_member(
    callback: CallbackQuery, callback_data: BuildCb, member: User, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "task_who", "members")
    team = await active_team(crm, member)
    picked = next((m for m in team if m.id == callback_data.member), None)
    if picked is None:
        raise NotFound()
    draft = draft.with_name("member", picked.id, member_name(picked))
    if draft.asking == "task_who":  # a named member gets the task
        await show_actions(callback, state, draft.with_action(assignee=callback_data.member))
        return
    chosen = [int(m) for m in draft.action().get("members", [])]
    if callback_data.member in chosen:
        chosen.remove(callback_data.member)
    else:
        chosen.append(callback_data.member)
    draft = draft.with_action(members=chosen)
    screen = views.members_screen(draft.data(), team, chosen, callback_data.value)
    await show_step(callback, state, draft, screen)


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.MEMBERS_PAGE))
async def members_page(
    callback: CallbackQuery, callback_data: BuildCb, member: User, crm: Crm, state: FSMContext
) -> None:
    """Another page of the task's or round-robin's members."""
    draft = asked(await RuleDraft.load(state), "task_who", "members")
    team, page, rule = await active_team(crm, member), callback_data.value, draft.data()
    chosen = [int(m) for m in draft.action().get("members", [])]
    if draft.asking == "task_who":
        await show_step(callback, state, draft, views.task_who_screen(rule, team, page))
    else:
        await show_step(callback, state, draft, views.members_screen(rule, team, chosen, page))


async def active_team(crm: Crm, member: User) -> list[User]:
    return [m for m in await crm.members.team(member) if m.active]


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.MEMBERS_DONE))
async def members_done(callback: CallbackQuery, state: FSMContext) -> None:
    draft = await RuleDraft.load(state)
    if not draft.action().get("members"):
        raise InvalidInput(ErrorCode.BAD_RULE, part="members")
    await show_actions(callback, state, draft)


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.TEMPLATE))
async def template(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "template")
    chosen = await crm.templates.get(callback_data.value)
    draft = draft.with_name("template", chosen.id, chosen.name)
    await show_actions(callback, state, draft.with_action(template_id=chosen.id))


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.DELAY_STEP))
async def delay_step(callback: CallbackQuery, state: FSMContext) -> None:
    draft = asked(await RuleDraft.load(state), "action")
    await show_step(callback, state, ask(draft, "delay"), views.delay_screen(draft.data()))


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.DELAY))
async def delay(callback: CallbackQuery, callback_data: BuildCb, state: FSMContext) -> None:
    draft = asked(await RuleDraft.load(state), "delay")
    code = callback_data.code
    if code == Code.AFTER and callback_data.value in views.DELAY_MINUTES:
        chosen: dict[str, object] = {"kind": "after", "minutes": callback_data.value}
    elif code in (Code.NOW, Code.NEXT_WORKDAY):
        chosen = {"kind": code.value}
    else:
        raise InvalidInput(ErrorCode.BAD_RULE, part="delay")
    draft = ask(draft.with_rule(delay=chosen), "name")
    await show_step(callback, state, draft, views.ask_screen(draft.data(), prompt("name")))


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.FIELD))
async def custom_field(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    draft = asked(
        await RuleDraft.load(state), "date_field", "changed_field", "cond_field", "set_field"
    )
    field = next((f for f in await card_fields(crm) if f.id == callback_data.value), None)
    if field is None:
        raise NotFound()
    draft = draft.with_field(field_notes([field]))
    if draft.asking == "date_field" and field.type == "date":
        draft = ask(draft.with_rule(params={"field_id": field.id}), "days")
        question = _("How many days before the date?")
        screen = views.numbers_screen(draft.data(), question, views.days_options())
        await show_step(callback, state, draft, screen)
    elif draft.asking == "changed_field":
        draft = ask(draft.with_rule(params={"field": f"custom.{field.id}"}), "changed_value")
        screen = views.any_screen(draft.data(), prompt("changed_value"), _("Any value"))
        await show_step(callback, state, draft, screen)
    elif draft.asking == "cond_field":
        draft = ask(draft.with_action(field_id=field.id, label=field.name), "cond_custom")
        screen = views.ask_screen(draft.data(), prompt("cond_custom"))
        await show_step(callback, state, draft, screen)
    elif draft.asking == "set_field":
        draft = ask(draft.with_action(field_id=field.id), "field_value")
        screen = views.ask_screen(draft.data(), prompt("field_value"))
        await show_step(callback, state, draft, screen)
    else:
        await show_step(callback, state, *conditions(draft))


@routes.callback_query(RuleFlow.building, BuildCb.filter(F.step == Step.RECORD_TYPE))
async def record_type(
    callback: CallbackQuery, callback_data: BuildCb, crm: Crm, state: FSMContext
) -> None:
    draft = asked(await RuleDraft.load(state), "record_type")
    chosen = await crm.record_types.get(callback_data.value)
    draft = draft.with_name("record_type", chosen.id, record_type_label(chosen))
    draft = ask(draft.with_rule(params={"type_id": chosen.id}), "action")
    # A card of the team's own type has no amount, status or tags to check: on to actions.
    await show_step(callback, state, draft, views.actions_screen(draft.data(), has_deal=False))
