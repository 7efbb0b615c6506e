"""/bind sent by an admin who remains anonymous: Telegram sends it in the group's own name."""

from __future__ import annotations

from aiogram.types import Chat, MessageEntity
from aiogram.types import User as TgUser

from bot.app import App
from bot.offline import BOT_USERNAME
from bot.simulator import SimulatedUser
from tests.conftest import UserFactory
from tests.test_groups import GROUP, app

__all__ = ["app"]  # the fixture (a team whose default language is English), used by name

ANONYMOUS_ADMIN = 1087968824  # Telegram's GroupAnonymousBot


async def in_the_groups_name(app: App, text: str) -> list[str]:
    """``text`` sent in the group by an anonymous admin; the texts the bot sent back."""
    admin = SimulatedUser(app.dispatcher, app.bot, ANONYMOUS_ADMIN, "Group", chat_id=GROUP)
    admin.user = TgUser(id=ANONYMOUS_ADMIN, is_bot=True, first_name="Group")
    command = text.split(maxsplit=1)[0]
    replies = await admin._message(
        text=text,
        entities=[MessageEntity(type="bot_command", offset=0, length=len(command))],
        sender_chat=Chat(id=GROUP, type="supergroup", title="Team"),
    )
    return [reply.text or "" for reply in replies]


async def test_bind_sent_in_the_groups_name_says_who_must_send_it(
    app: App, user: UserFactory
) -> None:
    """The owner, an anonymous admin of the group, sent /bind and heard nothing: Telegram
    names no one, so the bot could not tell him from a stranger. He is told what to do."""
    [told] = await in_the_groups_name(app, "/bind")
    assert "anonymous" in told and "as yourself" in told
    [told] = await in_the_groups_name(app, f"/unbind@{BOT_USERNAME}")
    assert "anonymous" in told
    async with app.crm.open() as crm:
        assert await crm.groups.get(GROUP) is None  # nothing bound


async def test_other_commands_in_the_groups_name_stay_unanswered(app: App) -> None:
    """Anything else a stranger sends is left alone there, as before: a command for another
    bot, talk, and the bot's other commands (answered in a member's private chat)."""
    for text in ("/bind@other_bot", "/find Anna", "/start", "hello"):
        assert await in_the_groups_name(app, text) == [], text
