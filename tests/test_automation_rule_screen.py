"""A rule's own screen says what the rule does, through the Dispatcher: which stage, how many
days or hours, which field and value, which record type; the task's title, due and assignee,
whom it tells, the stage, status, tag, template and field it sets, who is assigned in turn.
Names are read when the screen is shown: a renamed stage or field reads by its new name, a
deleted one says so; in the reader's language. Its test on a record says the actions the
same way."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from crm.service import Crm
from storage.models import User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner


async def me(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def add_rule(
    app: App, name: str, trigger: str, params: dict[str, Any], actions: list[dict[str, Any]]
) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(await me(crm), name, trigger, params, actions)


async def stage_id(app: App, code: str) -> int:
    async with app.crm.open() as crm:
        return next(s.id for s in await crm.pipelines.stages() if s.code == code)


async def rule_screen(owner: SimulatedUser, name: str, automation: str = "Automation") -> str:
    await owner.send("/settings")
    [rules] = await owner.press(automation)
    [screen] = await owner.press(name, rules)
    return screen.text


async def turn_on(owner: SimulatedUser, starter: str, ready: str = "Ready rules") -> SentMessage:
    await owner.send("/settings")
    await owner.press("Automation" if ready == "Ready rules" else "Автоматизация")
    await owner.press(ready)
    [rules] = await owner.press(starter)
    return rules


async def test_each_ready_rule_says_what_it_waits_for_and_does(
    app: App, owner_en: SimulatedUser
) -> None:
    for starter in (
        "Call new leads",
        "Follow up on offers",
        "Tell me of stale deals",
        "Ask won clients for a review",
    ):
        await turn_on(owner_en, starter)

    text = await rule_screen(owner_en, "Call new leads")
    assert "When: a client is created" in text
    assert (
        "Do: create the task «Call back {client.name}» due in 15 minutes, "
        "for the responsible, high priority"
    ) in text
    text = await rule_screen(owner_en, "Follow up on offers")
    assert "When: a deal enters «Proposal»" in text
    assert (
        "Do: create the task «Follow up on the offer: {deal.title}» due in 2 days, "
        "for the responsible"
    ) in text
    text = await rule_screen(owner_en, "Tell me of stale deals")
    assert "When: a deal stays on its stage 7 days" in text
    assert "Do: tell the owner: «{deal.title} has not moved for a week»" in text
    text = await rule_screen(owner_en, "Ask won clients for a review")
    assert "When: a deal is won" in text
    assert "due in 7 days, for the responsible" in text


async def test_a_renamed_stage_reads_by_its_new_name_and_a_deleted_one_says_so(
    app: App, owner_en: SimulatedUser
) -> None:
    proposal, invoice = await stage_id(app, "proposal"), await stage_id(app, "invoice")
    move = {"type": "move_stage", "stage_id": invoice}
    await add_rule(app, "Offer to invoice", "deal_entered_stage", {"stage_id": proposal}, [move])
    await add_rule(app, "Stuck offers", "deal_stale", {"days": 3, "stage_id": proposal}, [move])
    text = await rule_screen(owner_en, "Offer to invoice")
    assert "When: a deal enters «Proposal»" in text
    assert "Do: move the deal to «Invoice sent»" in text

    async with app.crm.open() as crm:
        await crm.pipelines.rename_stage(await me(crm), proposal, "Offer sent")
        await crm.pipelines.delete_stage(await me(crm), invoice, None)
    text = await rule_screen(owner_en, "Offer to invoice")
    assert "When: a deal enters «Offer sent»" in text
    assert "Do: move the deal to «deleted stage»" in text
    text = await rule_screen(owner_en, "Stuck offers")
    assert "When: a deal stays on «Offer sent» 3 days" in text


async def test_fields_templates_record_types_and_members_are_named(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(701, first_name="Mila", language_code="en")
    async with app.crm.open() as crm:
        owner = await me(crm)
        paid = await crm.fields.define(owner, CardKind.CLIENT, "Paid", FieldType.YES_NO)
        tier = await crm.fields.define(owner, CardKind.CLIENT, "Tier", FieldType.TEXT)
        ends = await crm.fields.define(owner, CardKind.DEAL, "Contract end", FieldType.DATE)
        offer = await crm.templates.add_text(owner, "Offer", "Dear {client.name}")
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
    await add_rule(
        app,
        "Paid clients",
        "field_changed",
        {"field": f"custom.{paid.id}", "value": "yes"},
        [
            {"type": "set_field", "field_id": tier.id, "value": "gold"},
            {"type": "prepare_template", "template_id": offer.id},
            {"type": "round_robin", "members": [OWNER_ID, 701]},
            {"type": "set_status", "status": "warm"},
            {"type": "add_tag", "tag": "vip"},
            {"type": "notify", "to": "group", "text": "Paid: {client.name}"},
        ],
    )
    task = {"type": "create_task", "title": "Renew", "due": "next_workday", "assignee": 701}
    await add_rule(app, "Renewals", "date_approaching", {"field_id": ends.id, "days": 3}, [task])
    hello = {"type": "notify", "to": "responsible", "text": "New supplier"}
    await add_rule(app, "New suppliers", "record_created", {"type_id": suppliers.id}, [hello])
    late = {"type": "notify", "to": "owner", "text": "Late"}
    await add_rule(app, "Late tasks", "task_overdue", {"hours": 4}, [late])

    async with app.crm.open() as crm:
        await crm.fields.rename(await me(crm), tier.id, "Level")
    text = await rule_screen(owner_en, "Paid clients")
    assert "When: «Paid» changes to yes" in text
    assert (
        "Do:\n• set «Level» to gold\n• prepare the template «Offer»\n"
        "• assign in turn: Olga Owner, Mila\n• set the status 🌤 warm\n• add the tag #vip\n"
        "• write to the team's group: «Paid: {client.name}»"
    ) in text
    text = await rule_screen(owner_en, "Renewals")
    assert "When: 3 days before «Contract end»" in text
    assert "Do: create the task «Renew» due at 10:00 the next working day, for Mila" in text
    text = await rule_screen(owner_en, "New suppliers")
    assert "When: a new card in «🏭 Suppliers»" in text
    assert "Do: tell the responsible: «New supplier»" in text
    text = await rule_screen(owner_en, "Late tasks")
    assert "When: a task is overdue 4 hours" in text


async def test_a_ready_rule_reads_in_russian(app: App, owner: SimulatedUser) -> None:
    await turn_on(owner, "Напомнить о КП", "Готовые правила")
    text = await rule_screen(owner, "Напомнить о КП", "Автоматизация")
    assert "Когда: сделка перешла на этап «Коммерческое предложение»" in text
    assert ", срок через 2 дня, ответственному" in text


async def test_on_a_record_names_each_action_as_the_rule_screen_does(
    app: App, owner_en: SimulatedUser, owner: SimulatedUser
) -> None:
    """Testing a rule on a record lists what each action would do there in the rule screen's
    words, with the record's values filled in (not the actions' generic names); in English
    and in Russian."""
    async with app.crm.open() as crm:
        tier = await crm.fields.define(await me(crm), CardKind.CLIENT, "Tier", FieldType.TEXT)
    task = {"type": "create_task", "title": "Call {client.name}", "due_minutes": 15}
    await add_rule(
        app,
        "Welcome",
        "client_created",
        {},
        [
            {**task, "assignee": "responsible", "priority": "high"},
            {"type": "notify", "to": "owner", "text": "New: {client.name}"},
            {"type": "set_status", "status": "warm"},
            {"type": "add_tag", "tag": "vip"},
            {"type": "set_field", "field_id": tier.id, "value": "gold"},
        ],
    )
    await make_client(app, OWNER_ID, "Ivan Petrov")

    await rule_screen(owner_en, "Welcome")
    await owner_en.press("Test on a record")
    [preview] = await owner_en.press("Ivan Petrov")
    assert (
        "• create the task «Call Ivan Petrov» due in 15 minutes, for the responsible, "
        "high priority\n• tell the owner: «New: Ivan Petrov»\n• set the status 🌤 warm\n"
        "• add the tag #vip\n• set «Tier» to gold\nNothing was done."
    ) in preview.text

    async with app.crm.open() as crm:
        await crm.members.set_language(await me(crm), "ru")
    await rule_screen(owner, "Welcome", "Автоматизация")
    await owner.press("Проверить на записи")
    [preview] = await owner.press("Ivan Petrov")
    assert (
        "• создать задачу «Call Ivan Petrov», срок через 15 минут, ответственному, "
        "высокий приоритет\n• сообщить владельцу: «New: Ivan Petrov»\n"
        "• поставить статус 🌤 тёплый\n• добавить тег #vip\n• записать в «Tier»: gold\n"
    ) in preview.text
