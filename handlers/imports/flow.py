"""Importing a sent spreadsheet: the columns, the preview, the duplicate choice, the run.

The file itself is never kept: the dialog holds its Telegram file id and reads
it again for the preview and the run. The run goes on in the background with
one progress message edited in place, so the bot keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from aiogram import Bot, F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import ErrorCode, InvalidInput, NotAllowed
from crm.imports.mapping import Target, change
from crm.imports.plan import Policy
from crm.imports.preview import Preview
from crm.imports.reading import MAX_BYTES, Table
from crm.imports.required import RequiredChoice
from crm.service import Crm, CrmFactory
from crm.team_settings import can_change_settings
from handlers.imports.callbacks import ImportAction, ImportCb
from handlers.imports.formula_views import formulas_warning
from handlers.imports.header_views import first_row_note, merged_note, others_note, title_note
from handlers.imports.running import read_file, run_import, send_rejected
from handlers.imports.states import ImportData, ImportDialog
from handlers.imports.targets import client_targets
from handlers.imports.views import (
    RECORD_TARGETS,
    mapping_screen,
    preview_screen,
    progress_text,
    targets_screen,
)
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from storage.models import User

log = logging.getLogger(__name__)
routes = Routes(__name__)
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


def is_spreadsheet(message: Message) -> bool:
    name = (message.document.file_name or "").lower() if message.document else ""
    return name.endswith(SPREADSHEETS)


@routes.message(Command("import"))
async def ask_for_file(message: Message) -> None:
    await message.answer(
        _(
            "Send me the spreadsheet as a file: .xlsx, .xls, .ods or .csv, up to 20 MB. "
            "The first row should hold the column names (Name, Phone, E-mail, Company…)."
        )
    )


@routes.message(F.document, is_spreadsheet, ~StateFilter(None, ImportDialog.mapping))
async def file_in_a_dialog(message: Message) -> None:
    """A spreadsheet sent in the middle of another dialog: that dialog is left as it is."""
    await message.answer(
        _(
            "You are in the middle of something else. Finish it or /cancel it first, "
            "then send the file again to import it."
        )
    )


@routes.message(F.document, is_spreadsheet)  # no dialog, or another file for this import
async def file_sent(message: Message, state: FSMContext, bot: Bot, crm: Crm, member: User) -> None:
    document = message.document
    assert document is not None
    name = document.file_name or "file"
    await start_import(
        message, state, bot, crm, member, (document.file_id, name, document.file_size)
    )


async def start_import(
    target: Message | CallbackQuery,
    state: FSMContext,
    bot: Bot,
    crm: Crm,
    member: User,
    file: tuple[str, str, int | None],
) -> None:
    """Read the spreadsheet ``file`` (its Telegram file id, name and size) and show where
    its columns go: the import dialog begins (on ``target``: the file's message, or the
    question a file sent with a card open was asked with)."""
    file_id, name, size = file
    if (size or 0) > MAX_BYTES:
        raise InvalidInput(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 2**20)
    table = await read_file(bot, file_id, name)
    mapping, labels = await client_targets(crm, table.headers, table.joined, table.hints)
    data: ImportData = {
        "file_id": file_id,
        "file_name": name,
        "headers": table.headers,
        "mapping": mapping,
        "fields": labels,
        "may_define": can_change_settings(member),
    }
    if table.joined:
        data["joined"] = [list(span) for span in table.joined]
    if table.formulas:
        data["formulas"] = [[f.column, f.cells, f.first, f.last] for f in table.formulas]
    if table.title:
        data["title"] = table.title[:200]
    if table.others:
        data["sheet"] = (table.sheet or "")[:100]
        data["others"] = [name[:100] for name in table.others[:10]]
    if table.merged:
        data["merged"] = [list(span) for span in table.merged]
    if table.hints:
        data["hints"], data["first_row"] = table.hints, table.first_row[:200]
    await state.set_state(ImportDialog.mapping)
    await state.set_data(cast(dict[str, Any], data))
    await shown(target, state, screen_of(data))


async def shown(target: Message | CallbackQuery, state: FSMContext, screen: Screen) -> None:
    """``screen`` shown as the import dialog's, its message kept: only its buttons act."""
    message = await show(target, screen)
    if message is not None:
        await state.update_data(screen=message.message_id)


async def on_screen(callback: CallbackQuery, state: FSMContext) -> bool:
    """Whether the press is on the import dialog's own message: an earlier file's (or an
    earlier import's) buttons are no longer active, whatever the dialog holds now."""
    if await state.get_state() != ImportDialog.mapping.state:
        return False
    kept = (await state.get_data()).get("screen")
    return kept is None or (callback.message is not None and callback.message.message_id == kept)


def screen_of(data: ImportData) -> Screen:
    headers, mapping = data["headers"], data["mapping"]
    notes = formulas_warning(headers, data.get("formulas", []))
    notes += title_note(data.get("title", ""))
    notes += others_note(data.get("sheet", ""), data.get("others", []))
    notes += first_row_note(data.get("first_row", ""), data.get("holds", ""))
    notes += merged_note(headers, mapping, data.get("merged", []))
    return mapping_screen(
        data["file_name"], headers, mapping, data.get("fields", {}), data.get("holds", ""), notes
    )


