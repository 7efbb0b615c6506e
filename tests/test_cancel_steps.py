"""A question's "✖️ Cancel" cancels that question only. Before, the button carried
nothing: pressed on an old question's message, it ended whatever dialog waited now (the
task being written, another card's question). Now it names the dialog step it was asked
in; an older message's bare Cancel keeps the old behaviour."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clients import ClientDraft
from handlers.kit.callbacks import CancelCb, CancelStepCb
from handlers.kit.cancel_steps import ASKED, stamped, step_code
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_once_after_cancel import (  # noqa: F401  (the fixture)
    bot_of,
    english_owner,
    redis_keys,
)

GONE = "That question is no longer open."


def cancel_of(message_buttons: list[tuple[str, str | None, str | None]]) -> str:
    [data] = [data for text, data, _url in message_buttons if text == "✖️ Cancel"]
    assert data is not None
    return data


async def test_an_old_question_s_cancel_leaves_the_one_waiting_now(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Anna Lee")
    [card] = await owner_en.send("/find Anna")
    [comment_question] = await owner_en.press("💬 Comment", card)
    old_cancel = cancel_of(comment_question.buttons)
    [task_question] = await owner_en.send("/task")  # a new dialog: the comment's ended
    await owner_en.press_data(old_cancel, comment_question)
    assert owner_en.alert == GONE
    assert old_cancel.startswith("cx:") and len(old_cancel.encode()) <= 64
    # the task's question is still the one waiting: the text goes on into the task
    [when] = await owner_en.send("Call the supplier")
    assert "The task “Call the supplier” is kept" in when.text, when.text
    # its own Cancel (a step further on) ends the dialog
    [cancelled] = await owner_en.press("✖️ Cancel", when)
    assert cancelled.text == "Cancelled."
    replies = await owner_en.send("Call the supplier")  # no dialog: a search
    assert all("when" not in reply.text.lower() for reply in replies)
    # pressed again with nothing waiting, a question's Cancel says it is over
    await owner_en.press_data(old_cancel, comment_question)
    assert owner_en.alert == GONE
    assert task_question.text


async def test_an_older_message_s_bare_cancel_cancels_as_before(
    app: App, owner_en: SimulatedUser
) -> None:
    [question] = await owner_en.send("/task")
    [cancelled] = await owner_en.press_data(CancelCb().pack(), question)
    assert cancelled.text == "Cancelled."
    replies = await owner_en.send("Call the supplier")
    assert all("when" not in reply.text.lower() for reply in replies)


BARE = InlineKeyboardButton(text="✖️ Cancel", callback_data=CancelCb().pack())
OTHER = InlineKeyboardButton(text="Skip", callback_data="skip")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[OTHER]], None),
        ([[OTHER], [BARE]], [["skip"], ["cx:s1"]]),
        ([[OTHER, BARE]], [["skip", "cx:s1"]]),
        ([], None),
    ],
)
def test_a_markup_s_bare_cancel_is_stamped(
    rows: list[list[InlineKeyboardButton]], expected: list[list[str]] | None
) -> None:
    fresh = stamped(InlineKeyboardMarkup(inline_keyboard=rows), "s1")
    got = None if fresh is None else [[k.callback_data for k in r] for r in fresh.inline_keyboard]
    assert got == expected


def test_a_step_code_is_short_stable_and_told_apart() -> None:
    assert step_code("NoteFlow:comment") == step_code("NoteFlow:comment")
    assert step_code("NoteFlow:comment") != step_code("TaskFlow:text")
    assert len(CancelStepCb(step=step_code("x" * 200)).pack().encode()) <= 64


async def test_another_card_s_old_question_cancels_not_this_card_s(
    bot_of: tuple[App, int],  # noqa: F811
) -> None:
    """The same step on two cards: card A's comment question's Cancel, pressed while card
    B's comment question waits, leaves B's question alone (with the memory storage of one
    instance and the Redis storage of several alike)."""
    app, owner_id = bot_of
    owner = await english_owner(app, owner_id)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(owner_id)
        assert me is not None
        for name in ("Anna Lee", "Boris Orlov"):
            await crm.clients.create(me, ClientDraft(name=name), force=True)
    [anna] = await owner.send("/find Anna")
    [anna_question] = await owner.press("💬 Comment", anna)
    [boris] = await owner.send("/find Boris")
    [boris_question] = await owner.press("💬 Comment", boris)
    assert "Boris Orlov" in boris_question.text
    assert await redis_keys(app, owner_id, ASKED) != [], "nothing was kept in Redis"
    await owner.press_data(cancel_of(anna_question.buttons), anna_question)
    assert owner.alert == GONE
    [added, *_rest] = await owner.send("Called back")
    assert added.text == "Comment added to Boris Orlov.", added.text
    # Boris's own question's Cancel ends it, as before
    [again] = await owner.press("💬 Comment", boris)
    [cancelled] = await owner.press("✖️ Cancel", again)
    assert cancelled.text == "Cancelled."


async def two_suppliers(app: App) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        await crm.records.create(me, suppliers.id, "IceWorks")
        await crm.records.create(me, suppliers.id, "SaltCo")


async def test_a_record_s_old_question_cancels_not_another_record_s(
    app: App, owner_en: SimulatedUser
) -> None:
    """A record's own Cancel (it goes back to the card) of a question no longer waiting
    says so, and leaves the question waiting now alone; its own question's goes back."""
    await two_suppliers(app)
    await owner_en.send("/records")
    await owner_en.press("Suppliers")
    [ice] = await owner_en.press("IceWorks")
    [ice_question] = await owner_en.press("💬 Comment", ice)
    await owner_en.send("/records")
    await owner_en.press("Suppliers")
    [salt] = await owner_en.press("SaltCo")
    [salt_question] = await owner_en.press("💬 Comment", salt)
    assert "SaltCo" in salt_question.text
    await owner_en.press("✖️ Cancel", ice_question)
    assert owner_en.alert == GONE
    assert "IceWorks" in ice_question.text  # not gone back to its card
    [card] = await owner_en.send("Sends on Mondays")
    assert "SaltCo" in card.text and "Sends on Mondays" in card.text, card.text
    # the question waiting now: its Cancel goes back to the card, and the question ends
    [salt_again] = await owner_en.press("💬 Comment", card)
    [back] = await owner_en.press("✖️ Cancel", salt_again)
    assert "SaltCo" in back.text and owner_en.alert != GONE
    replies = await owner_en.send("Sends on Fridays")
    assert all("Sends on Fridays" not in reply.text for reply in replies)


@pytest.mark.parametrize("command", ["/task@OtherBot", "/help@other_bot now"])
async def test_a_command_to_another_bot_leaves_the_question(
    app: App, owner_en: SimulatedUser, command: str
) -> None:
    """In private as in the team's group, a command addressed to another bot is not ours:
    the question waiting stays (and the text is no answer to it either)."""
    await make_client(app, OWNER_ID, "Anna Lee")
    [card] = await owner_en.send("/find Anna")
    await owner_en.press("💬 Comment", card)
    [reply] = await owner_en.send(command)
    assert "Answer the question above" in reply.text, reply.text
    [added, *_rest] = await owner_en.send("Called back")
    assert added.text == "Comment added to Anna Lee.", added.text


async def test_a_command_to_this_bot_by_name_ends_the_question(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Anna Lee")
    [card] = await owner_en.send("/find Anna")
    await owner_en.press("💬 Comment", card)
    [task] = await owner_en.send("/task@Kartoteka_Bot")
    assert "task" in task.text.lower(), task.text
    [kept] = await owner_en.send("Call the supplier")
    assert "The task “Call the supplier” is kept" in kept.text, kept.text
