"""The preview counts what the run does with a row repeating an earlier one: the run puts
the repeat's phones and e-mails into the earlier row ("Skip" and "Fill"), so a client the
base has by a phone only the second row holds is a known client, not a new one; "Fill"
updates each known client once, "Create anyway" makes a card of every row."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_imports_flow import finished

FILE = "\r\n".join(
    [
        "ФИО;Телефон;Почта",
        "Мария;;maria@ya.ru",  # no phone: the base's Мария only by the next row's
        "Мария;89035556677;maria@ya.ru",  # the same e-mail: a repeat, with her phone
        "Иван;89161234567;",
    ]
).encode()


async def test_a_repeat_bringing_a_known_phone_is_previewed_as_the_skip_does_it(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))
    await owner_en.send_document("база.csv", data=FILE)
    [preview] = await owner_en.press("Preview")
    for line in (
        "New clients: 1",
        "Already in the base (by ID, phone or e-mail): 2",
        "Repeated inside the file: 0",
        "“Fill in their empty fields” updates 1 of them: some rows are the same client's.",
        "“Create anyway” makes a new card of every row: 3.",
    ):
        assert line in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    result = owner_en.last_message().text
    assert "Created: 1" in result and "Updated: 0" in result and "Skipped: 2" in result
    assert "merged" not in result


async def test_fill_updates_the_known_client_once_as_the_preview_says(
    app: App, owner: SimulatedUser
) -> None:
    """In Russian: "Fill" updates Мария once, her second row merged into her card."""
    await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))
    await owner.send_document("база.csv", data=FILE)
    [preview] = await owner.press("Предпросмотр")
    assert (
        "«Дополнить пустые поля» обновит из них 1: некоторые строки — это один и тот же клиент."
        in (preview.text)
    )
    await owner.press("Дополнить пустые поля")
    await finished(app)
    result = owner.last_message().text
    assert "Создано: 1" in result and "Обновлено: 1" in result
