"""Through the bot: a file of deals sent a second time and its clients skipped adds none of
its deals again, and the preview and the result say so (Russian and English); a manager's
preview does not count the deals of clients he cannot see (another manager's), which his
import leaves alone anyway (tests/test_imports_unseen.py)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from storage.models import Deal
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import actor, all_of
from tests.test_imports_flow import finished
from tests.test_imports_same_deals import FILE

MARK = 7332


async def send(user: SimulatedUser, app: App, preview: str, skip: str) -> tuple[str, str]:
    """The file sent, its preview's text, and the result's once its known clients skipped."""
    await user.send_document("сделки.csv", data=FILE.encode())
    [shown] = await user.press(preview)
    text = shown.text  # the message becomes the result
    await user.press(skip)
    await finished(app)
    return text, user.last_message().text


def told(text: str, *lines: str) -> None:
    assert [line for line in lines if line not in text] == []


async def test_a_file_sent_again_adds_no_deal_twice_in_russian(
    app: App, owner: SimulatedUser
) -> None:
    _preview, result = await send(owner, app, "Предпросмотр", "Пропустить")
    assert "Сделок: 3" in result and "не добавлено повторно" not in result
    preview, result = await send(owner, app, "Предпросмотр", "Пропустить")
    there = "Сделок, которые уже есть у клиентов в базе (то же название и сумма): 3. "
    told(preview, "Сделок: 0", there + "Повторно они не добавляются, если не выбрать «Всё")
    not_again = "Сделок, которые у клиентов уже были, не добавлено повторно: 3"
    told(result, "Сделок: 0", "Пропущено: 3", not_again)
    assert len(await all_of(app, Deal)) == 3


async def test_a_managers_file_sent_again(app: App, owner_en: SimulatedUser, join: Joiner) -> None:
    mark = await join(MARK, "manager", "Mark", language_code="en")
    ivan = await make_client(app, OWNER_ID, "Owner's Ivan", phones=("+79161234567",))
    async with app.crm.open() as crm:  # the same deal as the file's, on a card Mark cannot see
        await crm.deals.create(await actor(crm, OWNER_ID), ivan.id, 15_000_000, "Поставка")
    preview, result = await send(mark, app, "Preview", "Skip them")
    told(preview, "Other managers' clients, not shown to you: 1.", "Deals: 2")
    assert "already have" not in preview
    assert "Deals: 2" in result and "not added again" not in result

    preview, result = await send(mark, app, "Preview", "Skip them")
    there = "Deals their clients in the base already have (same title and amount): 2. "
    told(preview, "Deals: 0", there + "They are not added again unless you choose “Create")
    told(result, "Deals: 0", "Deals their clients already had, not added again: 2")
    assert len(await all_of(app, Deal)) == 3

    # The owner sees Ivan's deal, as the file has it: all three are already there.
    preview, _result = await send(owner_en, app, "Preview", "Skip them")
    told(preview, "Deals: 0", "(same title and amount): 3.")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Deals · CSV", "Preview", "Rows that cannot be read: 0", "Skip them")),
        ("ru", ("Сделки · CSV", "Предпросмотр", "Строк, которые не прочитать: 0", "Пропустить")),
    ],
)
async def test_the_deals_export_sent_back_knows_every_stage_it_names(
    app: App, owner: SimulatedUser, language: str, words: tuple[str, str, str, str]
) -> None:
    """The deals export names each built-in stage as the bot does («Contact made», «Invoice
    sent», «Paid»; «Контакт установлен», «Счёт выставлен», «Проиграно»), which /import did
    not know: sent back, those deals' rows were rejected as of an unknown stage. And it
    titled the deals' column "Title" («Название»), which /import took for nothing: every
    deal came back untitled, not the one its client has, and was added again."""
    button, preview, readable, skip = words
    async with app.crm.open() as crm:
        me = await actor(crm, OWNER_ID)
        await crm.members.set_language(me, language)
    ivan = await make_client(app, OWNER_ID, "Иван", phones=("+79161234567",))
    async with app.crm.open() as crm:
        me = await actor(crm, OWNER_ID)
        for number, stage in enumerate(await crm.pipelines.stages(), start=1):
            deal = await crm.deals.create(me, ivan.id, number * 100, f"Deal {stage.code}")
            if number > 1:
                await crm.deals.move(me, deal.id, stage.id, "—" if stage.kind == "lost" else None)
    await owner.send("/export")
    [sent] = await owner.press(button)
    await owner.send_document("deals.csv", data=sent.data or b"")
    [shown] = await owner.press(preview)
    assert readable in shown.text, shown.text
    await owner.press(skip)
    await finished(app)
    assert len(await all_of(app, Deal)) == 7  # each known, none added again
