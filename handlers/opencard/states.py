"""What the open card's question remembers until it is answered."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery

from handlers.kit.alerts import alert
from handlers.kit.dialogs import DialogData


class Pending(DialogData):
    """What a question asked about, kept until one of its buttons is pressed."""

    def asked_by(self, key: int) -> bool:
        """This is what the question ``key`` (its buttons' ``ref``) asked about."""
        raise NotImplementedError


Asked = TypeVar("Asked", bound=Pending)


async def take_once(
    callback: CallbackQuery, state: FSMContext, kind: type[Asked], key: int, gone: str
) -> Asked | None:
    """What the pressed question ``key`` asked about, taken once; None, and ``gone`` said,
    if it is gone (answered already, or another question asked since)."""
    if not (await kind.load(state)).asked_by(key):
        await alert(callback, gone)
        return None
    return await kind.drop(state)


@dataclasses.dataclass(frozen=True)
class PendingText(Pending):
    """A text asked about ("comment on X, or search?"): the card open when it was sent (a
    record's, or a client's and maybe its deal's).

    Kept beside any dialog's data (no dialog state is set); a dialog started meanwhile
    clears it, so a late press finds nothing and says so.
    """

    pending_key: int = 0
    pending_text: str | None = None
    pending_record: int = 0
    pending_client: int = 0
    pending_deal: int = 0

    def asked_by(self, key: int) -> bool:
        return self.pending_key == key and bool(self.pending_text)


@dataclasses.dataclass(frozen=True)
class PendingFile(Pending):
    """A spreadsheet sent with a card open, asked about ("attach it, or import it?"): the
    file and the card open when it was sent (a record's, or a client's and maybe its
    deal's). Kept beside any dialog's data, as ``PendingText``."""

    file_key: int = 0
    file_id: str = ""
    file_name: str = ""
    file_size: int | None = None
    file_caption: str | None = None
    file_record: int = 0
    file_client: int = 0
    file_deal: int = 0

    def asked_by(self, key: int) -> bool:
        return self.file_key == key and bool(self.file_id)
