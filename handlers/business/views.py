"""How the Telegram Business inbox looks: the connection news, its settings, the card's line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_key_value, as_list
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.business.connections import Change, can_reply
from crm.business.replies import ChatView
from handlers.business.callbacks import BizAction, BizCb
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.kit.keyboards import button, cancel_row, keyboard
from handlers.kit.screen import MESSAGE_CHARS, message_parts, utf16_length
from handlers.settings.callbacks import SettingsCb
from storage.models import BusinessConnection


def on_off(on: bool) -> str:
    return _("on") if on else _("off")


def connection_text(change: Change, rights: dict[str, Any], inbox_on: bool) -> Text | None:
    """What the member is told when Telegram reports their connection (None: nothing new)."""
    if change == Change.SAME:
        return None
    if change == Change.DISCONNECTED:
        return Text(
            _(
                "Your Telegram Business account is disconnected from Kartoteka: nothing from "
                "its chats is recorded any more. The cards and their history stay."
            )
        )
    if change == Change.RIGHTS:
        allowed = (
            _("You can now reply to customers from their cards.")
            if can_reply(rights)
            else _("The bot may no longer reply for you: the card's Reply is off.")
        )
        return Text(_("The rights of your Telegram Business connection changed."), " ", allowed)
    lines: list[Text | str] = [
        Bold(_("Your Telegram Business account is connected to Kartoteka.")),
        _(
            "• A customer who writes to you for the first time gets a card "
            "(source “Telegram”), and you get a short note."
        ),
        _("• Every message of the chats you gave the bot, yours and theirs, goes onto the card."),
        _(
            "• From the card you can reply into the chat. Nothing is sent to a customer "
            "unless you press it."
        ),
        _("• In the card you can leave a chat out; /settings → Telegram Business shows all this."),
    ]
    if not can_reply(rights):
        lines.append(
            _(
                "The bot may not reply for you: allow replying in Telegram's settings "
                "(Business → Chatbots) to reply from the card."
            )
        )
    if not inbox_on:
        lines.append(_("The owner has switched the inbox off for now: nothing is recorded yet."))
    return as_list(*lines)


def settings_screen(
    owner: bool,
    inbox_on: bool,
    connections: Sequence[BusinessConnection],
    left_out: Sequence[tuple[int, str | None]] = (),
) -> tuple[Text, InlineKeyboardMarkup]:
    """``left_out``: the member's chats left out whose card was deleted, each with a button
    that records it again."""
    lines: list[Text | str] = [
        Bold(_("Telegram Business")),
        as_key_value(_("Inbox for the team"), on_off(inbox_on)),
    ]
    active = next((c for c in connections if c.enabled), None)
    if active is None:
        lines.append(
            _(
                "Your account is not connected. In Telegram: Settings → Telegram Business → "
                "Chatbots, add this bot and choose the chats it may see."
            )
        )
    else:
        lines.append(as_key_value(_("Your account"), _("connected")))
        lines.append(as_key_value(_("Replying from the card"), on_off(can_reply(active.rights))))
        lines.append(as_key_value(_("A deal for each new contact"), on_off(active.open_deal)))
    rows: list[list[InlineKeyboardButton]] = []
    if owner:
        label = _("Switch the inbox off") if inbox_on else _("Switch the inbox on")
        rows.append([button(label, BizCb(action=BizAction.INBOX, on=not inbox_on))])
    if connections:
        deal = any(c.open_deal for c in connections)
        label = _("💼 A deal for each new contact: {state}").format(state=on_off(deal))
        rows.append([button(label, BizCb(action=BizAction.DEAL, on=not deal))])
    if left_out:
        lines.append(
            _(
                "Chats you left out whose card was deleted stay left out: their messages "
                "make no card. Record one again to let its next message make one."
            )
        )
    for chat_id, username in left_out:
        who = f"@{username}" if username else f"id {chat_id}"
        label = _("✈️ Record {who} again").format(who=who)
        rows.append([button(label, BizCb(action=BizAction.TAKE_BACK, chat=chat_id))])
    rows.append([button(_("◀️ Settings"), SettingsCb(action="main"))])
    return as_list(*lines), keyboard(*rows)


def card_line(chat: ChatView) -> str:
    """The client's Telegram on their card: @username and id, and whether it is left out."""
    name = f"@{chat.username} · " if chat.username else ""
    line = _("✈️ Telegram: {name}id {id}").format(name=name, id=chat.chat_id)
    if chat.excluded:
        line += " · " + _("left out of the card")
    return line


