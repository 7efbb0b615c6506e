"""A deleted card's id is never given to a new one (migration 0026): buttons carry ids
only, so on SQLite, where the newest row's id was reused, an old message's buttons for a
deleted client opened, archived and could delete the client made after it."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from storage.engine import create_session_factory
from storage.ids import reserve_ids
from storage.models import Client, Event
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

GONE = "This record no longer exists."


async def stored(app: App) -> list[tuple[int, str, bool]]:
    async with create_session_factory(app.engine)() as session:
        rows = await session.execute(select(Client.id, Client.name, Client.archived_at))
        return sorted((i, name, archived is not None) for i, name, archived in rows)


async def new_client(owner: SimulatedUser, name: str) -> SentMessage:
    """A client added through /new with only a name; its card."""
    await owner.send("/new")
    await owner.send(name)
    for _step in ("source", "phone", "email", "company"):
        await owner.press("Skip")
    [card] = await owner.press("Skip")
    return card


async def test_an_old_card_of_a_deleted_client_never_acts_on_the_next_new_one(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Older Client")
    old_card = await new_client(owner_en, "Newest Client")
    assert old_card.text.startswith("👤 Newest Client\n")
    # the message is edited below; what stays in the chat's history is its buttons' data
    old_buttons = {text: data for text, data, _url in old_card.buttons if data}
    deleted_id = ClientCb.unpack(old_buttons["🗄 Archive"]).client_id
    [question] = await owner_en.press("🗑 Delete", old_card)
    assert question.text.startswith("Delete Newest Client for good")
    [done] = await owner_en.press("Yes, delete", question)
    assert done.text == "Newest Client is deleted."

    new_card = await new_client(owner_en, "Next Client")
    assert new_card.text.startswith("👤 Next Client\n")

    # Every button of the deleted client's card: gone, whatever was made since.
    for label in ("🗄 Archive", "🔄 Refresh", "🗑 Delete"):
        assert await owner_en.press_data(old_buttons[label], old_card) == [], label
        assert owner_en.alert == GONE, label
    assert [(name, archived) for _i, name, archived in await stored(app)] == [
        ("Older Client", False),
        ("Next Client", False),
    ]
    [next_id] = [i for i, name, _a in await stored(app) if name == "Next Client"]
    assert next_id > deleted_id  # not the deleted client's id again


async def test_ids_a_batch_reserves_for_events_go_past_an_undone_one(app: App) -> None:
    """An import's link events are numbered beforehand (``storage.ids.reserve_ids``):
    after the newest event was taken back, not from its id (migration 0029)."""
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        undone = await crm.timeline.comment(me, client.id, "Taken back")
        await crm.timeline.undo_comment(me, undone.id)
    async with create_session_factory(app.engine)() as session:
        assert min(await reserve_ids(session, Event, 2)) > undone.id
