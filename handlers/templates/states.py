"""The dialogs of this feature and the data they keep between messages."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialogs import DialogData
from handlers.kit.gated import owners_step


class TemplateFlow(StatesGroup):
    name = owners_step()  # a message template's name
    body = owners_step()  # its text (data: NewTemplate)
    document = owners_step()  # a .docx file
    fill = State()  # a missing field's value (data: Sending)


@dataclass(frozen=True)
class NewTemplate(DialogData):
    template_name: str = ""


@dataclass(frozen=True)
class NewFile(DialogData):
    """A .docx sent under a document template's name (or for the template whose screen asked
    for it: ``replace_asked``), kept until "🔁 Replace" or Cancel."""

    replace_asked: int = 0
    replace_template: int = 0
    replace_file: str = ""


@dataclass(frozen=True)
class Sending(DialogData):
    """The template being sent from a card, and the placeholder whose field is asked for."""

    send_template: int = 0
    send_client: int = 0
    send_deal: int = 0
    send_field: str = ""
