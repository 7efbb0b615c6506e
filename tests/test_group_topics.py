"""A member's command typed in a topic of the team's group (a forum supergroup)."""

from __future__ import annotations

from aiogram.methods import SendMessage
from aiogram.types import Chat, MessageEntity

from bot.app import App
from bot.offline import OfflineSession
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, UserFactory
from tests.test_groups import GROUP, app, bound

__all__ = ["app"]  # the fixture (a team whose default language is English), used by name


async def test_a_command_typed_in_a_topic_is_answered_in_private_without_the_topic(
    app: App, user: UserFactory
) -> None:
    """The answer went to the private chat with the group's topic (message_thread_id),
    which Telegram refuses ("message thread not found", as the offline session does): in a
    forum group every command of a member went unanswered. The private answer carries no
    topic now."""
    in_group = await bound(app, user)
    in_group.chat = Chat(id=GROUP, type="supergroup", title="Team", is_forum=True)
    await make_client(app, OWNER_ID, "Topic Client")
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    before = len(session.requests)
    replies = await in_group._message(
        text="/find Topic",
        entities=[MessageEntity(type="bot_command", offset=0, length=5)],
        message_thread_id=7,
        is_topic_message=True,
    )
    [card] = replies
    assert card.chat_id == OWNER_ID and card.text.startswith("👤 Topic Client")
    sent = [m for m in session.requests[before:] if isinstance(m, SendMessage)]
    assert sent and all(m.message_thread_id is None for m in sent), sent
