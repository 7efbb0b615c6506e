"""The client card's statements, built once with bound parameters.

Building a statement costs more Python than SQLite takes to run it (a quarter
of a millisecond for the timeline's); the card runs the same five every time,
so they are built here once and run with ``client`` (the client's id), for the
timeline's page ``offset`` and ``limit``, and for the open tasks ``tasks`` and
``reader``. Pure: nothing here runs them.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, literal, literal_column, select, union_all
from sqlalchemy.orm import aliased

from crm.access import own_tasks_first
from storage.models import ClientEmail, ClientPhone, ClientTag, Deal, Event, Stage, Task, User

_CLIENT = bindparam("client", type_=ClientPhone.client_id.type)
_COUNTED = aliased(Event, name="counted_events")

# Phones, emails and tags in one round trip (``Clients.contacts`` reads them in three).
CONTACTS = union_all(
    select(
        literal("phone").label("kind"),
        ClientPhone.e164.label("value"),
        ClientPhone.id.label("position"),
    ).where(ClientPhone.client_id == _CLIENT),
    select(literal("email"), ClientEmail.email, ClientEmail.id).where(
        ClientEmail.client_id == _CLIENT
    ),
    select(literal("tag"), ClientTag.tag, literal(0)).where(ClientTag.client_id == _CLIENT),
).order_by(literal_column("kind"), literal_column("position"), literal_column("value"))

EVENTS_COUNT = select(func.count()).select_from(_COUNTED).where(_COUNTED.client_id == _CLIENT)

# One round trip for the page of the timeline, who wrote it, and how long it all is.
EVENTS_PAGE = (
    select(Event, User, EVENTS_COUNT.scalar_subquery())
    .outerjoin(User, User.id == Event.actor_id)
    .where(Event.client_id == _CLIENT)
    .order_by(Event.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)

DEALS = (
    select(Deal, Stage.name, Stage.code, Stage.kind)
    .join(Stage, Stage.id == Deal.stage_id)
    .where(Deal.client_id == _CLIENT)
    .order_by(Deal.closed_at.is_not(None), Deal.last_activity_at.desc())
)

_READER = bindparam("reader", type_=Task.assignee_id.type)

# The first ``tasks`` open tasks, soonest first, each with how many there are in all (the
# window counts before the limit): the card lists a few and says how many more. The tasks
# of ``reader`` (a manager: those they may open, given to them or set by them) come first,
# so the card's buttons open theirs however many others come sooner; NULL for owners and
# admins, who open them all.
OPEN_TASKS = (
    select(Task, func.count().over())
    .where(Task.client_id == _CLIENT, Task.done_at.is_(None))
    .order_by(own_tasks_first(_READER), Task.due_at, Task.id)
    .limit(bindparam("tasks"))
)
