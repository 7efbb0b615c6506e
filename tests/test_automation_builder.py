"""The rule builder through the Dispatcher with a controlled clock: the owner puts a rule
together (trigger with its parameter, conditions, actions, delay, name), it fires only where
its conditions hold, the rule screen tests it on a record without acting and deletes it after
asking; round-robin built with the buttons spreads new clients; bad answers and forged presses
are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.automation.rules import check_rule
from crm.cards import CardKind, CardRef
from crm.clients import ClientDraft
from crm.clock import ManualClock
from crm.errors import InvalidInput
from crm.parsing.fields import FieldType
from handlers.automation.builder_views import DELAY_MINUTES
from handlers.automation.callbacks import BuildCb, Code, RuleAction, RuleCb, Step
from handlers.kit.entity_timeline import record_event_text
from storage.engine import create_session_factory
from storage.models import AutomationRule, Client, Deal, Event, Stage, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner


async def all_of(app: App, model: type[Task] | type[AutomationRule] | type[Client]) -> list:  # type: ignore[type-arg]
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(model).order_by(model.id)))


async def stage_id(app: App, code: str) -> int:
    async with create_session_factory(app.engine)() as db:
        found = await db.scalar(select(Stage.id).where(Stage.code == code))
    assert found is not None
    return int(found)


async def deal_of(app: App, name: str, amount: int) -> Deal:
    client = await make_client(app, OWNER_ID, name)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        return await crm.deals.create(me, client.id, amount, f"Deal of {name}")


async def move(app: App, deal_id: int, stage: int) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.deals.move(me, deal_id, stage)


async def open_builder(owner: SimulatedUser) -> None:
    await owner.send("/settings")
    await owner.press("Automation")
    [triggers] = await owner.press("New rule")
    assert "What sets the rule off?" in triggers.text


async def tell_the_owner_now(owner: SimulatedUser, text: str, name: str) -> None:
    """The conditions screen on: the rule tells the owner ``text`` at once, named ``name``."""
    await owner.press("What it does")
    await owner.press("Tell someone")
    await owner.press("The owner")
    await owner.send(text)
    await owner.press("When to do it")
    await owner.press_data(BuildCb(step=Step.DELAY, code=Code.NOW).pack())
    await owner.send(name)


async def test_a_built_rule_fires_where_its_condition_holds_and_is_tested_and_deleted(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await open_builder(owner_en)
    [stages] = await owner_en.press("A deal enters a stage")
    assert "When: ➡️ A deal enters a stage" in stages.text  # which one is not chosen yet
    [conditions] = await owner_en.press("Proposal", stages)
    assert "When: a deal enters «Proposal»" in conditions.text
    await owner_en.press("Amount over")
    [wrong] = await owner_en.send("a lot")
    assert "That is not an amount" in wrong.text
    [more] = await owner_en.send("100k")
    assert "Only if: Amount over 100,000\u00a0₽" in more.text
    [actions] = await owner_en.press("What it does")
    assert "What should the rule do?" in actions.text
    await owner_en.press("Create a task")
    [refused] = await owner_en.send("Call {client.nmae}")
    assert "I don't know the placeholder {client.nmae}" in refused.text
    [due] = await owner_en.send("Call {client.name} about the offer")
    assert "When is it due?" in due.text
    [whom] = await owner_en.press("in 1 d")
    await owner_en.press("The responsible", whom)
    [delay] = await owner_en.press("When to do it")
    assert "When should it act" in delay.text
    [name] = await owner_en.press("Immediately")
    assert "send the rule's name" in name.text
    task_line = (
        "Do: create the task «Call {client.name} about the offer» due in 1 day, for the responsible"
    )
    assert task_line in name.text  # the summary before saving
    [rule] = await owner_en.send("Big offers")
    assert "🤖 Big offers" in rule.text and "State: working" in rule.text
    assert "When: a deal enters «Proposal»" in rule.text and task_line in rule.text

    [stored] = await all_of(app, AutomationRule)
    assert stored.trigger_params == {"stage_id": await stage_id(app, "proposal")}
    assert stored.conditions == [{"field": "amount", "op": "gt", "value": 10_000_000}]
    assert stored.actions[0]["due_minutes"] == 24 * 60

    big = await deal_of(app, "Ivan", 15_000_000)
    small = await deal_of(app, "Anna", 5_000_000)
    for deal in (big, small):
        await move(app, deal.id, await stage_id(app, "proposal"))
    await app.ticker.tick()
    [task] = await all_of(app, Task)
    assert task.title == "Call Ivan about the offer" and task.deal_id == big.id
    assert task.due_at == clock.now() + timedelta(days=1)

    await owner_en.press_data(RuleCb(action=RuleAction.TEST, rule_id=stored.id).pack())
    [preview] = await owner_en.press("Deal of Anna")
    assert "⛔ It would not fire." in preview.text
    assert "❌ Amount over 100,000\u00a0₽" in preview.text and "Nothing was done." in preview.text
    await owner_en.press("Rule")
    await owner_en.press("Test on a record")
    [preview] = await owner_en.press("Deal of Ivan")
    assert "✅ It would fire." in preview.text and "Call Ivan about the offer" in preview.text
    assert len(await all_of(app, Task)) == 1  # testing did nothing

    await owner_en.press("Rule")
    [ask] = await owner_en.press("Delete")
    assert "Delete the rule «Big offers»?" in ask.text
    [rules] = await owner_en.press("Delete", ask)
    assert owner_en.alert == "Deleted: «Big offers»." and "No rules yet" in rules.text
    assert await all_of(app, AutomationRule) == []


async def test_round_robin_built_with_buttons_spreads_new_clients(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(701, first_name="Mila", language_code="en")
    await join(702, first_name="Oleg", language_code="en")
    await open_builder(owner_en)
    [source] = await owner_en.press("A client is created")
    assert "From any source" in source.text
    await owner_en.press("Any source")
    await owner_en.press("What it does")
    await owner_en.press("Assign in turn")
    await owner_en.press("Mila")
    [chosen] = await owner_en.press("Oleg")
    assert "✅ Mila" in [label for label, _d, _u in chosen.buttons]
    await owner_en.press("Done")
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    await owner_en.send("Spread leads")

    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        for n in range(4):
            await crm.clients.create(me, ClientDraft(name=f"Lead {n}"), force=True)
    await app.ticker.tick()
    managers = [c.manager_id for c in await all_of(app, Client)]
    assert managers == [701, 702, 701, 702]


async def test_a_manager_cannot_build_or_delete_rules(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Automation")
    await owner_en.press("Ready rules")
    await owner_en.press("Call new leads")
    [rule] = await all_of(app, AutomationRule)
    manager = await join(777, language_code="en")
    await manager.press_data(BuildCb(step=Step.NEW).pack())
    assert manager.alert == "You don't have access to this."
    for action in (RuleAction.DELETE_YES, RuleAction.TEST):
        await manager.press_data(RuleCb(action=action, rule_id=rule.id).pack())
        assert manager.alert == "You don't have access to this."
    assert len(await all_of(app, AutomationRule)) == 1


async def test_custom_field_rules_built_with_buttons(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        ends = await crm.fields.define(me, CardKind.CLIENT, "Contract end", FieldType.DATE)
        await crm.fields.define(me, CardKind.CLIENT, "Seats", FieldType.NUMBER)
    await open_builder(owner_en)
    [dates] = await owner_en.press("A date field approaches")
    labels = [label for label, _d, _u in dates.buttons]
    assert "👤 Contract end" in labels and "👤 Seats" not in labels  # date fields only
    await owner_en.press("Contract end")
    await owner_en.press("7 d")
    await owner_en.press("What it does")
    await owner_en.press("Change a custom field")
    await owner_en.press("Seats")
    [wrong] = await owner_en.send("a few")
    assert "Seats" in wrong.text  # the field's own refusal, naming it
    await owner_en.send("5")
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    [saved] = await owner_en.send("Renewals")
    assert "🤖 Renewals" in saved.text

    client = await make_client(app, OWNER_ID, "Ivan")
    soon = (clock.now().date() + timedelta(days=5)).strftime("%d.%m.%Y")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.field_values.set(me, CardRef(CardKind.CLIENT, client.id), ends.id, soon)
    await app.ticker.tick()
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        values = await crm.field_values.of_card(me, CardRef(CardKind.CLIENT, client.id))
    assert {v.field.name: v.value for v in values}["Seats"] == "5"


async def test_a_card_of_a_team_type_sets_off_its_rule(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        suppliers = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
        products = await crm.record_types.create(me, "Product", "Products", "📦")
    await open_builder(owner_en)
    await owner_en.press("A card of the team's own type is created")
    [actions] = await owner_en.press("Suppliers")
    labels = [label for label, _d, _u in actions.buttons]
    assert "✅ Create a task" in labels and "🏷 Set the client's status" not in labels
    await owner_en.press("Create a task")
    await owner_en.send("Check the new supplier's papers")
    await owner_en.press("in 1 h")
    await owner_en.press("The responsible")
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    await owner_en.send("New suppliers")

    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.records.create(me, products.id, "Cheese")
        acme = await crm.records.create(me, suppliers.id, "Acme")
    await app.ticker.tick()
    [task] = await all_of(app, Task)
    assert task.title == "Check the new supplier's papers" and task.client_id is None
    assert (task.assignee_id, task.due_at) == (OWNER_ID, clock.now() + timedelta(hours=1))
    async with create_session_factory(app.engine)() as db:
        [fired] = list(await db.scalars(select(Event).where(Event.kind == "automation")))
    assert fired.record_id == acme.id
    with app.i18n.context(), app.i18n.use_locale("en"):
        line = record_event_text(fired.kind, fired.data, fired.text)
    assert line == "🤖 «New suppliers»: task «Check the new supplier's papers»"

    [rule] = await all_of(app, AutomationRule)
    await owner_en.press_data(RuleCb(action=RuleAction.TEST, rule_id=rule.id).pack())
    [preview] = await owner_en.press("Acme")
    assert "✅ It would fire." in preview.text and "Nothing was done." in preview.text


async def test_a_custom_field_condition_built_with_buttons(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(701, first_name="Mila", language_code="en")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        tier = await crm.fields.define(me, CardKind.CLIENT, "Tier", FieldType.TEXT)
    await open_builder(owner_en)
    await owner_en.press("A deal is won")
    await owner_en.press("A custom field is")
    await owner_en.press("Tier")
    [more] = await owner_en.send("gold")
    assert "Only if: Tier is gold" in more.text
    await owner_en.press("What it does")
    await owner_en.press("Create a task")
    await owner_en.send("Thank {client.name}")
    [due] = await owner_en.press("High priority")
    assert "✅ 🔥 High priority" in [label for label, _d, _u in due.buttons]
    [whom] = await owner_en.press("At 10:00 the next working day", due)
    assert "For whom is the task?" in whom.text
    await owner_en.press("Mila", whom)
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    [rule] = await owner_en.send("Gold wins")
    assert "Only if: Tier is gold" in rule.text
    [stored] = await all_of(app, AutomationRule)
    assert stored.conditions == [
        {"field": f"custom.{tier.id}", "op": "eq", "value": "gold", "label": "Tier"}
    ]
    assert stored.actions[0]["assignee"] == 701  # a named member
    assert stored.actions[0]["due"] == "next_workday"
    assert stored.actions[0]["priority"] == "high"


async def test_a_custom_field_value_the_field_cannot_hold_is_asked_again(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        budget = await crm.fields.define(me, CardKind.CLIENT, "Budget", FieldType.MONEY)
        ends = await crm.fields.define(me, CardKind.CLIENT, "Contract end", FieldType.DATE)
    await open_builder(owner_en)
    await owner_en.press("A custom field changes")
    await owner_en.press("Budget")
    [refused] = await owner_en.send("a lot")
    assert refused.text.startswith("Budget: ")  # the field editor's own refusal
    [more] = await owner_en.send("5 000")
    assert "Only when…?" in more.text
    await owner_en.press("A custom field is")
    await owner_en.press("Contract end")
    [refused] = await owner_en.send("someday")
    assert (
        refused.text
        == "Contract end: That is not a date. Send it like 31.12.2026 or 31 December 2026."
    )
    [more] = await owner_en.send("1.1.2027")
    assert "Only if: Contract end is 01.01.2027" in more.text  # as the field reads it
    await owner_en.press("What it does")
    await owner_en.press("Create a task")
    await owner_en.send("Call {client.name}")
    await owner_en.press("in 1 h")
    await owner_en.press("The responsible")
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    await owner_en.send("Big budgets")
    [stored] = await all_of(app, AutomationRule)
    assert stored.trigger_params == {"field": f"custom.{budget.id}", "value": "5000.00"}
    assert [c["value"] for c in stored.conditions] == ["01.01.2027"]

    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        ref = CardRef(CardKind.CLIENT, client.id)
        await crm.field_values.set(me, ref, ends.id, "01.01.27")
        await crm.field_values.set(me, ref, budget.id, "5000")
    await app.ticker.tick()
    assert [task.title for task in await all_of(app, Task)] == ["Call Ivan"]


async def test_a_too_long_answer_is_refused_whole_not_cut_short(
    app: App, owner_en: SimulatedUser
) -> None:
    await open_builder(owner_en)
    await owner_en.press("A client is created")
    [refused] = await owner_en.send("w" * 61)  # a source: at most 60
    assert refused.text == "That is too long: at most 60 characters. Please send a shorter one."
    [conditions] = await owner_en.send("w" * 60)
    assert "Only when…?" in conditions.text
    await owner_en.press("What it does")
    await owner_en.press("Add a tag")
    [refused] = await owner_en.send("#" + "v" * 65)  # a tag: at most 64
    assert refused.text == "That is too long: at most 64 characters. Please send a shorter one."
    [actions] = await owner_en.send("vip")
    assert "Add another action, or go on." in actions.text
    await owner_en.press("When to do it")
    await owner_en.press("Immediately")
    await owner_en.send("Tag them")
    [stored] = await all_of(app, AutomationRule)
    assert stored.trigger_params == {"source": "w" * 60}
    assert [action["tag"] for action in stored.actions] == ["vip"]


async def test_a_tag_typed_with_its_hash_is_kept_as_the_cards_keep_it(
    app: App, owner: SimulatedUser
) -> None:
    """A tag typed as cards show it ("#Крупный") is the tag крупный: the rule reads
    "добавить тег #крупный", not "##Крупный"; a lone "#" is no tag and is asked again."""
    await owner.send("/settings")
    await owner.press("Автоматизация")
    await owner.press("Новое правило")
    await owner.press("Сделка выиграна")
    await owner.press("Есть тег")
    [conditions] = await owner.send("#VIP")
    assert "Только если: #vip" in conditions.text, conditions.text
    await owner.press("Что делать")
    await owner.press("Добавить тег")
    [refused] = await owner.send("#")
    assert refused.text == "Это не может быть пустым. Пришлите ещё раз."
    [actions] = await owner.send("#Крупный")
    assert "Действия: добавить тег #крупный" in actions.text, actions.text
    await owner.press("Когда делать")
    await owner.press("Сразу")
    await owner.send("Крупные")
    [stored] = await all_of(app, AutomationRule)
    assert [action["tag"] for action in stored.actions] == ["крупный"]
    assert [condition["value"] for condition in stored.conditions] == ["vip"]


async def test_a_rule_checks_and_does_at_most_ten_things(app: App, owner_en: SimulatedUser) -> None:
    """Each of the rule's screens lists its conditions and actions: past ten of each they
    would outgrow one Telegram message, so the builder stops offering more."""
    await open_builder(owner_en)
    await owner_en.press("A client is created")
    [conditions] = await owner_en.send("site")
    for number in range(10):
        await owner_en.press("Has the tag", conditions)
        [conditions] = await owner_en.send(f"tag{number}-" + "t" * 58)
    assert "A rule checks at most 10 conditions: go on to what it does." in conditions.text
    assert not any("Has the tag" in text for text, _data, _url in conditions.buttons)
    await owner_en.press_data(BuildCb(step=Step.CONDITION, code=Code.TAG).pack())
    assert owner_en.alert == "A rule checks at most 10 conditions."
    [actions] = await owner_en.press("What it does", conditions)
    for number in range(10):
        await owner_en.press("Add a tag", actions)
        [actions] = await owner_en.send(f"new{number}-" + "n" * 58)
    assert "A rule does at most 10 things: go on." in actions.text
    assert not any("Add a tag" in text for text, _data, _url in actions.buttons)
    await owner_en.press_data(BuildCb(step=Step.ACTION, code=Code.ADD_TAG).pack())
    assert owner_en.alert == "A rule does at most 10 things."
    await owner_en.press("When to do it", actions)
    await owner_en.press("Immediately")
    [rule] = await owner_en.send("Many things")
    assert "🤖 Many things" in rule.text and len(rule.text) < 4096
    [stored] = await all_of(app, AutomationRule)
    assert (len(stored.conditions), len(stored.actions)) == (10, 10)


@pytest.mark.parametrize(("conditions", "actions"), [(11, 1), (0, 11)])
def test_a_rule_of_more_than_ten_conditions_or_actions_is_refused(
    conditions: int, actions: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_rule(
            "Many",
            "client_created",
            {},
            [{"field": "tag", "op": "eq", "value": "x"}] * conditions,
            [{"type": "add_tag", "tag": "x"}] * actions,
            {"type": "now"},
        )
    assert refused.value.params == {
        "part": "conditions_many" if conditions > 10 else "actions_many",
        "limit": 10,
    }


@pytest.mark.parametrize(
    "action",
    [
        {"type": "create_task", "title": "\u202e\u200f"},
        {"type": "notify", "to": "owner", "text": "\u200b"},
        {"type": "add_tag", "tag": "\u2060\ufeff"},
    ],
)
def test_a_rule_whose_task_message_or_tag_shows_nothing_is_refused(
    action: dict[str, str],
) -> None:
    """Direction marks or zero-width spaces alone are no title, message or tag: the rule
    would make tasks, messages or tags that show as blanks."""
    with pytest.raises(InvalidInput) as refused:
        check_rule("Blank", "client_created", {}, [], [action], {"type": "now"})
    assert refused.value.params == {"part": "action"}


async def test_a_question_s_button_pressed_again_after_it_was_answered_is_told_stale(
    owner_en: SimulatedUser,
) -> None:
    """A stage, a number, a status or a "who" pressed twice (or late, after the builder has
    moved on) is answered "no longer active" and changes nothing, never with silence."""
    stale = "This button is no longer active."

    async def press_twice(label: str) -> None:
        screen = owner_en.last_message()
        data = next(d for text, d, _u in screen.buttons if label in text and d)
        [after] = await owner_en.press_data(data, screen)
        assert await owner_en.press_data(data, screen) == [], label
        assert owner_en.alert == stale, label
        assert owner_en.last_message().text == after.text

    await open_builder(owner_en)
    await owner_en.press("A deal enters a stage")
    await press_twice("Proposal")  # the stage
    await owner_en.press("Status is")
    await press_twice("new")  # the status
    await owner_en.press("What it does")
    await owner_en.press("Tell someone")
    await press_twice("The owner")  # whom to tell
    await open_builder(owner_en)
    await owner_en.press("A deal stays on its stage N days")
    await press_twice("3 d")  # the days


async def test_a_late_record_type_template_field_or_member_press_leaves_the_draft_alone(
    app: App, owner_en: SimulatedUser
) -> None:
    """Buttons of a question the builder no longer asks (an older screen's, or forged) are
    refused: a record type pressed on the conditions screen would have replaced the stage
    chosen, and the rule been refused only when saved."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        kind = await crm.record_types.create(me, "Product", "Products")
        template = await crm.templates.add_text(me, "Offer", "Hello {client.name}")
        field = await crm.fields.define(me, CardKind.CLIENT, "Tier", FieldType.TEXT)
    await open_builder(owner_en)
    await owner_en.press("A deal enters a stage")
    [chosen] = await owner_en.press("Proposal")
    for late in (
        BuildCb(step=Step.RECORD_TYPE, value=kind.id),
        BuildCb(step=Step.TEMPLATE, value=template.id),
        BuildCb(step=Step.FIELD, value=field.id),
        BuildCb(step=Step.MEMBER, member=OWNER_ID),
    ):
        assert await owner_en.press_data(late.pack(), chosen) == [], late
        assert owner_en.alert == "This button is no longer active.", late
    assert owner_en.last_message().text == chosen.text  # the stage is still chosen
    await tell_the_owner_now(owner_en, "A deal moved", "Proposal alert")
    [rule] = await all_of(app, AutomationRule)
    assert rule.trigger_params == {"stage_id": await stage_id(app, "proposal")}


async def test_a_late_action_or_delay_press_leaves_the_draft_alone(
    app: App, owner_en: SimulatedUser
) -> None:
    """An action, "When to do it" or a delay pressed from an older screen, once the builder
    has moved on, is answered "no longer active": the action being filled in, or the rule's
    name being asked, stays as it was."""
    stale = "This button is no longer active."
    add_tag = BuildCb(step=Step.ACTION, code=Code.ADD_TAG).pack()
    when = BuildCb(step=Step.DELAY_STEP).pack()
    after = BuildCb(step=Step.DELAY, code=Code.AFTER, value=DELAY_MINUTES[0]).pack()
    await open_builder(owner_en)
    await owner_en.press("A client is created")
    await owner_en.press("Any source")
    await owner_en.press("What it does")
    [asked] = await owner_en.press("Tell someone")
    # Whom to tell is asked: a late action would replace the one being filled in, a late
    # delay would skip it.
    for late in (add_tag, when, after):
        assert await owner_en.press_data(late, asked) == [], late
        assert owner_en.alert == stale, late
    assert owner_en.last_message().text == asked.text
    await owner_en.press("The owner", asked)
    [more] = await owner_en.send("A new client")
    assert await owner_en.press_data(after, more) == []  # the delay is not asked yet
    assert owner_en.alert == stale
    await owner_en.press("When to do it", more)
    [name] = await owner_en.press("Immediately")
    # The name is asked: a late action, "When to do it" or delay changes nothing.
    for late in (add_tag, when, after):
        assert await owner_en.press_data(late, name) == [], late
        assert owner_en.alert == stale, late
    assert owner_en.last_message().text == name.text
    await owner_en.send("Welcome")
    [rule] = await all_of(app, AutomationRule)
    assert [action["type"] for action in rule.actions] == ["notify"]
    assert rule.delay == {"kind": "now"}


async def test_a_late_condition_or_any_press_leaves_the_action_alone(
    app: App, owner_en: SimulatedUser
) -> None:
    """A condition, "What it does" or "Any source" pressed from an older screen while an
    action is being filled in would have put a condition in, or let the half-made action
    mix with the next one: it is answered "no longer active"."""
    await open_builder(owner_en)
    await owner_en.press("A client is created")
    [conditions] = await owner_en.press("Any source")
    await owner_en.press("What it does")
    [asked] = await owner_en.press("Create a task")
    for late in (
        BuildCb(step=Step.CONDITION, code=Code.TAG),
        BuildCb(step=Step.ACTIONS),
        BuildCb(step=Step.ANY),
    ):
        assert await owner_en.press_data(late.pack(), conditions) == [], late
        assert owner_en.alert == "This button is no longer active.", late
    assert owner_en.last_message().text == asked.text
    [due] = await owner_en.send("Call {client.name}")
    assert "When is it due?" in due.text  # the task's title was still what was asked


async def test_a_late_trigger_press_leaves_the_draft_alone(
    app: App, owner_en: SimulatedUser
) -> None:
    """A trigger pressed from an older "New rule" screen, once the builder has moved on,
    would have started the draft over, dropping what was chosen: it is answered "no longer
    active". A trigger on the current "New rule" screen still starts the rule."""
    await open_builder(owner_en)
    triggers = owner_en.last_message()
    await owner_en.press("A deal enters a stage")
    await owner_en.press("Proposal")
    [added] = await owner_en.press("Status is")
    late = BuildCb(step=Step.TRIGGER, code=Code.CLIENT_CREATED).pack()
    assert await owner_en.press_data(late, triggers) == []
    assert owner_en.alert == "This button is no longer active."
    assert owner_en.last_message().text == added.text
    await owner_en.press("new")
    await tell_the_owner_now(owner_en, "A deal moved", "Proposal alert")
    [rule] = await all_of(app, AutomationRule)
    assert rule.trigger == "deal_entered_stage"
    assert rule.trigger_params == {"stage_id": await stage_id(app, "proposal")}
    assert len(rule.conditions) == 1
    await open_builder(owner_en)  # a new "New rule" screen: its triggers work
    [asked] = await owner_en.press("A client is created")
    assert "From any source" in asked.text
