"""A member who blocked the bot in private types a command in the team's group."""

from __future__ import annotations

import logging

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage

from bot.app import App
from bot.offline import OfflineSession
from tests.conftest import OWNER_ID, UserFactory
from tests.test_groups import GROUP, app, bound

__all__ = ["app"]  # the fixture (a team whose default language is English), used by name


async def test_a_member_who_blocked_the_bot_is_told_in_the_group(
    app: App, user: UserFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer goes to his private chat, which he blocked: he heard nothing anywhere,
    and the log held two tracebacks (the answer's, then the error notice's, sent there
    too). He is now told in the group why, and the log says it once, without a traceback."""
    in_group = await bound(app, user)
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    for _ in range(2):  # whatever is sent to his private chat is refused
        blocked = TelegramForbiddenError(
            SendMessage(chat_id=OWNER_ID, text="…"), "Forbidden: bot was blocked by the user"
        )
        session.answer_next(blocked, SendMessage, chat_id=OWNER_ID)
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
