"""A link as a card shows it, and a deal line's arithmetic. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from crm.cards import CardRef
from crm.errors import ErrorCode, InvalidInput
from storage.models import Link

MAX_QUANTITY_MILLI = 10**12
MAX_PRICE_MINOR = 10**14
MAX_LINKS_SHOWN = 200


@dataclass(frozen=True)
class LinkView:
    link: Link
    other: CardRef
    title: str
    type_id: int | None  # the record type of the other card, for grouping
    archived: bool = False

    @property
    def line_total(self) -> int | None:
        if self.link.quantity_milli is None or self.link.price_minor is None:
            return None
        return line_total(self.link.quantity_milli, self.link.price_minor)


def line_total(quantity_milli: int, price_minor: int) -> int:
    return (quantity_milli * price_minor + 500) // 1000


def check_line(quantity_milli: int | None, price_minor: int | None) -> None:
    if quantity_milli is not None and not 0 < quantity_milli < MAX_QUANTITY_MILLI:
        raise InvalidInput(ErrorCode.BAD_QUANTITY)
    if price_minor is not None and not 0 <= price_minor < MAX_PRICE_MINOR:
        raise InvalidInput(ErrorCode.BAD_PRICE)
