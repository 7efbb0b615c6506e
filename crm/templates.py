"""Message and document templates, and "📨 Send": fill one from a client or a deal.

The owner keeps the templates; every active member uses them on the records
they see. Missing values are known before anything is filled (``check``), so
the member can fill the field first or send anyway. Preparing and emailing
each write one event on the record's timeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import (
    docx_fill,
    events,
    field_rules,
    mailer,
    placeholders,
    template_fields,
    template_values,
)
from crm.access import is_staff
from crm.clients import Clients
from crm.clock import Clock
from crm.config import CrmConfig
from crm.deals import Deals
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.parsing.search_text import fold, shows
from storage.engine import write_transaction
from storage.models import Client, ClientEmail, Deal, Role, Template, User

MAX_NAME = 100
MAX_BODY = 3500
MAX_TEMPLATES = 50


@dataclass(frozen=True)
class Check:
    template: Template
    client: Client
    deal: Deal | None
    values: dict[str, str | None]
    missing: list[str]


@dataclass(frozen=True)
class Filled:
    template: Template
    text: str | None
    document: bytes | None
    file_name: str | None
    missing: list[str]


def file_name(client_name: str, day: str) -> str:
    """``Ivan Petrov 02.03.2026.docx``, with what file systems refuse taken out."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", client_name)
    return " ".join(f"{safe} {day}".split())[:120] + ".docx"


def clean_name(name: str) -> str:
    """A template's name as kept; InvalidInput when nothing of it shows, or too long."""
    return field_rules.clean_name(name, MAX_NAME, "name")


def _require_owner(actor: User) -> None:
    if not (is_staff(actor) and actor.role == Role.OWNER):
        raise NotAllowed()


