"""What an import needs to know of the base: known phones and e-mails, names, stages, members."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.imports.rows import RowDraft
from crm.parsing.search_text import fold
from storage.models import Client, ClientEmail, ClientPhone, Stage, User

CHUNK = 500  # values per IN (…): well under every backend's parameter limit

# Built-in stages and statuses by their names in Russian and English, as people write them.
# The bot's own names of the built-in stages (handlers.kit.stages, in both languages: what
# the deals export writes) are among them, so that an export sent back finds its stages.
STAGE_WORDS = {
    "lead": ("лид", "новый", "новая", "новый лид", "new lead", "lead", "new"),
    "contact": (
        "контакт",
        "первый контакт",
        "контакт установлен",
        "contact",
        "contacted",
        "contact made",
        "квалификация",
    ),
    "meeting": ("встреча", "meeting", "демо", "demo"),
    "proposal": ("предложение", "кп", "коммерческое предложение", "proposal", "offer"),
    "invoice": (
        "счет",
        "счёт",
        "выставлен счет",
        "счёт выставлен",
        "invoice",
        "invoiced",
        "invoice sent",
        "оплата",
    ),
    "won": ("выиграна", "успешно", "успех", "оплачено", "продажа", "won", "paid", "closed won"),
    "lost": (
        "проиграна",
        "проиграно",
        "отказ",
        "потеряна",
        "закрыто и не реализовано",
        "lost",
        "closed lost",
    ),
}
STATUS_WORDS = {
    "new": ("новый", "new"),
    "cold": ("холодный", "cold"),
    "warm": ("теплый", "тёплый", "warm"),
    "hot": ("горячий", "hot"),
    "vip": ("vip", "вип"),
    "regular": ("постоянный", "regular"),
}


@dataclass
class Known:
    """Existing clients that rows match: by the card's number of our /export (when the card
    still has the row's name: another program's "ID" column, or an id whose card was deleted,
    matches nothing), phone, e-mail or (for deals) name; a row marked archived with neither
    phone nor e-mail (our /export sent back, an older one without numbers) by name in the
    archive."""

    by_phone: dict[str, int]
    by_email: dict[str, int]
    by_name: dict[str, int]
    archived_by_name: dict[str, int] = field(default_factory=dict)
    names_by_id: dict[int, str] = field(default_factory=dict)  # folded

    def match(self, draft: RowDraft) -> int | None:
        if draft.card_id and self.names_by_id.get(draft.card_id) == fold(draft.name):
            return draft.card_id
        for phone in draft.phones:
            if phone in self.by_phone:
                return self.by_phone[phone]
        for email in draft.emails:
            if email in self.by_email:
                return self.by_email[email]
        found = self.by_name.get(fold(draft.name)) if draft.has_deal else None
        if found is None and _archived_nameonly(draft):
            found = self.archived_by_name.get(fold(draft.name))
        return found


def _archived_nameonly(draft: RowDraft) -> bool:
    return draft.archived and not draft.phones and not draft.emails


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


async def known(session: AsyncSession, drafts: list[RowDraft]) -> Known:
    phones = sorted({p for d in drafts for p in d.phones})
    emails = sorted({e for d in drafts for e in d.emails})
    names = sorted({fold(d.name) for d in drafts if d.has_deal})
    archived = sorted({fold(d.name) for d in drafts if _archived_nameonly(d)})
    result = Known({}, {}, await _by_name(session, names, False))
    result.archived_by_name = await _by_name(session, archived, True)
    numbers = sorted({d.card_id for d in drafts if d.card_id})
    for start in range(0, len(numbers), CHUNK):
        named = await session.execute(
            select(Client.id, Client.name_folded).where(
                Client.id.in_(numbers[start : start + CHUNK])
            )
        )
        result.names_by_id.update((client_id, name) for client_id, name in named)
    for part in _chunks(phones):
        rows = await session.execute(
            select(ClientPhone.e164, ClientPhone.client_id).where(ClientPhone.e164.in_(part))
        )
        for phone, client_id in rows:
            result.by_phone.setdefault(phone, client_id)
    for part in _chunks(emails):
        rows = await session.execute(
            select(ClientEmail.email, ClientEmail.client_id).where(ClientEmail.email.in_(part))
        )
        for email, client_id in rows:
            result.by_email.setdefault(email, client_id)
    return result


async def unseen(
    session: AsyncSession, key: Any, seen: ColumnElement[bool], ids: Iterable[int]
) -> set[int]:
    """Of the cards ``ids`` (``key``: their table's id column), those not ``seen`` by the
    reader (``crm.visibility.visible_clients``, ``crm.cards.visible_records``): a row
    matching one is skipped, never filled in (nor given a deal), unless "Create anyway"."""
    wanted = sorted(set(ids))
    hidden: set[int] = set()
    query = select(key).where(not_(seen))
    for start in range(0, len(wanted), CHUNK):
        hidden.update(await session.scalars(query.where(key.in_(wanted[start : start + CHUNK]))))
    return hidden


async def _by_name(session: AsyncSession, names: list[str], archived: bool) -> dict[str, int]:
    """The active (or archived) clients by folded name; a name two cards share matches none."""
    found: dict[str, int] = {}
    archive = Client.archived_at
    for part in _chunks(names):
        rows = await session.execute(
            select(Client.name_folded, Client.id)
            .where(Client.name_folded.in_(part))
            .where(archive.is_not(None) if archived else archive.is_(None))
            .order_by(Client.id)
        )
        seen: dict[str, int | None] = {}
        for name, client_id in rows:
            seen[name] = None if name in seen else client_id
        found.update({name: cid for name, cid in seen.items() if cid is not None})
    return found


async def stage_names(session: AsyncSession, pipeline_id: int) -> dict[str, Stage]:
    """Each stage under its own name, its code, and the built-in names for that code."""
    stages = list(await session.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id)))
    names: dict[str, Stage] = {}
    for stage in stages:
        for word in STAGE_WORDS.get(stage.code or "", ()):
            names.setdefault(fold(word), stage)
    for stage in stages:
        if stage.code:
            names[fold(stage.code)] = stage
        if stage.name:
            names[fold(stage.name)] = stage
    return names


async def member_names(session: AsyncSession) -> dict[str, int]:
    """Active members by full name, first name and @username, folded."""
    names: dict[str, int] = {}
    for user in await session.scalars(select(User).where(User.active.is_(True))):
        if user.full_name:
            names.setdefault(fold(user.full_name), user.id)
            names.setdefault(fold(user.full_name.split()[0]), user.id)
        if user.username:
            names.setdefault(fold(user.username), user.id)
            names.setdefault("@" + fold(user.username), user.id)
    return names


def status_code(text: str | None, statuses: dict[str, str]) -> str:
    """A status code for what a cell says; ``statuses`` maps folded names to codes."""
    if not text:
        return "new"
    return statuses.get(fold(text), "new")


def status_names(codes: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in codes:
        for word in STATUS_WORDS.get(code, ()):
            names[fold(word)] = code
        names[fold(code)] = code
        if name:
            names[fold(name)] = code
    return names
