"""What a question's "✖️ Cancel" is told apart by: the messages that asked the waiting
dialog's questions, kept beside the dialog (``handlers.kit.cancel_steps``). They are
forgotten when the dialog ends, however it ends; a screen outside any dialog is none of
them; and however often a dialog asks again, its first question's Cancel still ends it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.clients import ClientDraft
from handlers.kit.cancel_steps import ASKED
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_cancel_steps import GONE, two_suppliers
from tests.test_once_after_cancel import (  # noqa: F401  (the fixture)
    bot_of,
    english_owner,
    redis_keys,
)


async def asked_kept(app: App, owner_id: int) -> dict[str, object]:
    """What is kept of the owner's questions, in whichever storage the app has (and, in
    Redis, that no key of it is left: an empty one is deleted)."""
    storage = app.dispatcher.storage
    key = StorageKey(bot_id=app.bot.id, chat_id=owner_id, user_id=owner_id)
    kept = await FSMContext(storage, replace(key, destiny=ASKED)).get_data()
    keys = await redis_keys(app, owner_id, ASKED)
    assert keys is None or bool(keys) == bool(kept), (keys, kept)
    return kept


async def comment_question(app: App, owner_id: int, owner: SimulatedUser) -> SentMessage:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(owner_id)
        assert me is not None
        await crm.clients.create(me, ClientDraft(name="Anna Lee"), force=True)
    [card] = await owner.send("/find Anna")
    [question] = await owner.press("💬 Comment", card)
    return question


async def by_cancel(owner: SimulatedUser, question: SentMessage) -> None:
    [cancelled] = await owner.press("✖️ Cancel", question)
    assert cancelled.text == "Cancelled."


async def by_answer(owner: SimulatedUser, _question: SentMessage) -> None:
    [added, *_rest] = await owner.send("Called back")
    assert added.text == "Comment added to Anna Lee.", added.text


async def by_command(owner: SimulatedUser, _question: SentMessage) -> None:
    await owner.send("/tasks")


async def by_cancel_command(owner: SimulatedUser, _question: SentMessage) -> None:
    [cancelled] = await owner.send("/cancel")
    assert cancelled.text == "Cancelled."


@pytest.mark.parametrize("end", [by_cancel, by_answer, by_command, by_cancel_command])
async def test_a_dialog_s_questions_are_forgotten_when_it_ends(
    bot_of: tuple[App, int],  # noqa: F811
    end: Callable[[SimulatedUser, SentMessage], Awaitable[None]],
) -> None:
    app, owner_id = bot_of
    owner = await english_owner(app, owner_id)
    question = await comment_question(app, owner_id, owner)
    assert await asked_kept(app, owner_id)  # while it waits, its question is known
    await end(owner, question)
    assert await asked_kept(app, owner_id) == {}


async def test_a_record_s_question_is_forgotten_when_its_cancel_goes_back(
    app: App, owner_en: SimulatedUser
) -> None:
    await two_suppliers(app)
    await owner_en.send("/records")
    await owner_en.press("Suppliers")
    [ice] = await owner_en.press("IceWorks")
    [question] = await owner_en.press("💬 Comment", ice)
    assert await asked_kept(app, OWNER_ID)
    [back] = await owner_en.press("✖️ Cancel", question)
    assert "IceWorks" in back.text
    assert await asked_kept(app, OWNER_ID) == {}


async def test_a_screen_outside_the_dialog_cancels_not_its_question(
    app: App, owner_en: SimulatedUser
) -> None:
    """The call's outcome is asked by no dialog: its Cancel, pressed while another card's
    comment question waits, closes that screen and leaves the question waiting (what is
    typed then is no comment on the card open, Anna's)."""
    await make_client(app, OWNER_ID, "Anna Lee")
    await make_client(app, OWNER_ID, "Boris Orlov")
    [boris] = await owner_en.send("/find Boris")
    [anna] = await owner_en.send("/find Anna")
    await owner_en.press("💬 Comment", boris)
    [outcome] = await owner_en.press("📞 Call", anna)
    assert outcome.text == "How did the call with Anna Lee go?", outcome.text
    [closed] = await owner_en.press("✖️ Cancel", outcome)
    assert closed.text == "Cancelled." and closed.message_id == outcome.message_id
    [added, *_rest] = await owner_en.send("Called back")
    assert added.text == "Comment added to Boris Orlov.", added.text


async def test_a_question_asked_again_many_times_still_cancels_from_its_first_message(
    app: App, owner_en: SimulatedUser
) -> None:
    """A forwarded message's "which client?" asked, then searched eleven times (each
    answer a new message with a Cancel): the first question's Cancel still ends it."""
    await make_client(app, OWNER_ID, "Anna Lee")
    [prompt] = await owner_en.forward("Call me back")
    [question] = await owner_en.press("🔎 Find a client", prompt)
    for _time in range(11):
        [found] = await owner_en.send("Anna")
        assert found.text == "Which client gets the message?", found.text
    [cancelled] = await owner_en.press("✖️ Cancel", question)
    assert owner_en.alert != GONE and cancelled.text == "Cancelled."
    replies = await owner_en.send("Anna")  # no dialog: a search
    assert all(reply.text != "Which client gets the message?" for reply in replies)