class Templates:
    def __init__(
        self, session: AsyncSession, clock: Clock, config: CrmConfig, clients: Clients, deals: Deals
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._clients = clients
        self._deals = deals

    @property
    def mail_on(self) -> bool:
        """Whether "Send by email" can be offered: the team set an SMTP server."""
        return self._config.mail is not None

    async def custom_keys(self) -> list[str]:
        """The keys of ``{custom.<key>}``: the ids of the clients' and deals' custom fields."""
        return [str(field.id) for field in await template_fields.card_fields(self._session)]

    async def custom_names(self) -> list[tuple[str, str]]:
        """Each custom field's placeholder and name, for the owner writing a template."""
        fields = await template_fields.card_fields(self._session)
        return [(f"{placeholders.CUSTOM_PREFIX}{f.id}", f.name) for f in fields]

    async def add_text(self, actor: User, name: str, body: str) -> Template:
        _require_owner(actor)
        text = body.strip()
        if not shows(text):
            raise InvalidInput(ErrorCode.EMPTY, field="template")
        if len(text) > MAX_BODY:
            raise InvalidInput(ErrorCode.TOO_LONG, field="template", limit=MAX_BODY)
        found = placeholders.check(text, await self.custom_keys())
        return await self._add(actor, name, "text", body=text, placeholders=found)

    async def add_docx(
        self, actor: User, name: str, data: bytes, *, file_id: str | None = None
    ) -> Template:
        _require_owner(actor)
        prepared = docx_fill.prepare(data, await self.custom_keys())
        return await self._add(
            actor,
            name,
            "docx",
            document=prepared.document,
            file_id=file_id,
            placeholders=prepared.placeholders,
        )

    async def room_for_one(self, actor: User) -> None:
        """Refused (the owner's only; ``TOO_MANY_TEMPLATES``) unless a template can be added:
        asked when the owner starts one, not once it is written."""
        _require_owner(actor)
        await self._room()

    async def _room(self) -> None:
        if len(await self.all()) >= MAX_TEMPLATES:
            raise InvalidInput(ErrorCode.TOO_MANY_TEMPLATES, limit=MAX_TEMPLATES)

    async def taken(self, name: str) -> Template | None:
        """The template called ``name`` already (in any case, ё or е), if there is one."""
        wanted = fold(name)
        for template_id, taken in await self._session.execute(select(Template.id, Template.name)):
            if fold(taken) == wanted:
                return await self.get(template_id)
        return None

    async def refuse_taken(self, name: str) -> None:
        """Refused (``TEMPLATE_NAME_TAKEN``) when a template is called ``name`` already:
        under "📨 Send" the two would be buttons alike."""
        if await self.taken(name) is not None:
            raise Conflict(ErrorCode.TEMPLATE_NAME_TAKEN, name=name)

    async def replace_docx(
        self, actor: User, template_id: int, data: bytes, *, file_id: str
    ) -> Template:
        """A document template's file swapped, checked as an upload is: the same row (its
        id and name), so the rules that prepare it prepare the new file."""
        _require_owner(actor)
        prepared = docx_fill.prepare(data, await self.custom_keys())
        async with write_transaction(self._session):
            template = await self.get(template_id)
            if template.kind != "docx":
                raise Conflict(ErrorCode.TEMPLATE_NAME_TAKEN, name=template.name)
            template.document = prepared.document
            template.file_id = file_id
            template.placeholders = prepared.placeholders
            return template

    async def _add(self, actor: User, name: str, kind: str, **values: object) -> Template:
        clean = clean_name(name)
        async with write_transaction(self._session):
            await self._room()
            await self.refuse_taken(clean)
            template = Template(
                name=clean,
                kind=kind,
                created_by=actor.id,
                created_at=self._clock.now(),
                **values,
            )
            self._session.add(template)
            await self._session.flush()
            return template

    async def all(self) -> list[Template]:
        return list(await self._session.scalars(select(Template).order_by(Template.id)))

    async def owned(self, actor: User) -> list[Template]:
        """The templates, for the owner's screens (/settings → Templates)."""
        _require_owner(actor)
        return await self.all()

    async def get(self, template_id: int) -> Template:
        template = await self._session.get(Template, template_id)
        if template is None:
            raise Conflict(ErrorCode.TEMPLATE_GONE)
        return template

    async def delete(self, actor: User, template_id: int) -> None:
        _require_owner(actor)
        async with write_transaction(self._session):
            await self._session.delete(await self.get(template_id))

    async def check(
        self, actor: User, template_id: int, *, client_id: int | None = None,
        deal_id: int | None = None,
    ) -> Check:  # fmt: skip
        """The values for this record and the placeholders that have none; writes nothing."""
        template = await self.get(template_id)
        deal = await self._deals.visible(actor, deal_id) if deal_id is not None else None
        if deal is not None:
            client_id = deal.client_id
        if client_id is None:
            raise NotFound()
        client = await self._clients.visible(actor, client_id)
        values = await template_values.for_reader(
            self._session,
            template.placeholders,
            client=client,
            deal=deal,
            reader=actor,
            reading=self._config.reading,
            now=self._clock.now(),
        )
        return Check(
            template, client, deal, values, placeholders.missing(template.placeholders, values)
        )

    async def prepare(
        self, actor: User, template_id: int, *, client_id: int | None = None,
        deal_id: int | None = None,
    ) -> Filled:  # fmt: skip
        """Fill the template for the record and note it on the timeline."""
        checked = await self.check(actor, template_id, client_id=client_id, deal_id=deal_id)
        filled = self._fill(checked)
        await self._record(actor, checked, "template_prepared")
        return filled

    async def email(
        self, actor: User, template_id: int, body: str, *, client_id: int | None = None,
        deal_id: int | None = None,
    ) -> str:  # fmt: skip
        """Send the filled template to the client's email; returns the address.

        ``body`` is the letter's text when the template is a document (the
        member's words in their language). MailFailed says why it did not go.
        """
        if self._config.mail is None:
            raise Conflict(ErrorCode.MAIL_OFF)
        checked = await self.check(actor, template_id, client_id=client_id, deal_id=deal_id)
        address = await self._session.scalar(
            select(ClientEmail.email)
            .where(ClientEmail.client_id == checked.client.id)
            .order_by(ClientEmail.id)
            .limit(1)
        )
        if address is None:
            raise Conflict(ErrorCode.NO_EMAIL)
        filled = self._fill(checked)
        attachment = None
        if filled.document is not None and filled.file_name is not None:
            attachment = (filled.file_name, filled.document)
        text = filled.text if filled.text is not None else body
        if not text.strip():  # nothing but places, none with a value for this card
            raise Conflict(ErrorCode.TEMPLATE_EMPTY)
        await mailer.send(self._config.mail, address, checked.template.name, text, attachment)
        await self._record(actor, checked, "template_emailed", to=address)
        return address

    def _fill(self, checked: Check) -> Filled:
        template = checked.template
        if template.kind == "docx" and template.document is not None:
            document = docx_fill.fill(template.document, checked.values)
            day = str(checked.values.get("today") or "")
            return Filled(
                template, None, document, file_name(checked.client.name, day), checked.missing
            )
        text = placeholders.fill(template.body or "", checked.values)
        return Filled(template, text, None, None, checked.missing)

    async def _record(self, actor: User, checked: Check, kind: str, **extra: object) -> None:
        async with write_transaction(self._session):
            events.record(
                self._session,
                self._clock,
                kind,
                actor.id,
                client_id=checked.client.id,
                deal_id=checked.deal.id if checked.deal else None,
                data={
                    "template_id": checked.template.id,
                    "template": checked.template.name,
                    "missing": checked.missing,
                    **extra,
                },
            )
