""" "Fill the field now": a value a template misses, typed by the member before sending.

Only the placeholders that are a field of the client or the deal can be filled
here (the company, the phone, the deal's amount); the manager's name and phone
are the member's own profile and are not changed from a card. Each change goes
through the use case a card's edit uses, so it is checked and recorded the same.
"""

from __future__ import annotations

from crm.client_edits import ClientEdits
from crm.deals import Deals
from crm.errors import Conflict, InvalidInput
from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.contacts import PhoneError, parse_phone
from storage.models import User

FILLABLE = ("client.company", "client.phone", "deal.amount")


def fillable(missing: list[str], has_deal: bool) -> list[str]:
    """The missing placeholders a member can fill from the send dialog, in order."""
    return [name for name in missing if name in FILLABLE and (has_deal or name != "deal.amount")]


class TemplateFields:
    def __init__(self, client_edits: ClientEdits, deals: Deals) -> None:
        self._client_edits = client_edits
        self._deals = deals

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
        elif name == "deal.amount" and deal_id is not None:
            try:
                amount = parse_amount(text)
            except AmountError as error:
                raise InvalidInput("fill_bad_amount") from error
            await self._deals.set_amount(actor, deal_id, amount)
        else:
            raise Conflict("not_fillable")
