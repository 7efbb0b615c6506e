"""Clients: the rules for seeing one, their contacts, and creating them (with duplicate checks).

Every change writes its event and refreshes the client's search keys in the
same transaction (see ``crm.client_edits`` for the changes after creation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import client_tags, events, groups, visibility
from crm.automation import triggers
from crm.cards import Fill
from crm.client_index import search_text
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, InvalidInput, NotFound
from crm.event_data import ClientCreated, TagsChanged
from crm.events import EventKind
from crm.parsing.search_text import fold, one_line, tag_text
from crm.row_locks import locked
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import Client, ClientEmail, ClientPhone, ClientTag, User

MAX_NAME = 200
MAX_TAG = 64
MAX_TAGS = 30
TEXT_FIELDS = {"name": 200, "company": 200, "city": 100, "address": 300, "source": 100}
TextField = Literal["name", "company", "city", "address", "source"]


@dataclass(frozen=True)
class ClientDraft:
    name: str
    phones: tuple[str, ...] = ()  # E.164, already parsed
    emails: tuple[str, ...] = ()  # already lower-cased and checked
    company: str | None = None
    city: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()  # as typed; cleaned by ``Clients.create``


@dataclass(frozen=True)
class DuplicateFound:
    """A phone or email of the new client is known already."""

    client_id: int
    by: Literal["phone", "email"]
    value: str
    visible: bool  # False: it belongs to someone whose clients the actor does not see
    name: str | None = None
    archived: bool = False


@dataclass
class Contacts:
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def clean_text(value: str | None, field_name: str, required: bool = False) -> str | None:
    """Whitespace collapsed; empty becomes None (or an error when required); length checked."""
    text = one_line(value or "")
    if field_name == "name" and text and not any(char.isalnum() for char in text):
        # Dashes, dots or 🎉 are no name; asked for one, say why it is not taken.
        if required:
            raise InvalidInput(ErrorCode.NO_LETTERS, field=field_name)
        return None
    if not text:
        if required:
            raise InvalidInput(ErrorCode.EMPTY, field=field_name)
        return None
    limit = TEXT_FIELDS[field_name]
    if len(text) > limit:
        raise InvalidInput(ErrorCode.TOO_LONG, field=field_name, limit=limit)
    return text


def clean_tag(tag: str) -> str:
    """A tag as typed (``search_text.tag_text``: ``#vip.`` is vip), refused when empty or
    too long."""
    text = tag_text(tag)
    if not text:
        raise InvalidInput(ErrorCode.EMPTY, field="tag")
    if len(text) > MAX_TAG:
        raise InvalidInput(ErrorCode.TOO_LONG, field="tag", limit=MAX_TAG)
    return text


def clean_tags(tags: Iterable[str]) -> list[str]:
    """A new card's tags cleaned, sorted, at most ``MAX_TAGS`` of them."""
    cleaned = sorted({clean_tag(tag) for tag in tags})
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(ErrorCode.TOO_MANY_TAGS, limit=MAX_TAGS)
    return cleaned


class Clients:
    def __init__(self, session: AsyncSession, clock: Clock, settings: TeamSettings) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings

    # --- reading one, with the rules ----------------------------------------------

    async def visible(self, actor: User, client_id: int, lock: bool = False) -> Client:
        """The client if ``actor`` may see it; NotFound otherwise (the two look the same).
        With ``lock``, its row is locked until commit (crm.row_locks)."""
        session = self._session
        client = await (
            locked(session, Client, client_id) if lock else session.get(Client, client_id)
        )
        if client is None or not visibility.can_see_client(
            actor, client, await self._settings.managers_see_all()
        ):
            raise NotFound()
        return client

    async def visible_unchecked(self, client_id: int) -> Client | None:
        """The client row for bookkeeping (last activity) after access was checked elsewhere."""
        return await self._session.get(Client, client_id)

    async def contacts(self, client_id: int) -> Contacts:
        phones = await self._session.scalars(
            select(ClientPhone.e164)
            .where(ClientPhone.client_id == client_id)
            .order_by(ClientPhone.id)
        )
        emails = await self._session.scalars(
            select(ClientEmail.email)
            .where(ClientEmail.client_id == client_id)
            .order_by(ClientEmail.id)
        )
        tags = await self._session.scalars(
            select(ClientTag.tag).where(ClientTag.client_id == client_id).order_by(ClientTag.tag)
        )
        return Contacts(list(phones), list(emails), list(tags))

    async def find_duplicate(
        self, actor: User, phones: tuple[str, ...], emails: tuple[str, ...]
    ) -> DuplicateFound | None:
        found: tuple[Literal["phone", "email"], str, int] | None = None
        for phone in phones:
            client_id = await self._session.scalar(
                select(ClientPhone.client_id).where(ClientPhone.e164 == phone).limit(1)
            )
            if client_id is not None:
                found = ("phone", phone, client_id)
                break
        if found is None:
            for email in emails:
                client_id = await self._session.scalar(
                    select(ClientEmail.client_id).where(ClientEmail.email == email).limit(1)
                )
                if client_id is not None:
                    found = ("email", email, client_id)
                    break
        if found is None:
            return None
        by, value, client_id = found
        client = await self._session.get(Client, client_id)
        assert client is not None
        visible = visibility.can_see_client(actor, client, await self._settings.managers_see_all())
        return DuplicateFound(
            client_id=client.id,
            by=by,
            value=value,
            visible=visible,
            name=client.name if visible else None,
            archived=client.archived_at is not None,
        )

    async def refuse_duplicate(
        self, actor: User, phones: tuple[str, ...], emails: tuple[str, ...]
    ) -> None:
        """A phone or email added to a card may not be another client's (as at creation)."""
        found = await self.find_duplicate(actor, phones, emails)
        if found is not None:
            raise Conflict(
                ErrorCode.DUPLICATE_PHONE if found.by == "phone" else ErrorCode.DUPLICATE_EMAIL,
                value=found.value,
                name=found.name or "",
                visible=found.visible,
                client_id=found.client_id,
            )

    # --- creating ------------------------------------------------------------------

    async def create(
        self, actor: User, draft: ClientDraft, force: bool = False, *fill: Fill
    ) -> Client | DuplicateFound:
        name = clean_text(draft.name, "name", required=True)
        assert name is not None
        company = clean_text(draft.company, "company")
        city = clean_text(draft.city, "city")
        source = clean_text(draft.source, "source")
        phones = tuple(dict.fromkeys(draft.phones))
        emails = tuple(dict.fromkeys(email.lower() for email in draft.emails))
        tags = clean_tags(draft.tags)
        async with write_transaction(self._session):
            if not force:
                duplicate = await self.find_duplicate(actor, phones, emails)
                if duplicate is not None:
                    return duplicate
            now = self._clock.now()
            client = Client(
                name=name,
                name_folded=fold(name),
                company=company,
                city=city,
                source=source,
                status="new",
                manager_id=actor.id,
                created_by=actor.id,
                created_at=now,
                last_activity_at=now,
                custom_fields={},
            )
            self._session.add(client)
            await self._session.flush()
            self._session.add_all(phone_rows(client.id, phones))
            self._session.add_all(ClientEmail(client_id=client.id, email=e) for e in emails)
            await client_tags.put_on(self._session, client.id, tags)
            client.search_text = search_text(name, company, city, emails, tags, phones)
            await groups.announce(
                self._session,
                now,
                "new_client",
                groups.card_key(client.id, now),
                {"client_id": client.id, "name": name, "company": company, "by": actor.id},
            )
            created = events.record(
                self._session,
                self._clock,
                EventKind.CLIENT_CREATED,
                actor.id,
                client_id=client.id,
                data=ClientCreated(name=name, phones=list(phones), emails=list(emails)),
            )
            if tags:  # typed with the client (``/new Иван #опт``): on its timeline as any tag
                events.record(
                    self._session,
                    self._clock,
                    EventKind.TAGS_CHANGED,
                    actor.id,
                    client_id=client.id,
                    data=TagsChanged(added=tags, removed=[]),
                )
            for then in fill:  # its custom values (crm.new_cards), before the trigger sees it
                await then(client)
            await triggers.on_event(self._session, self._clock, created)
            return client


def phone_rows(client_id: int, phones: tuple[str, ...]) -> list[ClientPhone]:
    return [ClientPhone(client_id=client_id, e164=p, digits=p.lstrip("+")) for p in phones]
