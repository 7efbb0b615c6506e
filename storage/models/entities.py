"""The team's own shape of the CRM: custom fields, record types, records, links.

One mechanism for every kind of card: clients and deals keep their columns,
the team's own types (suppliers, products, documents…) are rows of
``record_types`` and ``records``. A field definition belongs to clients,
deals, or one record type. Values live in ``field_values``, one row per value
(one per chosen option for a "several of a list" field), with a typed column
per kind of value so every filter is an index range (see docs/ENTITIES.md for
why, with figures). A value and a link point at their cards through real
foreign keys (one column per kind of card), so deleting a card takes its
values and links with it on every backend.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import IDS_NEVER_REUSED, Base

CARD_COLUMNS = ("client_id", "deal_id", "record_id")


class RecordType(Base):
    __tablename__ = "record_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    singular: Mapped[str] = mapped_column(String(60))
    plural: Mapped[str] = mapped_column(String(60))
    emoji: Mapped[str] = mapped_column(String(16), default="📁")
    # Which starter it came from (suppliers, products, documents, logistics), if any.
    starter: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]

    __table_args__ = IDS_NEVER_REUSED


class FieldDef(Base):
    """A custom field. ``kind`` is client, deal or record (then ``record_type_id`` says which).

    ``options`` of a list field: ``[{"id": 1, "name": "…"}, …]``; values keep the
    option id, so renaming an option keeps them.
    """

    __tablename__ = "field_defs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    record_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_types.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    options: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_field_defs_kind", "kind", "record_type_id", "position"),
        IDS_NEVER_REUSED,
    )


class Record(Base):
    """A card of one of the team's own types."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("record_types.id"))
    title: Mapped[str] = mapped_column(String(200))
    title_folded: Mapped[str] = mapped_column(Text, default="")  # can outgrow the title (ß → ss)
    # One folded line of the title and the searchable field values.
    search_text: Mapped[str] = mapped_column(Text, default="")
    manager_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_records_type_activity", "type_id", "archived_at", "last_activity_at"),
        Index("ix_records_type_title", "type_id", "title_folded"),
        IDS_NEVER_REUSED,
    )


class FieldValue(Base):
    """One value of a custom field on one card (exactly one of the three card columns set).

    Which column holds it depends on the field's type: ``int_value`` for money
    (minor units), yes/no (0/1) and list options (the option id); ``num_value``
    for numbers; ``date_value`` for dates; ``text_value`` for the rest (and the
    number as typed, so it shows as written).
    """

    __tablename__ = "field_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("field_defs.id", ondelete="CASCADE"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    int_value: Mapped[int | None] = mapped_column(BigInteger)
    num_value: Mapped[float | None] = mapped_column(Float)
    date_value: Mapped[date | None]
    text_value: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # Covering: a filter reads the matching cards' ids from the index alone.
        Index("ix_field_values_int", "field_id", "int_value", *CARD_COLUMNS),
        Index("ix_field_values_num", "field_id", "num_value", *CARD_COLUMNS),
        Index("ix_field_values_date", "field_id", "date_value", *CARD_COLUMNS),
        Index("ix_field_values_client", "client_id"),
        Index("ix_field_values_deal", "deal_id"),
        Index("ix_field_values_record", "record_id"),
    )


class Link(Base):
    """Two cards joined: side a and side b each name one card (one column of three set).

    Where a deal meets a product the link keeps a quantity (in thousandths, so
    1.5 kg is 1500) and a price per unit in minor units.
    """

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    a_client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    a_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    a_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    b_client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    b_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    b_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    quantity_milli: Mapped[int | None] = mapped_column(BigInteger)
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_links_a_client", "a_client_id"),
        Index("ix_links_a_deal", "a_deal_id"),
        Index("ix_links_a_record", "a_record_id"),
        Index("ix_links_b_client", "b_client_id"),
        Index("ix_links_b_deal", "b_deal_id"),
        Index("ix_links_b_record", "b_record_id"),
        IDS_NEVER_REUSED,
    )
