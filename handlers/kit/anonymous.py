"""/bind or /unbind sent by a group's admin who remains anonymous.

Telegram sends such an admin's messages in the group's own name (``sender_chat`` is the
group, the sender its stand-in bot): nobody the bot can tell is the team's owner. The door
keeps strangers silent in groups; this one is told why nothing happened, or the owner would
send /bind again and again into silence.
"""

from __future__ import annotations

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

GROUP_COMMANDS = frozenset({"/bind", "/unbind"})


def sent_as_its_group(message: Message) -> bool:
    """Sent in a group in that group's own name (an anonymous admin's)."""
    sender = message.sender_chat
    return (
        message.chat.type in ("group", "supergroup")
        and sender is not None
        and sender.id == message.chat.id
    )


async def tell_anonymous(message: Message, command: str) -> None:
    await message.reply(
        _(
            "I can't tell who sent {command}: an anonymous admin's messages come in the "
            "group's name. Turn off “Remain anonymous” in your admin rights and send it as "
            "yourself (only the team's owner can)."
        ).format(command=command)
    )
