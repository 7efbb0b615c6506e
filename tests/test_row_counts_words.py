"""Counts of rows and of changed cards read in the language's grammar: "1 строки", "42 строки"
and "строк: 42" in Russian, "1 row" and "1 card was" in English, never "42 строк" or
"1 cards were"."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.i18n import build_i18n
from bot.simulator import SimulatedUser
from handlers.imports.holds_views import hidden_columns
from handlers.imports.views import progress_text
from tests.conftest import OWNER_ID
from tests.test_imports_links import run_import


@pytest.mark.parametrize(
    ("language", "total", "said"),
    [
        ("ru", 1, "Импорт a.csv: 0 из 1 строки…"),
        ("ru", 21, "Импорт a.csv: 0 из 21 строки…"),
        ("ru", 42, "Импорт a.csv: 0 из 42 строк…"),
        ("ru", 250, "Импорт a.csv: 0 из 250 строк…"),
        ("en", 1, "Importing a.csv: 0 of 1 row…"),
        ("en", 250, "Importing a.csv: 0 of 250 rows…"),
    ],
)
def test_an_imports_progress_counts_its_rows_in_the_language(
    language: str, total: int, said: str
) -> None:
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale(language):
        assert progress_text("a.csv", 0, total).as_html() == said


async def test_the_backup_sent_in_the_chat_says_its_rows_as_a_count(
    app: App, owner: SimulatedUser
) -> None:
    await owner.send("/start")
    [sent] = await owner.send("/backup")
    assert sent.data is not None
    assert sent.text.startswith("Вся база, строк: "), sent.text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Cannot undo: 1 imported card was changed since (Иван Петров)."),
        ("ru", "Отменить нельзя: с тех пор изменили 1 импортированную карточку (Иван Петров)."),
    ],
)
async def test_an_undo_refused_for_one_changed_card_says_one_card(
    app: App, owner_en: SimulatedUser, language: str, said: str
) -> None:
    first = "\r\n".join(["ФИО", "Иван Петров"]).encode("utf-8")
    await run_import(owner_en, app, "a.csv", first, "Skip them")
    second = "\r\n".join(["ФИО;Linked clients", "Анна;Иван Петров"]).encode("utf-8")
    await run_import(owner_en, app, "b.csv", second, "Skip them")  # Иван now has B's link
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.members.set_language(me, language)
    await owner_en.send("/imports")
    await owner_en.press("#1" if language == "en" else "№1")
    await owner_en.press("Yes" if language == "en" else "Да")
    told = owner_en.alert or owner_en.last_message().text
    assert told.startswith(said), told


@pytest.mark.parametrize(
    ("total", "said"),
    [(21, "из 21 столбца файла"), (22, "из 22 столбцов файла"), (25, "из 25 столбцов файла")],
)
def test_the_note_under_a_wide_mapping_counts_its_columns_in_russian(total: int, said: str) -> None:
    """ "…первые 20 из 21 столбцов" read wrongly: after "из" 21 takes "столбца"."""
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        [note] = hidden_columns(total, 20)
    assert f"Здесь можно изменить только первые 20 {said}." in note, note