@routes.message(ImportDialog.mapping, F.text, ~F.text.startswith("/"))
async def typed_while_mapping(message: Message) -> None:
    """The mapping is made with its buttons; what is typed meanwhile is not read."""
    await message.answer(
        _("Choose where the columns go with the buttons above, then preview; or /cancel.")
    )


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.COLUMN))
async def pick_column(callback: CallbackQuery, callback_data: ImportCb, state: FSMContext) -> None:
    data = cast(ImportData, await state.get_data())
    if not 0 <= callback_data.column < len(data["headers"]):
        raise InvalidInput(ErrorCode.IMPORT_BAD_COLUMN)
    header = data["headers"][callback_data.column]
    extra = dict(data.get("fields", {}))
    records = bool(data.get("type_id"))
    if data.get("may_define", False):
        extra[Target.NEW_FIELD] = ""
    await shown(callback, state, targets_screen(header, callback_data.column, extra, records))


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.TARGET))
async def set_target(callback: CallbackQuery, callback_data: ImportCb, state: FSMContext) -> None:
    data = cast(ImportData, await state.get_data())
    target = callback_data.value
    if target == Target.NEW_FIELD and not data.get("may_define", False):
        raise NotAllowed()
    builtin = RECORD_TARGETS if data.get("type_id") else {t.value for t in Target}
    if target not in builtin and target not in data.get("fields", {}):
        raise InvalidInput(ErrorCode.IMPORT_BAD_TARGET, target=target[:40])
    data["mapping"] = change(data["mapping"], callback_data.column, target)
    await state.update_data(mapping=data["mapping"])
    await shown(callback, state, screen_of(data))


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.MAPPING))
async def back_to_mapping(callback: CallbackQuery, state: FSMContext) -> None:
    data = cast(ImportData, await state.get_data())
    await shown(callback, state, screen_of(data))


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.PREVIEW))
async def preview(
    callback: CallbackQuery, state: FSMContext, bot: Bot, crm: Crm, member: User
) -> None:
    data, _table, counts = await previewed(state, bot, crm, member)
    choice = RequiredChoice(data["required"]) if data.get("required") else None
    records = bool(data.get("type_id"))
    await shown(callback, state, preview_screen(data["file_name"], counts, choice, records))


async def previewed(
    state: FSMContext, bot: Bot, crm: Crm, member: User
) -> tuple[ImportData, Table, Preview]:
    """The dialog, its file read again, and what importing it as mapped would do."""
    data = cast(ImportData, await state.get_data())
    table = await read_file(bot, data["file_id"], data["file_name"])
    choice = RequiredChoice(data["required"]) if data.get("required") else None
    if type_id := data.get("type_id", 0):
        counts = await crm.record_imports.preview(member, type_id, table, data["mapping"], choice)
    else:
        counts = await crm.imports.preview(member, table, data["mapping"], choice)
    return data, table, counts


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.REQUIRED))
async def required_choice(
    callback: CallbackQuery,
    callback_data: ImportCb,
    state: FSMContext,
    bot: Bot,
    crm: Crm,
    member: User,
) -> None:
    """Rows lacking a required field: rejected or imported empty, chosen once."""
    if callback_data.value not in {c.value for c in RequiredChoice}:
        raise InvalidInput(ErrorCode.IMPORT_BAD_TARGET, target=callback_data.value[:40])
    await state.update_data(required=callback_data.value)
    await preview(callback, state, bot, crm, member)


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.REJECTED))
async def rejected_rows(
    callback: CallbackQuery, state: FSMContext, bot: Bot, crm: Crm, member: User
) -> None:
    """Nothing of the file can be imported: the rows refused, with why, to fix and send."""
    data, table, counts = await previewed(state, bot, crm, member)
    await callback.answer()
    chat = callback.message.chat.id if callback.message else callback.from_user.id
    file = (data["file_name"], member.language)
    await send_rejected(bot, chat, table, counts.refused, file)


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.CANCEL))
async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, Text(_("Import cancelled. Nothing was stored.")))


@routes.callback_query(on_screen, ImportCb.filter(F.action == ImportAction.RUN))
async def run(
    callback: CallbackQuery,
    callback_data: ImportCb,
    state: FSMContext,
    bot: Bot,
    member: User,
    crm_factory: CrmFactory,
    background: set[asyncio.Task[None]],
) -> None:
    data = cast(ImportData, await state.get_data())
    policy = Policy.named(callback_data.value)
    choice = RequiredChoice(data.get("required") or RequiredChoice.EMPTY)
    await state.clear()
    await show(callback, progress_text(data["file_name"], 0, 0))
    message = callback.message
    assert message is not None
    task = asyncio.create_task(
        run_import(
            bot, crm_factory, member.id, data, (policy, choice), message.chat.id, message.message_id
        )
    )
    background.add(task)
    task.add_done_callback(background.discard)
