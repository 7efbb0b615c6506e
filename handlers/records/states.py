"""The dialogs of this feature and the data they keep between messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiogram.fsm.state import State, StatesGroup

from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from handlers.kit.dialogs import DialogData
from handlers.kit.gated import owners_step


class EntFlow(StatesGroup):
    value = State()  # data: FieldValue
    link_search = State()  # data: LinkSearch
    link_quantity = State()  # data: LinkLine
    record_title = State()  # data: RecordDraft
    record_value = State()  # data: RecordDraft
    field_name = owners_step()  # data: NewField
    field_options = owners_step()  # data: NewField
    type_names = owners_step()
    type_plural = owners_step()  # data: TypePlural
    renaming = owners_step()  # data: RenameData
    record_range = State()  # data: record_lists.RangeData
    record_search = State()  # data: RecordSearch
    record_comment = State()  # data: RecordComment


@dataclass(frozen=True)
class RenameData(DialogData):
    """What the owner is renaming in the settings: ``what`` is one of RENAMES."""

    what: str = ""
    kind: str = ""
    type_id: int = 0
    field_id: int = 0
    option_id: int = 0


@dataclass(frozen=True)
class TypePlural(DialogData):
    """A record type's singular (and emoji: None, none typed) kept while its plural is
    asked: for a new type (``type_id`` 0) or for the type ``type_id`` renamed."""

    singular: str = ""
    emoji: str | None = None
    type_id: int = 0


@dataclass(frozen=True)
class RecordDraft(DialogData):
    """A record being made: its ``type_id``, ``title``, the required ``values`` typed so far
    (by field id) and the field ``asking`` now; or one renamed (``rename``: its id)."""

    type_id: int = 0
    title: str = ""
    values: dict[str, str] = field(default_factory=dict)
    asking: int = 0
    rename: int = 0


@dataclass(frozen=True)
class RecordComment(DialogData):
    record: int = 0


@dataclass(frozen=True)
class RecordSearch(DialogData):
    """A record type's records looked for by name, in its archive or not."""

    type_id: int = 0
    archived: bool = False


@dataclass(frozen=True)
class OnCard(DialogData):
    """A dialog about a card: ``kind`` and ``card`` (None or 0: lost)."""

    kind: CardKind | None = None
    card: int = 0

    def ref(self) -> CardRef | None:
        return CardRef(self.kind, self.card) if self.kind and self.card else None


@dataclass(frozen=True)
class FieldValue(OnCard):
    """A card's custom field's value asked (``field``: the field's id)."""

    field: int = 0


@dataclass(frozen=True)
class LinkSearch(OnCard):
    """A card's link being looked for: what is looked for, ``target``: -1 a client, -2 a
    deal, else a record type's id (0: lost)."""

    target: int = 0


@dataclass(frozen=True)
class LinkLine(OnCard):
    """A deal line's quantity asked: the card it is asked from and the other one linked."""

    other_kind: CardKind | None = None
    other: int = 0

    def refs(self) -> tuple[CardRef, CardRef] | None:
        ref = self.ref()
        if ref is None or not (self.other_kind and self.other):
            return None
        return ref, CardRef(self.other_kind, self.other)


@dataclass(frozen=True)
class NewField(DialogData):
    """The field the owner is adding in the settings: its card kind (one of KIND_CODES) and
    record type (0: a client's or deal's field), then its name, then (a list) its type."""

    kind: str = ""
    type_id: int = 0
    name: str = ""  # "": not typed yet
    type: FieldType | None = None


RENAMES = ("field", "option", "new_option", "type", "emoji")


KIND_CODES = ("client", "deal", "record")
