"""A deal line within each limit (quantity, price) can still come to more than a deal's amount
can hold, and so can a deal's lines together: each is refused by name, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.errors import InvalidInput
from crm.link_views import MAX_AMOUNT_MINOR, MAX_PRICE_MINOR, MAX_QUANTITY_MILLI, check_line
from crm.service import Crm
from storage.models import Event, Link, Record, User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_record_inputs import quantity_asked

DEAL, RECORD = CardKind.DEAL, CardKind.RECORD
BILLION_RUB = 100_000_000_000  # a billion roubles in kopecks


@pytest.mark.parametrize(
    ("quantity_milli", "price_minor", "code"),
    [
        (1000, MAX_AMOUNT_MINOR, None),  # one piece at the most a deal holds
        (1, MAX_PRICE_MINOR - 1, None),  # a thousandth at the highest price
        (2000, MAX_AMOUNT_MINOR // 2 + 1, "line_too_large"),  # two pieces: one kopeck over
        (MAX_QUANTITY_MILLI - 1, MAX_PRICE_MINOR - 1, "line_too_large"),
        (1_000_000_000, 10 * 10**12, "line_too_large"),  # a million pieces at 100 billion
        (1_000_000_000, None, None),  # the price still to come from the record
        (None, MAX_PRICE_MINOR - 1, None),
    ],
)
def test_a_line_total_above_a_deal_amount_is_refused(
    quantity_milli: int | None, price_minor: int | None, code: str | None
) -> None:
    if code is None:
        check_line(quantity_milli, price_minor)
        return
    with pytest.raises(InvalidInput) as refused:
        check_line(quantity_milli, price_minor)
    assert refused.value.code == code


async def priced(crm: Crm, me: User, title: str, price: str) -> Record:
    products = next(t for t in await crm.record_types.all() if t.starter == "products")
    [field] = [f for f in await crm.fields.of(RECORD, products.id) if f.type == "money"]
    return await crm.records.create(me, products.id, title, {field.id: price})


async def written(crm: Crm) -> tuple[int, int]:
    """How many links and events there are."""
    session = crm.fields._session
    links = await session.scalar(select(func.count()).select_from(Link))
    events = await session.scalar(select(func.count()).select_from(Event))
    return links or 0, events or 0


async def test_a_line_or_the_lines_too_large_for_a_deal_are_refused_and_nothing_written(
    app: App,
) -> None:
    """A million pieces at 100 billion roubles came to 10^19 kopecks: saving the deal's
    amount failed with a number too large for the database, a generic error."""
    client = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.record_types.take_starter(me, "products")
        salt = await priced(crm, me, "Соль", "100 млрд")
        sugar = await priced(crm, me, "Сахар", "1 000")
        follows = await crm.deals.create(me, client.id, 0, "По строкам")
        await crm.links.set_amount_follows_lines(me, follows.id, True)
        fixed = await crm.deals.create(me, client.id, 500, "Своя сумма")
        follows_ref, fixed_ref = CardRef(DEAL, follows.id), CardRef(DEAL, fixed.id)
        salt_ref, sugar_ref = CardRef(RECORD, salt.id), CardRef(RECORD, sugar.id)

    async with app.crm.open() as crm:
        before = await written(crm)
        with pytest.raises(InvalidInput) as refused:  # priced from the product
            await crm.links.link(me, follows_ref, salt_ref, quantity_milli=1_000_000_000)
        assert refused.value.code == "line_too_large"
        assert await written(crm) == before

    async with app.crm.open() as crm:
        line = await crm.links.link(me, follows_ref, salt_ref, quantity_milli=9000)
        assert (await crm.deals.visible(me, follows.id)).amount_minor == 9 * BILLION_RUB * 100
        before = await written(crm)
        with pytest.raises(InvalidInput) as refused:  # 900 + 100 billion: a trillion
            await crm.links.link(me, follows_ref, sugar_ref, 1000, 100 * BILLION_RUB)
        assert refused.value.code == "lines_too_large"
        with pytest.raises(InvalidInput) as refused:
            await crm.links.set_line(me, line.id, 10_000, 100 * BILLION_RUB)
        assert refused.value.code == "line_too_large"
        assert await written(crm) == before

    async with app.crm.open() as crm:  # a deal not following its lines: they could not be
        await crm.links.link(me, fixed_ref, salt_ref, quantity_milli=9000)
        other = await crm.links.link(me, sugar_ref, fixed_ref, quantity_milli=1000)
        before = await written(crm)
        with pytest.raises(InvalidInput) as refused:
            await crm.links.set_line(me, other.id, 1000, 100 * BILLION_RUB)
        assert refused.value.code == "lines_too_large"
        assert await written(crm) == before
        await crm.links.set_line(me, other.id, 1000, 100 * BILLION_RUB - 1)  # just fits

    async with app.crm.open() as crm:
        deal = await crm.deals.visible(me, follows.id)
        assert deal.amount_minor == 9 * BILLION_RUB * 100
        lines, total = await crm.links.lines(me, fixed.id)
        assert total == MAX_AMOUNT_MINOR and len(lines) == 2
        await crm.links.set_amount_follows_lines(me, fixed.id, True)
        assert (await crm.deals.visible(me, fixed.id)).amount_minor == MAX_AMOUNT_MINOR


async def test_a_member_typing_a_quantity_too_large_for_the_deal_is_told_why(
    app: App, owner: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.record_types.take_starter(me, "products")
        await priced(crm, me, "Соль", "100 000 000 000")
        deal = await crm.deals.create(me, client.id, 0, "Сделка")
        await crm.links.set_amount_follows_lines(me, deal.id, True)
    await quantity_asked(owner, deal.id)
    [refused] = await owner.send("1000000")
    assert refused.text == (
        "Количество, умноженное на цену, больше, чем может быть сумма сделки "
        "(меньше триллиона). Проверьте нули."
    )
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, CardRef(DEAL, deal.id)) == []
        assert (await crm.deals.visible(me, deal.id)).amount_minor == 0
