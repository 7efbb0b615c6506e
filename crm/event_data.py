"""What an event keeps in its ``data`` (a JSON column), per kind of ``EventKind``.

One TypedDict per kind (``PAYLOADS``): the use cases build these where they write an event,
and the timeline reads the same names, so a key written one way and read another is a type
error. The stored JSON is exactly the dict. Rows written before a key existed may lack it,
so readers use ``.get``. ``invite_accepted`` is no longer written (old rows only); events
of records, links, fields, templates, automation and leads (not in ``EventKind`` yet) are dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NotRequired, Required, TypedDict, TypeVar, cast

from crm.events import EventKind
from storage.models import Event, Stage

# --- clients -------------------------------------------------------------------------


class _ClientCreatedRequired(TypedDict):
    name: str
    phones: list[str]
    emails: list[str]


class ClientCreated(_ClientCreatedRequired, total=False):
    source: str  # made from a website form's lead
    lead_id: int | None
    telegram_id: int  # made from a Telegram Business chat
    username: str | None
    missing: list[str]  # required fields left empty (a lead nobody typed in)


class ClientDeleted(TypedDict):
    client_id: int
    name: str


class FieldChanged(TypedDict):
    """A built-in field of a client card: ``name``, ``company``, ``phones``, …"""

    field: str
    old: Any  # str, list[str] (phones, emails) or None
    new: Any


class StatusChanged(TypedDict):
    old: str | None
    new: str


class TagsChanged(TypedDict):
    added: list[str]
    removed: list[str]


class ManagerChanged(TypedDict):
    """The responsible member of a client or a record (member ids)."""

    old: int | None
    new: int | None


class CallLogged(TypedDict):
    outcome: str


class FileAttached(TypedDict):
    file_kind: str
    file_id: str
    file_name: str | None


class NoData(TypedDict):
    """Kinds that say everything with their kind and text: a comment, archived, …"""


class Unarchived(TypedDict, total=False):
    """Restored by hand: no data; by a lead on the archived card: its id; by a chat: business."""

    lead_id: int
    business: bool


# --- deals ---------------------------------------------------------------------------

# Where a deal was and went: the stage's id, and its code and name as they were then, so a
# renamed or deleted stage still reads. ("from" is a keyword, hence the functional form.)
StageMove = TypedDict(
    "StageMove",
    {
        "from": int | None,
        "from_code": str | None,
        "from_name": str | None,
        "to": int,
        "to_code": str | None,
        "to_name": str | None,
        "amount": int,
        "currency": str,
        "reason": str,  # a lost deal's reason
        "stage_deleted": bool,  # moved because its stage was deleted
        "rule_id": int,  # moved by an automation rule
    },
    total=False,
)


def stage_move(source: Stage, target: Stage) -> StageMove:
    """A deal's move as the event remembers its stages, so renames and deletions still read."""
    return {
        "from": source.id,
        "from_code": source.code,
        "from_name": source.name,
        "to": target.id,
        "to_code": target.code,
        "to_name": target.name,
    }


class _DealCreatedRequired(TypedDict):
    title: str
    amount: int
    currency: str
    to: int
    to_code: str | None
    to_name: str | None


class DealCreated(_DealCreatedRequired, total=False):
    missing: list[str]  # required fields left empty (a lead nobody typed in)


class _DealChangedRequired(TypedDict):
    field: str  # amount, title, expected_close, manager_id
    old: Any
    new: Any
    currency: str


class DealChanged(_DealChangedRequired, total=False):
    by_lines: bool  # the amount follows the deal's product lines


class DealDeleted(TypedDict):
    deal: int
    amount: int
    currency: str
    tasks: int


class DealClientChanged(TypedDict):
    old: int
    old_name: str | None
    new: int
    new_name: str | None


# --- tasks ---------------------------------------------------------------------------


class _TaskCreatedRequired(TypedDict):
    due_at: str  # ISO


class TaskCreated(_TaskCreatedRequired, total=False):
    repeat_of: int  # the done task this one repeats


class TaskRescheduled(TypedDict):
    old: str  # ISO
    new: str


class TaskAssigned(TypedDict):
    assignee: int


class TaskSnoozed(TypedDict):
    until: str  # ISO


