"""A clean stop while an import still downloads or reads its file: nothing was stored,
so the member is told the import did not start and to send the file again, not that
what was stored can be undone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import App
from bot.runner import finish_background
from bot.simulator import SimulatedUser
from handlers.imports import running
from storage.models import Client, ImportBatch
from tests.client_helpers import member
from tests.conftest import OWNER_ID, UserFactory
from tests.test_imports_stopped import CSV, count


async def stopped_while_reading(
    app: App, user: SimulatedUser, monkeypatch: pytest.MonkeyPatch, skip: str
) -> str:
    """The file sent and its import started, its download held up until the bot stops
    (the background cancelled as the runner cancels it): the message the member has."""
    reading = asyncio.Event()

    async def held_up(*args: Any) -> Any:
        reading.set()
        await asyncio.Event().wait()

    await user.send_document("база.csv", data=CSV)
    await user.press("▶")
    monkeypatch.setattr(running, "read_file", held_up)  # the preview read it as it does
    await user.press(skip)
    await asyncio.wait_for(reading.wait(), 10)
    await finish_background(app.dispatcher["background"], 0.2)
    assert not app.dispatcher["background"]
    assert (await count(app, Client), await count(app, ImportBatch)) == (0, 0)
    return user.chat_messages()[-1].text


@pytest.mark.parametrize(
    ("language", "skip", "told"),
    [
        (
            "ru",
            "Пропустить",
            "Импорт не начался: бот перезапускается. "
            "Пришлите файл ещё раз, когда бот снова заработает.",
        ),
        (
            "en",
            "Skip",
            "The import did not start because the bot is restarting. "
            "Send the file again once the bot is back.",
        ),
    ],
    ids=["ru", "en"],
)
async def test_a_stop_before_the_file_is_read_says_the_import_did_not_start(
    app: App,
    user: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    skip: str,
    told: str,
) -> None:
    async with app.crm.open() as crm:
        await crm.members.set_language(await member(app, OWNER_ID), language)
    owner = user(OWNER_ID, "Olga", language_code=language)
    assert await stopped_while_reading(app, owner, monkeypatch, skip) == told
