"""Imports through the CRM core on every backend: preview, duplicates as chosen, deals, undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from crm.client_queries import ClientCard as Card
from crm.clock import ManualClock
from crm.errors import Conflict, InvalidInput, NotAllowed
from crm.imports import paced
from crm.imports.mapping import propose
from crm.imports.outcome import Outcome
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.service import Crm
from storage.models import Client, ClientPhone, Deal, Event, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

CSV = "\r\n".join(
    [
        "ФИО;Тел.;E-mail;Организация;Город;Комментарий;Сумма;Этап",
        "Иван Петров;8 916 123-45-67;ivan@mail.ru;ООО Ромашка;Москва;Звонить после 18;150 000;КП",
        "Анна Смирнова;9161112233;;;Казань;;;",
        "Петров И.;+7 (916) 123-45-67;;ИП Петров;;;;",
        "Олег;звонить вечером;;;;;;",
        "Мария Кузнецова;79035556677;MARIA@YA.RU;;;;1,5 млн;Успешно",
        "Сергей;;;;;;10к;Непонятный этап",
        "",
    ]
).encode("cp1251")


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def count(crm: Crm, model: type[object]) -> int:
    return int(await crm.imports._session.scalar(select(func.count()).select_from(model)) or 0)


async def existing_maria(app: App) -> Client:
    return await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))


async def test_preview_counts(app: App) -> None:
    await existing_maria(app)
    table = read_table(CSV, "база.csv")
    mapping = propose(table.headers)
    assert mapping == [
        "name", "phone", "email", "company", "city", "note", "deal_amount", "deal_stage"
    ]  # fmt: skip
    async with app.crm.open() as crm:
        preview = await crm.imports.preview(await actor(crm), table, mapping)
    assert (preview.rows, preview.new, preview.existing, preview.in_file) == (6, 2, 1, 1)
    assert (preview.rejected, preview.deals) == (2, 2)  # a bad phone, an unknown stage
    assert preview.sample[0].phones == ["+79161234567"]


async def test_skip_policy_with_deals_and_undo(app: App, clock: ManualClock) -> None:
    maria = await existing_maria(app)
    table = read_table(CSV, "база.csv")
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    async with app.crm.open() as crm:
        owner = await actor(crm)
        result = await crm.imports.run(
            owner, table, propose(table.headers), "база.csv", Policy.SKIP, progress
        )
        assert (result.created, result.updated, result.skipped, result.deals) == (2, 0, 1, 2)
        assert result.merged == 1  # a repeat in the file, folded into its card
        assert [(r.number, r.reason) for r in result.rejected] == [
            (5, "bad_phone"),
            (7, "unknown_stage"),
        ]
        assert seen == [(4, 4)]
        found = await crm.client_queries.search(owner, "916 123")
        assert [c.name for c in found] == ["Иван Петров"]
        ivan = found[0]
        card = await crm.client_queries.card(owner, ivan.id)
        assert card.client.company == "ООО Ромашка"
        assert [e.kind for e in card.events] == ["imported", "comment", "imported"]
        assert card.events[1].text == "Звонить после 18"
        deals = list(await crm.imports._session.scalars(select(Deal).order_by(Deal.id)))
        # Maria's row is skipped, her deal new to her card goes in (tests/test_imports_same_deals)
        assert [(d.client_id, d.amount_minor) for d in deals] == [
            (ivan.id, 15_000_000),
            (maria.id, 150_000_000),
        ]
        assert deals[1].closed_at is not None  # "Успешно" is the won stage
        [batch] = await crm.imports.batches(owner)
        assert batch.counts["created"] == 2 and batch.file_name == "база.csv"

        undone = await crm.import_undo.undo(owner, batch.id)
        assert (undone.removed, undone.restored, undone.deals) == (2, 0, 2)
        assert await count(crm, Client) == 1
        assert await count(crm, Deal) == 0
        assert await crm.client_queries.search(owner, "Петров") == []
        with pytest.raises(Conflict) as twice:
            await crm.import_undo.undo(owner, batch.id)
        assert twice.value.code == "import_already_undone"


async def fill_and_undo(app: App, client_id: int, data: str) -> tuple[Outcome, Card, Card]:
    """Import ``data`` filling known cards, then undo it: the outcome, the card after each."""
    table = read_table(data.encode(), "x.csv")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        result = await crm.imports.run(owner, table, propose(table.headers), "x.csv", Policy.FILL)
        filled = await crm.client_queries.card(owner, client_id)
    async with app.crm.open() as crm:
        owner = await actor(crm)
        [batch] = await crm.imports.batches(owner)
        undone = await crm.import_undo.undo(owner, batch.id)
        assert undone.restored == result.updated
        return result, filled, await crm.client_queries.card(owner, client_id)


async def test_fill_policy_fills_and_undo_restores(app: App) -> None:
    maria = await existing_maria(app)
    data = "Имя;Телефон;Email;Город;Теги\nМария;8 903 555-66-77;maria@ya.ru;Тула;vip\n"
    result, card, undone = await fill_and_undo(app, maria.id, data)
    assert (result.created, result.updated) == (0, 1)
    assert (card.client.city, card.contacts.emails, card.contacts.tags) == (
        "Тула",
        ["maria@ya.ru"],
        ["vip"],
    )
    assert card.events[0].data["filled"] == ["city", "emails", "tags"]
    assert "тула" in card.client.search_text  # what search finds the card by
    assert (undone.client.city, undone.contacts.emails, undone.contacts.tags) == (None, [], [])
    assert undone.contacts.phones == ["+79035556677"]
    assert undone.events[0].kind == "import_undone"
    async with app.crm.open() as crm:
        assert await crm.client_queries.search(await actor(crm), "тула") == []


async def test_tags_ending_a_sentence_are_imported_without_the_stop(app: App) -> None:
    """A Tags cell "vip. опт!" made the tags "vip." and "опт!" (the card's Tags dialog
    reads them as vip and опт since 63e4394): /find #vip missed the imported card."""
    maria = await existing_maria(app)
    data = "Имя;Телефон;Теги\nМария;8 903 555-66-77;vip., опт!, …\n"
    _result, card, _undone = await fill_and_undo(app, maria.id, data)
    assert sorted(card.contacts.tags) == ["vip", "опт"]


