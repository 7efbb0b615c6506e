"""Lead intake screens and notices: data in, text and buttons out. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Code, Text, as_key_value, as_line, as_list
from aiogram.utils.i18n import gettext as _

from crm.intake.queue import QUEUE_PAGE, QueuedLead, Spammed
from crm.intake.spam_card import CardFate
from crm.outbox import OutboxKind
from handlers.clients.callbacks import ClientCb
from handlers.intake.callbacks import LeadAction, LeadCb, SourceAction, SourceCb, SourceTeamCb
from handlers.kit.keyboards import back_row, button, keyboard, pager
from handlers.kit.labels import local_time
from handlers.kit.responsible import TEAM_PAGE, page_of
from handlers.kit.screen import clipped
from handlers.settings.callbacks import SettingsCb
from storage.models import LeadSource, User


def lead_notice(kind: str, payload: dict[str, Any]) -> tuple[Text, InlineKeyboardMarkup]:
    """The outbox message about a new lead: to its member, or (queued) to owners and groups."""
    title = (
        _("New lead in the queue: nobody has it yet")
        if kind == OutboxKind.LEAD_QUEUE
        else _("New lead for you")
    )
    lines: list[Text | str] = [Bold(f"📥 {title}")]
    lines.append(as_key_value(_("Source"), str(payload.get("source") or "—")))
    lines.append(as_key_value(_("Name"), str(payload.get("name") or "—")))
    for key, label in (("phone", _("Phone")), ("email", _("Email")), ("comment", _("Comment"))):
        if payload.get(key):
            lines.append(as_key_value(label, str(payload[key])))
    client_id = int(payload.get("client_id") or 0)
    rows = [button(_("Open"), ClientCb(action="open", client_id=client_id))]
    if kind == OutboxKind.LEAD_QUEUE:
        lead_id = int(payload.get("lead_id") or 0)
        rows.append(button(_("✋ Take it"), LeadCb(action=LeadAction.TAKE, lead_id=lead_id)))
    return as_list(*lines), keyboard(rows)


def lead_preview(
    lead: QueuedLead, phones: Sequence[str], emails: Sequence[str], tz: str
) -> tuple[Text, InlineKeyboardMarkup]:
    """A queued lead on a card its reader may not open yet (held by a member who has left):
    what they would take, with Take it and Spam; the card opens once it is theirs."""
    lines: list[Text | str] = [
        Bold(f"📥 {clipped(lead.name, 200)}"),
        as_key_value(_("Source"), clipped(lead.source or _("Telegram"), 80)),
        as_key_value(_("Received"), local_time(lead.received_at, tz)),
    ]
    for label, values in ((_("Phone"), phones), (_("Email"), emails)):
        if values:
            lines.append(as_key_value(label, ", ".join(values[:5])))
    lines.append(
        _(
            "The card was held by a member who has left the team. Take the lead to open "
            "the card and work with the client."
        )
    )
    take = button(_("✋ Take it"), LeadCb(action=LeadAction.TAKE, lead_id=lead.lead_id))
    spam = button(_("🚫 Spam"), LeadCb(action=LeadAction.SPAM, lead_id=lead.lead_id))
    opened = button(_("Open"), ClientCb(action="open", client_id=lead.client_id))
    return as_list(*lines), keyboard([take, spam], [opened])


def incoming_screen(
    leads: Sequence[QueuedLead], tz: str, page: int = 0, total: int = 0
) -> tuple[Text, InlineKeyboardMarkup]:
    """The queue's page ``page`` (``QUEUE_PAGE`` leads a page, ``total`` in all) with a row
    of buttons per lead: open its card, take it, or call it spam; ◀️ n/N ▶️ between pages."""
    if not leads:
        return Text(_("The incoming queue is empty: every new lead has someone.")), keyboard()
    heading = _("Incoming leads, newest first")
    first = page * QUEUE_PAGE + 1
    if total > len(leads):
        heading = _("Incoming leads, newest first: {first}–{last} of {total}").format(
            first=first, last=first + len(leads) - 1, total=total
        )
    lines = [as_line(Bold(heading))]
    rows = []
    listed = page + 1  # the page a press on it shows again
    for number, lead in enumerate(leads, first):
        source = lead.source or _("Telegram")
        when = local_time(lead.received_at, tz)
        name, source = clipped(lead.name, 80), clipped(source, 40)  # 20 leads within 4096
        lines.append(as_line(f"{number}. {name} · {source} · {when}"))
        rows.append(
            [
                button(
                    f"{number}. {lead.name}"[:40], ClientCb(action="open", client_id=lead.client_id)
                ),
                button(
                    _("✋ Take it"),
                    LeadCb(action=LeadAction.TAKE, lead_id=lead.lead_id, listed=listed),
                ),
                button(
                    _("🚫 Spam"),
                    LeadCb(action=LeadAction.SPAM, lead_id=lead.lead_id, listed=listed),
                ),
            ]
        )
    pages = pager(
        page,
        -(-total // QUEUE_PAGE),
        lambda number: LeadCb(action=LeadAction.LIST, listed=number + 1),
    )
    return Text(*lines), keyboard(*rows, *([pages] if pages else []))


def assignment_label(source: LeadSource, names: dict[int, str]) -> str:
    members = ", ".join(names.get(int(m), str(m)) for m in source.member_ids)
    if source.assign == "member":
        return _("all to {name}").format(name=members)
    if source.assign == "round_robin":
        return _("in turn: {names}").format(names=members)
    return _("nobody: the incoming queue")


def sources_screen(sources: Sequence[LeadSource]) -> tuple[Text, InlineKeyboardMarkup]:
    text = Text(
        as_line(Bold(_("Lead sources"))),
        _("Website forms that post leads to the bot. Each has its own secret address.")
        if sources
        else _("No sources yet. Add one for each form or site."),
    )
    rows = [
        [button(f"🌐 {s.name}", SourceCb(action=SourceAction.SHOW, source_id=s.id))]
        for s in sources
    ]
    rows.append([button(_("➕ Add a source"), SourceCb(action=SourceAction.ADD))])
    rows.append(back_row(_("Settings"), SettingsCb(action="main")))
    return text, keyboard(*rows)


def source_screen(
    source: LeadSource,
    team: Sequence[User],
    names: dict[int, str],
    public_url: str | None,
    token: str | None,
    page: int = 0,
) -> tuple[Text, InlineKeyboardMarkup]:
    """A source: who gets its leads (``names``: every member's), buttons for ``team``'s,
    ``TEAM_PAGE`` of them on page ``page``."""
    parts: list[Text | str] = [
        as_line(Bold(f"🌐 {source.name}")),
        as_line(as_key_value(_("Who gets its leads"), assignment_label(source, names))),
        as_line(
            as_key_value(_("Open a deal for each lead"), _("yes") if source.open_deal else _("no"))
        ),
    ]
    if token is not None:
        base = (public_url or "https://<PUBLIC_URL>").rstrip("/")
        parts += [
            as_line(Bold(_("The form's address (shown only now; keep it secret):"))),
            as_line(Code(f"POST {base}/leads/{token}")),
            as_line(
                _(
                    "Tilda: Site settings → Forms → Webhook: paste the address, "
                    "then tick the webhook in each form's settings. Any other form: "
                    "send the fields (name, phone, email, comment, utm_*) to this address "
                    "as JSON or a normal form post."
                )
            ),
        ]
        if not public_url:
            parts.append(
                as_line(_("PUBLIC_URL is not set: ask whoever runs the bot for the address."))
            )
    else:
        parts.append(
            as_line(_("The address was shown when it was made; replace the token for a new one."))
        )
    sid = source.id
    in_turn = {int(m) for m in source.member_ids} if source.assign == "round_robin" else set()
    shown, page, pages = page_of(team, page, TEAM_PAGE)

    def to_page(number: int) -> SourceTeamCb:
        return SourceTeamCb(action=SourceAction.SHOW, source_id=sid, page=number)

    def team_cb(action: SourceAction, member_id: int) -> SourceTeamCb:
        return SourceTeamCb(action=action, source_id=sid, member_id=member_id, page=page)

    pages_row = pager(page, pages, to_page)
    rows = [
        [button(_("📥 Queue"), SourceCb(action=SourceAction.QUEUE, source_id=sid))],
        *[
            [
                button(
                    ("👤 " if source.assign == "member" and m.id in source.member_ids else "")
                    + (m.full_name or str(m.id))[:30],
                    team_cb(SourceAction.MEMBER, m.id),
                ),
                button(
                    ("🔁✅ " if m.id in in_turn else "🔁 ") + _("in turn"),
                    team_cb(
                        SourceAction.TURN_OUT if m.id in in_turn else SourceAction.TURN_IN, m.id
                    ),
                ),
            ]
            for m in shown
        ],
        *([pages_row] if pages_row else []),
        [
            button(
                _("Deal for each lead: {state}").format(
                    state=_("yes") if source.open_deal else _("no")
                ),
                SourceCb(
                    action=SourceAction.DEAL_OFF if source.open_deal else SourceAction.DEAL_ON,
                    source_id=sid,
                ),
            )
        ],
        [button(_("🔑 Replace the token"), SourceCb(action=SourceAction.TOKEN, source_id=sid))],
        [button(_("🗑 Remove the source"), SourceCb(action=SourceAction.REMOVE, source_id=sid))],
        back_row(_("Lead sources"), SourceCb(action=SourceAction.LIST)),
    ]
    return Text(*parts), keyboard(*rows)


def spam_said(spammed: Spammed) -> str:
    """What marking a lead as spam did: a card only spam brought in is archived, made or
    brought back from the archive (crm.intake.spam_card); one another lead on it waits for,
    or a member took another of its leads or restored it by hand since, stays, and the member
    is told why; a card known before it stays; a deal the lead opened goes to the lost stage
    unless it was closed already or its pipeline has no lost stage."""
    lost = spammed.deal_lost
    match spammed.card:
        case CardFate.MADE if spammed.lead.new_client:
            if lost:
                return _("Marked as spam: the card it made is archived, its deal moved to lost.")
            return _("Marked as spam: the card it made is archived.")
        case CardFate.MADE:
            if lost:
                return _(
                    "Marked as spam: its deal moved to lost; the card an earlier lead made, "
                    "spam too, is archived."
                )
            return _("Marked as spam; the card an earlier lead made, spam too, is archived.")
        case CardFate.RESTORED:
            if lost:
                return _(
                    "Marked as spam: the card it brought back from the archive is archived "
                    "again, its deal moved to lost."
                )
            return _("Marked as spam: the card it brought back from the archive is archived again.")
        case CardFate.RESTORED_BY_ANOTHER:
            if lost:
                return _(
                    "Marked as spam: its deal moved to lost; the card another lead brought "
                    "back from the archive, spam too, is archived again."
                )
            return _(
                "Marked as spam; the card another lead brought back from the archive, spam too, "
                "is archived again."
            )
        case CardFate.WAITING:
            if lost:
                return _(
                    "Marked as spam: its deal moved to lost; the card stays active while "
                    "another lead on it waits in /incoming."
                )
            return _(
                "Marked as spam; the card stays active while another lead on it waits in /incoming."
            )
        case CardFate.TAKEN:
            if lost:
                return _(
                    "Marked as spam: its deal moved to lost; the card stays, a member took "
                    "another of its leads."
                )
            return _("Marked as spam; the card stays, a member took another of its leads.")
        case CardFate.RESTORED_BY_MEMBER:
            if lost:
                return _(
                    "Marked as spam: its deal moved to lost; the card stays, a member brought "
                    "it back from the archive."
                )
            return _("Marked as spam; the card stays, a member brought it back from the archive.")
    if lost:
        return _(
            "Marked as spam: its deal moved to lost; the client's card was there before, "
            "so it stays."
        )
    return _("Marked as spam; the client's card was there before, so it stays.")
