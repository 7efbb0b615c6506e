"""A rule's task title and message may name the team's own fields as templates do
(``{custom.N}``): taken by the builder and by ``add``, filled with the card's value when the
rule fires; a key no field has is still refused."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clients import ClientDraft
from crm.errors import InvalidInput
from crm.parsing.fields import FieldType
from handlers.automation.callbacks import RuleAction, RuleCb
from storage.models import AutomationRule, Task
from tests.conftest import OWNER_ID
from tests.test_automation_builder import all_of, open_builder


async def test_a_rules_texts_name_a_custom_field_and_are_filled_with_its_value(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        contract = (await crm.fields.define(me, CardKind.CLIENT, "Contract", FieldType.TEXT)).id
        notify = {"type": "notify", "to": "owner", "text": f"Contract: {{custom.{contract}}}"}
        await crm.automation.add(me, "Tell", "client_created", {}, [notify])
        with pytest.raises(InvalidInput):  # no field has this key
            await crm.automation.add(
                me, "Bad", "client_created", {}, [{**notify, "text": "{custom.999}"}]
            )

    await open_builder(owner_en)
    await owner_en.press("A client is created")
    await owner_en.press("Any source")
    await owner_en.press("What it does")
    await owner_en.press("Create a task")
    [refused] = await owner_en.send("Renew {custom.999}")
    assert "I don't know the placeholder {custom.999}" in refused.text
    [due] = await owner_en.send(f"Renew {{custom.{contract}}}")
    assert "When is it due?" in due.text
    [whom] = await owner_en.press("in 1 d")
    await owner_en.press("The responsible", whom)
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    [rule] = await owner_en.send("Renewals")
    assert "🤖 Renewals" in rule.text

    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        client = await crm.clients.create(me, ClientDraft(name="Ivan"), force=True)
        await crm.field_values.set(me, CardRef(CardKind.CLIENT, client.id), contract, "K-17")
    await app.ticker.tick()
    [task] = await all_of(app, Task)
    assert task.title == "Renew K-17"
    assert any("Contract: K-17" in m.text for m in owner_en.chat_messages())

    renewals = next(r for r in await all_of(app, AutomationRule) if r.name == "Renewals")
    await owner_en.press_data(RuleCb(action=RuleAction.TEST, rule_id=renewals.id).pack())
    [preview] = await owner_en.press("Ivan")
    assert "Renew K-17" in preview.text  # the test on a record fills it as the firing did
