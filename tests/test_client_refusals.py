"""Refusals reach the member as words: every card button on a client that is gone, and
forged ids past 64 bits, are answered "This record no longer exists."; a refused message
is answered with a reply. (Removing the alert of any of these makes this file fail.)"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.automation.callbacks import AutoAction, AutoCb
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.imports.callbacks import BatchAction, BatchCb
from handlers.records.callbacks import Ent, EntCb
from handlers.team.callbacks import InviteRoleCb, TeamCb
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

FORGED = 424242  # replaced in a packed button by an id past any record's (``forged``)
GONE = "This record no longer exists."
STALE = "This button is no longer active."
NONE = 2**31 - 1  # the largest id a record can have: none has it here


def forged(button: CallbackData, number: str) -> list[str]:
    """``button`` packed with ``FORGED`` replaced by ``number``, and by one just past
    PostgreSQL's INTEGER keys."""
    packed = button.pack()
    assert packed.count(str(FORGED)) == 1
    return [packed.replace(str(FORGED), n) for n in (number, str(2**31))]


async def test_every_card_button_on_a_missing_client_says_it_is_gone(
    owner_en: SimulatedUser,
) -> None:
    codes = {
        CardAction.SET_STATUS: "hot",
        CardAction.EDIT_FIELD: "city",
        CardAction.UNTAG: "deadbeef00",
        CardAction.CALL_OUTCOME: "reached",
    }
    # no call is being logged: that button is stale; a note that is not there is "removed"
    expected = {CardAction.CALL_SAVE: STALE, CardAction.UNDO: "That was already removed."}
    for action in CardAction:
        data = ClientCb(action=action, client_id=NONE, ref=NONE, code=codes.get(action, ""))
        assert await owner_en.press_data(data.pack()) == [], action
        assert owner_en.alert == expected.get(action, GONE), action


async def test_forged_ids_past_64_bits_are_records_that_do_not_exist(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    client = await make_client(app, OWNER_ID, "Real Client")
    too_big, too_small = str(2**63), "-1"
    for data in (
        f"cl:open:{too_big}:0:0::0:0",
        f"cl:open:{2**31}:0:0::0:0",  # past the INTEGER keys of PostgreSQL
        f"cl:open:{too_small}:0:0::0:0",
        f"cl:undo:{client.id}:0:{too_big}::0:0",
        f"cl:file:{client.id}:0:{2**31}::0:0",
        f"cl:set_manager:{client.id}:0:0::0:{too_big}",
        f"cl:set_manager:{client.id}:0:0::0:{2**200}",
        f"nc:open_dup:{2**31}:0",
        f"cls:manager:0:::{too_big}",
        f"nc:open_dup:{too_big}:0",
        f"nc:fwd_add:{too_big}:0",
        f"team:open:{too_big}::0",
        f"team:off:{too_big}::0",
        f"gr:toggle:{2**63}:new_deal",
        f"gr:toggle:-{2**63}:new_deal",
        *forged(EntCb(action=Ent.RECORD, kind="record", card=FORGED), too_big),
        *forged(EntCb(action=Ent.FIELDS, kind="client", card=client.id, item=FORGED), too_big),
        *forged(EntCb(action=Ent.TYPE, type_id=FORGED), too_big),
        *forged(AutoCb(action=AutoAction.PAUSE, rule_id=FORGED), too_big),
        *forged(AutoCb(action=AutoAction.RULE, rule_id=FORGED), too_big),
        *forged(BatchCb(action=BatchAction.UNDO, batch_id=FORGED), too_big),
    ):
        assert await owner_en.press_data(data) == [], data
        assert owner_en.alert == GONE, data
    # A page past any list is the last page, not an error.
    [card] = await owner_en.press_data(f"cl:page:{client.id}:{too_big}:0::0:0")
    assert "Real Client" in card.text


async def test_a_note_for_a_card_handed_over_meanwhile_is_refused_in_a_reply(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(4701, "manager", "Mark", language_code="en")
    await join(4702, "manager", "Olga", language_code="en")
    client = await make_client(app, 4701, "Handed Over")
    await manager.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    handover = ClientCb(action=CardAction.SET_MANAGER, client_id=client.id, member_id=4702)
    await owner_en.press_data(handover.pack())
    assert owner_en.alert == "Responsible changed."
    [reply] = await manager.send("Called, no answer")
    assert reply.text == GONE
    await manager.press_data(ClientCb(action=CardAction.COMMENT, client_id=client.id).pack())
    assert manager.alert == GONE


async def test_an_invitation_refused_after_a_demotion_is_told(
    owner_en: SimulatedUser, join: Joiner
) -> None:
    admin = await join(4801, "admin", "Ada", language_code="en")
    [keyboard] = await admin.send("/invite")
    demote = TeamCb(action="role", member_id=4801, role="manager")
    await owner_en.press_data(demote.pack())
    assert await admin.press_data(InviteRoleCb(role="manager").pack(), keyboard) == []
    assert admin.alert == "You don't have access to this."


async def card_handed_over_meanwhile(
    app: App, owner_en: SimulatedUser, join: Joiner, manager_id: int
) -> SimulatedUser:
    """A manager with his client's card open; the owner gives the client to a colleague."""
    manager = await join(manager_id, "manager", "Mark", language_code="en")
    await join(manager_id + 1, "manager", "Olga", language_code="en")
    client = await make_client(app, manager_id, "Handed Over")
    await make_client(app, manager_id, "Anna Lee")
    await manager.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    handover = ClientCb(
        action=CardAction.SET_MANAGER, client_id=client.id, member_id=manager_id + 1
    )
    await owner_en.press_data(handover.pack())
    return manager


async def test_after_a_note_refused_on_a_card_handed_over_text_is_a_search_again(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """The open card given to a colleague: the note is refused, and the card is no longer
    the open one. Every text after was "This record no longer exists." for 15 minutes,
    the search for another client too."""
    manager = await card_handed_over_meanwhile(app, owner_en, join, 4711)
    [reply] = await manager.send("Called, no answer")
    assert reply.text == GONE
    [found] = await manager.send("Anna Lee")
    assert found.text.startswith("👤 Anna Lee"), found.text


async def test_after_another_clients_name_refused_on_a_card_handed_over_it_is_found(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A client's name typed on the open card asks "a note, or that client?", naming the
    card: given to a colleague meanwhile, it was "no longer exists" and the card stayed
    open, so the same name typed again was refused again, for 15 minutes."""
    manager = await card_handed_over_meanwhile(app, owner_en, join, 4731)
    [reply] = await manager.send("Anna Lee")
    assert reply.text == GONE
    [found] = await manager.send("Anna Lee")
    assert found.text.startswith("👤 Anna Lee"), found.text


async def test_after_a_file_refused_on_a_card_handed_over_the_card_is_closed(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A photo sent to the open card given to a colleague meanwhile is refused, and closes
    it: the next photo is told to open a card, not "no longer exists" again."""
    manager = await card_handed_over_meanwhile(app, owner_en, join, 4721)
    [reply] = await manager.send_photo()
    assert reply.text == GONE
    [reply] = await manager.send_photo()
    assert reply.text.startswith("Open a card first"), reply.text
