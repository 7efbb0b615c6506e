"""Who may do what to whom. Pure rules, checked again on every button press."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, or_

from storage.models import Deal, Role, Task, User

STAFF_ROLES = frozenset({Role.OWNER, Role.ADMIN})
INVITABLE_ROLES = (Role.ADMIN, Role.MANAGER)


def is_staff(user: User) -> bool:
    """Owners and admins: they see the whole base and manage the team."""
    return user.active and user.role in STAFF_ROLES


def can_change_deal(actor: User, deal: Deal) -> bool:
    """Managers change their own deals (and unassigned ones); owners and admins any."""
    return is_staff(actor) or (actor.active and deal.manager_id in (None, actor.id))


def can_invite(user: User) -> bool:
    return is_staff(user)


def can_manage_member(actor: User, target: User) -> bool:
    """Owners manage admins and managers; admins manage managers; nobody manages themselves."""
    if not actor.active or actor.id == target.id or target.role == Role.OWNER:
        return False
    if actor.role == Role.OWNER:
        return True
    return actor.role == Role.ADMIN and target.role == Role.MANAGER


def gives_away(actor: User, role: str) -> bool:
    """Whether giving a member ``role`` takes them out of ``actor``'s hands: an admin who
    makes a manager an admin can no longer change their role or deactivate them
    (``can_manage_member``: admins manage managers only); an owner keeps them."""
    return actor.role != Role.OWNER and role != Role.MANAGER


def assignable_roles(actor: User, target: User) -> tuple[Role, ...]:
    """The roles ``actor`` may give ``target``, other than the one it has."""
    if not can_manage_member(actor, target):
        return ()
    return tuple(role for role in INVITABLE_ROLES if role != target.role)


def own_tasks_first(reader: Any) -> ColumnElement[int]:
    """An ORDER BY term putting first the tasks a manager ``reader`` (their id, or a bound
    parameter for it) may open: given to them or set by them. A card reading a few open
    tasks reads theirs then, as it makes buttons only for those."""
    return case((or_(Task.assignee_id == reader, Task.created_by == reader), 0), else_=1)
