"""Rules and the team's custom fields, with a controlled clock: "a date field approaches" fires
N days before the date, once per card and date; "a field changes (to a value)" fires on a custom
field; "change a field" writes a custom field (and can set off the next rule); a rule naming a
field it cannot use, or a value the field cannot hold, is refused when saved; a value a rule
waits for is read by the field's own parser, so "yes", "5000" or "1.1.2027" match the card's
"да", "5 000,00" or "01.01.2027"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from crm.errors import InvalidInput
from crm.parsing.fields import FieldType
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import AutomationRule, Client, Event, FieldValue, Task, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def owner(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def field(
    app: App,
    name: str,
    type_: FieldType,
    kind: CardKind = CardKind.CLIENT,
    options: list[str] | None = None,
) -> int:
    async with app.crm.open() as crm:
        return (await crm.fields.define(await owner(crm), kind, name, type_, options=options)).id


async def rule(app: App, trigger: str, params: dict[str, Any], *actions: dict[str, Any]) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(await owner(crm), "Rule", trigger, params, list(actions))


async def set_value(app: App, client_id: int, field_id: int, text: str) -> None:
    async with app.crm.open() as crm:
        await crm.field_values.set(
            await owner(crm), CardRef(CardKind.CLIENT, client_id), field_id, text
        )


async def task_titles(app: App) -> list[str]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Task.title).order_by(Task.id)))


def task(title: str) -> dict[str, Any]:
    return {"type": "create_task", "title": title, "due_minutes": 0, "assignee": "responsible"}


def day(clock: ManualClock, days: int) -> str:
    return (clock.now().date() + timedelta(days=days)).strftime("%d.%m.%Y")


async def test_a_date_field_approaching_fires_once_per_card_and_date(
    app: App, clock: ManualClock
) -> None:
    ends = await field(app, "Contract end", FieldType.DATE)
    await rule(app, "date_approaching", {"field_id": ends, "days": 7}, task("Renew {client.name}"))
    for name, days in (("Soon", 3), ("Later", 10), ("Past", -1)):
        client = await make_client(app, OWNER_ID, name)
        await set_value(app, client.id, ends, day(clock, days))
    await app.ticker.tick()
    await app.ticker.tick()
    assert await task_titles(app) == ["Renew Soon"]

    clock.advance(timedelta(days=3))
    await app.ticker.tick()
    assert await task_titles(app) == ["Renew Soon", "Renew Later"]
    clock.advance(timedelta(days=1))
    await app.ticker.tick()
    assert len(await task_titles(app)) == 2  # once per card and date, however often it looks


async def test_a_new_date_on_the_same_card_fires_again(app: App, clock: ManualClock) -> None:
    ends = await field(app, "Contract end", FieldType.DATE)
    await rule(app, "date_approaching", {"field_id": ends, "days": 2}, task("Renew {client.name}"))
    client = await make_client(app, OWNER_ID, "Oleg")
    await set_value(app, client.id, ends, day(clock, 1))
    await app.ticker.tick()
    await set_value(app, client.id, ends, day(clock, 2))  # the contract was prolonged
    await app.ticker.tick()
    assert await task_titles(app) == ["Renew Oleg", "Renew Oleg"]


async def test_a_resumed_date_rule_fires_only_for_dates_still_ahead(
    app: App, clock: ManualClock
) -> None:
    ends = await field(app, "Contract end", FieldType.DATE)
    await rule(app, "date_approaching", {"field_id": ends, "days": 7}, task("Renew {client.name}"))
    async with app.crm.open() as crm:
        me = await owner(crm)
        [listed] = await crm.automation.rules(me)
        await crm.automation.set_paused(me, listed.rule.id, True)
    for name, days in (("Passed", 2), ("Ahead", 6), ("Later", 20)):
        client = await make_client(app, OWNER_ID, name)
        await set_value(app, client.id, ends, day(clock, days))
    for _ in range(4):  # four days paused: "Passed" came and went, "Ahead" came near
        clock.advance(timedelta(days=1))
        await app.ticker.tick()
    assert await task_titles(app) == []
    async with app.crm.open() as crm:
        await crm.automation.set_paused(await owner(crm), listed.rule.id, False)
    await app.ticker.tick()
    await app.ticker.tick()
    assert await task_titles(app) == ["Renew Ahead"]  # nothing made up for a date gone by


async def test_a_custom_field_change_to_a_value_fires(app: App) -> None:
    tier = await field(app, "Tier", FieldType.TEXT)
    await rule(
        app,
        "field_changed",
        {"field": f"custom.{tier}", "value": "Gold"},
        task("Gift {client.name}"),
    )
    client = await make_client(app, OWNER_ID, "Anna")
    await set_value(app, client.id, tier, "silver")
    await app.ticker.tick()
    assert await task_titles(app) == []
    await set_value(app, client.id, tier, "gold")
    await app.ticker.tick()
    assert await task_titles(app) == ["Gift Anna"]


# (type, the value as the rule was given it, the same value as typed on the card)
SAME_VALUE_TYPED_TWO_WAYS = [
    (FieldType.TEXT, "Gold", "gold"),
    (FieldType.YES_NO, "да", "да"),
    (FieldType.YES_NO, "yes", "Да"),
    (FieldType.DATE, "31.12.2026", "2026-12-31"),
    (FieldType.DATE, "1.1.2027", "01.01.27"),
    (FieldType.MONEY, "5000", "5 000,00"),
    (FieldType.NUMBER, "5000", "5 000"),
    (FieldType.PHONE, "8 999 123-45-67", "+7 (999) 123 45 67"),
    (FieldType.CHOICE, "2", "silver"),
    (FieldType.MULTI_CHOICE, "gold, silver", "Gold; Silver"),
    (FieldType.NUMBER, "2.50", "2,5"),
    (FieldType.MULTI_CHOICE, "silver, gold", "Gold; Silver"),
]
TIERS = ["Gold", "Silver"]


@pytest.mark.parametrize(("type_", "in_rule", "on_card"), SAME_VALUE_TYPED_TWO_WAYS)
async def test_a_custom_field_changing_to_the_rules_value_fires_whatever_its_type(
    app: App, type_: FieldType, in_rule: str, on_card: str
) -> None:
    watched = await field(app, "Watched", type_, options=TIERS)
    await rule(
        app,
        "field_changed",
        {"field": f"custom.{watched}", "value": in_rule},
        task("Fired {client.name}"),
    )
    client = await make_client(app, OWNER_ID, "Anna")
    await set_value(app, client.id, watched, on_card)
    await app.ticker.tick()
    assert await task_titles(app) == ["Fired Anna"]


@pytest.mark.parametrize(("type_", "in_rule", "on_card"), SAME_VALUE_TYPED_TWO_WAYS)
async def test_a_custom_field_condition_matches_the_value_whatever_its_type(
    app: App, type_: FieldType, in_rule: str, on_card: str
) -> None:
    checked = await field(app, "Checked", type_, options=TIERS)
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me,
            "Won",
            "deal_won",
            {},
            [task("Fired {client.name}")],
            conditions=[{"field": f"custom.{checked}", "op": "eq", "value": in_rule}],
        )
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")
        for name, typed in (("Anna", on_card), ("Boris", None)):
            client = await make_client(app, OWNER_ID, name)
            if typed is not None:
                await crm.field_values.set(me, CardRef(CardKind.CLIENT, client.id), checked, typed)
            deal = await crm.deals.create(me, client.id, 100, f"Deal {name}")
            await crm.deals.move(me, deal.id, won)
    await app.ticker.tick()
    assert await task_titles(app) == ["Fired Anna"]


async def test_a_rule_keeps_the_value_in_the_fields_own_form(app: App) -> None:
    paid = await field(app, "Paid", FieldType.YES_NO)
    budget = await field(app, "Budget", FieldType.MONEY)
    async with app.crm.open() as crm:
        saved = await crm.automation.add(
            await owner(crm),
            "Rule",
            "field_changed",
            {"field": f"custom.{paid}", "value": "yes"},
            [task("x")],
            conditions=[{"field": f"custom.{budget}", "op": "ne", "value": "5 000"}],
        )
    assert saved.trigger_params["value"] == "да"
    assert saved.conditions[0]["value"] == "5000.00"


async def test_a_value_the_field_cannot_hold_is_refused_in_a_trigger_or_a_condition(
    app: App,
) -> None:
    ends = await field(app, "Contract end", FieldType.DATE)
    async with app.crm.open() as crm:
        me = await owner(crm)
        with pytest.raises(InvalidInput) as refused:
            await crm.automation.add(
                me,
                "Bad",
                "field_changed",
                {"field": f"custom.{ends}", "value": "soon"},
                [task("x")],
            )
        assert (refused.value.code, refused.value.params["name"]) == (
            "bad_field_value",
            "Contract end",
        )
        wrong = [{"field": f"custom.{ends}", "op": "eq", "value": "someday"}]
        with pytest.raises(InvalidInput) as refused:
            await crm.automation.add(me, "Bad", "deal_won", {}, [task("x")], conditions=wrong)
        assert refused.value.code == "bad_field_value"
        assert await crm.automation.rules(me) == []


async def test_a_rule_saved_with_its_value_as_typed_still_fires(app: App) -> None:
    """Rules saved before values were read by the field keep the owner's text."""
    paid = await field(app, "Paid", FieldType.YES_NO)
    budget = await field(app, "Budget", FieldType.MONEY)
    tier = await field(app, "Tier", FieldType.TEXT)
    await rule(app, "field_changed", {"field": f"custom.{paid}"}, task("Fired {client.name}"))
    async with create_session_factory(app.engine)() as db:
        [stored] = list(await db.scalars(select(AutomationRule)))
        stored.trigger_params = {"field": f"custom.{paid}", "value": "yes"}
        stored.conditions = [
            {"field": f"custom.{budget}", "op": "eq", "value": "5000"},
            {"field": f"custom.{tier}", "op": "ne", "value": "  not   a tier at all "},
        ]
        await db.commit()
    client = await make_client(app, OWNER_ID, "Anna")
    await set_value(app, client.id, budget, "5000")
    await set_value(app, client.id, paid, "да")
    await app.ticker.tick()
    assert await task_titles(app) == ["Fired Anna"]


