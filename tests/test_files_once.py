"""A button that makes a file (the report's charts and workbook, an export) pressed twice
sends it once, the second press answered "Already sent."; the screen shown anew on the
message (the period chosen again, the formats asked again) sends it again on purpose."""

from __future__ import annotations

import asyncio

from aiogram.methods import SendDocument, SendPhoto

from bot.app import App
from bot.simulator import SimulatedUser
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_report_flow import choose, october, sent_files

__all__ = ["october"]  # the report's fixture, shared


def documents(person: SimulatedUser) -> int:
    return sum(1 for m in person.chat_messages() if m.method == "SendDocument")


async def test_the_reports_workbook_pressed_twice_comes_once(
    october: App, owner_en: SimulatedUser
) -> None:
    report = await choose(owner_en, "This month")
    [xlsx] = [data for label, data, _url in report.buttons if label == "📄 XLSX"]
    assert xlsx is not None
    await asyncio.gather(*(owner_en.press_data(xlsx, report) for _ in range(2)))
    assert len(sent_files(october, SendDocument)) == 1
    assert owner_en.alerts() == ["Already sent."]
    assert await owner_en.press_data(xlsx, report) == []  # later, the same button
    assert owner_en.alert == "Already sent."

    # The period chosen again on the message: a new report, its workbook sent on purpose.
    await owner_en.press("◀️", report)
    await owner_en.press("This month", report)
    await owner_en.press("📄 XLSX", report)
    assert len(sent_files(october, SendDocument)) == 2


async def test_the_reports_charts_pressed_twice_come_once(
    october: App, owner_en: SimulatedUser
) -> None:
    report = await choose(owner_en, "This month")
    [charts] = [data for label, data, _url in report.buttons if label == "📈 Charts"]
    assert charts is not None
    await owner_en.press_data(charts, report)
    assert await owner_en.press_data(charts, report) == []
    assert owner_en.alert == "Already sent."
    assert len(sent_files(october, SendPhoto)) == 2  # the funnel and the weeks, once


async def test_an_export_pressed_twice_comes_once(app: App, owner_en: SimulatedUser) -> None:
    await make_client(app, OWNER_ID, "Иван Петров")
    [screen] = await owner_en.send("/export")
    [xlsx] = [data for label, data, _url in screen.buttons if label == "Clients · XLSX"]
    assert xlsx is not None
    await asyncio.gather(*(owner_en.press_data(xlsx, screen) for _ in range(2)))
    assert documents(owner_en) == 1
    assert owner_en.alerts() == ["Already sent."]
    await owner_en.press("Clients · CSV", screen)  # another file of the same screen
    assert documents(owner_en) == 2

    # A list's "⬇️ Export": the formats asked again send the file again.
    [listed] = await owner_en.send("/clients")
    [choice] = await owner_en.press("⬇️ Export", listed)
    [excel] = [data for label, data, _url in choice.buttons if "Excel" in label]
    assert excel is not None
    await owner_en.press_data(excel, choice)
    assert await owner_en.press_data(excel, choice) == []
    assert owner_en.alert == "Already sent." and documents(owner_en) == 3
    await owner_en.press("Back to the list", choice)
    await owner_en.press("⬇️ Export", choice)
    await owner_en.press("Excel", choice)
    assert documents(owner_en) == 4
