"""The team's group chat: /bind, /unbind, what it hears; and members asking there.

In a group the bot answers only team members (the door keeps everyone else
silent), and never posts cards there: a member's command is answered in the
member's private chat.
"""

from __future__ import annotations

import itertools
import logging

from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode
from crm.groups import LEADS, SWITCHES
from crm.service import Crm
from handlers.groups.callbacks import GroupAction, GroupCb
from handlers.kit.alerts import alert
from handlers.kit.errors import error_text
from handlers.kit.handler_index import IndexedMessages, message_key
from handlers.kit.labels import already_so
from handlers.kit.routes import Routes
from handlers.kit.screen import edit_or_send
from storage.models import GroupChat, User

log = logging.getLogger(__name__)
routes = Routes(__name__)
routes.message.filter(F.chat.type.in_({"group", "supergroup"}))
_private_updates = itertools.count(10**12)


def topic_name(topic: str) -> str:
    return {
        "new_client": _("new clients"),
        LEADS: _("leads nobody has taken yet"),
        "new_deal": _("new deals"),
        "deal_won": _("won deals"),
        "deal_lost": _("lost deals"),
        "task_overdue": _("tasks overdue by more than a day"),
    }.get(topic, topic)


def group_screen(group: GroupChat) -> tuple[Text, InlineKeyboardMarkup]:
    text = Text(
        as_line(Bold(_("This chat hears about:"))),
        *(as_line(("✅ " if t in group.subscriptions else "▫️ ") + topic_name(t)) for t in SWITCHES),
        as_line(_("The owner taps a line to switch it; /unbind stops everything.")),
    )
    rows = [
        [
            InlineKeyboardButton(
                text=("✅ " if topic in group.subscriptions else "▫️ ") + topic_name(topic),
                callback_data=GroupCb(
                    action=GroupAction.OFF if topic in group.subscriptions else GroupAction.ON,
                    chat_id=group.chat_id,
                    topic=topic,
                ).pack(),
            )
        ]
        for topic in SWITCHES
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


@routes.message(Command("bind"))
async def bind(message: Message, crm: Crm, member: User) -> None:
    try:
        group = await crm.groups.bind(member, message.chat.id, message.chat.title or "")
    except CrmError as error:  # kept: said in the group, in words about binding
        await message.reply(
            _("Only the owner can bind a group.")
            if error.code == ErrorCode.NOT_ALLOWED
            else error_text(error)
        )
        return
    text, keyboard = group_screen(group)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(Command("unbind"))
async def unbind(message: Message, crm: Crm, member: User) -> None:
    try:
        await crm.groups.unbind(member, message.chat.id)
    except CrmError as error:  # kept: said in the group, in words about unbinding
        if error.code == ErrorCode.NOT_BOUND:
            await message.reply(_("This chat is not bound."))
        else:
            await message.reply(_("Only the owner can unbind a group."))
        return
    await message.answer(_("This chat will hear nothing more from Kartoteka."))


def pressed_in(callback: CallbackQuery, callback_data: GroupCb) -> int:
    """The chat the switch is pressed in: a group made a supergroup has a new id, and its
    switches under the old /bind answer still carry the old one."""
    return callback.message.chat.id if callback.message else callback_data.chat_id


async def show_switches(callback: CallbackQuery, bot: Bot, group: GroupChat) -> None:
    """Not kit.screen.show, which never shows a screen in a group: these switches live in
    the group itself, under /bind's answer, and are edited there (left as they are when
    nothing changed)."""
    if callback.message is not None:
        chat_id, message_id = callback.message.chat.id, callback.message.message_id
        await edit_or_send(bot, chat_id, message_id, *group_screen(group))


@routes.callback_query(GroupCb.filter(F.action.in_({GroupAction.ON, GroupAction.OFF})))
async def switch(
    callback: CallbackQuery, callback_data: GroupCb, bot: Bot, crm: Crm, member: User
) -> None:
    """A switch says which way it goes: pressed twice, or on an older message, it finds
    the group so already, and says so."""
    on = callback_data.action == GroupAction.ON
    group, changed = await crm.groups.switch(
        member, pressed_in(callback, callback_data), callback_data.topic, on
    )
    if not changed:
        await callback.answer(already_so())
    await show_switches(callback, bot, group)


@routes.callback_query(GroupCb.filter(F.action == GroupAction.TOGGLE))
async def old_switch(callback: CallbackQuery, callback_data: GroupCb, bot: Bot, crm: Crm) -> None:
    """An older message's switch does not say which way: nothing is changed, and the
    switches are shown as they are now, to be pressed again."""
    await alert(callback, _("This button is no longer active."))
    group = await crm.groups.get(pressed_in(callback, callback_data))
    if group is not None:
        await show_switches(callback, bot, group)


async def our_command(message: Message, bot: Bot, event_router: Router) -> bool:
    """A filter: one of this bot's commands (a handler is for it, its case as written) with
    no bot's name or this bot's; not a command for another bot in the group, nor any other
    text that starts with "/"."""
    key = message_key(message)
    observer = event_router.message
    if key is None or not isinstance(observer, IndexedMessages) or key not in observer.commands():
        return False
    command, _at, name = (message.text or "").split(maxsplit=1)[0].partition("@")
    if command[1:] != key[1]:  # "/FIND": not the command (``Command`` minds the case)
        return False
    if not name:
        return True
    me = await bot.me()  # asked once: aiogram keeps it
    return me.username is not None and name.casefold() == me.username.casefold()


@routes.message(F.text, our_command)
async def answer_in_private(
    message: Message, member: User, bot: Bot, dispatcher: Dispatcher
) -> None:
    """A member's command in the group is handled as if sent in private, and answered there;
    a dialog of theirs there is left as it was for anything else said in the group. A member
    who blocked the bot there is told so in the group (nothing else can reach him), and a
    dialog the command began there (a question he never got) ends."""
    private = message.model_copy(
        update={
            "chat": Chat(id=member.id, type="private", first_name=member.full_name or None),
            # Typed in a forum's topic: the answer goes to no topic (a private chat has none).
            "message_thread_id": None,
            "is_topic_message": None,
        }
    )
    update = Update(update_id=next(_private_updates), message=private)
    dialog = dispatcher.fsm.get_context(bot, chat_id=member.id, user_id=member.id)
    before = (await dialog.get_state(), await dialog.get_data())
    try:
        await dispatcher.feed_update(bot, update, asked_in_group=True)
    except TelegramForbiddenError as error:
        if getattr(error.method, "chat_id", None) != member.id:
            raise  # another chat refused something: not his private chat
        log.info("member %s blocked the bot; told in group %s", member.id, message.chat.id)
        if (await dialog.get_state(), await dialog.get_data()) != before:
            # The command asked a question he never got: his next text, once he unblocks
            # the bot, would be taken as its answer. The dialog ends.
            await dialog.set_state(None)
        await message.reply(
            _(
                "I can't write to you in our private chat: you have blocked me there. "
                "Unblock me there to get my answers."
            )
        )


@routes.message()
async def chatter(message: Message) -> None:
    """Ordinary talk in the team's chat is not for the bot."""
