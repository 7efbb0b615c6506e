"""An import running in the background, and what it tells the member while it runs.

Its news go into the message the member pressed "Import" on. That message may be gone
(the member deleted it, or Telegram refuses the edit): the progress is then not shown
and the import goes on, and its outcome comes as a new message instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.imports.plan import Policy
from crm.imports.reading import Table, read_table
from crm.imports.rejected import rejected_file
from crm.imports.required import RequiredChoice
from crm.imports.rows import Rejected
from crm.imports.stale import Swept
from crm.service import CrmFactory
from handlers.imports.states import ImportData
from handlers.imports.views import progress_text, reason_text, result_screen
from handlers.kit.errors import error_text
from handlers.kit.screen import edit_or_send

log = logging.getLogger(__name__)

PROGRESS_EVERY = 2.0  # seconds between edits of the progress message


async def run_import(
    bot: Bot,
    factory: CrmFactory,
    member_id: int,
    data: ImportData,
    choices: tuple[Policy, RequiredChoice],
    chat_id: int,
    message_id: int,
) -> None:
    name = data["file_name"]
    last = 0.0

    async def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY and done < total:
            last = time.monotonic()
            text = progress_text(name, done, total)
            try:
                await bot.edit_message_text(
                    chat_id=chat_id, message_id=message_id, **text.as_kwargs()
                )
            except TelegramAPIError as error:  # the message is gone: the import goes on
                log.info("progress of the import of %s not shown: %s", name, error)

    started = False  # past reading the file: rows may be stored from here on
    try:
        table = await read_file(bot, data["file_id"], name)
        started = True
        async with factory.open(background=True) as crm:
            member = await crm.members.get_active(member_id)
            if member is None:
                return
            policy, choice = choices
            if type_id := data.get("type_id", 0):
                outcome = await crm.record_imports.run(
                    member, type_id, table, data["mapping"], name, policy, progress, choice
                )
            else:
                outcome = await crm.imports.run(
                    member, table, data["mapping"], name, policy, progress, choice
                )
    except CrmError as error:
        await edit_or_send(bot, chat_id, message_id, Text(error_text(error)))
        return
    except asyncio.CancelledError:  # the bot stops: the import was closed as interrupted
        text = _(
            "The import stopped because the bot is restarting; what was stored so far can "
            "be undone in /imports."
        )
        if not started:  # still downloading or reading the file: nothing was stored
            text = _(
                "The import did not start because the bot is restarting. Send the file "
                "again once the bot is back."
            )
        with contextlib.suppress(Exception):
            await edit_or_send(bot, chat_id, message_id, Text(text))
        raise
    except Swept:  # taken for stopped (no beat for too long): what it stored is whole
        log.warning("import of %s was taken as interrupted while it ran", name)
        text = _(
            "The import stopped: it gave no sign of progress for too long. What was stored "
            "so far can be undone in /imports."
        )
        await edit_or_send(bot, chat_id, message_id, Text(text))
        return
    except Exception:
        log.exception("import of %s failed", name)
        text = _(
            "The import stopped on an error; what was stored so far can be undone in /imports."
        )
        await edit_or_send(bot, chat_id, message_id, Text(text))
        return
    screen = result_screen(name, outcome, bool(data.get("type_id")), table.by_line)
    await edit_or_send(bot, chat_id, message_id, screen.text, screen.keyboard)
    if outcome.rejected:
        await send_rejected(bot, chat_id, table, outcome.rejected, (name, member.language))


async def send_rejected(
    bot: Bot, chat_id: int, table: Table, rejected: list[Rejected], file: tuple[str, str]
) -> None:
    """The file of the ``rejected`` rows of ``table`` (the sent file's name, and the
    member's language), with the reason of each."""
    name, language = file
    rows = rejected_file(table, rejected, _("Reason"), reason_text, language)
    await bot.send_document(
        chat_id,
        BufferedInputFile(rows, filename=f"rejected-{name.rsplit('.', 1)[0]}.csv"),
        caption=_(
            "Rows that were not imported, with the reason. Fix them and send the file again."
        ),
    )


async def read_file(bot: Bot, file_id: str, name: str) -> Table:
    """The spreadsheet the member sent, read off the event loop."""
    downloaded = await bot.download(file_id)
    assert downloaded is not None
    return await asyncio.to_thread(read_table, downloaded.read(), name)