def card_row(chat: ChatView, reader_id: int, client_id: int) -> list[InlineKeyboardButton]:
    """Reply and leave out, for the member whose account the chat is in."""
    if chat.owner_id != reader_id:
        return []
    if chat.excluded:
        back = BizCb(action=BizAction.EXCLUDE, client_id=client_id, on=False)
        return [button(_("✈️ Record this chat again"), back)]
    return [
        button(_("↩️ Reply in Telegram"), BizCb(action=BizAction.REPLY, client_id=client_id)),
        button(
            _("🙈 Leave chat out"), BizCb(action=BizAction.EXCLUDE, client_id=client_id, on=True)
        ),
    ]


def new_client_notice(payload: dict[str, Any]) -> tuple[Text, InlineKeyboardMarkup]:
    """The one short note to the member about a new client from their Telegram."""
    name = str(payload.get("name") or "—")[:200]
    username = payload.get("username")
    who = f"{name} (@{username})" if username else name
    client_id = int(payload.get("client_id") or 0)
    text = Text(_("✈️ New client from Telegram: {name}").format(name=who))
    open_card = button(_("Open card"), ClientCb(action=CardAction.OPEN, client_id=client_id))
    return text, keyboard([open_card])


def reply_question(
    name: str, client_id: int, templates: Sequence[tuple[int, str]]
) -> tuple[Text, InlineKeyboardMarkup]:
    """What to send: typed text, or one of the team's text templates filled for the client."""
    lines = [
        _("Send the reply to {name}: it goes into their Telegram chat from your account.").format(
            name=name[:100]
        )
    ]
    if templates:
        lines.append(_("Or fill a template for them:"))
    rows = [
        [
            button(
                f"📝 {title}"[:60],
                BizCb(action=BizAction.TEMPLATE, client_id=client_id, template_id=tid),
            )
        ]
        for tid, title in templates[:10]
    ]
    return as_list(*lines, sep="\n\n"), keyboard(*rows, cancel_row())


def template_preview(name: str, client_id: int, text: str) -> tuple[Text, InlineKeyboardMarkup]:
    """The filled template, as it will reach the client, with Send; a text too long to be
    shown under its heading in one message is shown up to where it fits, the rest counted
    (Send sends it whole: the text itself is within Telegram's limit)."""
    head = _("This goes to {name} in Telegram:").format(name=name[:100])
    send = button(_("📤 Send"), BizCb(action=BizAction.SEND, client_id=client_id))
    shown = [head, text]
    total = utf16_length(text)
    if utf16_length(head) + total + 2 > MESSAGE_CHARS:
        # What is left is counted as Telegram counts (UTF-16 units); its words' length
        # depends on that count (plural forms), so room is made for them until they fit.
        reserve = utf16_length(_more_characters(total))
        while True:
            first = message_parts(text, MESSAGE_CHARS - utf16_length(head) - reserve - 4)[0]
            more = _more_characters(total - utf16_length(first))
            if utf16_length(more) <= reserve:
                break
            reserve = utf16_length(more)
        shown = [head, first, more]
    return as_list(*shown, sep="\n\n"), keyboard([send], cancel_row())


def _more_characters(count: int) -> str:
    """How much of a previewed text is not shown, in the units Telegram counts."""
    return ngettext(
        "…and {count} more character (Telegram counts an emoji as two): "
        "📤 Send sends the whole text.",
        "…and {count} more characters (Telegram counts an emoji as two): "
        "📤 Send sends the whole text.",
        count,
    ).format(count=count)
