"""A Telegram user acted out through the real Dispatcher, for the console and the tests.

Each action builds the update Telegram would send, feeds it to the Dispatcher
and returns what the bot sent or edited in reply.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineQuery,
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginHiddenUser,
    MessageOriginUser,
    PhotoSize,
    Update,
    User,
)

from bot.offline import OfflineSession, SentMessage

_update_ids = itertools.count(1)
_message_ids = itertools.count(1_000_000)
_query_ids = itertools.count(1)


class NoSuchButton(LookupError):
    pass


class UnansweredPress(AssertionError):
    """The bot left a press unanswered: the member's button would spin until Telegram gives up."""


class SimulatedUser:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        user_id: int,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        chat_id: int | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.user = User(
            id=user_id,
            is_bot=False,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.chat = (
            Chat(id=user_id, type="private", first_name=first_name)
            if chat_id is None or chat_id == user_id
            else Chat(id=chat_id, type="supergroup", title="Team")
        )
        self._query_ids: set[str] = set()
        # The text the bot answered this user's latest press with (None: answered silently).
        self.alert: str | None = None

    @property
    def session(self) -> OfflineSession:
        assert isinstance(self.bot.session, OfflineSession)
        return self.bot.session

    # --- acting --------------------------------------------------------------

    async def send(self, text: str, reply_to: SentMessage | None = None) -> list[SentMessage]:
        """Send ``text``; with ``reply_to``, as a Telegram reply to that message of the bot."""
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
        if reply_to is None:
            return await self._message(text=text, entities=entities)
        replied = Message(
            message_id=reply_to.message_id,
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.session.bot_user,
            text=reply_to.text or "…",
            reply_markup=reply_to.inline_keyboard,
        )
        return await self._message(text=text, entities=entities, reply_to_message=replied)

    async def share_contact(
        self, phone: str, first_name: str, last_name: str | None = None, user_id: int | None = None
    ) -> list[SentMessage]:
        contact = Contact(
            phone_number=phone, first_name=first_name, last_name=last_name, user_id=user_id
        )
        return await self._message(contact=contact)

    async def send_document(
        self,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        data: bytes | None = None,
    ) -> list[SentMessage]:
        """Send a file; with ``data`` the bot can download those bytes (getFile and the URL)."""
        document = Document(
            file_id=f"doc-{next(_message_ids)}",
            file_unique_id=f"u-{next(_message_ids)}",
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(data) if data is not None else None,
        )
        if data is not None:
            self.session.add_file(document.file_id, data)
        return await self._message(document=document, caption=caption)

    async def send_photo(self, caption: str | None = None) -> list[SentMessage]:
        """Send a photo (two sizes, as Telegram does: the largest last)."""
        number = next(_message_ids)
        sizes = [
            PhotoSize(
                file_id=f"photo-{number}-s", file_unique_id=f"p-{number}-s", width=90, height=90
            ),
            PhotoSize(
                file_id=f"photo-{number}", file_unique_id=f"p-{number}", width=1280, height=960
            ),
        ]
        return await self._message(photo=sizes, caption=caption)

    async def forward(
        self,
        text: str,
        *,
        sender: User | None = None,
        hidden_name: str | None = None,
        channel: str | None = None,
    ) -> list[SentMessage]:
        """Forward a text message into this chat, as Telegram reports its origin.

        ``sender``: from a person who allows linking to their account; ``hidden_name``:
        from a person who does not; ``channel``: from a channel with this title.
        """
        origin: MessageOriginUser | MessageOriginHiddenUser | MessageOriginChannel
        date = datetime.now(UTC)
        if sender is not None:
            origin = MessageOriginUser(date=date, sender_user=sender)
        elif hidden_name is not None:
            origin = MessageOriginHiddenUser(date=date, sender_user_name=hidden_name)
        else:
            chat = Chat(id=-1_001_000_000_001, type="channel", title=channel or "Channel")
            origin = MessageOriginChannel(date=date, chat=chat, message_id=next(_message_ids))
        return await self._message(text=text, forward_origin=origin)

    async def press(
        self, button_text: str, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Press the inline button whose text contains ``button_text``.

        Looks in ``message``, or else in the newest message of this chat that has it.
        """
        candidates = [message] if message else reversed(self.chat_messages())
        for sent in candidates:
            for text, data, _url in sent.buttons:
                if button_text in text and data is not None:
                    return await self.press_data(data, sent)
        raise NoSuchButton(f"no button with {button_text!r}")

    async def press_data(self, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Press a button with this callback data, as if from ``message`` (forged data too)."""
        if message is None:
            existing = self.chat_messages()
            message = existing[-1] if existing else None
        origin = Message(
            message_id=message.message_id if message else next(_message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.session.bot_user,
            text=(message.text if message else "") or "…",
        )
        query = CallbackQuery(
            id=str(next(_query_ids)),
            from_user=self.user,
            chat_instance="simulated",
            message=origin,
            data=data,
        )
        self._query_ids.add(query.id)
        before = len(self.session.requests)
        replies = await self._feed(Update(update_id=next(_update_ids), callback_query=query))
        answers = [
            request
            for index, request in enumerate(self.session.requests[before:], before)
            if isinstance(request, AnswerCallbackQuery)
            and request.callback_query_id == query.id
            and index not in self.session.refused
        ]
        if not answers:
            raise UnansweredPress(f"the press with data {data!r} got no answer")
        self.alert = answers[0].text
        return replies

    async def inline_query(self, query: str) -> list[SentMessage]:
        inline = InlineQuery(id=str(next(_query_ids)), from_user=self.user, query=query, offset="")
        self._query_ids.add(inline.id)
        before = len(self.session.requests)
        replies = await self._feed(Update(update_id=next(_update_ids), inline_query=inline))
        answers = [
            request
            for request in self.session.requests[before:]
            if isinstance(request, AnswerInlineQuery) and request.inline_query_id == inline.id
        ]
        button = answers[0].button if answers else None
        self.alert = button.text if button is not None else None
        return replies

    # --- reading -----------------------------------------------------------------

    def chat_messages(self) -> list[SentMessage]:
        """The bot's messages in this chat, oldest first, as they look now."""
        return [
            sent
            for sent in self.session.chat_order
            if sent.chat_id == self.chat.id and not sent.deleted
        ]

    def last_message(self) -> SentMessage:
        messages = self.chat_messages()
        if not messages:
            raise LookupError("the bot has sent nothing to this chat")
        return messages[-1]

    def alerts(self) -> list[str]:
        """Texts of the answers the bot gave this user's presses and inline queries, in order.

        For what one press was answered, read ``alert`` right after it.
        """
        shown = []
        for index, request in enumerate(self.session.requests):
            if index in self.session.refused:
                continue  # Telegram refused it: the member saw nothing
            if (
                isinstance(request, AnswerCallbackQuery)
                and request.text
                and request.callback_query_id in self._query_ids
            ):
                shown.append(request.text)
            elif (
                isinstance(request, AnswerInlineQuery)
                and request.button is not None
                and request.inline_query_id in self._query_ids
            ):
                shown.append(request.button.text)
        return shown

    # --- plumbing ------------------------------------------------------------------

    async def _message(self, **fields: object) -> list[SentMessage]:
        message = Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            **fields,  # type: ignore[arg-type]
        )
        return await self._feed(Update(update_id=next(_update_ids), message=message))

    async def _feed(self, update: Update) -> list[SentMessage]:
        before = len(self.session.requests)
        await self.dispatcher.feed_update(self.bot, update)
        replies: list[SentMessage] = []
        for sent in self.session.outcomes[before:]:
            if sent is not None and sent not in replies:
                replies.append(sent)
        return replies
