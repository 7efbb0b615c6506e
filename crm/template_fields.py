""" "Fill the field now": a value a template misses, typed by the member before sending.

Only the placeholders that are a field of the client or the deal can be filled
here (the company, the phone, the deal's amount); the manager's name and phone
are the member's own profile and are not changed from a card. Each change goes
through the use case a card's edit uses, so it is checked and recorded the same.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind, CardRef
from crm.client_edits import ClientEdits
from crm.deals import Deals
from crm.errors import Conflict, InvalidInput
from crm.field_values import FieldValues, plain_of, value_text
from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.contacts import PhoneError, parse_phone
from crm.placeholders import CUSTOM_PREFIX
from storage.models import FieldDef, FieldValue, User

FILLABLE = ("client.company", "client.phone", "deal.amount")


def fillable(missing: list[str], has_deal: bool) -> list[str]:
    """The missing placeholders a member can fill from the send dialog, in order."""
    return [
        name
        for name in missing
        if (name in FILLABLE and (has_deal or name != "deal.amount"))
        or name.startswith(CUSTOM_PREFIX)
    ]


async def card_fields(session: AsyncSession) -> list[FieldDef]:
    """The clients' and the deals' custom fields, each a placeholder ``{custom.<id>}``."""
    rows = await session.scalars(
        select(FieldDef)
        .where(FieldDef.kind.in_((CardKind.CLIENT.value, CardKind.DEAL.value)))
        .order_by(FieldDef.kind, FieldDef.position, FieldDef.id)
    )
    return list(rows)


async def custom_values(
    session: AsyncSession, fields: list[FieldDef], client_id: int, deal_id: int | None
) -> dict[str, str | None]:
    """Every custom field's value on the client (and its deal) as text, None when empty."""
    cards = [FieldValue.client_id == client_id]
    if deal_id is not None:
        cards.append(FieldValue.deal_id == deal_id)
    rows = list(
        await session.scalars(
            select(FieldValue).where(FieldValue.field_id.in_([f.id for f in fields]), or_(*cards))
        )
    )
    values: dict[str, str | None] = {}
    for field in fields:
        mine = [
            r
            for r in rows
            if r.field_id == field.id
            and (r.deal_id is not None if field.kind == CardKind.DEAL else r.client_id is not None)
        ]
        text = value_text(field, plain_of(field, mine))
        values[CUSTOM_PREFIX + str(field.id)] = text or None
    return values


class TemplateFields:
    def __init__(
        self, session: AsyncSession, client_edits: ClientEdits, deals: Deals, values: FieldValues
    ) -> None:
        self._session = session
        self._client_edits = client_edits
        self._deals = deals
        self._values = values

    async def fill(
        self, actor: User, name: str, text: str, *, client_id: int, deal_id: int | None
    ) -> None:
        """Set the field behind placeholder ``name`` from what the member typed."""
        if name == "client.company":
            await self._client_edits.edit_text(actor, client_id, "company", text)
        elif name == "client.phone":
            try:
                phone = parse_phone(text)
            except PhoneError as error:
                raise InvalidInput("fill_bad_phone") from error
            await self._client_edits.add_phone(actor, client_id, phone.e164)
        elif name.startswith(CUSTOM_PREFIX) and name.removeprefix(CUSTOM_PREFIX).isdigit():
            field = await self._session.get(FieldDef, int(name.removeprefix(CUSTOM_PREFIX)))
            if field is None or field.kind not in (CardKind.CLIENT, CardKind.DEAL):
                raise Conflict("not_fillable")
            if field.kind == CardKind.DEAL:
                if deal_id is None:
                    raise Conflict("not_fillable")
                ref = CardRef(CardKind.DEAL, deal_id)
            else:
                ref = CardRef(CardKind.CLIENT, client_id)
            await self._values.set(actor, ref, field.id, text)
        elif name == "deal.amount" and deal_id is not None:
            try:
                amount = parse_amount(text)
            except AmountError as error:
                raise InvalidInput("fill_bad_amount") from error
            await self._deals.set_amount(actor, deal_id, amount)
        else:
            raise Conflict("not_fillable")
