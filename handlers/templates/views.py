"""Templates' screens: the owner's list, one template, and "📨 Send" from a card.
Pure: data in, a ``Screen`` out."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.templates import Check, Filled
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.deals.callbacks import DealAction, DealCb
from handlers.kit.keyboards import back_row, button, confirm, keyboard, pick
from handlers.kit.rules_in_use import rules_in_use
from handlers.kit.screen import Screen, message_parts
from handlers.kit.timeline import shorten
from handlers.settings.callbacks import SettingsCb
from handlers.templates.callbacks import TplAction, TplCb
from storage.models import Template

MAX_SHOWN = 1500  # of a template's text on its screen
TITLE = 40


def send_button(client_id: int | None = None, deal_id: int | None = None) -> InlineKeyboardButton:
    """The "📨 Send" button of a client's or a deal's card."""
    data = TplCb(action=TplAction.PICK, client_id=client_id or 0, deal_id=deal_id or 0)
    return button(_("📨 Send"), data)


def cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, its lines kept."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _icon(template: Template) -> str:
    return "📄" if template.kind == "docx" else "📝"


def _names(names: list[str], custom: list[tuple[str, str]] | None = None) -> str:
    """``{client.company}, {custom.3} (Contract end)``: a custom field with its name."""
    labels = dict(custom or [])
    return ", ".join(
        f"{{{name}}}" + (f" ({labels[name]})" if name in labels else "") for name in names
    )


def placeholder_names(names: list[str]) -> str:
    """``{client.name}, {today}``, or "—" for none."""
    return ", ".join(f"{{{name}}}" for name in names) or "—"


def templates_screen(templates: list[Template], note: str | None = None) -> Screen:
    lines: list[Text | str] = [Bold(_("📄 Templates"))]
    if note:
        lines.append(note)
    if not templates:
        lines.append(
            _(
                "No templates yet. A message template is text with placeholders like "
                "{client.name}; a document template is a .docx with the same placeholders inside."
            )
        )
    items = [
        (f"{_icon(t)} {shorten(t.name, TITLE)}", TplCb(action=TplAction.OPEN, template_id=t.id))
        for t in templates
    ]
    return Screen(
        as_list(*lines),
        keyboard(
            *pick(items),
            [
                button(_("➕ Message"), TplCb(action=TplAction.ADD_TEXT)),
                button(_("➕ Document (.docx)"), TplCb(action=TplAction.ADD_DOC)),
            ],
            back_row(_("Settings"), SettingsCb(action="main")),
        ),
    )


def template_screen(template: Template) -> Screen:
    kind = _("document (.docx)") if template.kind == "docx" else _("message")
    lines: list[Text | str] = [
        Bold(f"{_icon(template)} {template.name}"),
        _("Kind: {kind}").format(kind=kind),
        _("Placeholders: {names}").format(names=_names(template.placeholders) or "—"),
    ]
    if template.body:
        lines.append(cut(template.body, MAX_SHOWN))
    back = TplCb(action=TplAction.LIST)
    delete = TplCb(action=TplAction.DELETE, template_id=template.id)
    rows = [[button(_("🗑 Delete"), delete)]]
    if template.kind == "docx":
        new_file = TplCb(action=TplAction.NEW_FILE, template_id=template.id)
        rows.insert(0, [button(_("🔁 Replace the file"), new_file)])
    return Screen(as_list(*lines), keyboard(*rows, back_row(_("Templates"), back)))


def delete_screen(template: Template, rules: Sequence[str] = ()) -> Screen:
    """``rules``: the names of the automation rules that prepare it."""
    question = _("Delete the template «{name}»?").format(name=template.name)
    text = Text("\n".join(filter(None, (question, rules_in_use(rules)))))
    yes = TplCb(action=TplAction.DELETE_YES, template_id=template.id)
    no = TplCb(action=TplAction.OPEN, template_id=template.id)
    return Screen(text, keyboard(confirm(_("🗑 Delete"), yes, no)))


def ask_name_text() -> str:
    return _("Send the new message template's name, like “Offer”.")


def custom_hint(custom: list[tuple[str, str]]) -> str:
    """The team's own fields as placeholders: "Your fields: {custom.3} — Contract end"."""
    if not custom:
        return ""
    names = ", ".join(f"{{{key}}} — {name}" for key, name in custom)
    return "\n" + _("Your fields: {names}.").format(names=names)


def ask_body_text(custom: list[tuple[str, str]]) -> str:
    return _(
        "Now send its text. Placeholders: {client.name}, {client.company}, {client.phone}, "
        "{deal.title}, {deal.amount}, {manager.name}, {manager.phone}, {today}."
    ) + custom_hint(custom)


