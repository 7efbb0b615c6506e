"""Outer middlewares: the CRM for each update, what it leaves for after the answer, the
reader's language, the door."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineQuery,
    InlineQueryResultsButton,
    Message,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _

from crm.members import language_for
from crm.service import CrmFactory
from handlers.kit.alerts import alert
from handlers.kit.anonymous import GROUP_COMMANDS, sent_as_its_group, tell_anonymous
from handlers.kit.business_lookup import ConnectionLookup, report_of
from handlers.kit.keyboards import is_menu_button
from handlers.kit.labels import full_name
from storage.models import User

log = logging.getLogger(__name__)

AFTER_ANSWER = "after_answer"
"""Where ``AfterAnswer`` takes the work an inner middleware leaves for after the answer
(it must be outside them: ``bot.app.build_dispatcher``)."""

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class CrmMiddleware(BaseMiddleware):
    """One database session per update; puts ``crm`` and ``member`` into handler arguments.

    ``member`` is the sender's active membership, or None for anyone else.
    """

    def __init__(self, crm_factory: CrmFactory) -> None:
        self._factory = crm_factory
        self._lookup = ConnectionLookup()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._factory.open() as crm:
            data["crm"] = crm
            connection_id = business_connection_of(event)
            if connection_id is not None:
                # A chat of a member's Business account: the member is the account's owner,
                # whoever wrote (the customer is never a member, nor let in as one); one the
                # bot never heard of, or has as disabled, is asked of Telegram (connected
                # before they joined, or again while they were out).
                owner = await crm.business.owner_of(connection_id)
                if owner is None:
                    owner = await self._lookup.owner(crm, data["bot"], connection_id)
                data["member"] = owner
            else:
                tg_user: TgUser | None = data.get("event_from_user")
                member = await crm.members.get_active(tg_user.id) if tg_user else None
                if member is not None and tg_user is not None:
                    await crm.members.update_profile(member, full_name(tg_user), tg_user.username)
                data["member"] = member
            result = await handler(event, data)
            data[AFTER_ANSWER].append(crm.after_answer)  # run by AfterAnswer, outside
            return result


class AfterAnswer(BaseMiddleware):
    """Runs what an update left for after its answer (``Crm.after_answer``: the card it
    opened), once the middlewares inside have returned: a press's spinner is answered
    by then (``AnswerEveryPress``) and the update's session is closed, so neither
    waits for that work (with several instances, a write). Not when the update failed
    (nor when closing its session did): a card it never showed is not remembered.
    Outside every middleware of ours but the timing; aiogram's own (errors, the user's
    context, the FSM's with the chat's lock) are outside it, so the chat's next update
    waits for this work and sees the card it remembered."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        later: list[Callable[[], Awaitable[None]]] = []
        data[AFTER_ANSWER] = later
        result = await handler(event, data)
        for work in later:
            await work()
        return result


def business_connection_of(event: TelegramObject) -> str | None:
    """The connection a chat update of a Business account came through (None: not one)."""
    if not isinstance(event, Update):
        return None
    message = event.business_message or event.edited_business_message
    if message is not None:
        return message.business_connection_id or ""
    if event.deleted_business_messages is not None:
        return event.deleted_business_messages.business_connection_id
    return None


class MemberI18nMiddleware(I18nMiddleware):
    """A member's chosen language; for anyone else, Telegram's language code."""

    def __init__(self, i18n: I18n, default_language: str) -> None:
        super().__init__(i18n)
        self._default = default_language

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        member = data.get("member")
        if member is not None:
            return str(member.language)
        tg_user: TgUser | None = data.get("event_from_user")
        return language_for(tg_user.language_code if tg_user else None, self._default)


