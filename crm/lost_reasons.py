"""What the owner may add to the lost reasons: few enough for one picker under a deal, and
none that reads like another (a second "too expensive" is two identical buttons)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.errors import ErrorCode, InvalidInput
from crm.parsing.search_text import fold
from storage.models import Client, Deal, Lead, LostReason

MAX_REASONS = 30

# The built-in reasons as either language shows them.
BUILTIN_REASON_NAMES: dict[str, tuple[str, ...]] = {
    "expensive": ("too expensive", "дорого"),
    "competitor": ("chose a competitor", "выбрали конкурента"),
    "no_answer": ("no reply", "нет ответа"),
    "irrelevant": ("no longer relevant", "неактуально"),
}


def builtin_reason(text: str | None) -> str | None:
    """The code of the built-in reason ``text`` reads as in either language (a deal keeps its
    reason in the words of the member who chose it), or None."""
    wanted = fold(text or "")
    found = (code for code, names in BUILTIN_REASON_NAMES.items() if wanted in map(fold, names))
    return next(found, None)


def same_reason(text: str | None) -> str:
    """One key for the reason whatever language it was chosen in: a built-in reason's English
    name (shown in the reader's words by the bot), any other as typed; none: "—"."""
    code = builtin_reason(text)
    return BUILTIN_REASON_NAMES[code][0] if code else text or "—"


async def refuse_reason(session: AsyncSession, text: str, renamed: int | None = None) -> None:
    """Raise unless ``text`` may be a new reason (or the new text of reason ``renamed``)."""
    if renamed is None:
        count = await session.scalar(select(func.count()).select_from(LostReason))
        if (count or 0) >= MAX_REASONS:
            raise InvalidInput(ErrorCode.TOO_MANY_REASONS, limit=MAX_REASONS)
    wanted = fold(text)
    for reason in await session.scalars(select(LostReason).where(LostReason.id != renamed)):
        shown = (reason.text,) if reason.text else BUILTIN_REASON_NAMES.get(reason.code or "", ())
        if any(fold(name) == wanted for name in shown):
            raise InvalidInput(ErrorCode.REASON_TAKEN, name=text)


def not_spam() -> ColumnElement[bool]:
    """A deal that is not lost as spam: a lead thrown out as spam closes its deal at its own
    ``spam_at`` (crm.intake.queue), which no lost sale shares, whatever its reason is named
    (a team's own reason may be "spam" too). Spam is no lost sale: the lost figures, the
    lost reasons and the digest leave it out. A deal reopened and lost again counts."""
    return ~exists().where(Lead.deal_id == Deal.id, Lead.spam_at == Deal.closed_at)


def not_spam_card() -> ColumnElement[bool]:
    """A client that is not a card spam made: one a lead thrown out as spam made, that Spam
    archived (its ``archived_at`` is a spam lead's ``spam_at``, crm.intake.spam_card), is
    no new client of its source in /report or the summary. Restored by a member, by a
    message in its chat or by a new lead (and archived again by hand), it counts again;
    a card a real lead or a member made counts, whatever spam later did to it."""
    made_by_spam = exists().where(
        Lead.client_id == Client.id, Lead.new_client, Lead.spam_at.is_not(None)
    )
    archived_by_spam = exists().where(
        Lead.client_id == Client.id, Lead.spam_at == Client.archived_at
    )
    return ~(made_by_spam & archived_by_spam)
