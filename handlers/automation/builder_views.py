"""The rule builder's screens: trigger, its parameter, conditions, actions, delay, name.
Pure: data in, a ``Screen`` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.utils.formatting import Bold, as_list
from aiogram.utils.i18n import gettext as _

from crm.automation.rules import MAX_ACTIONS, MAX_CONDITIONS, RECORD_ACTIONS
from crm.pipeline import StageView
from crm.team_settings import Status
from handlers.automation.callbacks import AutoAction, AutoCb, BuildCb, Code, Step
from handlers.automation.rule_texts import action_names, condition_names, describe, trigger_names
from handlers.kit.keyboards import back_row, button, cancel_row, keyboard, pager, pick
from handlers.kit.labels import member_name, status_label
from handlers.kit.responsible import TEAM_PAGE, member_page, page_of
from handlers.kit.screen import Screen
from handlers.kit.stages import stage_name
from storage.models import FieldDef, RecordType, Template, User

DAYS = (1, 3, 7, 14, 30)
HOURS = (1, 4, 24, 48)
DUE_MINUTES = (0, 15, 60, 24 * 60, 2 * 24 * 60, 7 * 24 * 60)
DELAY_MINUTES = (15, 60, 24 * 60)


def span(minutes: int) -> str:
    if minutes == 0:
        return _("at once")
    if minutes % (24 * 60) == 0:
        return _("in {n} d").format(n=minutes // (24 * 60))
    if minutes % 60 == 0:
        return _("in {n} h").format(n=minutes // 60)
    return _("in {n} min").format(n=minutes)


def _screen(rule: dict[str, Any], question: str, *rows: Any) -> Screen:
    text = as_list(Bold(_("🤖 New rule")), *describe(rule), question)
    return Screen(text, keyboard(*rows, cancel_row()))


def triggers_screen() -> Screen:
    items = [
        (name, BuildCb(step=Step.TRIGGER, code=code)) for code, name in trigger_names().items()
    ]
    return _screen({}, _("What sets the rule off?"), *pick(items))


def in_progress_screen(rule: dict[str, Any], started: int) -> Screen:
    """ "New rule" pressed (an older menu's button) while a rule is being built: sent
    under that menu, which stays as it was. Its Start over names the draft (``started``)."""
    note = _("A rule is already being built: finish it in its message, or start over.")
    again = BuildCb(step=Step.RESTART, value=started)
    return _screen(rule, note, [button(_("🔄 Start over"), again)])


def stages_screen(rule: dict[str, Any], stages: list[StageView], question: str) -> Screen:
    items = [(stage_name(s), BuildCb(step=Step.STAGE, value=s.id)) for s in stages]
    return _screen(rule, question, *pick(items, columns=2))


def numbers_screen(
    rule: dict[str, Any],
    question: str,
    options: list[tuple[str, int]],
    workday: bool = False,
    high_priority: bool = False,
) -> Screen:
    items = [(label, BuildCb(step=Step.NUMBER, value=value)) for label, value in options]
    at_ten = BuildCb(step=Step.NUMBER, code=Code.NEXT_WORKDAY)
    extra = [button(_("At 10:00 the next working day"), at_ten)] if workday else None
    high = None
    if workday:  # a task's due screen: its priority too
        mark = "✅ " if high_priority else "▫️ "
        high = [button(mark + _("🔥 High priority"), BuildCb(step=Step.NUMBER, code=Code.HIGH))]
    return _screen(rule, question, *pick(items, columns=3), extra, high)


def days_options() -> list[tuple[str, int]]:
    return [(_("{n} d").format(n=n), n) for n in DAYS]


def hours_options() -> list[tuple[str, int]]:
    return [(_("{n} h").format(n=n), n) for n in HOURS]


def due_options() -> list[tuple[str, int]]:
    return [(span(minutes), minutes) for minutes in DUE_MINUTES]


def any_screen(rule: dict[str, Any], question: str, any_label: str) -> Screen:
    return _screen(rule, question, [button(any_label, BuildCb(step=Step.ANY))])


def statuses_screen(
    rule: dict[str, Any], statuses: list[Status], question: str, any_label: str | None = None
) -> Screen:
    items = [
        (status_label(s.code, statuses), BuildCb(step=Step.STATUS, status=s.code)) for s in statuses
    ]
    extra = [button(any_label, BuildCb(step=Step.ANY))] if any_label else None
    return _screen(rule, question, *pick(items, columns=2), extra)


def conditions_screen(rule: dict[str, Any]) -> Screen:
    items = [
        (name, BuildCb(step=Step.CONDITION, code=code)) for code, name in condition_names().items()
    ]
    question = _("Only when…? Add a condition, or go on to what the rule does.")
    if len(rule.get("conditions") or []) >= MAX_CONDITIONS:
        items = []
        question = _("A rule checks at most {limit} conditions: go on to what it does.").format(
            limit=MAX_CONDITIONS
        )
    return _screen(
        rule,
        question,
        *pick(items, columns=2),
        [button(_("➡️ What it does"), BuildCb(step=Step.ACTIONS))],
    )


def actions_screen(rule: dict[str, Any], has_deal: bool) -> Screen:
    allowed = set(RECORD_ACTIONS) if rule.get("trigger") == "record_created" else None
    items = [
        (name, BuildCb(step=Step.ACTION, code=code))
        for code, name in action_names().items()
        if (has_deal or code != Code.MOVE_STAGE) and (allowed is None or code in allowed)
    ]
    more = bool(rule.get("actions"))
    question = _("Add another action, or go on.") if more else _("What should the rule do?")
    if len(rule.get("actions") or []) >= MAX_ACTIONS:
        items = []
        question = _("A rule does at most {limit} things: go on.").format(limit=MAX_ACTIONS)
    rows = [[button(_("➡️ When to do it"), BuildCb(step=Step.DELAY_STEP))]] if more else []
    return _screen(rule, question, *pick(items, columns=2), *rows)


def fields_screen(rule: dict[str, Any], fields: list[FieldDef], question: str) -> Screen:
    items = [
        (
            ("💼 " if f.kind == "deal" else "👤 ") + f.name,
            BuildCb(step=Step.FIELD, value=f.id),
        )
        for f in fields
    ]
    return _screen(rule, question, *pick(items, columns=2))


def record_types_screen(rule: dict[str, Any], types: list[RecordType]) -> Screen:
    """The team's own types of card (the builder asks only when there are some)."""
    items = [(f"{t.emoji} {t.plural}", BuildCb(step=Step.RECORD_TYPE, value=t.id)) for t in types]
    return _screen(rule, _("Which type of card?"), *pick(items, columns=2))


def who_screen(
    rule: dict[str, Any],
    question: str,
    codes: list[tuple[Code, str]],
    team: Sequence[User] = (),
    page: int = 0,
) -> Screen:
    """The roles to choose from, then (for a task) the active members by name, a page of
    them at a time (a team may pass Telegram's 100 buttons)."""
    items = [(label, BuildCb(step=Step.WHO, code=code)) for code, label in codes]
    shown, pages = member_page(team, page, _to_page)
    named = [(member_name(m), BuildCb(step=Step.MEMBER, member=m.id)) for m in shown]
    return _screen(rule, question, *pick(items), *pick(named, columns=2), pages)


def task_who_screen(rule: dict[str, Any], team: Sequence[User], page: int = 0) -> Screen:
    codes = [(Code.RESPONSIBLE, _("The responsible")), (Code.ACTOR, _("Who set it off"))]
    return who_screen(rule, _("For whom is the task?"), codes, team, page)


def members_screen(
    rule: dict[str, Any], members: Sequence[User], chosen: list[int], page: int = 0
) -> Screen:
    """Round-robin's members, a page at a time; a member's button keeps its page
    (``value``), so the screen stays on it when they are ticked."""
    shown, page, pages = page_of(members, page, TEAM_PAGE)
    items = [
        (
            ("✅ " if m.id in chosen else "▫️ ") + member_name(m),
            BuildCb(step=Step.MEMBER, member=m.id, value=page),
        )
        for m in shown
    ]
    done = [button(_("➡️ Done"), BuildCb(step=Step.MEMBERS_DONE))] if chosen else None
    rows = [*pick(items, columns=2), pager(page, pages, _to_page), done]
    return _screen(rule, _("Among whom? Tap to choose."), *rows)


def _to_page(page: int) -> BuildCb:
    return BuildCb(step=Step.MEMBERS_PAGE, value=page)


def templates_screen(rule: dict[str, Any], templates: list[Template]) -> Screen:
    """The templates to prepare (the builder asks only when there are some)."""
    items = [(t.name, BuildCb(step=Step.TEMPLATE, value=t.id)) for t in templates]
    return _screen(rule, _("Which template?"), *pick(items))


def delay_screen(rule: dict[str, Any]) -> Screen:
    rows = [[button(_("⚡ Immediately"), BuildCb(step=Step.DELAY, code=Code.NOW))]]
    rows += pick(
        [
            (
                _("After: {when}").format(when=span(m)),
                BuildCb(step=Step.DELAY, code=Code.AFTER, value=m),
            )
            for m in DELAY_MINUTES
        ],
        columns=3,
    )
    rows.append(
        [
            button(
                _("At 10:00 the next working day"),
                BuildCb(step=Step.DELAY, code=Code.NEXT_WORKDAY),
            )
        ]
    )
    return _screen(rule, _("When should it act once set off?"), *rows)


def ask_screen(rule: dict[str, Any], question: str) -> Screen:
    return _screen(rule, question)


def back_to_rules() -> list[Any]:
    return back_row(_("Rules"), AutoCb(action=AutoAction.LIST))
