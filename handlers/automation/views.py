"""What automation says on its own: a rule's message, a prepared template, a rule paused.
Pure: data in, text out (the outbox sender renders these)."""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.outbox import OutboxKind
from handlers.kit.keyboards import button, keyboard
from handlers.kit.screen import message_parts
from handlers.records.callbacks import Ent, EntCb
from handlers.templates.callbacks import TplAction, TplCb

NOTICE_KINDS = (
    OutboxKind.AUTOMATION_NOTICE,
    OutboxKind.AUTOMATION_TEMPLATE,
    OutboxKind.AUTOMATION_PAUSED,
)
NOTICE_TEXT = 3500  # of a prepared template's text in its notice (UTF-16 units)


def automation_text(kind: str, payload: dict[str, Any]) -> Text:
    rule = str(payload.get("rule", ""))
    if kind == OutboxKind.AUTOMATION_PAUSED:
        return Text(
            "⏸ ",
            _(
                "The rule «{rule}» fired more than {limit} times in an hour and was paused. "
                "Check it in /settings → Automation and resume it when it is right."
            ).format(rule=rule, limit=payload.get("limit", "")),
        )
    if kind == OutboxKind.AUTOMATION_TEMPLATE:
        lines: list[Text | str] = [
            Text(
                "🤖 ",
                Bold(f"«{rule}»"),
                ": ",
                _("prepared «{template}»").format(template=payload.get("template", "")),
            ),
        ]
        if payload.get("text"):
            # Within one message with the rest; "Fill it again" gives it whole.
            first, *more = message_parts(str(payload["text"]), NOTICE_TEXT)
            lines.append(first + ("…" if more else ""))
        if payload.get("phone"):
            lines.append(_("Client's phone: {phone}").format(phone=payload["phone"]))
        missing = payload.get("missing") or []
        if missing:
            lines.append(
                _("No value for: {names}").format(names=", ".join(f"{{{m}}}" for m in missing))
            )
        return as_list(*lines)
    said = Text("🤖 ", Bold(f"«{rule}»"), ": ", str(payload.get("text") or ""))
    if payload.get("card"):  # a card of the team's own type: named, as a client's text names it
        return as_list(said, Text(str(payload.get("emoji") or "📁"), " ", str(payload["card"])))
    return said


def automation_keyboard(
    kind: str, payload: dict[str, Any], private: bool = True
) -> InlineKeyboardMarkup | None:
    """A prepared template's button: fill it from the record now (a document comes as a file);
    a message about a card of the team's own type opens it (in a member's own chat)."""
    record_id = payload.get("record_id")
    if kind == OutboxKind.AUTOMATION_NOTICE and isinstance(record_id, int) and private:
        card = EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=record_id)
        return keyboard([button(_("📂 Open card"), card)])
    template_id = payload.get("template_id")
    if kind != "automation_template" or not isinstance(template_id, int):
        return None
    deal_id = payload.get("deal_id")
    data = TplCb(
        action=TplAction.CHOOSE,
        template_id=template_id,
        client_id=0 if deal_id else int(payload.get("client_id") or 0),
        deal_id=int(deal_id or 0),
    )
    label = _("📄 Get the document") if payload.get("docx") else _("📨 Fill it again")
    return keyboard([button(label, data)])
