"""A record's screens stay within what Telegram takes (4096 characters, 100 buttons) with
long names, many fields and many links; what does not fit is paged or shortened."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.service import Crm
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import member
from tests.conftest import OWNER_ID

TELEGRAM_LIMIT = 4096


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def supplier(crm: Crm, title: str) -> tuple[int, CardRef]:
    """The suppliers type (taken) and a new supplier named ``title``."""
    me = await crm.members.get_active(OWNER_ID)
    assert me is not None
    suppliers = await crm.record_types.take_starter(me, "suppliers")
    record = await crm.records.create(me, suppliers.id, title)
    return suppliers.id, CardRef(CardKind.RECORD, record.id)


async def long_field(
    crm: Crm, ref: CardRef, name: str, value: str, type_id: int | None = None
) -> None:
    """A long-text field of ``ref``'s kind (of a record type's: ``type_id``), filled in."""
    from crm.parsing.fields import FieldType

    me = await crm.members.get_active(OWNER_ID)
    assert me is not None
    field = await crm.fields.define(me, ref.kind, name, FieldType.LONG_TEXT, record_type_id=type_id)
    await crm.field_values.set(me, ref, field.id, value)


async def test_a_card_with_many_links_pages_them(app: App, owner: SimulatedUser) -> None:
    """40 linked products with long names made one screen of 7,900 characters and 82
    buttons, which Telegram refuses (and past 100 buttons, any count); the links now come
    ten to a page, and unlinking on a page stays on it."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        products = await crm.record_types.take_starter(me, "products")
        supplier = await crm.records.create(me, suppliers.id, "ООО " + "Д" * 190)
        ref = CardRef(CardKind.RECORD, supplier.id)
        for n in range(24):
            product = await crm.records.create(me, products.id, f"Товар {n:02} " + "х" * 180)
            await crm.links.link(me, ref, CardRef(CardKind.RECORD, product.id))
    [links] = await owner.press_data(EntCb(action=Ent.LINKS, kind="record", card=ref.id).pack())
    pages = [(links.text, [text for text, _d, _u in links.buttons])]
    for _page in range(2):  # (a press edits the message: read it before the next)
        [links] = await owner.press("▶️", links)
        pages.append((links.text, [text for text, _d, _u in links.buttons]))
    for text, buttons in pages:
        assert units(text) <= TELEGRAM_LIMIT and len(buttons) < 100
    assert "Связи (1–10 из 24):" in pages[0][0] and "Товар 10" not in pages[0][0]
    assert "Связи (21–24 из 24):" in pages[2][0]
    assert "▶️" not in pages[2][1] and "◀️" in pages[2][1]
    # unlink one on the last page: the screen stays on that page
    [after] = await owner.press("✖️", links)
    assert "Связи (21–23 из 23):" in after.text, after.text
    [back] = await owner.press("◀️", after)
    assert "Связи (11–20 из 23):" in back.text


async def test_cards_with_many_long_fields_stay_within_a_message(
    app: App, owner: SimulatedUser
) -> None:
    """Twelve long-text fields filled made a record's card 6,700 characters and a
    client's or a deal's past 4,096 (the custom field lines were never shortened as a
    whole); Telegram refuses such a card. The field and link lines now take a share of the
    card, the rest named by a line pointing to 🧩 Поля; the history fills what is left."""
    from crm.parsing.fields import FieldType
    from handlers.clients.callbacks import ClientCb
    from handlers.deals.callbacks import DealCb
    from tests.client_helpers import make_client

    client = await make_client(app, OWNER_ID, "Анна")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "ООО " + "Д" * 190)
        deal = await crm.deals.create(me, client.id, 0, "Поставка")
        cards = [
            (CardKind.RECORD, suppliers.id, record.id),
            (CardKind.CLIENT, None, client.id),
            (CardKind.DEAL, None, deal.id),
        ]
        for kind, type_id, card_id in cards:
            for n in range(12):
                name = f"Поле {n:02} " + "я" * 40
                field = await crm.fields.define(
                    me, kind, name, FieldType.LONG_TEXT, record_type_id=type_id
                )
                await crm.field_values.set(me, CardRef(kind, card_id), field.id, "текст " * 100)
    presses = (
        EntCb(action=Ent.RECORD, kind="record", card=record.id).pack(),
        ClientCb(action="open", client_id=client.id).pack(),
        DealCb(action="open", deal_id=deal.id).pack(),
    )
    for data in presses:
        [card] = await owner.press_data(data)
        assert units(card.text) <= TELEGRAM_LIMIT, (data, units(card.text))
        assert "\nПоле 00 " in card.text and "\nПоле 11 " not in card.text
        assert "ещё 7 — в 🧩 Поля, 🔗 Связи" in card.text, card.text[-400:]


