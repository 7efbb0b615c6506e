""" "Fill the field now": a value a template misses, typed by the member before sending.

Only the placeholders that are a field of the client or the deal can be filled
here (the company, the phone, the deal's amount); the manager's name and phone
are the member's own profile and are not changed from a card. Each change goes
through the use case a card's edit uses, so it is checked and recorded the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from crm.automation.custom_fields import card_fields, custom_values
from crm.cards import CardKind, CardRef
from crm.client_edits import ClientEdits
from crm.deals import Deals
from crm.errors import Conflict, ErrorCode, InvalidInput, amount_refusal
from crm.field_values import FieldValues
from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.contacts import PhoneError, parse_phone
from crm.placeholders import CUSTOM_PREFIX
from storage.models import FieldDef, User

__all__ = ["TemplateFields", "card_fields", "custom_values", "fillable"]

FILLABLE = ("client.company", "client.phone", "deal.amount")


def fillable(missing: list[str], has_deal: bool, fields: Sequence[FieldDef]) -> list[str]:
    """The missing placeholders a member can fill from the send dialog, in order.

    ``fields``: the clients' and deals' custom fields there are now. A deal's field is
    fillable only when the template is sent from a deal, and a field deleted since the
    template was written is not at all: the member is not asked for a value that could
    only be refused."""
    custom = {
        f"{CUSTOM_PREFIX}{field.id}"
        for field in fields
        if field.kind == CardKind.CLIENT or (has_deal and field.kind == CardKind.DEAL)
    }
    return [
        name
        for name in missing
        if (name in FILLABLE and (has_deal or name != "deal.amount")) or name in custom
    ]


class TemplateFields:
    def __init__(
        self,
        session: AsyncSession,
        client_edits: ClientEdits,
        deals: Deals,
        values: FieldValues,
        phone_region: str,
    ) -> None:
        self._session = session
        self._client_edits = client_edits
        self._deals = deals
        self._values = values
        self._phone_region = phone_region  # for a phone typed without its country code

    async def fillable(self, missing: list[str], has_deal: bool) -> list[str]:
        """``fillable`` with the custom fields there are now."""
        return fillable(missing, has_deal, await card_fields(self._session))

    async def fill(
        self, actor: User, name: str, text: str, *, client_id: int, deal_id: int | None
    ) -> bool:
        """Set the field behind placeholder ``name`` from what the member typed, if it is
        still empty: False, and nothing written, when someone filled it meanwhile (checked
        under the card's lock, so a value written a moment before is never overwritten)."""
        try:
            await self._fill(actor, name, text, client_id=client_id, deal_id=deal_id)
        except Conflict as refused:
            if refused.code != ErrorCode.FILLED_MEANWHILE:
                raise
            return False
        return True

    async def _fill(
        self, actor: User, name: str, text: str, *, client_id: int, deal_id: int | None
    ) -> None:
        if name == "client.company":
            await self._client_edits.edit_text(
                actor, client_id, "company", text, only_if_empty=True
            )
        elif name == "client.phone":
            try:
                phone = parse_phone(text, self._phone_region)
            except PhoneError as error:
                raise InvalidInput(ErrorCode.FILL_BAD_PHONE) from error
            await self._client_edits.add_phone(actor, client_id, phone.e164, only_if_empty=True)
        elif name.startswith(CUSTOM_PREFIX) and name.removeprefix(CUSTOM_PREFIX).isdigit():
            field = await self._session.get(FieldDef, int(name.removeprefix(CUSTOM_PREFIX)))
            if field is None or field.kind not in (CardKind.CLIENT, CardKind.DEAL):
                raise Conflict(ErrorCode.NOT_FILLABLE)
            if field.kind == CardKind.DEAL:
                if deal_id is None:
                    raise Conflict(ErrorCode.NOT_FILLABLE)
                ref = CardRef(CardKind.DEAL, deal_id)
            else:
                ref = CardRef(CardKind.CLIENT, client_id)
            await self._values.set(actor, ref, field.id, text, only_if_empty=True)
        elif name == "deal.amount" and deal_id is not None:
            try:
                amount = parse_amount(text)
            except AmountError as error:
                raise InvalidInput(amount_refusal(error.code)) from error
            await self._deals.set_amount(actor, deal_id, amount, only_if_empty=True)
        else:
            raise Conflict(ErrorCode.NOT_FILLABLE)
