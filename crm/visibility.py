"""Who sees which clients. Pure rules; the queries apply the same ones in SQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true

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


def visible_clients(
    actor: User, managers_see_all: bool, clients: type[Client] = Client
) -> ColumnElement[bool]:
    """The SQL form of ``can_see_client`` (on ``clients``: the table or an alias of it)."""
    if sees_all_clients(actor, managers_see_all):
        return true()
    return or_(clients.manager_id.is_(None), clients.manager_id == actor.id)


def can_reassign(actor: User) -> bool:
    return is_staff(actor)


def can_delete(actor: User) -> bool:
    return actor.active and actor.role == Role.OWNER
