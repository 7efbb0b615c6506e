"""What is typed into the records' dialogs: refused with the right words, kept when right."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner


async def quantity_asked(owner: SimulatedUser, deal_id: int) -> None:
    """On the deal's links, Соль from the products is picked: its quantity is asked."""
    await owner.press_data(EntCb(action=Ent.LINKS, kind="deal", card=deal_id).pack())
    await owner.press("🔗 Связать")
    await owner.press("📦 Товары")
    await owner.send("соль")
    await owner.press("Соль")


async def test_a_line_s_quantity_is_refused_and_shown_as_typed(
    app: App, owner: SimulatedUser
) -> None:
    """A deal line's quantity of a trillion was refused with "Пришлите количество больше
    нуля." — of a number far greater than zero; the answer now gives the range taken. And
    a quantity was shown with six digits in the e-notation: 999999999 as "1e+09",
    1234,567 as "1234.57"; it is now shown exactly, as numbers are in Russian."""
    client = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        products = await crm.record_types.take_starter(me, "products")
        salt = await crm.records.create(me, products.id, "Соль")
        [price] = [
            f for f in await crm.fields.of(CardKind.RECORD, products.id) if f.type == "money"
        ]
        await crm.field_values.set(me, CardRef(CardKind.RECORD, salt.id), price.id, "2")
        deal = await crm.deals.create(me, client.id, 0, "Сделка")
    await quantity_asked(owner, deal.id)
    for typed in ("1000000000000", "1 000 000 000", "0", "-2"):
        [refused] = await owner.send(typed)
        assert refused.text == "Пришлите количество от 0,001 до 999 999 999.", (typed, refused.text)
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, CardRef(CardKind.DEAL, deal.id)) == []
    [links] = await owner.send("999999999")  # the question stays open until a good answer
    assert "📦 Соль — 999 999 999 ×" in links.text.replace("\u00a0", " "), links.text
    await owner.press("✖️", links)
    await owner.press("🔗 Связать")
    await owner.press("📦 Товары")
    await owner.send("соль")
    await owner.press("Соль")
    [links] = await owner.send("1234,567")
    assert "📦 Соль — 1 234,567 ×" in links.text.replace("\u00a0", " "), links.text


async def test_a_quantity_finer_than_thousandths_is_refused_never_rounded(
    app: App, owner: SimulatedUser
) -> None:
    """A deal line's quantity is kept in thousandths: 0,0004 was rounded to 0 and refused
    as out of range ("from 0,001"), 0,0015 silently taken as 0,002 and 1,2345 as 1,234.
    Each is refused, saying the smallest step, and nothing is linked until a quantity
    that fits: 0,0010 (a zero past the thousandths) is 0,001."""
    client = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        products = await crm.record_types.take_starter(me, "products")
        await crm.records.create(me, products.id, "Соль")
        deal = await crm.deals.create(me, client.id, 0, "Сделка")
    ref = CardRef(CardKind.DEAL, deal.id)
    await quantity_asked(owner, deal.id)
    for typed in ("0,0004", "0,0015", "1,2345", "0.0000001"):
        [refused] = await owner.send(typed)
        assert refused.text == (
            "Количество хранится с точностью до тысячных: наименьший шаг — 0,001, "
            "а здесь знаков после запятой больше. Пришлите не больше трёх."
        ), (typed, refused.text)
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, ref) == []
    await owner.send("0,0010")
    async with app.crm.open() as crm:
        [line] = await crm.links.of_card(me, ref)
    assert line.quantity_milli == 1


