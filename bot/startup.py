"""Getting the database and the team ready before the bot answers anyone."""

from __future__ import annotations

import gc
import logging
from datetime import UTC

from bot.app import App
from storage import trigram_counts
from storage.migrate import seeding, upgrade

log = logging.getLogger(__name__)


async def prepare_database(app: App) -> None:
    """Apply pending migrations, make the configured owners members, seed the pipeline,
    read how common each trigram of the text index is (``storage.trigram_counts``)."""
    await upgrade(app.engine)
    await trigram_counts.load(app.engine)
    async with seeding(app.engine), app.crm.open() as crm:  # several may be starting at once
        await crm.members.ensure_configured_owners()
        await crm.pipelines.ensure_default()


async def announce_setup_code(app: App, bot_username: str | None) -> None:
    """With no owner yet, log a new one-time code whose sender becomes the owner (each
    instance started logs its own, and any of them works until one is used or it expires)."""
    async with seeding(app.engine), app.crm.open() as crm:
        issued = await crm.setup_codes.issue()
    if issued is None:
        return
    code, expires = issued
    link = f"https://t.me/{bot_username}?start={code}" if bot_username else f"/start {code}"
    log.warning(
        "Kartoteka has no owner yet. The first person to open %s (or to send the bot "
        '"/start %s") becomes the owner. The code works until %s UTC; restart the bot for '
        "a new one. Or set OWNER_IDS and restart.",
        link,
        code,
        f"{expires.astimezone(UTC):%Y-%m-%d %H:%M}",
    )


def settle_heap() -> None:
    """Collect once, then keep what startup built out of the collector's full passes.

    What is loaded by now (modules, SQLAlchemy's mappers, aiogram's and pydantic's
    types, the translations) lives as long as the process, and a full collection
    walked all of it: ~240 ms of the event loop at once, every few hundred
    updates (``bench.e2e``), the update that met it waiting. ``gc.freeze`` moves
    it to a generation no collection walks; what updates make is collected as
    before. ``gc.unfreeze`` when the bot stops serving (tests serve many times).
    """
    gc.collect()
    gc.freeze()