async def test_change_a_field_writes_it_and_sets_off_the_next_rule(app: App) -> None:
    tier = await field(app, "Tier", FieldType.TEXT)
    await rule(
        app, "client_created", {}, {"type": "set_field", "field_id": tier, "value": "bronze"}
    )
    await rule(app, "field_changed", {"field": f"custom.{tier}"}, task("Welcome {client.name}"))
    client = await make_client(app, OWNER_ID, "Ivan")
    await app.ticker.tick()
    await app.ticker.tick()
    async with create_session_factory(app.engine)() as db:
        [value] = list(await db.scalars(select(FieldValue).where(FieldValue.field_id == tier)))
        changed = list(await db.scalars(select(Event).where(Event.kind == "custom_field_changed")))
    assert (value.client_id, value.text_value) == (client.id, "bronze")
    assert [e.data["new"] for e in changed] == ["bronze"]
    assert await task_titles(app) == ["Welcome Ivan"]


async def test_a_value_a_rule_writes_is_found_by_search(app: App, clock: ManualClock) -> None:
    inn = await field(app, "INN", FieldType.TEXT)
    await rule(
        app, "client_created", {}, {"type": "set_field", "field_id": inn, "value": "7709123456"}
    )
    client = await make_client(app, OWNER_ID, "Anna")
    clock.advance(timedelta(minutes=5))
    await app.ticker.tick()
    async with app.crm.open() as crm:
        found = await crm.client_queries.search(await owner(crm), "7709123456")
    assert [c.name for c in found] == ["Anna"]
    async with create_session_factory(app.engine)() as db:
        written = await db.get(Client, client.id)
    assert written is not None and written.last_activity_at == clock.now()