async def test_a_new_record_s_type_archived_meanwhile_ends_the_dialog(
    app: App, owner_en: SimulatedUser
) -> None:
    """The type archived while its new record's name was asked: the name was refused
    ("This record type is in the archive.") and so was every message after it, the
    dialog never ending; now the refusal ends it. "➕ New" on a list shown before the type
    was archived is refused at once, before a name is asked in vain."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
    await owner_en.send("/records")
    [listing] = await owner_en.press("Suppliers")
    [new] = [data for text, data, _u in listing.buttons if text == "➕ New"]
    assert new is not None
    await owner_en.press_data(new)
    async with app.crm.open() as crm:  # the owner archives the type from another device
        await crm.record_types.set_archived(me, suppliers.id, True)
    [refused] = await owner_en.send("Frost")
    assert refused.text == "This record type is in the archive."
    answers = await owner_en.send("Call them back tomorrow")  # no longer that answer
    assert all("in the archive" not in answer.text for answer in answers)
    await owner_en.press_data(new)  # the list's button, shown before the type was archived
    assert owner_en.alert == "This record type is in the archive."
    async with app.crm.open() as crm:
        assert await crm.record_types.count_records(suppliers.id) == 0


async def test_a_record_deleted_while_renamed_ends_the_dialog(
    app: App, owner_en: SimulatedUser
) -> None:
    """Renaming a record deleted meanwhile (by another member): each message after was
    refused with "This record no longer exists.", the dialog never ending; now once."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "IceWorks")
    await owner_en.press_data(EntCb(action=Ent.RECORD, kind="record", card=record.id).pack())
    await owner_en.press("✏️ Rename")
    [refused] = await owner_en.send("   ")  # an empty name is asked again
    assert refused.text == "This cannot be empty. Please send it again."
    async with app.crm.open() as crm:
        await crm.records.delete(me, record.id)
    [gone] = await owner_en.send("Frost")
    assert gone.text == "This record no longer exists."
    answers = await owner_en.send("Call them back tomorrow")
    assert all("no longer exists" not in answer.text for answer in answers)


async def test_a_number_filter_reads_as_the_number_typed(app: App, owner: SimulatedUser) -> None:
    """A record list filtered by a number field's range read "Штат: 1e+06–2e+06" for
    "1000000-2000000" (and 1234567 as "1.23457e+06"); it reads as the numbers do."""
    from crm.parsing.fields import FieldType

    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        staff = await crm.fields.define(
            me, CardKind.RECORD, "Штат", FieldType.NUMBER, record_type_id=suppliers.id
        )
        for title, value in (("ООО Доски", "1200000"), ("ИП Гвозди", "12")):
            record = await crm.records.create(me, suppliers.id, title)
            await crm.field_values.set(me, CardRef(CardKind.RECORD, record.id), staff.id, value)
    await owner.send("/records")
    await owner.press("Поставщики")
    await owner.press("🧩 Поля")
    await owner.press("Штат")
    [listing] = await owner.send("1000000-1234567,5")
    text = listing.text.replace("\u00a0", " ")
    assert "Штат: 1 000 000–1 234 567,5" in text, text
    assert "Найдено: 1" in text and "ООО Доски" in str(listing.buttons)


