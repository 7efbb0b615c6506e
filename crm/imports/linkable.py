"""The cards an import may link its rows to: those the importing member sees, archived
clients and records (and the deals of archived clients) left out. One query that both the
look-up by name and the check once the cards are locked (``crm.imports.linker``) narrow."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from crm import visibility
from crm.cards import CardKind, visible_records
from crm.imports.link_targets import LinkTo
from storage.models import Client, Deal, Record, User

# (id, title, folded title) of the cards, with the columns of the id and the folded title.
Linkable = tuple[Select[int, str, str], InstrumentedAttribute[int], InstrumentedAttribute[str]]


def linkable(to: LinkTo, actor: User, see_all: bool) -> Linkable:
    """The cards of ``to``'s kind (and type) ``actor`` may link."""
    if to.kind == CardKind.CLIENT:
        query = select(Client.id, Client.name, Client.name_folded).where(
            Client.archived_at.is_(None), visibility.visible_clients(actor, see_all)
        )
        return query, Client.id, Client.name_folded
    if to.kind == CardKind.DEAL:
        query = (
            select(Deal.id, Deal.title, Deal.title_folded)
            .join(Client, Client.id == Deal.client_id)
            .where(Client.archived_at.is_(None), visibility.visible_clients(actor, see_all))
        )
        return query, Deal.id, Deal.title_folded
    query = select(Record.id, Record.title, Record.title_folded).where(
        Record.type_id == to.type_id,
        Record.archived_at.is_(None),
        visible_records(actor, see_all),
    )
    return query, Record.id, Record.title_folded
