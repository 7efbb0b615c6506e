"""A rule whose stage, custom field, template or record type was deleted does nothing any
more; through the Dispatcher: the question before deleting a stage, a field or a template
says which rules use it, and the rules list and the rule's screen say what the rule lost,
in the reader's language."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from crm.service import Crm
from storage.models import User
from tests.conftest import OWNER_ID

TASK = {"type": "create_task", "title": "Call", "due_minutes": 0, "assignee": "responsible"}


async def me(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def add_rule(app: App, name: str, trigger: str, params: dict[str, Any], **more: Any) -> None:
    actions = more.pop("actions", [TASK])
    async with app.crm.open() as crm:
        await crm.automation.add(await me(crm), name, trigger, params, actions, **more)


async def stage_id(app: App, code: str) -> int:
    async with app.crm.open() as crm:
        return next(s.id for s in await crm.pipelines.stages() if s.code == code)


async def automation(owner: SimulatedUser, label: str = "Automation") -> SentMessage:
    await owner.send("/settings")
    [rules] = await owner.press(label)
    return rules


async def test_deleting_a_stage_rules_use_says_so_and_the_rules_show_it(
    app: App, owner_en: SimulatedUser
) -> None:
    proposal, lead = await stage_id(app, "proposal"), await stage_id(app, "lead")
    await add_rule(app, "Offer follow-up", "deal_entered_stage", {"stage_id": proposal})
    move = {"type": "move_stage", "stage_id": proposal}
    await add_rule(app, "Skip ahead", "deal_entered_stage", {"stage_id": lead}, actions=[move])
    await add_rule(app, "Welcome", "client_created", {})

    await owner_en.send("/settings")
    await owner_en.press("🪜 Pipeline")
    await owner_en.press("Proposal")
    [confirm] = await owner_en.press("🗑 Delete")
    assert confirm.text == (
        "Delete the stage Proposal? It has no deals.\n"
        "⚠️ 2 automation rules use it and will stop working: «Offer follow-up», «Skip ahead»."
    )
    await owner_en.press("Yes, delete", confirm)

    rules = await automation(owner_en)
    assert "⚠️ «Offer follow-up» does not work: a stage it uses was deleted" in rules.text
    assert "⚠️ «Skip ahead» does not work: a stage it uses was deleted" in rules.text
    assert "Welcome" in rules.text and "«Welcome» does not work" not in rules.text
    [rule] = await owner_en.press("Skip ahead", rules)
    assert "⚠️ This rule does not work now: a stage it uses was deleted." in rule.text
    [rule] = await owner_en.press("Rules", rule)
    [rule] = await owner_en.press("Welcome", rule)
    assert "does not work" not in rule.text


async def test_deleting_a_field_a_rule_checks_says_so_and_the_rule_shows_it(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        paid = await crm.fields.define(await me(crm), CardKind.CLIENT, "Paid", FieldType.YES_NO)
    condition = {"field": f"custom.{paid.id}", "op": "eq", "value": "yes"}
    await add_rule(app, "Paid wins", "deal_won", {}, conditions=[condition])

    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Client fields")
    await owner_en.press("Paid")
    [confirm] = await owner_en.press("🗑 Delete field")
    assert "⚠️ 1 automation rule uses it and will stop working: «Paid wins»." in confirm.text
    await owner_en.press("🗑 Delete", confirm)

    rules = await automation(owner_en)
    assert "⚠️ «Paid wins» does not work: a field it uses was deleted" in rules.text
    [rule] = await owner_en.press("Paid wins", rules)
    assert "⚠️ This rule does not work now: a field it uses was deleted." in rule.text


async def test_deleting_a_template_a_rule_prepares_says_so_and_the_rule_shows_it(
    app: App, owner_en: SimulatedUser, owner: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        offer = await crm.templates.add_text(await me(crm), "Offer", "Dear {client.name}")
        await crm.templates.add_text(await me(crm), "Thanks", "Thank you")
    prepare = {"type": "prepare_template", "template_id": offer.id}
    await add_rule(app, "Send the offer", "deal_won", {}, actions=[prepare])

    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("📝 Thanks")
    [unused] = await owner_en.press("Delete")
    assert unused.text == "Delete the template «Thanks»?"
    await owner_en.press("No, back", unused)
    await owner_en.press("Templates")
    await owner_en.press("📝 Offer")
    [confirm] = await owner_en.press("Delete")
    assert confirm.text == (
        "Delete the template «Offer»?\n"
        "⚠️ 1 automation rule uses it and will stop working: «Send the offer»."
    )
    await owner_en.press("Delete", confirm)

    rules = await automation(owner_en)
    assert "⚠️ «Send the offer» does not work: a template it uses was deleted" in rules.text

    async with app.crm.open() as crm:
        await crm.members.set_language(await me(crm), "ru")
    rules = await automation(owner, "Автоматизация")
    assert "⚠️ «Send the offer» не работает: удалён шаблон, который оно использует" in rules.text


async def test_a_rule_on_a_deleted_record_type_shows_it(app: App, owner_en: SimulatedUser) -> None:
    async with app.crm.open() as crm:
        suppliers = await crm.record_types.create(await me(crm), "Supplier", "Suppliers", "🏭")
    await add_rule(app, "New suppliers", "record_created", {"type_id": suppliers.id})
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Suppliers")
    [confirm] = await owner_en.press("🗑 Delete type")
    assert "⚠️ 1 automation rule uses it and will stop working: «New suppliers»." in confirm.text
    await owner_en.press("🗑 Yes, delete", confirm)

    rules = await automation(owner_en)
    assert "⚠️ «New suppliers» does not work: the record type it watches was deleted" in rules.text