async def test_fields_a_rule_cannot_use_are_refused(app: App) -> None:
    note = await field(app, "Note", FieldType.TEXT)
    count = await field(app, "Seats", FieldType.NUMBER)
    cases: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
        ("date_approaching", {"field_id": note, "days": 3}, task("x"), "bad_rule"),
        ("date_approaching", {"field_id": 999, "days": 3}, task("x"), "bad_rule"),
        ("date_approaching", {"field_id": note, "days": 999}, task("x"), "bad_rule"),
        ("field_changed", {"field": "custom.999"}, task("x"), "bad_rule"),
        (
            "client_created",
            {},
            {"type": "set_field", "field_id": count, "value": "many"},
            "bad_field_value",
        ),
    ]
    async with app.crm.open() as crm:
        me = await owner(crm)
        for trigger, params, action, code in cases:
            with pytest.raises(InvalidInput) as refused:
                await crm.automation.add(me, "Bad", trigger, params, [action])
            assert refused.value.code == code, (trigger, params, action)
        gone = [{"field": "custom.999", "op": "eq", "value": "x"}]
        with pytest.raises(InvalidInput) as refused:
            await crm.automation.add(me, "Bad", "client_created", {}, [task("x")], conditions=gone)
        assert refused.value.params["part"] == "field"
        assert await crm.automation.rules(me) == []


async def test_a_custom_field_condition_filters(app: App) -> None:
    tier = await field(app, "Tier", FieldType.TEXT)
    ends = await field(app, "Contract end", FieldType.DATE, CardKind.DEAL)
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me,
            "Gold wins",
            "deal_won",
            {},
            [task("Thank {client.name}")],
            conditions=[
                {"field": f"custom.{tier}", "op": "eq", "value": "GOLD"},
                {"field": f"custom.{ends}", "op": "ne", "value": "31.12.2026"},
            ],
        )
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")
        for name, level in (("Anna", "gold"), ("Boris", "silver"), ("Vera", "gold")):
            client = await make_client(app, OWNER_ID, name)
            await crm.field_values.set(me, CardRef(CardKind.CLIENT, client.id), tier, level)
            deal = await crm.deals.create(me, client.id, 100, f"Deal {name}")
            if name == "Vera":
                ref = CardRef(CardKind.DEAL, deal.id)
                await crm.field_values.set(me, ref, ends, "31.12.2026")
            await crm.deals.move(me, deal.id, won)
    await app.ticker.tick()
    assert await task_titles(app) == ["Thank Anna"]


async def test_a_task_due_at_ten_the_next_working_day(app: App, clock: ManualClock) -> None:
    clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # a Friday, 18:00 in Moscow
    action = {**task("Call {client.name}"), "due": "next_workday"}
    await rule(app, "client_created", {}, action)
    await make_client(app, OWNER_ID, "Ivan")
    await app.ticker.tick()
    async with create_session_factory(app.engine)() as db:
        [made] = list(await db.scalars(select(Task)))
    assert made.due_at == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
