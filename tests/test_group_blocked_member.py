"""A member who blocked the bot in private types a command in the team's group."""

from __future__ import annotations

import logging

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SendMessage

from bot.app import App
from bot.offline import OfflineSession
from tests.conftest import OWNER_ID, UserFactory
from tests.test_groups import GROUP, app, bound

__all__ = ["app"]  # the fixture (a team whose default language is English), used by name


def blocked_in_private(app: App, times: int) -> None:
    """The next ``times`` messages sent to the owner's private chat are refused: blocked."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    for _ in range(times):
        blocked = TelegramForbiddenError(
            SendMessage(chat_id=OWNER_ID, text="…"), "Forbidden: bot was blocked by the user"
        )
        session.answer_next(blocked, SendMessage, chat_id=OWNER_ID)


async def test_a_member_who_blocked_the_bot_is_told_in_the_group(
    app: App, user: UserFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer goes to his private chat, which he blocked: he heard nothing anywhere,
    and the log held two tracebacks (the answer's, then the error notice's, sent there
    too). He is now told in the group why, and the log says it once, without a traceback."""
    in_group = await bound(app, user)
    blocked_in_private(app, 2)  # whatever is sent to his private chat is refused
    caplog.clear()
    with caplog.at_level(logging.INFO):
        replies = await in_group.send("/help")
    [told] = [reply for reply in replies if reply.chat_id == GROUP]
    assert told.text == (
        "I can't write to you in our private chat: you have blocked me there. "
        "Unblock me there to get my answers."
    )
    assert [r for r in caplog.records if r.exc_info] == []
    assert [r.getMessage() for r in caplog.records if "blocked" in r.getMessage()] == [
        f"member {OWNER_ID} blocked the bot; told in group {GROUP}"
    ]


async def test_a_question_he_never_got_is_not_left_open(app: App, user: UserFactory) -> None:
    """/task in the group asks "When and what?" in his private chat, which he blocked: the
    question never reached him, yet stayed open, and once he unblocked the bot his first
    text there became a task. The question ends with the failed answer."""
    in_group = await bound(app, user)
    blocked_in_private(app, 1)  # the question
    replies = await in_group.send("/task")
    assert [reply.chat_id for reply in replies] == [GROUP]
    in_private = user(OWNER_ID, "Olga", language_code="en")
    key = StorageKey(bot_id=app.bot.id, chat_id=OWNER_ID, user_id=OWNER_ID)
    assert await app.dispatcher.storage.get_state(key) is None
    said = await in_private.send("tomorrow 10:00 call back")
    assert not any("Task saved" in reply.text for reply in said), said
