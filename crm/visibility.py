"""Who sees which clients. Pure rules; the queries apply the same ones in SQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, or_, true

from crm.access import is_staff
from storage.models import Client, Role, User


def sees_all_clients(actor: User, managers_see_all: bool) -> bool:
    return is_staff(actor) or (actor.active and managers_see_all)


def can_see_client(actor: User, client: Client, managers_see_all: bool) -> bool:
    if not actor.active:
        return False
    if sees_all_clients(actor, managers_see_all):
        return True
    return client.manager_id is None or client.manager_id == actor.id


def visible_clients(actor: User, managers_see_all: bool) -> ColumnElement[bool]:
    """The SQL form of ``can_see_client``."""
    if sees_all_clients(actor, managers_see_all):
        return true()
    return managed_by(Client.manager_id, actor.id)


def managed_by(
    manager_id: SQLColumnExpression[int | None], actor_id: int | SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """What a member who does not see everything sees: the unassigned and their own
    (``actor_id``: the member's id, or a bound parameter for a statement built once)."""
    return or_(manager_id.is_(None), manager_id == actor_id)


def can_reassign(actor: User) -> bool:
    return is_staff(actor)


def can_delete(actor: User) -> bool:
    return actor.active and actor.role == Role.OWNER
