"""A record's card takes typed text as a client's card does: with it open, plain text is
a comment on the record (with Undo), a reply to the record's card comments on it
whichever card is open, and an archived record takes text as an archived client does.
Before, text with a record open was a search and a reply to its card was not seen."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.clock import ManualClock
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_record_card_files import events_of, open_record, suppliers_with

HINT = "✍️ What you send now goes into this card's history."


async def comments_on(app: App, record_id: int) -> list[str | None]:
    return [event.text for event in await events_of(app, record_id, "comment")]


async def test_text_with_a_record_open_is_a_comment_with_undo(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Egor Lis")
    _type, [acme] = await suppliers_with(app, "Acme")
    card = await open_record(owner_en, acme.id)
    assert card.endswith(HINT)
    [ack] = await owner_en.send("Prices go up in March")
    assert ack.text == "Comment added to Acme."
    assert [text for text, _data, _url in ack.buttons] == ["↩️ Undo", "📁 Open card"]
    assert await comments_on(app, acme.id) == ["Prices go up in March"]
    [again] = await owner_en.send("Delivery on Fridays")  # the card stays open
    assert again.text == "Comment added to Acme."
    [removed] = await owner_en.press("↩️ Undo", again)
    assert removed.text == "Removed from the card."
    assert await comments_on(app, acme.id) == ["Prices go up in March"]
    [shown] = await owner_en.press("📁 Open card", ack)
    assert "Prices go up in March" in shown.text
    # A command is still a command with a record open: /find searches, and closes it.
    [found] = await owner_en.send("/find Egor")
    assert found.text.startswith("👤 Egor Lis")
    await owner_en.send("/records")
    [reply] = await owner_en.send("Egor")
    assert "Comment added" not in reply.text
    assert await comments_on(app, acme.id) == ["Prices go up in March"]


async def test_after_the_open_card_window_text_is_a_search(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await make_client(app, OWNER_ID, "Egor Lis")
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(owner_en, acme.id)
    clock.advance(timedelta(minutes=16))
    [found] = await owner_en.send("Egor Lis")
    assert found.text.startswith("👤 Egor Lis")
    assert await comments_on(app, acme.id) == []


async def test_a_reply_to_a_record_card_comments_on_that_record(
    app: App, owner_en: SimulatedUser
) -> None:
    """Whichever card is open, and even with a dialog's question waiting (it ends)."""
    client = await make_client(app, OWNER_ID, "Egor Lis")
    _type, [acme] = await suppliers_with(app, "Acme")
    await owner_en.send("/records")
    record = EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=acme.id)
    [acme_card] = await owner_en.press_data(record.pack())
    [client_card] = await owner_en.send(f"/find {client.name}")  # a client's card is open
    [ack] = await owner_en.send("Call them back", reply_to=acme_card)
    assert ack.text == "Comment added to Acme."
    assert await comments_on(app, acme.id) == ["Call them back"]
    [question] = await owner_en.press("💬 Comment", client_card)
    assert question.text == "Write the comment for Egor Lis."
    [ack] = await owner_en.send("Invoice paid", reply_to=acme_card)
    assert ack.text == "Comment added to Acme."
    assert await comments_on(app, acme.id) == ["Call them back", "Invoice paid"]
    async with app.crm.open() as crm:
        client_card_now = await crm.client_queries.card(await member(app, OWNER_ID), client.id)
    assert not [event for event in client_card_now.events if event.kind == "comment"]


async def test_an_archived_record_takes_text_but_not_files(
    app: App, owner_en: SimulatedUser
) -> None:
    """As an archived client's card takes comments; files stay refused on it."""
    _type, [acme] = await suppliers_with(app, "Acme")
    async with app.crm.open() as crm:
        await crm.records.set_archived(await member(app, OWNER_ID), acme.id, True)
    card = await open_record(owner_en, acme.id)
    assert card.endswith("✍️ Text sent now goes into this card's history.")
    [ack] = await owner_en.send("Closed their shop")
    assert ack.text == "Comment added to Acme."
    [refused] = await owner_en.send_document("price.pdf")
    assert refused.text == "This card is in the archive: restore it to add files."
    assert await comments_on(app, acme.id) == ["Closed their shop"]
    assert await events_of(app, acme.id, "file") == []


async def test_a_client_s_name_with_a_record_open_is_asked_about(
    app: App, owner_en: SimulatedUser
) -> None:
    """A short text that names a client is asked about, as on a client's card; a search
    leaves the open record, so a file sent after it is not filed there unasked."""
    await make_client(app, OWNER_ID, "Egor Lis")
    await make_client(app, OWNER_ID, "Egor Lisin")
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(owner_en, acme.id)
    [question] = await owner_en.send("Egor")
    assert "Acme" in question.text and "Egor Lis" in question.text
    [ack] = await owner_en.press("💬 Comment on Acme", question)
    assert ack.text == "Comment added to Acme."
    assert await comments_on(app, acme.id) == ["Egor"]
    [question] = await owner_en.send("Egor")
    [found] = await owner_en.press("🔍 Search for", question)
    assert found.text == "Found for “Egor”:"
    [reply] = await owner_en.send_document("price.pdf")
    assert reply.text.startswith("Open a card first")
    assert await comments_on(app, acme.id) == ["Egor"]
    assert await events_of(app, acme.id, "file") == []
