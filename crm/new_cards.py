"""A new client or deal with its custom field values, written in one transaction.

The create dialogs ask for the required fields (``required``) and check each answer
(``FieldValues.parse``) as it comes; the use case checks them all again inside the
transaction that creates the card, so a field deleted, added or made required
meanwhile is refused in words and nothing is half-written: no card without its
required fields, no card with a value of a field that is gone.
"""

from __future__ import annotations

from collections.abc import Mapping

from crm.cards import Card, CardKind, CardRef
from crm.clients import ClientDraft, Clients, DuplicateFound
from crm.deals import Deals
from crm.errors import Conflict, ErrorCode, InvalidInput
from crm.field_defs import FieldDefs
from crm.field_values import FieldValues
from crm.parsing.fields import Parsed
from crm.parsing.search_text import unseen
from storage.models import Client, Deal, FieldDef, User


class NewCards:
    def __init__(
        self, fields: FieldDefs, values: FieldValues, clients: Clients, deals: Deals
    ) -> None:
        self._fields = fields
        self._values = values
        self._clients = clients
        self._deals = deals

    async def required(self, kind: CardKind, type_id: int | None = None) -> list[FieldDef]:
        """The fields a new card of this kind must have, in card order."""
        return [f for f in await self._fields.of(kind, type_id) if f.required]

    async def check(
        self, kind: CardKind, texts: Mapping[int, str], type_id: int | None = None
    ) -> list[tuple[FieldDef, Parsed]]:
        """Each value parses, every required field has one, every field is still the kind's."""
        fields = await self._fields.of(kind, type_id)
        known = {f.id: f for f in fields}
        if any(field_id not in known for field_id in texts):
            raise Conflict(ErrorCode.FIELD_GONE)
        parsed = [
            (known[i], self._values.parse(known[i], t)) for i, t in texts.items() if t.strip()
        ]
        given = {field.id for field, _ in parsed}
        missing = [f.name for f in fields if f.required and f.id not in given]
        if missing:
            raise InvalidInput(ErrorCode.FIELD_REQUIRED, name=missing[0])
        return parsed

    async def client(
        self, actor: User, draft: ClientDraft, texts: Mapping[int, str], force: bool = False
    ) -> Client | DuplicateFound:
        """``Clients.create`` with the values of its custom fields (``{field id: text}``)."""
        await self.check(CardKind.CLIENT, texts)  # refused before the duplicate question

        async def fill(card: Card) -> None:
            await self._apply(actor, CardKind.CLIENT, card, texts)

        return await self._clients.create(actor, draft, force, fill)

    async def deal(
        self,
        actor: User,
        client_id: int,
        amount_minor: int,
        title: str | None,
        texts: Mapping[int, str],
    ) -> Deal:
        """``Deals.create`` with the values of its custom fields (``{field id: text}``). No
        title names it after the client; a title of nothing visible is refused."""
        if unseen(title or ""):
            raise InvalidInput(ErrorCode.EMPTY, field="title")

        async def fill(card: Card) -> None:
            await self._apply(actor, CardKind.DEAL, card, texts)

        return await self._deals.create(actor, client_id, amount_minor, title, fill)

    async def _apply(
        self, actor: User, kind: CardKind, card: Card, texts: Mapping[int, str]
    ) -> None:
        """Inside the creating transaction: checked again, then written with their events."""
        ref = CardRef(kind, card.id)
        for field, parsed in await self.check(kind, texts):
            await self._values.apply(actor, ref, card, field, parsed, with_card=True)