class AccessGate(BaseMiddleware):
    """Lets only active members in.

    The one exception is ``/start <payload>`` in a private chat, where an
    invitation or the setup code is checked by its handler. Everyone else gets
    one polite refusal per message, press or inline query in a private chat,
    and silence anywhere else (but /bind or /unbind sent in a group's own name, by an
    anonymous admin, is told why: ``kit.anonymous``); nothing of theirs is stored (but the Business
    disconnection of someone whose connection the bot keeps is recorded).
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("member") is not None:
            return await handler(event, data)
        assert isinstance(event, Update)
        if business_connection_of(event) is not None:
            # Never a word into a customer's chat: a chat of no member's account is dropped.
            log.info("dropped %s of an unknown business connection", event.event_type)
            return None
        connection = event.business_connection
        if connection is not None:
            # A disconnection only takes rights away: recorded whoever sends it (a member
            # deactivated since), so the row is not left enabled; nothing said to them.
            if not connection.is_enabled and await data["crm"].business.disconnected(
                report_of(connection)
            ):
                log.info("recorded the disconnection of non-member %s", connection.user.id)
                return None
            log.info("refused the business connection of non-member %s", connection.user.id)
            return None
        message = event.message
        if (
            message is not None
            and message.chat.type == "private"
            and message.text is not None
            and message.text.startswith("/start ")
        ):
            return await handler(event, data)
        if message is not None and sent_as_its_group(message):  # no member can be told apart
            command = command_of(message.text)
            if command in GROUP_COMMANDS and not await for_another_bot(message, data["bot"]):
                await tell_anonymous(message, command)
                return None
        tg_user: TgUser | None = data.get("event_from_user")
        log.info("refused %s from non-member %s", event.event_type, tg_user.id if tg_user else "?")
        await refuse(event)
        return None


def refusal_text() -> str:
    return _("This is a private CRM. Ask its owner for an invitation.")


async def refuse(update: Update) -> None:
    """Tell a stranger, once and in their language, that this bot is not for them."""
    event = update.event
    if isinstance(event, Message) and event.chat.type == "private":
        await event.answer(refusal_text(), reply_markup=ReplyKeyboardRemove())
    elif isinstance(event, CallbackQuery):
        await alert(event, refusal_text())
    elif isinstance(event, InlineQuery):
        await event.answer(
            [],
            cache_time=0,
            is_personal=True,
            button=InlineQueryResultsButton(text=refusal_text()[:64], start_parameter="private"),
        )


# Commands that act on the open card (and say so); every other command closes it.
CARD_COMMANDS = frozenset({"/task", "/deal"})


def command_of(text: str | None) -> str:
    """The command ``text`` starts with, in lower case and without the bot's name ("": none)."""
    words = text.split("@", 1)[0].split(maxsplit=1) if text else []
    return words[0].lower() if words and words[0].startswith("/") else ""


async def for_another_bot(message: Message, bot: Bot) -> bool:
    """A filter: a command addressed to another bot by name ("/help@other_bot"), which is
    not ours in private any more than in the team's group (``handlers.groups.chat``)."""
    words = (message.text or "").split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return False
    name = words[0].partition("@")[2]
    if not name:
        return False
    me = await bot.me()  # asked once: aiogram keeps it
    return me.username is None or name.casefold() != me.username.casefold()


def goes_elsewhere(text: str | None) -> bool:
    """A command or a menu button: never a dialog's answer."""
    return bool(command_of(text)) or (text is not None and is_menu_button(text))


class LeaveDialogs(BaseMiddleware):
    """A command or a menu button is never taken as a dialog's answer.

    Sent in the middle of a dialog, it ends the dialog first and is then
    routed as if no dialog had been open; a command addressed to another bot
    ("/task@other_bot") is none of ours, and ends nothing. /cancel is left to its own handler,
    which says what it cancelled. It also closes the open card (except the
    commands that act on it), so ordinary text sent afterwards is a search, not
    a note on a card the member has left. Only in the member's private chat: what
    they say in the team's group is no command to their dialog or card there (a
    command of the bot's is handled as if sent in private, and passes here again).
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or event.chat.type != "private":
            return await handler(event, data)
        state: FSMContext | None = data.get("state")
        text = event.text
        command = command_of(text)
        bot: Bot | None = data.get("bot")
        elsewhere = goes_elsewhere(text) and not (
            bot is not None and await for_another_bot(event, bot)
        )
        in_dialog = data.get("raw_state") is not None
        if state is not None and in_dialog and elsewhere and command != "/cancel":
            await state.clear()
            data["raw_state"] = None
        member, crm = data.get("member"), data.get("crm")
        leaving = elsewhere and command not in CARD_COMMANDS
        if not (leaving and member is not None and crm is not None and _open_card(member)[0]):
            return await handler(event, data)
        # The member went elsewhere: what they type next is not a note on the open card,
        # unless what they did opened that very card again (a search that found it).
        card = _open_card(member)
        result = await handler(event, data)
        # Nothing opened (a card opened is remembered after the answer: ``Crm.after_answer``).
        opened = crm.timeline.opened is not None or crm.timeline.opened_record is not None
        if not opened and _open_card(member) == card:
            await crm.timeline.close_card(member)
        return result


def _open_card(member: User) -> tuple[int | None, int | None, int | None]:
    """The member's open card as its row has it: (client or record, deal, record)."""
    return (
        member.open_client_id or member.open_record_id,
        member.open_deal_id,
        member.open_record_id,
    )


class CardEndsDialog(BaseMiddleware):
    """Opening a card ends the question a dialog was waiting on when the update came.

    A card says that what is sent now goes into its history; a question still waiting
    (a reply into a customer's Telegram chat, a deal's lost reason, a comment, a new
    value for a field or a task…), asked on another card or on this one before, would
    take that text instead. So an update that opened a card (``Crm.opened_a_card``: a
    client's or a deal's, by any path) and left the dialog as it found it, its step and
    its data, ends it. An update that moved the dialog on (asked its next question, or
    ended it) did so itself. Outside ``Refusals``: a card shown before a refusal (the
    deal changed under the press) ends it too; an update that failed showed none.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        asked = data.get("raw_state")
        if state is None or asked is None:
            return await handler(event, data)
        before = await state.get_data()
        result = await handler(event, data)
        crm = data.get("crm")
        opened = crm is not None and crm.opened_a_card
        if opened and await state.get_state() == asked and await state.get_data() == before:
            await state.clear()
        return result