class OneRowChunks(paced.Chunks):
    def size(self) -> int:
        return 1


async def test_undo_gives_back_a_card_filled_in_by_two_chunks(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two rows match one known client by its two phones and land in different chunks."""
    monkeypatch.setattr(paced, "Chunks", OneRowChunks)
    maria = await make_client(app, OWNER_ID, "Мария", phones=("+79035556677", "+79035556688"))
    data = "Имя;Телефон;Город;Email\nМария;89035556677;Тула;\nМария;89035556688;;maria@ya.ru\n"
    result, card, undone = await fill_and_undo(app, maria.id, data)
    assert (result.created, result.updated) == (0, 1)
    assert (card.client.city, card.contacts.emails) == ("Тула", ["maria@ya.ru"])
    assert (undone.client.city, undone.contacts.emails) == (None, [])
    assert undone.client.last_activity_at == maria.last_activity_at
    assert [e.kind for e in undone.events[:2]] == ["import_undone", "imported"]


async def test_create_policy_and_in_file_repeats(app: App) -> None:
    await existing_maria(app)
    data = "Имя;Телефон\nМария;89035556677\nМария 2;89035556677\n"
    table = read_table(data.encode(), "x.csv")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        result = await crm.imports.run(owner, table, ["name", "phone"], "x.csv", Policy.CREATE)
        assert (result.created, result.skipped) == (2, 0)
        phones = await crm.imports._session.scalar(
            select(func.count()).where(ClientPhone.e164 == "+79035556677")
        )
        assert phones == 3


async def test_a_client_on_two_rows_keeps_the_deal_of_each(app: App) -> None:
    """One client, two orders: the second row repeats the first's phone and has its own deal."""
    data = (
        "ФИО;Телефон;Сделка;Сумма\n"
        "Иван Петров;8 916 123-45-67;Заказ 1;1000\n"
        "Иван Петров;8 916 123-45-67;Заказ 2;2000\n"
    )
    table = read_table(data.encode(), "orders.csv")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        preview = await crm.imports.preview(owner, table, propose(table.headers))
        result = await crm.imports.run(
            owner, table, propose(table.headers), "orders.csv", Policy.SKIP
        )
        [ivan] = list(await crm.imports._session.scalars(select(Client)))
        deals = list(await crm.imports._session.scalars(select(Deal).order_by(Deal.id)))
    assert preview.deals == result.deals == 2
    assert [(d.client_id, d.title) for d in deals] == [(ivan.id, "Заказ 1"), (ivan.id, "Заказ 2")]


async def test_undo_refuses_when_a_card_changed_since(app: App, clock: ManualClock) -> None:
    table = read_table(b"Name,Phone\nIvan,+79161234567\nAnna,+79161112233\n", "x.csv")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        await crm.imports.run(owner, table, ["name", "phone"], "x.csv", Policy.SKIP)
        [ivan] = await crm.client_queries.search(owner, "Ivan")
        clock.advance(timedelta(minutes=5))
        await crm.timeline.comment(owner, ivan.id, "called")
        [batch] = await crm.imports.batches(owner)
        with pytest.raises(Conflict) as refused:
            await crm.import_undo.undo(owner, batch.id)
        assert refused.value.code == "import_changed_since"
        assert refused.value.params["names"] == ["Ivan"]
        assert await count(crm, Client) == 2
        assert await count(crm, Event) >= 3


async def test_a_manager_imports_as_themselves_and_cannot_undo_others(
    app: App, join: Joiner
) -> None:
    await join(200_002, "manager", "Пётр")
    table = read_table("ФИО;Телефон;Ответственный\nИван;89161234567;Ольга\n".encode(), "x.csv")
    async with app.crm.open() as crm:
        manager = await actor(crm, 200_002)
        await crm.imports.run(manager, table, propose(table.headers), "x.csv", Policy.SKIP)
        client = await crm.imports._session.scalar(select(Client))
        assert client is not None and client.manager_id == 200_002
        owner = await actor(crm)
        [batch] = await crm.imports.batches(owner)
        assert await crm.imports.batches(manager) == [batch]
    await make_client(app, OWNER_ID, "Other")
    owners_table = read_table(b"Name,Phone\nZed,+79160000001\n", "y.csv")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        mine = await crm.imports.run(owner, owners_table, ["name", "phone"], "y.csv", Policy.SKIP)
        with pytest.raises(NotAllowed):
            await crm.import_undo.undo(await actor(crm, 200_002), mine.batch_id)


async def test_no_usable_column_is_refused(app: App) -> None:
    table = read_table(b"City;Note\nMoscow;x\n", "x.csv")
    async with app.crm.open() as crm:
        with pytest.raises(InvalidInput) as refused:
            await crm.imports.preview(await actor(crm), table, propose(table.headers))
    assert refused.value.code == "import_no_columns"
