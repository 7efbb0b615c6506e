"""Rules and the team's custom fields, with a controlled clock: "a date field approaches" fires
N days before the date, once per card and date; "a field changes (to a value)" fires on a custom
field; "change a field" writes a custom field (and can set off the next rule); a rule naming a
field it cannot use, or a value the field cannot hold, is refused when saved."""

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
from storage.models import Event, FieldValue, Task, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def owner(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def field(app: App, name: str, type_: FieldType, kind: CardKind = CardKind.CLIENT) -> int:
    async with app.crm.open() as crm:
        return (await crm.fields.define(await owner(crm), kind, name, type_)).id


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