async def test_the_fields_screen_and_a_list_question_fit_a_message(
    app: App, owner: SimulatedUser
) -> None:
    """A card's 🧩 Поля listed every field with up to 300 characters of its value: forty
    long texts made 15,000 characters, and the question for a list field of 100 long
    options 6,700; Telegram refused both. The values (then the names) are now shortened
    until every field fits, and the options are cut as the new record's question cuts them."""
    from crm.parsing.fields import FieldType

    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "ООО Доски")
        ref = CardRef(CardKind.RECORD, record.id)
        for n in range(40):
            name = f"Поле {n:02} " + "я" * 50
            await long_field(crm, ref, name, f"значение {n:02} " + "текст " * 100, suppliers.id)
        options = [f"{n:03} " + "вариант" * 8 for n in range(100)]
        sort = (me, CardKind.RECORD, "Сорт", FieldType.CHOICE)
        await crm.fields.define(*sort, record_type_id=suppliers.id, options=options)
    [fields] = await owner.press_data(EntCb(action=Ent.FIELDS, kind="record", card=ref.id).pack())
    assert units(fields.text) <= TELEGRAM_LIMIT, units(fields.text)
    for n in range(40):  # every field is there, with the start of its value
        assert f"• Поле {n:02} " in fields.text and f"значение {n:02}" in fields.text
    assert "• Сорт: —" in fields.text
    assert len(fields.buttons) == 45  # a ✏️ for each (the type came with 3), and back
    [question] = await owner.press("✏️ Сорт", fields)
    assert units(question.text) <= TELEGRAM_LIMIT, units(question.text)
    assert question.text.startswith("Пришлите значение поля «Сорт» (один из списка).")
    assert "1. 000 вариант" in question.text and question.text.endswith("…")
    [saved] = await owner.send("2")
    assert "• Сорт: 001 вариант" in saved.text and units(saved.text) <= TELEGRAM_LIMIT


async def test_emoji_values_are_counted_as_telegram_counts_them(
    app: App, owner: SimulatedUser
) -> None:
    """An emoji is one character but two of Telegram's units: 🧩 Поля with emoji values
    passed the check at 2,720 characters and was 5,080 units, the card's field lines took
    their 2,000 characters' share twice over, and a list of emoji options was cut at
    3,000 characters (6,000 units); Telegram refused each. They are now measured in units."""
    from crm.parsing.fields import FieldType
    from handlers.clients.callbacks import ClientCb
    from tests.client_helpers import make_client

    client = await make_client(app, OWNER_ID, "Анна " + "😀" * 90)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        type_id, ref = await supplier(crm, "ООО " + "Д" * 190)
        for n in range(12):
            await long_field(crm, CardRef(CardKind.CLIENT, client.id), f"П{n:02}", "😀" * 300)
            value = f"значение {n:02} " + "😀" * 300
            await long_field(crm, ref, f"Поле {n:02}", value, type_id)
        options = [f"{n:03} " + "🍏" * 56 for n in range(100)]
        sort = (me, CardKind.RECORD, "Сорт", FieldType.CHOICE)
        await crm.fields.define(*sort, record_type_id=type_id, options=options)
    [card] = await owner.press_data(EntCb(action=Ent.RECORD, kind="record", card=ref.id).pack())
    assert units(card.text) <= TELEGRAM_LIMIT, units(card.text)
    assert "\nПоле 00: значение 00 😀" in card.text and "🧩 Поля, 🔗 Связи" in card.text
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    assert units(card.text) <= TELEGRAM_LIMIT, units(card.text)
    assert "\nП00: 😀" in card.text and "🧩 Поля, 🔗 Связи" in card.text
    fields_share = card.text[card.text.index("\nП00: ") : card.text.index("…и ещё")]
    assert units(fields_share) <= 2000, units(fields_share)  # the history keeps its room
    [fields] = await owner.press_data(EntCb(action=Ent.FIELDS, kind="record", card=ref.id).pack())
    assert units(fields.text) <= TELEGRAM_LIMIT, units(fields.text)
    for n in range(12):  # every field is there, with the start of its value
        assert f"• Поле {n:02}: значение {n:02} 😀" in fields.text
    [question] = await owner.press("✏️ Сорт", fields)
    assert units(question.text) <= TELEGRAM_LIMIT, units(question.text)
    assert "1. 000 🍏" in question.text and question.text.endswith("…")