def ask_document_text(custom: list[tuple[str, str]]) -> str:
    return _(
        "Send the .docx file (up to 5 MB). Write placeholders in it like {client.name}, "
        "{deal.amount} or {today}; the file's name becomes the template's name."
    ) + custom_hint(custom)


def back_to_card(client_id: int, deal_id: int) -> InlineKeyboardButton:
    if deal_id:
        return button(_("◀️ Deal"), DealCb(action=DealAction.OPEN, deal_id=deal_id))
    return button(_("◀️ Client"), ClientCb(action=CardAction.OPEN, client_id=client_id))


def pick_screen(templates: list[Template], client_id: int, deal_id: int) -> Screen:
    if not templates:
        text = _("No templates yet: the owner adds them in /settings → Templates.")
    else:
        text = _("Which template should I fill?")
    items = [
        (
            f"{_icon(t)} {shorten(t.name, TITLE)}",
            TplCb(action=TplAction.CHOOSE, template_id=t.id, client_id=client_id, deal_id=deal_id),
        )
        for t in templates
    ]
    return Screen(Text(text), keyboard(*pick(items), [back_to_card(client_id, deal_id)]))


def _card_cb(action: TplAction, check: Check) -> TplCb:
    return TplCb(
        action=action,
        template_id=check.template.id,
        client_id=check.client.id if check.deal is None else 0,
        deal_id=check.deal.id if check.deal is not None else 0,
    )


def fill_button(check: Check, name: str, custom: list[tuple[str, str]]) -> InlineKeyboardButton:
    data = _card_cb(TplAction.FILL, check)
    label = shorten(dict(custom).get(name) or f"{{{name}}}", TITLE)
    return button(_("✏️ Fill {name} now").format(name=label), data)


def missing_screen(
    check: Check, fillable: list[str], custom: list[tuple[str, str]] | None = None
) -> Screen:
    custom = custom or []
    choice = (
        _("Fill the field now, or send it with these places left empty.")
        if fillable
        else _("Send it with these places left empty, or fill them on the card first.")
    )
    text = Text(
        _("«{template}» has no value for: {names}.").format(
            template=check.template.name, names=_names(check.missing, custom)
        ),
        "\n",
        choice,
    )
    rows = [[fill_button(check, fillable[0], custom)]] if fillable else []
    ids = (check.client.id if check.deal is None else 0, check.deal.id if check.deal else 0)
    return Screen(
        text,
        keyboard(
            *rows,
            [button(_("📨 Send anyway"), _card_cb(TplAction.READY, check))],
            [back_to_card(*ids)],
        ),
    )


def ask_fill_text(name: str, custom: list[tuple[str, str]]) -> str:
    texts = {
        "client.company": _("Send the client's company."),
        "client.phone": _("Send the client's phone, like +7 999 123-45-67."),
        "deal.amount": _("Send the deal's amount, like 150000 or 150k."),
    }
    label = dict(custom).get(name, name)
    return texts.get(name) or _("Send the value of «{field}».").format(field=label)


def filled_meanwhile(name: str, value: str, custom: list[tuple[str, str]]) -> str:
    """The field asked for was filled by someone else before the member's value came."""
    label = dict(custom).get(name) or f"{{{name}}}"
    return _(
        "Someone filled {field} meanwhile: «{value}». Yours was not saved; the template "
        "is filled with what the card has now."
    ).format(field=label, value=shorten(value, 200))


def ready_buttons(check: Check, mail_on: bool) -> list[list[InlineKeyboardButton]]:
    rows = []
    if mail_on:
        rows.append([button(_("📧 Send by email"), _card_cb(TplAction.EMAIL, check))])
    ids = (check.client.id if check.deal is None else 0, check.deal.id if check.deal else 0)
    rows.append([back_to_card(*ids)])
    return rows


def ready_screens(check: Check, filled: Filled, mail_on: bool) -> list[Screen]:
    """The filled message, to forward or copy into the client's chat: whole, in as many
    messages as Telegram needs for it, the buttons under the last."""
    text = filled.text or ""
    empty = not text.strip()
    if empty:  # every place in it empty: Telegram sends no empty message, nor is it mailed
        text = _("(Empty: this template has nothing but places, and none has a value here.)")
    parts = message_parts(text)
    buttons = keyboard(*ready_buttons(check, mail_on and not empty))
    return [
        Screen(Text(part), buttons if n == len(parts) else None) for n, part in enumerate(parts, 1)
    ]


def document_caption(filled: Filled) -> str:
    return _("«{template}», filled.").format(template=filled.template.name)


def emailed_text(template: str, address: str) -> str:
    return _("📧 «{template}» sent to {address}.").format(template=template, address=address)


def email_body() -> str:
    """The letter's text when the template is a document, in the member's language."""
    return _("Hello! Please find the document attached.")
