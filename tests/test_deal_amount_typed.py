"""Deal amounts as people in Russia type them, through the deal's dialogs: a currency after
an abbreviated multiplier ("10 тыс. руб.", "150 тыс. ₽", "10 т.р.") and a number in the
title after the amount ("/deal 50000 2,5 тонны щебня")."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from storage.models import Deal
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

RUB = "\u00a0₽"


async def deals_of(app: App, client_id: int) -> list[tuple[int, str]]:
    async with app.crm.open() as crm:
        found = await crm.deal_queries.of_client(await member(app, OWNER_ID), client_id)
    deals: list[Deal] = sorted((deal for deal, _stage in found), key=lambda deal: deal.id)
    return [(deal.amount_minor, deal.title) for deal in deals]


async def test_a_currency_after_thousands_abbreviated_is_an_amount(
    app: App, owner: SimulatedUser
) -> None:
    """ "10 тыс. руб." was "not an amount I can read" when edited, and /deal made a deal of
    10 000 ₽ titled "руб. Поставка"."""
    client = await make_client(app, OWNER_ID, "Иван Петров")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    [card] = await owner.send("/deal 10 тыс. руб. Поставка")
    assert card.text.startswith("💼 Поставка")
    assert await deals_of(app, client.id) == [(1_000_000, "Поставка")]
    deal_id = next(int(d.split(":")[2]) for _t, d, _u in card.buttons if d and d.startswith("dl:"))
    edit = DealCb(action="edit_field", deal_id=deal_id, field="amount").pack()
    for typed, minor in [("150 тыс. ₽", 15_000_000), ("1,5 млн. руб.", 150_000_000)]:
        await owner.press_data(edit)
        [card] = await owner.send(typed)
        assert card.text.startswith("💼 Поставка"), typed
        assert await deals_of(app, client.id) == [(minor, "Поставка")]
    [question] = await owner.send("/deal")
    [question] = await owner.send("10 т.р.")
    assert question.text.startswith("Как назвать сделку?")
    await owner.send("Монтаж")
    assert await deals_of(app, client.id) == [(150_000_000, "Поставка"), (1_000_000, "Монтаж")]


async def test_a_number_in_the_title_stays_in_the_title(app: App, owner: SimulatedUser) -> None:
    """ "/deal 50000 2,5 тонны щебня" made a deal of 500 002,50 ₽ titled "тонны щебня", and
    "/deal 5000 10k units" one of 50 001 000 000 ₽: a number after the amount joins it only
    as a group of thousands. An amount of five words is whole, and one too large is refused,
    not cut to its first four words with the rest as the title."""
    client = await make_client(app, OWNER_ID, "Иван Петров")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    typed = [
        ("50000 2,5 тонны щебня", 5_000_000, "2,5 тонны щебня"),
        ("150 000 1.5 м трубы", 15_000_000, "1.5 м трубы"),
        ("5000 10k units", 500_000, "10k units"),
        ("1 500 000 000 ₽ Офис", 150_000_000_000, "Офис"),
        ("12 000,50 Стол", 1_200_050, "Стол"),
    ]
    for text, _minor, title in typed:
        [card] = await owner.send(f"/deal {text}")
        assert card.text.startswith(f"💼 {title}"), text
    [reply] = await owner.send("/deal 5 000 000 000 000 Завод")
    assert reply.text.startswith("Слишком большая сумма; проверьте нули.")
    assert await deals_of(app, client.id) == [(minor, title) for _t, minor, title in typed]


async def test_a_currency_typed_before_the_amount(app: App, owner: SimulatedUser) -> None:
    """ "/deal $ 500 Domain" (the currency, a space, the number) was "not an amount I can
    read" once a number after a word stopped joining the amount; it is 500 again."""
    client = await make_client(app, OWNER_ID, "Иван Петров")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    typed = [("$ 500 Domain", 50_000, "Domain"), ("₽ 15 000 Окна", 1_500_000, "Окна")]
    for text, _minor, title in typed:
        [card] = await owner.send(f"/deal {text}")
        assert card.text.startswith(f"💼 {title}"), text
    assert await deals_of(app, client.id) == [(minor, title) for _t, minor, title in typed]


async def test_an_amount_refused_is_quoted_whole(app: App, owner: SimulatedUser) -> None:
    """ "/deal 1 000,0055 Стол" was refused quoting its first word: «В «1» больше двух цифр
    после запятой»; the refusal quotes the amount read, and the amount is asked again."""
    client = await make_client(app, OWNER_ID, "Иван Петров")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    [reply] = await owner.send("/deal 1 000,0055 Стол")
    assert reply.text.startswith("В «1 000,0055» больше двух цифр после запятой"), reply.text
    [reply] = await owner.send("/deal Стол 1000")
    assert reply.text.startswith("«Стол» не похоже на сумму."), reply.text
    assert await deals_of(app, client.id) == []


async def test_a_lone_unit_letter_after_the_amount_is_the_titles(
    app: App, owner: SimulatedUser
) -> None:
    """ "/deal 300 м кабеля" (metres) made a deal of 300 million ₽ titled "кабеля", and
    "/deal 100 т щебня" (tonnes) one of 100 000 ₽: a lone "м" or "т" with a title after it is
    the title's; written onto the number, or a word such as "млн", it multiplies."""
    client = await make_client(app, OWNER_ID, "Иван Петров")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    typed = [
        ("300 м кабеля", 30_000, "м кабеля"),
        ("100 т щебня", 10_000, "т щебня"),
        ("3 m cable", 300, "m cable"),
        ("1,5 млн Офис", 150_000_000, "Офис"),
        ("150к Монтаж", 15_000_000, "Монтаж"),
    ]
    for text, _minor, title in typed:
        [card] = await owner.send(f"/deal {text}")
        assert card.text.startswith(f"💼 {title}"), text
    assert await deals_of(app, client.id) == [(minor, title) for _t, minor, title in typed]
