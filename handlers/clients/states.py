"""The clients feature's dialogs: their states, and each dialog's data as a typed object."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiogram.fsm.state import State, StatesGroup

from crm.clients import ClientDraft
from handlers.kit.dialogs import DialogData


class NewClientFlow(StatesGroup):
    name = State()
    source = State()
    phone = State()
    email = State()
    company = State()
    city = State()
    field = State()  # a required custom field (NewClientData.asking)


class DuplicateFlow(StatesGroup):
    prompt = State()  # the draft waits while "it already exists" is asked


class ForwardFlow(StatesGroup):
    query = State()  # waiting for a search for the client to attach the text to


class EditFlow(StatesGroup):
    value = State()
    tags = State()
    contact = State()  # one phone or email to add


class NoteFlow(StatesGroup):
    comment = State()
    call_note = State()


class ClientListFlow(StatesGroup):
    period = State()
    field_range = State()


@dataclass(frozen=True)
class NewClientData(DialogData):
    """The client being added; ``quick``: from one line, so only what it lacked is asked."""

    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    company: str | None = None
    city: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)  # typed as #tag in the quick add
    quick: bool = False
    # The usual sources the source question offered as buttons (a button names one by index).
    offered: list[str] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)  # required custom fields: id → text
    asking: int = 0  # the custom field asked now
    note: str | None = None  # a forwarded text: the new client's first comment

    def values(self) -> dict[int, str]:
        return {int(key): text for key, text in self.custom.items() if key.isdigit()}

    def draft(self) -> ClientDraft:
        return ClientDraft(
            name=self.name,
            phones=tuple(self.phones),
            emails=tuple(self.emails),
            company=self.company,
            city=self.city,
            source=self.source,
            tags=tuple(self.tags),
        )


@dataclass(frozen=True)
class EditData(DialogData):
    client_id: int = 0
    field: str = ""  # the card field being edited
    page: int = 0


@dataclass(frozen=True)
class NoteData(DialogData):
    client_id: int = 0
    outcome: str = ""  # of the call being logged


@dataclass(frozen=True)
class ForwardData(DialogData):
    """A forwarded text waiting for a choice; ``fwd_prompt``: the message whose buttons use it."""

    fwd_text: str | None = None
    fwd_name: str | None = None
    fwd_prompt: int | None = None


@dataclass(frozen=True)
class PeriodData(DialogData):
    period_for_list: int | None = None  # the list message a typed period is for


@dataclass(frozen=True)
class FieldRangeData(DialogData):
    """A range being typed for a custom field filter of the list in ``range_for_list``."""

    range_for_list: int | None = None
    range_field: int = 0
