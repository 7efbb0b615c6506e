"""A rule's delete question and "Test on a record": the records to pick from, and what the
rule would do there. Pure: data in, a ``Screen`` out."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.automation.preview import Preview
from handlers.automation.callbacks import AutoAction, AutoCb, RuleAction, RuleCb
from handlers.automation.rule_texts import condition_text, field_notes
from handlers.automation.rule_words import Names, action_text
from handlers.kit.keyboards import back_row, confirm, keyboard, pick
from handlers.kit.labels import local_time
from handlers.kit.screen import Screen
from handlers.kit.timeline import shorten
from storage.models import AutomationRule, FieldDef

FILLED_SHOWN = 200  # a task's title or a message as this record would get it, cut longer


def delete_screen(rule: AutomationRule) -> Screen:
    text = Text(
        _(
            "Delete the rule «{name}»? What it already did stays; "
            "what it has not done yet is dropped."
        ).format(name=rule.name)
    )
    yes = RuleCb(action=RuleAction.DELETE_YES, rule_id=rule.id)
    no = AutoCb(action=AutoAction.RULE, rule_id=rule.id)
    return Screen(text, keyboard(confirm(_("🗑 Delete"), yes, no)))


def samples_screen(rule: AutomationRule, samples: list[tuple[int, str]], kind: str) -> Screen:
    if not samples:
        question = _("There is nothing to test it on yet.")
    elif kind == "record":
        question = _("Test «{name}» on which card? Nothing will be done.").format(name=rule.name)
    elif kind == "deal":
        question = _("Test «{name}» on which deal? Nothing will be done.").format(name=rule.name)
    else:
        question = _("Test «{name}» on which client? Nothing will be done.").format(name=rule.name)
    items = [
        (shorten(label, 40), RuleCb(action=RuleAction.TEST_ON, rule_id=rule.id, record_id=i))
        for i, label in samples
    ]
    back = back_row(_("Rule"), AutoCb(action=AutoAction.RULE, rule_id=rule.id))
    return Screen(Text(question), keyboard(*pick(items), back))


def preview_screen(
    rule: AutomationRule,
    label: str,
    preview: Preview,
    timezone: str,
    fields: Iterable[FieldDef] = (),
    names: Names | None = None,
) -> Screen:
    """``fields``: the custom fields the rule names, which read its conditions' values;
    ``names``: what the rest it names is called now (``rule_texts.names_of``). The actions
    read as on the rule's screen, with this record's values filled in and longer texts."""
    notes = field_notes(fields)
    verdict = _("✅ It would fire.") if preview.would_fire else _("⛔ It would not fire.")
    lines: list[Text | str] = [
        Bold(_("🧪 «{rule}» on «{record}»").format(rule=rule.name, record=shorten(label, 60))),
        verdict,
    ]
    if preview.trigger_matches is False:
        lines.append(_("Its trigger is not about this kind of record."))
    for condition, ok in preview.conditions:
        mark = "✅" if ok else "❌"
        lines.append(f"{mark} {condition_text(condition, notes)}")
    lines.append(
        _("It would act at {when} and do:").format(when=local_time(preview.due_at, timezone))
    )
    lines += [f"• {action_text(a, names or {}, notes, FILLED_SHOWN)}" for a in preview.actions]
    if preview.missing:
        absent = ", ".join(f"{{{m}}}" for m in preview.missing)
        lines.append(_("No value here for: {names}").format(names=absent))
    lines.append(_("Nothing was done."))
    back = back_row(_("Rule"), AutoCb(action=AutoAction.RULE, rule_id=rule.id))
    return Screen(as_list(*lines), keyboard(back))