class TaskChanged(TypedDict, total=False):
    field: Required[str]  # title, attached, detached (on the card it left: record, client, deal)
    old: str  # the old title
    old_client: int | None  # what the task hung off before
    old_deal: int | None
    old_record: int  # detached: the record of the team's own type it left
    other: dict[str, Any]  # detached: the card it went to (none: untied; crm.unseen_links)
    title: str | None  # that card's name then


class TaskCancelled(TypedDict):
    task: int


# --- members and imports --------------------------------------------------------------


class _MemberJoinedRequired(TypedDict):
    role: str


class MemberJoined(_MemberJoinedRequired, total=False):
    invite_id: int  # joined by an invitation (not the owner's setup code)
    invited_by: int


class MemberRoleChanged(TypedDict):
    member_id: int
    old: str
    new: str


class MemberActive(TypedDict):
    """A member deactivated or reactivated."""

    member_id: int


class MemberHandedOver(TypedDict):
    member_id: int
    to: int
    clients: int
    deals: int
    tasks: int
    records: NotRequired[int]  # written since records are handed over too


class _ImportedRequired(TypedDict):
    batch: int
    file: str


class Imported(_ImportedRequired, total=False):
    filled: list[str]  # fields an import filled in on a card that existed
    missing: list[str]  # required fields a created card was left without


class ImportUndone(TypedDict):
    batch: int
    file: str
    fields: list[str]


PAYLOADS: Mapping[EventKind, type[Mapping[str, Any]]] = {
    EventKind.CLIENT_CREATED: ClientCreated,
    EventKind.CLIENT_DELETED: ClientDeleted,
    EventKind.COMMENT: NoData,
    EventKind.CALL: CallLogged,
    EventKind.FILE: FileAttached,
    EventKind.FIELD_CHANGED: FieldChanged,
    EventKind.STATUS_CHANGED: StatusChanged,
    EventKind.TAGS_CHANGED: TagsChanged,
    EventKind.MANAGER_CHANGED: ManagerChanged,
    EventKind.ARCHIVED: NoData,
    EventKind.UNARCHIVED: Unarchived,
    EventKind.DEAL_CREATED: DealCreated,
    EventKind.STAGE_CHANGED: StageMove,
    EventKind.DEAL_WON: StageMove,
    EventKind.DEAL_LOST: StageMove,
    EventKind.DEAL_REOPENED: StageMove,
    EventKind.DEAL_CHANGED: DealChanged,
    EventKind.DEAL_DELETED: DealDeleted,
    EventKind.DEAL_CLIENT_CHANGED: DealClientChanged,
    EventKind.TASK_CREATED: TaskCreated,
    EventKind.TASK_RESCHEDULED: TaskRescheduled,
    EventKind.TASK_ASSIGNED: TaskAssigned,
    EventKind.TASK_SNOOZED: TaskSnoozed,
    EventKind.TASK_DONE: NoData,
    EventKind.TASK_CHANGED: TaskChanged,
    EventKind.TASK_CANCELLED: TaskCancelled,
    EventKind.MEMBER_JOINED: MemberJoined,
    EventKind.MEMBER_ROLE_CHANGED: MemberRoleChanged,
    EventKind.MEMBER_DEACTIVATED: MemberActive,
    EventKind.MEMBER_REACTIVATED: MemberActive,
    EventKind.MEMBER_HANDED_OVER: MemberHandedOver,
    EventKind.IMPORTED: Imported,
    EventKind.IMPORT_UNDONE: ImportUndone,
}

Data = Mapping[str, Any]  # any kind's payload
Payload = TypeVar("Payload", bound=Data)
NOTHING: Data = MappingProxyType({})  # the payload of a kind that has none


def data_of(event: Event, shape: type[Payload]) -> Payload:
    """The event's ``data`` read as ``shape`` (the TypedDict of its kind)."""
    return cast(Payload, event.data or {})


def people_in(events: Sequence[Event]) -> set[int]:
    """The members a timeline's page names: each actor, a responsible change's two."""
    ids = {event.actor_id for event in events if event.actor_id}
    for event in events:
        if event.kind == EventKind.MANAGER_CHANGED:
            managers = data_of(event, ManagerChanged)
            ids |= {int(v) for v in (managers.get("old"), managers.get("new")) if v}
    return ids
