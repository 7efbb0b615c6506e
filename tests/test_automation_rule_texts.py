"""How a rule reads to the owner, through the Dispatcher: a yes/no value a rule keeps in the
field's own form ("да") is shown in the reader's language in the builder, on the rule's
screen and in its test on a record; a rule saved without the field's name shows it too."""

from __future__ import annotations

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from handlers.automation.callbacks import RuleAction, RuleCb
from storage.models import AutomationRule
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def yes_no_field(app: App, name: str) -> int:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        return (await crm.fields.define(me, CardKind.CLIENT, name, FieldType.YES_NO)).id


async def won_if(app: App, name: str, field_id: int, value: str) -> AutomationRule:
    """A rule put together by the CRM itself (as an older rule or a script would be): its
    condition has no name of the field kept with it."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        task = {"type": "create_task", "title": "Thank", "due_minutes": 0}
        condition = {"field": f"custom.{field_id}", "op": "eq", "value": value}
        return await crm.automation.add(
            me, name, "deal_won", {}, [{**task, "assignee": "responsible"}], conditions=[condition]
        )


async def test_an_english_owner_reads_yes_where_the_rule_keeps_da(
    app: App, owner_en: SimulatedUser
) -> None:
    await yes_no_field(app, "Paid")
    await owner_en.send("/settings")
    await owner_en.press("Automation")
    await owner_en.press("New rule")
    await owner_en.press("A deal is won")
    await owner_en.press("A custom field is")
    await owner_en.press("Paid")
    [more] = await owner_en.send("yes")
    assert "Only if: Paid is yes" in more.text and "да" not in more.text
    await owner_en.press("What it does")
    await owner_en.press("Create a task")
    await owner_en.send("Thank {client.name}")
    await owner_en.press("in 1 h")
    await owner_en.press("The responsible")
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    [rule] = await owner_en.send("Paid wins")
    assert "Only if: Paid is yes" in rule.text and "да" not in rule.text

    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.deals.create(me, client.id, 100, "Deal of Ivan")
        [summary] = await crm.automation.rules(me)
    assert summary.rule.conditions[0]["value"] == "да"  # kept in the field's own form
    await owner_en.press_data(RuleCb(action=RuleAction.TEST, rule_id=summary.rule.id).pack())
    [preview] = await owner_en.press("Deal of Ivan")
    assert "❌ Paid is yes" in preview.text and "да" not in preview.text


async def rule_screen(owner: SimulatedUser, automation: str, name: str) -> SentMessage:
    await owner.send("/settings")
    [rules] = await owner.press(automation)
    [screen] = await owner.press(name, rules)
    return screen


async def test_a_rule_without_the_fields_name_reads_in_each_owners_language(
    app: App, owner_en: SimulatedUser, owner: SimulatedUser
) -> None:
    paid = await yes_no_field(app, "Paid")
    await won_if(app, "Paid wins", paid, "yes")
    await won_if(app, "Unpaid wins", paid, "no")
    assert "Only if: Paid is yes" in (await rule_screen(owner_en, "Automation", "Paid")).text
    assert "Only if: Paid is no" in (await rule_screen(owner_en, "Automation", "Unpaid")).text

    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.members.set_language(me, "ru")
    assert "Только если: Paid: да" in (await rule_screen(owner, "Автоматизация", "Paid")).text
    assert "Только если: Paid: нет" in (await rule_screen(owner, "Автоматизация", "Unpaid")).text
