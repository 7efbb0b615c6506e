"""Starting a deal: the card's button and /deal, amounts as people type them, second chances."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import NewDealCb
from storage.models import Deal
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID

RUB = "\u00a0₽"


async def deals_of(app: App, client_id: int) -> list[Deal]:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        found = await crm.deal_queries.of_client(owner, client_id)
    return sorted((deal for deal, _stage in found), key=lambda deal: deal.id)


async def open_card(user: SimulatedUser, client_id: int) -> None:
    await user.press_data(ClientCb(action="open", client_id=client_id).pack())


async def test_new_deal_from_the_card_with_second_chances(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    await open_card(owner_en, client.id)
    [question] = await owner_en.press("New deal")
    assert question.text.startswith("New deal with Ivan Petrov. What is the amount?")
    assert "150 000" in question.text  # examples
    [reply] = await owner_en.send("a lot")
    assert reply.text == (
        "“a lot” is not an amount I can read. For example: 150000, 150 000, 150k, 1.5m."
    )
    [reply] = await owner_en.send("-5000")
    assert reply.text.startswith("The amount cannot be negative. For example:")
    assert await deals_of(app, client.id) == []
    [title_question] = await owner_en.send("150 000")
    assert title_question.text.startswith("What is the deal called?")
    skip = next(data for text, data, _u in title_question.buttons if "Skip" in text)
    assert skip is not None
    [card] = await owner_en.press("Skip: “Ivan Petrov”", title_question)
    assert card.text.startswith("💼 Ivan Petrov")
    assert "Client: Ivan Petrov" in card.text
    assert f"Amount: 150,000{RUB}" in card.text
    assert "◉○○○○ New lead" in card.text
    assert "Responsible: Olga Owner" in card.text
    assert "Created 02.03.2026" in card.text and "Expected close: not set" in card.text
    assert f"🆕 deal created: 150,000{RUB}, New lead" in card.text

    await owner_en.press_data(skip)  # the Skip pressed again: nothing more is created
    assert owner_en.alert == "This button is no longer active."
    [deal] = await deals_of(app, client.id)
    assert (deal.title, deal.amount_minor, deal.currency) == ("Ivan Petrov", 15_000_000, "RUB")
    assert deal.manager_id == OWNER_ID


async def test_amount_unknown_and_a_typed_title(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await open_card(owner_en, client.id)
    await owner_en.press("New deal")
    [question] = await owner_en.press("Skip: amount unknown")
    assert question.text.startswith("What is the deal called?")
    [reply] = await owner_en.send("T" * 201)
    assert reply.text.startswith("That is too long: at most 200 characters.")
    [card] = await owner_en.send("  Supply   <b>contract</b> ")
    assert card.text.startswith("💼 Supply <b>contract</b>")
    assert f"Amount: 0{RUB}" in card.text
    [deal] = await deals_of(app, client.id)
    assert (deal.title, deal.amount_minor) == ("Supply <b>contract</b>", 0)
    # A Skip from a dialog that is over does nothing.
    await owner_en.press_data(NewDealCb(action="skip_amount", client_id=client.id).pack())
    assert owner_en.alert == "This button is no longer active."
    assert len(await deals_of(app, client.id)) == 1


async def test_deal_command_reads_amounts_as_people_type_them(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Boris Orlov")
    await open_card(owner_en, client.id)
    typed = [
        ("150000 Chairs", 15_000_000, "Chairs"),
        ("150 000 Tables and chairs", 15_000_000, "Tables and chairs"),
        ("150к Desks", 15_000_000, "Desks"),
        ("1,5 млн Office", 150_000_000, "Office"),
        ("1.5m Warehouse", 150_000_000, "Warehouse"),
        ("150000 2 sofas", 15_000_000, "2 sofas"),
        ("1 500 000 ₽ Fit-out", 150_000_000, "Fit-out"),
        ("99.90", 9_990, "Boris Orlov"),  # no title: the client's name
    ]
    for text, _minor, title in typed:
        [card] = await owner_en.send(f"/deal {text}")
        assert card.text.startswith(f"💼 {title}"), text
    deals = await deals_of(app, client.id)
    assert [(d.amount_minor, d.title) for d in deals] == [(m, t) for _x, m, t in typed]
    assert f"Amount: 99.90{RUB}" in owner_en.last_message().text


async def test_deal_command_needs_an_open_card_and_asks_what_is_missing(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/deal 150000 Chairs")
    assert reply.text.startswith("Open the client's card first")
    client = await make_client(app, OWNER_ID, "Vera Kim")
    await open_card(owner_en, client.id)

    [reply] = await owner_en.send("/deal -5000 Chairs")
    assert reply.text.startswith("The amount cannot be negative.")
    assert reply.text.endswith("New deal with Vera Kim. What is the amount?")
    [reply] = await owner_en.send("/deal Chairs 5000")
    assert reply.text.startswith("“Chairs” is not an amount I can read. For example:")
    [reply] = await owner_en.send("12 apples")  # the second chance, in the dialog
    assert reply.text.startswith("“12 apples” is not an amount I can read.")
    [reply] = await owner_en.send("12k")
    assert reply.text.startswith("What is the deal called?")
    [card] = await owner_en.send("Apples")
    assert card.text.startswith("💼 Apples") and f"Amount: 12,000{RUB}" in card.text

    [question] = await owner_en.send("/deal")
    assert question.text.startswith("New deal with Vera Kim. What is the amount?")
    [reply] = await owner_en.send("/cancel")
    assert reply.text == "Cancelled."
    assert [(d.title, d.amount_minor) for d in await deals_of(app, client.id)] == [
        ("Apples", 1_200_000)
    ]


async def test_an_amount_with_a_part_of_a_kopeck_is_refused_not_rounded(
    app: App, owner_en: SimulatedUser
) -> None:
    """An amount of "0,005" was kept as 0 ₽: more than two digits after the decimal point is
    asked again (a group of thousands, "12,500", is still twelve thousand five hundred)."""
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    await open_card(owner_en, client.id)
    [reply] = await owner_en.send("/deal 0,005 Pens")
    assert reply.text.startswith(
        "“0,005” has more than two digits after the decimal point: "
        "an amount is counted to the kopeck (cent)."
    )
    [reply] = await owner_en.send("1.2345")  # the second chance, in the dialog
    assert reply.text.startswith("“1.2345” has more than two digits after the decimal point")
    assert await deals_of(app, client.id) == []
    [reply] = await owner_en.send("12,500")
    assert reply.text.startswith("What is the deal called?")
    [card] = await owner_en.send("Pens")
    assert f"Amount: 12,500{RUB}" in card.text
    assert [d.amount_minor for d in await deals_of(app, client.id)] == [1_250_000]


async def test_a_part_of_a_kopeck_is_refused_in_russian(app: App, owner: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Иван Петров")
    await open_card(owner, client.id)
    [reply] = await owner.send("/deal 0,005 Ручки")
    assert reply.text.startswith("В «0,005» больше двух цифр после запятой")
    assert await deals_of(app, client.id) == []