async def test_a_record_s_whole_history_can_be_read(app: App, owner: SimulatedUser) -> None:
    """A record's card showed its ten latest events and no way to the older ones: after
    ten renames, when and by what it was created could no longer be read. The card now
    pages its history as a client's does ("История (11–20 из 26)", ◀️ Новее, Старше ▶️)."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "Имя 00")
        for n in range(1, 26):
            await crm.records.rename(me, record.id, f"Имя {n:02}")
    [card] = await owner.press_data(EntCb(action=Ent.RECORD, kind="record", card=record.id).pack())
    assert "История (1–10 из 26)" in card.text and "Имя 24 → Имя 25" in card.text
    [card] = await owner.press("Старше ▶️", card)
    assert "История (11–20 из 26)" in card.text and "Имя 14 → Имя 15" in card.text
    [card] = await owner.press("Старше ▶️", card)
    assert "История (21–26 из 26)" in card.text and "✨ запись создана" in card.text
    labels = [text for text, _d, _u in card.buttons]
    assert "◀️ Новее" in labels and "Старше ▶️" not in labels
    # a page past the end (an old button, the history shorter since): the last page
    data = EntCb(action=Ent.RECORD, kind="record", card=record.id, page=40).pack()
    [card] = await owner.press_data(data)
    assert "История (21–26 из 26)" in card.text


async def test_a_type_s_records_are_found_by_name(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    """A type's list had no search: to open one of 60 suppliers the list was paged eight
    at a time. "🔍 Найти" now finds them by a few letters (in the archive from the
    archive's list), the first 20 shown; a manager finds only the records they may see."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        for n in range(60):
            await crm.records.create(me, suppliers.id, f"ООО Доски {n:02}")
        nails = await crm.records.create(me, suppliers.id, "ИП Гвозди")
        old = await crm.records.create(me, suppliers.id, "ИП Гвоздика")
        await crm.records.set_archived(me, old.id, True)
        shared = await crm.records.create(me, suppliers.id, "ИП Гвоздь и Ко")
        await crm.records.set_manager(me, shared.id, None)
    await owner.send("/records")
    await owner.press("Поставщики")
    [question] = await owner.press("🔍 Найти")
    assert question.text == "Пришлите несколько букв названия, чтобы найти карточку."
    [found] = await owner.send("гвозд")
    assert "Поиск: гвозд" in found.text and "Найдено: 2" in found.text
    assert [t for t, _d, _u in found.buttons] == ["ИП Гвоздь и Ко", "ИП Гвозди", "◀️ К списку"]
    [many] = await owner.send("доски")  # another search, in the same dialog
    assert "Найдено: 60" in many.text and "Показаны первые 20" in many.text
    assert len(many.buttons) == 21
    [card] = await owner.press("ИП Гвозди", found)
    assert card.text.startswith("🏭 Поставщик: ИП Гвозди") and f"record:{nails.id}:" in str(
        card.buttons
    )
    answers = await owner.send("гвозд")  # the card was opened: the search is over (a comment)
    assert all("Поиск:" not in answer.text for answer in answers)
    # in the archive's list, the archive is searched
    await owner.send("/records")
    await owner.press("Поставщики")
    await owner.press("🗄 Архив")
    await owner.press("🔍 Найти")
    [archived] = await owner.send("гвозд")
    assert "(архив)" in archived.text and [t for t, _d, _u in archived.buttons][:1] == [
        "ИП Гвоздика"
    ]
    manager = await join(5301, "manager", "Мила", language_code="ru")
    await manager.send("/records")
    await manager.press("Поставщики")
    await manager.press("🔍 Найти")
    [theirs] = await manager.send("гвозд")
    assert "Найдено: 1" in theirs.text and "ИП Гвоздь и Ко" in str(theirs.buttons)
    # Cancel, or back to the list, ends the search: a text then is no record search
    [listed] = await manager.press("◀️ К списку", theirs)
    answers = await manager.send("гвозд")
    assert all("Поиск:" not in answer.text for answer in answers)
    await manager.press("🔍 Найти", listed)
    await manager.press("✖️ Отмена")
    answers = await manager.send("гвозд")
    assert all("Поиск:" not in answer.text for answer in answers)


async def test_a_record_takes_a_comment_on_its_timeline(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    """A record's card had no way to comment (the README promised records "a card with a
    timeline, comments and files"); "💬 Комментарий" now adds one to its history. An
    empty one is asked again; a record the member may not see is refused."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "ООО Доски")
    [card] = await owner.press_data(EntCb(action=Ent.RECORD, kind="record", card=record.id).pack())
    [question] = await owner.press("💬 Комментарий", card)
    assert question.text == "Напишите комментарий к «ООО Доски»."
    [refused] = await owner.send("   ")
    assert refused.text == "Это не может быть пустым. Пришлите ещё раз."
    [card] = await owner.send("Позвонить в среду про скидку")
    assert "· 💬 Позвонить в среду про скидку" in card.text, card.text
    assert "История (1–2 из 2)" in card.text
    manager = await join(5301, "manager", "Мила", language_code="ru")
    await manager.send("/records")
    await manager.press_data(EntCb(action=Ent.COMMENT, kind="record", card=record.id).pack())
    assert manager.alert == "Этой записи больше нет."
