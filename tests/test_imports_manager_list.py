"""A manager may import, and /imports is his way to see and undo his imports: it answered
him "You don't have access to this." (the list named everyone who imported from the
staff's team list). He sees his own imports only and undoes one; the owner sees all."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from tests.conftest import Joiner
from tests.test_imports_new_field_failed import finished


async def imported(app: App, member: SimulatedUser, file_name: str, line: str) -> None:
    await member.send_document(file_name, data=f"ФИО;Телефон\r\n{line}".encode())
    await member.press("Preview")
    await member.press("Create")
    await finished(app)
    assert "Created: 1" in member.chat_messages()[-1].text


async def test_a_manager_lists_and_undoes_his_own_imports(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await imported(app, owner_en, "владелец.csv", "Анна;+79161112233")
    mark = await join(7401, "manager", "Mark", language_code="en")
    await imported(app, mark, "мои.csv", "Иван;+79161234567")

    [screen] = await mark.send("/imports")
    assert "#2 мои.csv — Mark, " in screen.text and ": created 1, updated 0" in screen.text
    assert "владелец.csv" not in screen.text and "#1" not in str(screen.buttons)
    [question] = await mark.press("Undo #2")
    assert "Undo the import of мои.csv?" in question.text
    [done] = await mark.press("Yes, undo")
    assert done.text == "Import undone: 1 card removed, 0 restored, 0 deals removed."
    [screen] = await mark.send("/imports")
    assert "#2 мои.csv — Mark, " in screen.text and ": undone" in screen.text

    [screen] = await owner_en.send("/imports")
    assert "#2 мои.csv — Mark, " in screen.text and "#1 владелец.csv — Olga Owner" in screen.text
    assert "Undo #1" in str(screen.buttons)
