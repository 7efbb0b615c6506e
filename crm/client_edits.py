"""Changing a client after it exists: fields, phones, emails, status, tags, manager,
archive and delete. Each writes its event and refreshes the search keys."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from crm import client_tags, events, link_writes, notices, visibility
from crm.automation import triggers
from crm.client_index import search_text, with_fields
from crm.clients import (
    MAX_TAGS,
    Clients,
    Contacts,
    TextField,
    clean_tag,
    clean_text,
    phone_rows,
)
from crm.clock import Clock
from crm.errors import ErrorCode, InvalidInput, NotAllowed, refuse_filled
from crm.event_data import ClientDeleted, FieldChanged, ManagerChanged, StatusChanged, TagsChanged
from crm.parsing.search_text import fold, unseen
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import Client, ClientEmail, ClientPhone, ClientTag, User


class ClientEdits:
    def __init__(
        self, session: AsyncSession, clock: Clock, settings: TeamSettings, clients: Clients
    ) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings
        self._clients = clients

    async def visible(self, actor: User, client_id: int) -> Client:
        """Locked until commit: the edits rebuild its search line (crm.row_locks)."""
        return await self._clients.visible(actor, client_id, lock=True)

    async def contacts(self, client_id: int) -> Contacts:
        return await self._clients.contacts(client_id)

    async def edit_text(
        self, actor: User, client_id: int, field_name: TextField, value: str,
        only_if_empty: bool = False,
    ) -> Client:  # fmt: skip
        """``only_if_empty``: refused (``FILLED_MEANWHILE``) if the field has a value now."""
        if unseen(value):  # typed, but nothing of it shows: not a "clear it"
            raise InvalidInput(ErrorCode.EMPTY, field=field_name)
        cleaned = clean_text(value, field_name, required=field_name == "name")
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            contacts = await self.contacts(client.id)
            old = getattr(client, field_name)
            refuse_filled(only_if_empty, old)
            setattr(client, field_name, cleaned)
            if field_name == "name":
                client.name_folded = fold(cleaned or "")
            self._changed(actor, client, contacts, field_name, old, cleaned)
            return client

    async def set_phones(self, actor: User, client_id: int, phones: list[str]) -> Client:
        """Replace the phones with ``phones`` (E.164, already parsed)."""
        new = list(dict.fromkeys(phones))
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            contacts = await self.contacts(client.id)
            await self._clients.refuse_duplicate(
                actor, tuple(p for p in new if p not in contacts.phones), ()
            )
            old, contacts.phones = contacts.phones, new
            await self._session.execute(
                delete(ClientPhone).where(ClientPhone.client_id == client.id)
            )
            self._session.add_all(phone_rows(client.id, tuple(new)))
            self._changed(actor, client, contacts, "phones", old, new)
            return client

    async def set_emails(self, actor: User, client_id: int, emails: list[str]) -> Client:
        """Replace the emails with ``emails`` (already checked)."""
        new = list(dict.fromkeys(email.lower() for email in emails))
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            contacts = await self.contacts(client.id)
            await self._clients.refuse_duplicate(
                actor, (), tuple(e for e in new if e not in contacts.emails)
            )
            old, contacts.emails = contacts.emails, new
            await self._session.execute(
                delete(ClientEmail).where(ClientEmail.client_id == client.id)
            )
            self._session.add_all(ClientEmail(client_id=client.id, email=e) for e in new)
            self._changed(actor, client, contacts, "emails", old, new)
            return client

    async def add_phone(
        self, actor: User, client_id: int, phone: str, only_if_empty: bool = False
    ) -> Client:
        """Add one phone (E.164, already parsed); another client's is refused, and with
        ``only_if_empty`` any when the client has one now (``FILLED_MEANWHILE``)."""
        return await self._one(actor, client_id, "phones", phone, add=True, only=only_if_empty)

    async def remove_phone(self, actor: User, client_id: int, phone: str) -> Client:
        return await self._one(actor, client_id, "phones", phone, add=False)

    async def add_email(self, actor: User, client_id: int, email: str) -> Client:
        """Add one email (already checked); another client's, in any case, is refused."""
        return await self._one(actor, client_id, "emails", email.lower(), add=True)

    async def remove_email(self, actor: User, client_id: int, email: str) -> Client:
        return await self._one(actor, client_id, "emails", email.lower(), add=False)

    async def _one(
        self, actor: User, client_id: int, field: str, value: str, add: bool, only: bool = False
    ) -> Client:
        """Add or remove one phone or email; adding one already there or removing one that is
        not is a no-op (a double press). One ``field_changed`` event, as ``set_phones`` writes."""
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            contacts = await self.contacts(client.id)
            old: list[str] = list(getattr(contacts, field))
            refuse_filled(only, old)
            if (value in old) == add:
                return client
            phones = field == "phones"
            if add:
                one: tuple[str, ...] = (value,)
                await self._clients.refuse_duplicate(
                    actor, one if phones else (), () if phones else one
                )
                new = [*old, value]
                rows = phone_rows(client.id, (value,)) if phones else []
                self._session.add_all(rows or [ClientEmail(client_id=client.id, email=value)])
            else:
                new = [item for item in old if item != value]
                row: type[ClientPhone] | type[ClientEmail] = ClientPhone if phones else ClientEmail
                column = ClientPhone.e164 if phones else ClientEmail.email
                await self._session.execute(
                    delete(row).where(row.client_id == client.id, column == value)
                )
            setattr(contacts, field, new)
            self._changed(actor, client, contacts, field, old, new)
            return client

    def _changed(
        self,
        actor: User,
        client: Client,
        contacts: Contacts,
        field_name: str,
        old: object,
        new: object,
    ) -> None:
        if old == new:
            return
        self._touch(client, contacts)
        events.record(
            self._session,
            self._clock,
            events.EventKind.FIELD_CHANGED,
            actor.id,
            client_id=client.id,
            data=FieldChanged(field=field_name, old=old, new=new),
        )

    async def set_status(self, actor: User, client_id: int, code: str) -> Client:
        if await self._settings.status(code) is None:
            raise InvalidInput(ErrorCode.NO_SUCH_STATUS)
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            if client.status != code:
                old, client.status = client.status, code
                client.last_activity_at = self._clock.now()
                changed = events.record(
                    self._session,
                    self._clock,
                    events.EventKind.STATUS_CHANGED,
                    actor.id,
                    client_id=client.id,
                    data=StatusChanged(old=old, new=code),
                )
                await triggers.on_event(self._session, self._clock, changed)
            return client

    async def add_tags(self, actor: User, client_id: int, tags: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(clean_tag(tag) for tag in tags))
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            contacts = await self.contacts(client.id)
            added = [tag for tag in cleaned if tag not in contacts.tags]
            if len(contacts.tags) + len(added) > MAX_TAGS:
                raise InvalidInput(ErrorCode.TOO_MANY_TAGS, limit=MAX_TAGS)
            added = await client_tags.put_on(self._session, client.id, added)  # not another's
            contacts.tags = sorted({*contacts.tags, *cleaned})
            if added:
                self._touch(client, contacts)
                events.record(
                    self._session,
                    self._clock,
                    events.EventKind.TAGS_CHANGED,
                    actor.id,
                    client_id=client.id,
                    data=TagsChanged(added=added, removed=[]),
                )
            return contacts.tags

    async def remove_tag(self, actor: User, client_id: int, tag: str) -> list[str]:
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            contacts = await self.contacts(client.id)
            if tag in contacts.tags:
                await self._session.execute(
                    delete(ClientTag).where(ClientTag.client_id == client.id, ClientTag.tag == tag)
                )
                contacts.tags.remove(tag)
                self._touch(client, contacts)
                events.record(
                    self._session,
                    self._clock,
                    events.EventKind.TAGS_CHANGED,
                    actor.id,
                    client_id=client.id,
                    data=TagsChanged(added=[], removed=[tag]),
                )
            return contacts.tags

    async def set_manager(self, actor: User, client_id: int, manager_id: int | None) -> Client:
        if not visibility.can_reassign(actor):
            raise NotAllowed()
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            if manager_id is not None:
                manager = await self._session.get(User, manager_id)
                if manager is None or not manager.active:
                    raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
            if client.manager_id != manager_id:
                old, client.manager_id = client.manager_id, manager_id
                client.last_activity_at = self._clock.now()
                events.record(
                    self._session,
                    self._clock,
                    events.EventKind.MANAGER_CHANGED,
                    actor.id,
                    client_id=client.id,
                    data=ManagerChanged(old=old, new=manager_id),
                )
                await notices.client_assigned(self._session, self._clock, client, actor.id)
            return client

    # --- archive and delete ------------------------------------------------------------

    async def set_archived(self, actor: User, client_id: int, archived: bool) -> Client:
        async with write_transaction(self._session):
            client = await self.visible(actor, client_id)
            if (client.archived_at is not None) != archived:
                client.archived_at = self._clock.now() if archived else None
                events.record(
                    self._session,
                    self._clock,
                    events.EventKind.ARCHIVED if archived else events.EventKind.UNARCHIVED,
                    actor.id,
                    client_id=client.id,
                )
            return client

    async def delete(self, actor: User, client_id: int) -> str:
        """Delete for good (owners only). The deletion itself stays in the event log."""
        if not visibility.can_delete(actor):
            raise NotAllowed()
        async with write_transaction(self._session):
            # Its links and its deals' removed first, as unlinking by hand removes them
            # (crm.link_writes): each linked card's history says so; the cascade said nothing.
            gone = link_writes.client_and_deals(self._session, client_id)
            links = await link_writes.links_locked(self._session, gone)
            client = await self.visible(actor, client_id)
            await link_writes.unlink(self._session, self._clock, actor, links)
            name = client.name
            await notices.client_deleted(self._session, self._clock, client, actor.id)
            await self._session.delete(client)
            await self._session.flush()
            events.record(
                self._session,
                self._clock,
                events.EventKind.CLIENT_DELETED,
                actor.id,
                data=ClientDeleted(client_id=client_id, name=name),
            )
            return name

    def _touch(self, client: Client, contacts: Contacts) -> None:
        client.last_activity_at = self._clock.now()
        c = contacts
        line = search_text(client.name, client.company, client.city, c.emails, c.tags, c.phones)
        client.search_text = with_fields(line, client.fields_search)
