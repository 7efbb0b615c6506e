"""A file named like a spreadsheet sent with a card open started an import, while the
card says a file sent now goes into its history. With a card open the bot asks: attach
it to the card, or import it? Each answer does that once; with no card open the file is
imported as before."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import CardAction, ClientCb
from storage.models import Event
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_imports_flow import CSV
from tests.test_record_card_files import events_of, open_record, suppliers_with

ANSWERED = "This question is already answered or has expired; send the file again."


async def files_on_clients(app: App) -> int:
    async with app.crm.open() as crm:
        count = await crm._session.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "file")
        )
    return int(count or 0)


async def test_a_spreadsheet_sent_with_a_record_open_is_attached_when_asked(
    app: App, owner_en: SimulatedUser
) -> None:
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(owner_en, acme.id)
    [question] = await owner_en.send_document("prices.csv", "text/csv", "May", data=CSV)
    assert question.text == (
        "“prices.csv” is a spreadsheet. Attach it to Acme, or import it into the base?"
    )
    buttons = {text: data for text, data, _url in question.buttons}
    assert list(buttons) == ["📎 Attach to Acme", "📥 Import into the base"]
    [ack] = await owner_en.press("Attach to Acme", question)
    assert ack.text == "Added to the history of Acme."
    [file] = await events_of(app, acme.id, "file")
    assert (file.data["file_name"], file.text) == ("prices.csv", "May")
    # pressed again (either way): nothing more
    for data in buttons.values():
        assert data is not None
        assert await owner_en.press_data(data) == []
        assert owner_en.alert == ANSWERED
    assert len(await events_of(app, acme.id, "file")) == 1


async def test_a_spreadsheet_sent_with_a_client_open_is_imported_when_asked(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    [question] = await owner_en.send_document("база.csv", data=CSV)
    assert question.text.startswith("“база.csv” is a spreadsheet. Attach it to Anna Lee")
    import_data = next(d for t, d, _u in question.buttons if "Import" in t)
    assert import_data is not None
    [screen] = await owner_en.press("Import into the base", question)
    assert "Import from база.csv" in screen.text
    assert await owner_en.press_data(import_data) == []  # pressed twice: once
    assert owner_en.alert == ANSWERED
    [preview] = await owner_en.press("Preview", screen)
    assert "Rows: 4" in preview.text
    assert await files_on_clients(app) == 0
    # the other answer, to a second file (the import left): on the client's history, once
    await owner_en.send("/cancel")
    await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    [question] = await owner_en.send_document("notes.xlsx", caption="Old list")
    attach_data = next(d for t, d, _u in question.buttons if "Attach" in t)
    assert attach_data is not None
    [ack] = await owner_en.press("Attach to Anna Lee", question)
    assert ack.text == "Added to the history of Anna Lee."
    assert await owner_en.press_data(attach_data) == []
    assert owner_en.alert == ANSWERED
    assert await files_on_clients(app) == 1


async def test_a_spreadsheet_sent_with_no_card_open_is_imported(
    app: App, owner_en: SimulatedUser
) -> None:
    [screen] = await owner_en.send_document("база.csv", data=CSV)
    assert "Import from база.csv" in screen.text


async def test_an_answer_refused_leaves_the_question_for_the_other(
    app: App, owner_en: SimulatedUser
) -> None:
    """The record archived after the question was asked: attaching is refused, and the
    file can still be imported from the same question."""
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(owner_en, acme.id)
    [question] = await owner_en.send_document("база.csv", data=CSV)
    buttons = {text: data for text, data, _url in question.buttons}
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.records.set_archived(me, acme.id, True)
    attach = buttons["📎 Attach to Acme"]
    assert attach is not None
    assert await owner_en.press_data(attach, question) == []
    assert owner_en.alert == "This card is in the archive: restore it to add files."
    assert await events_of(app, acme.id, "file") == []
    [screen] = await owner_en.press("Import into the base", question)
    assert "Import from база.csv" in screen.text


async def test_a_spreadsheet_sent_with_a_deal_open_goes_on_the_deal_when_asked(
    app: App, owner_en: SimulatedUser
) -> None:
    from handlers.deals.callbacks import DealAction, DealCb

    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        deal = await crm.deals.create(me, client.id, 0, "Supply")
    await owner_en.press_data(DealCb(action=DealAction.OPEN, deal_id=deal.id).pack())
    [question] = await owner_en.send_document("lines.xlsx")
    [ack] = await owner_en.press("Attach to Supply", question)
    assert ack.text == "Added to the history of Supply."
    async with app.crm.open() as crm:
        files = list(await crm._session.scalars(select(Event).where(Event.kind == "file")))
    assert [(e.client_id, e.deal_id) for e in files] == [(client.id, deal.id)]
