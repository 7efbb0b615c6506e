"""Where a sent file's columns may go, proposed from their headers: the clients' and deals'
fields, or one record type's, and links to clients, deals and records of every type."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.imports import headerless, records
from crm.imports.header import name_in_parts
from crm.imports.link_targets import LINK_CLIENTS, LINK_DEALS, link_headers, type_target
from crm.imports.mapping import FIELD_PREFIX, propose
from crm.parsing.search_text import fold
from crm.service import Crm
from handlers.imports.views import field_label
from storage.models import RecordType

Targets = tuple[list[str], dict[str, str]]  # the proposed mapping, and target → label


async def client_targets(
    crm: Crm,
    headers: list[str],
    joined: Sequence[Sequence[int]] = (),
    hints: Sequence[str] = (),
) -> Targets:
    """The proposed mapping of a clients' file and the team's client and deal fields;
    ``joined``: header cells merged over a name in parts (``Header.joined``); ``hints``:
    the targets a file with no header's columns are proposed by what they hold."""
    own = await crm.fields.of(CardKind.CLIENT)
    deal = await crm.fields.of(CardKind.DEAL)
    types = await crm.record_types.all()
    named = {fold(f.name): f.id for f in reversed(own)}
    for f in reversed(deal):  # a client field of the same name wins
        named.setdefault(fold(f.name), f.id)
    labels = {f"{FIELD_PREFIX}{f.id}": field_label(f.name) for f in own}
    labels.update({f"{FIELD_PREFIX}{f.id}": field_label(f.name, deal=True) for f in deal})
    labels.update(link_labels(types))
    mapping = propose(headers, named, link_headers((t.id, t.plural) for t in types))
    return headerless.client_hints(hints) or name_in_parts(mapping, joined), labels


async def record_targets(
    crm: Crm, type_id: int, headers: list[str], hints: Sequence[str] = ()
) -> Targets:
    """The proposed mapping of a file of one type's records, and the type's fields;
    ``hints``: what the columns of a file with no header hold (as for clients)."""
    own = await crm.fields.of(CardKind.RECORD, type_id)
    types = await crm.record_types.all()
    links = link_headers((t.id, t.plural) for t in types)
    mapping = records.propose(headers, {fold(f.name): f.id for f in reversed(own)}, links)
    if hints:
        mapping = headerless.record_hints(hints, ((f.id, f.type) for f in own))
    labels = {f"{FIELD_PREFIX}{f.id}": field_label(f.name) for f in own}
    labels.update(link_labels(types))
    return mapping, labels


def link_labels(types: list[RecordType]) -> dict[str, str]:
    """The link targets a column may go to: clients, deals, each type's records."""
    labels = {LINK_CLIENTS: f"🔗 {_('Linked clients')}", LINK_DEALS: f"🔗 {_('Linked deals')}"}
    labels.update({type_target(t.id): f"🔗 {t.emoji} {t.plural}" for t in types})
    return labels
