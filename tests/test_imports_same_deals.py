"""A file's deal is not added to a client already in the base that already has it (the same
title, case and spaces aside, and the same amount, at any stage): a file sent twice and its
clients skipped or filled in the second time adds no deal twice, and its preview counts those
deals apart. A known client's new deal, and every deal under "Create anyway", still goes in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from crm.imports import paced
from crm.imports.mapping import propose
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.service import Crm
from storage.models import Deal
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_deals_core import actor, stage_ids

HEADERS = "ФИО;Телефон;Название сделки;Сумма;Этап"
FILE = "\r\n".join(
    [
        HEADERS,
        "Иван Петров;89161234567;Поставка;150 000;",
        "Мария;89035556677;;;Успешно",  # a deal titled by the client's name, no amount
        "Олег;89260001122;Монтаж;10 000;",
        "",
    ]
)


async def deals(crm: Crm) -> list[tuple[int, str, int]]:
    found = await crm.imports._session.scalars(select(Deal).order_by(Deal.id))
    return [(d.client_id, d.title, d.amount_minor) for d in found]


async def send(crm: Crm, data: str, policy: Policy) -> tuple[int, int]:
    """The file previewed and imported: the import's (deals, deals already there), as the
    preview told (which says those are made too under "Create anyway")."""
    table = read_table(data.encode(), "сделки.csv")
    owner, mapping = await actor(crm), propose(table.headers)
    assert mapping == ["name", "phone", "deal_title", "deal_amount", "deal_stage"]
    preview = await crm.imports.preview(owner, table, mapping)
    result = await crm.imports.run(owner, table, mapping, "сделки.csv", policy)
    if policy == Policy.CREATE:
        assert (preview.deals + preview.deals_there, 0) == (result.deals, result.deals_there)
    else:
        assert (preview.deals, preview.deals_there) == (result.deals, result.deals_there)
    return result.deals, result.deals_there


@pytest.mark.parametrize("policy", [Policy.SKIP, Policy.FILL])
async def test_a_file_sent_twice_adds_its_deals_once(app: App, policy: Policy) -> None:
    async with app.crm.open() as crm:
        assert await send(crm, FILE, Policy.SKIP) == (3, 0)
        first = await deals(crm)
    async with app.crm.open() as crm:
        assert await send(crm, FILE, policy) == (0, 3)
        assert await deals(crm) == first
        # Create anyway makes new cards, each with its deal.
        assert await send(crm, FILE, Policy.CREATE) == (3, 0)
        assert len(await deals(crm)) == 6


async def test_the_same_deal_is_its_title_and_amount_at_any_stage(app: App) -> None:
    ivan = await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",))
    maria = await make_client(app, OWNER_ID, "Мария", phones=("+79035556677",))
    async with app.crm.open() as crm:
        owner = await actor(crm)
        won = await crm.deals.create(owner, ivan.id, 15_000_000, "Поставка  ТОВАРА")
        await crm.deals.move(owner, won.id, (await stage_ids(crm))["won"])
        await crm.deals.create(owner, maria.id, 0)  # titled "Мария"
    data = "\r\n".join(
        [
            HEADERS,
            "Иван Петров;89161234567; поставка товара ;150 000;",  # the won one: not again
            "Иван Петров;89161234567;Поставка товара;200 000;",  # another amount: new
            "Иван Петров;89161234567;Монтаж;150 000;",  # another title: new
            "Мария;89035556677;;;Лид",  # the client's name, no amount: not again
            "Мария;89035556677;Мария;5 000;",  # new
            "",
        ]
    )
    async with app.crm.open() as crm:
        before = await deals(crm)
        assert await send(crm, data, Policy.SKIP) == (3, 2)
        added = (await deals(crm))[len(before) :]
    assert added == [
        (ivan.id, "Поставка товара", 20_000_000),
        (ivan.id, "Монтаж", 15_000_000),
        (maria.id, "Мария", 500_000),
    ]


class OneRowChunks(paced.Chunks):
    def size(self) -> int:
        return 1


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_deal_the_file_repeats_is_added_twice_as_the_first_time(
    app: App, monkeypatch: pytest.MonkeyPatch, chunked: bool
) -> None:
    """Only the deals in the base before the run count, not those an earlier chunk made."""
    if chunked:
        monkeypatch.setattr(paced, "Chunks", OneRowChunks)
    ivan = await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",))
    twice = f"{HEADERS}\r\nИван;89161234567;Поставка;1000;\r\nИван;89161234567;Поставка;1000;\r\n"
    async with app.crm.open() as crm:
        assert await send(crm, twice, Policy.FILL) == (2, 0)
        assert await deals(crm) == [(ivan.id, "Поставка", 100_000)] * 2
        assert await send(crm, twice, Policy.FILL) == (0, 2)
        assert len(await deals(crm)) == 2
