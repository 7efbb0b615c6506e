"""The owner's automation screens: the rules with how often each fired, the starters,
one rule. Pure: data in, a ``Screen`` out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.automation.manage import RuleSummary
from crm.automation.starters import STARTERS
from crm.automation.triggers import DEFAULT_TIMEZONE
from crm.team_settings import Status
from handlers.automation.callbacks import (
    AutoAction,
    AutoCb,
    BuildCb,
    RuleAction,
    RuleCb,
    RulesPageCb,
    Step,
)
from handlers.automation.rule_texts import describe, field_notes, missing_words, names_of
from handlers.kit.automation_texts import last_skipped_lines
from handlers.kit.keyboards import back_row, button, keyboard, pager, pick
from handlers.kit.labels import local_time, zone_label
from handlers.kit.screen import Screen
from handlers.settings.callbacks import SettingsCb


def starter_texts() -> dict[str, tuple[str, str]]:
    """Each starter's name and its task title or message, in the reader's language."""
    return {
        "call_new": (_("Call new leads"), _("Call back {client.name}")),
        "offer_follow_up": (_("Follow up on offers"), _("Follow up on the offer: {deal.title}")),
        "stale_deal": (_("Tell me of stale deals"), _("{deal.title} has not moved for a week")),
        "ask_review": (_("Ask won clients for a review"), _("Ask {client.name} for a review")),
    }


def starter_hint(code: str) -> str:
    hints = {
        "call_new": _("new client → task “Call back” within 15 minutes"),
        "offer_follow_up": _("deal enters the offer stage → follow-up task in 2 days"),
        "stale_deal": _("deal stays 7 days on a stage → a message to the owner"),
        "ask_review": _("deal won → task “Ask for a review” in 7 days"),
    }
    return hints.get(code, code)


def _when(moment: datetime | None, timezone: str) -> str:
    return local_time(moment, timezone) if moment else _("never")


RULES_PER_PAGE = 10


def rules_screen(
    rules: list[RuleSummary], timezone: str, note: str | None = None, page: int = 0
) -> Screen:
    """The rules, ten to a page (a page past the end shows the last)."""
    pages = max(1, -(-len(rules) // RULES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = rules[page * RULES_PER_PAGE : (page + 1) * RULES_PER_PAGE]
    lines: list[Text | str] = [Bold(_("🤖 Automation"))]
    if note:
        lines.append(note)
    if not rules:
        lines.append(_("No rules yet. Start with a ready one: one tap each."))
    for summary in shown:
        rule = summary.rule
        state = "⏸" if rule.paused_at else "▶️"
        lines.append(
            _("{state} {name}: last fired {when}, {count} this week").format(
                state=state,
                name=rule.name,
                when=_when(rule.last_fired_at, timezone),
                count=summary.this_week,
            )
        )
        if summary.missing:
            lines.append(
                _("⚠️ «{name}» does not work: {reasons}").format(
                    name=rule.name, reasons=missing_words(summary.missing)
                )
            )
    items = [
        (
            ("⚠️ " if s.missing else "⏸ " if s.rule.paused_at else "") + s.rule.name,
            AutoCb(action=AutoAction.RULE, rule_id=s.rule.id),
        )
        for s in shown
    ]
    return Screen(
        as_list(*lines),
        keyboard(
            *pick(items),
            pager(page, pages, lambda n: RulesPageCb(page=n)),
            [
                button(_("➕ New rule"), BuildCb(step=Step.NEW)),
                button(_("➕ Ready rules"), AutoCb(action=AutoAction.STARTERS)),
            ],
            back_row(_("Settings"), SettingsCb(action="main")),
        ),
    )


def starters_screen(taken: set[str]) -> Screen:
    lines: list[Text | str] = [Bold(_("Ready rules")), _("Tap one to turn it on.")]
    items = []
    names = starter_texts()
    for code in STARTERS:
        mark = "✅ " if code in taken else ""
        lines.append(f"{mark}{names[code][0]}: {starter_hint(code)}")
        if code not in taken:
            items.append((names[code][0], AutoCb(action=AutoAction.ADD_STARTER, code=code)))
    return Screen(
        as_list(*lines),
        keyboard(*pick(items), back_row(_("Rules"), AutoCb(action=AutoAction.LIST))),
    )


def rule_screen(summary: RuleSummary, timezone: str, statuses: Sequence[Status] = ()) -> Screen:
    """A rule: its state, how often it fired, what it lost, and what it does with the names
    of what it names as they are now (``statuses``: the team's, by which a status reads)."""
    rule = summary.rule
    if rule.paused_at is None:
        state = _("working")
    elif rule.paused_reason == "runaway":
        state = _("paused: it fired too often in an hour")
    else:
        state = _("paused")
    lines: list[Text | str] = [
        Bold(f"🤖 {rule.name}"),
        _("State: {state}").format(state=state),
        _("Last fired: {when}").format(when=_when(rule.last_fired_at, timezone)),
        _("This week: {count}, in all: {total}").format(
            count=summary.this_week, total=rule.fired_count
        ),
    ]
    lines += last_skipped_lines(rule.state)
    if summary.missing:
        lines.append(
            _(
                "⚠️ This rule does not work now: {reasons}. Delete it, and make a new one "
                "if you still need it."
            ).format(reasons=missing_words(summary.missing))
        )
    lines += describe(
        {
            "trigger": rule.trigger,
            "params": rule.trigger_params,
            "conditions": rule.conditions,
            "actions": rule.actions,
            "delay": rule.delay,
            "fields": field_notes(summary.fields.values()),
            "names": names_of(summary.named, statuses),
        }
    )
    zone = zone_label(str(rule.state.get("tz") or DEFAULT_TIMEZONE))
    lines.append(_("🕒 Its times are in the time zone {zone}.").format(zone=zone))
    toggle = (
        button(_("▶️ Resume"), AutoCb(action=AutoAction.RESUME, rule_id=rule.id))
        if rule.paused_at
        else button(_("⏸ Pause"), AutoCb(action=AutoAction.PAUSE, rule_id=rule.id))
    )
    test = button(_("🧪 Test on a record"), RuleCb(action=RuleAction.TEST, rule_id=rule.id))
    delete = button(_("🗑 Delete"), RuleCb(action=RuleAction.DELETE, rule_id=rule.id))
    return Screen(
        as_list(*lines),
        keyboard([toggle, delete], [test], back_row(_("Rules"), AutoCb(action=AutoAction.LIST))),
    )
