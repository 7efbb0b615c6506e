"""Which clients a list, a search or an export reads: the filter and its conditions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_

from crm import visibility
from crm.cards import CardKind
from crm.clock import Clock
from crm.field_filters import FieldFilter, field_conditions
from crm.team_settings import TeamSettings
from storage.models import Client, ClientTag, Deal, Stage, Task, User


@dataclass(frozen=True)
class ClientFilter:
    status: str | None = None
    tag: str | None = None
    manager_id: int | None = None
    unassigned: bool = False
    city: str | None = None
    has_open_deals: bool = False
    has_overdue_tasks: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive
    archived: bool = False
    with_archive: bool = False  # active and archived alike (/export's whole list): not ``archived``
    fields: tuple[FieldFilter, ...] = ()  # custom fields (crm.field_filters)


async def client_conditions(
    settings: TeamSettings, clock: Clock, actor: User, filters: ClientFilter
) -> list[ColumnElement[bool]]:
    """The clients ``actor`` sees that ``filters`` match."""
    see_all = await settings.managers_see_all()
    conditions: list[ColumnElement[bool]] = [visibility.visible_clients(actor, see_all)]
    if not filters.with_archive:
        archive = Client.archived_at
        conditions.append(archive.is_not(None) if filters.archived else archive.is_(None))
    if filters.status:
        conditions.append(Client.status == filters.status)
    if filters.tag:
        conditions.append(
            exists().where(ClientTag.client_id == Client.id, ClientTag.tag == filters.tag)
        )
    if filters.unassigned:
        conditions.append(Client.manager_id.is_(None))
    elif filters.manager_id is not None:
        conditions.append(Client.manager_id == filters.manager_id)
    if filters.city:
        conditions.append(Client.city == filters.city)
    if filters.has_open_deals:
        conditions.append(
            exists()
            .where(Deal.client_id == Client.id, Deal.closed_at.is_(None))
            .where(Deal.stage_id == Stage.id, Stage.kind == "open")
        )
    if filters.has_overdue_tasks:
        # A task hangs off the client or off one of its deals.
        overdue = (Task.done_at.is_(None), Task.due_at < clock.now())
        conditions.append(
            or_(
                exists().where(Task.client_id == Client.id, *overdue),
                exists().where(Task.deal_id == Deal.id, Deal.client_id == Client.id, *overdue),
            )
        )
    if filters.created_from is not None:
        conditions.append(Client.created_at >= filters.created_from)
    if filters.created_to is not None:
        conditions.append(Client.created_at < filters.created_to)
    conditions.extend(field_conditions(CardKind.CLIENT, filters.fields))
    return conditions
