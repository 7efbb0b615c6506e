"""A manager's import preview tells the truth about rows matching clients he cannot see
(another manager's), without naming them: they are counted apart from the clients in the
base he sees, as skipped (not filled in, no deal) unless he creates them anyway, which is
what the import then does; the new client's duplicate question says as much by hand."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from storage.models import Client, ClientEmail, Record
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import actor, all_of
from tests.test_imports_flow import finished

MARK = 7331
FILE = "\r\n".join(
    [
        "ФИО;Телефон;Почта;Сумма",
        "Иван Петров;8 916 123-45-67;ivan@mail.ru;5000",
        "Мария;89035556677;maria@ya.ru;",
        "Олег Новый;89260001122;;",
    ]
).encode()
HIDDEN = "Other managers' clients, not shown to you: 1. They are skipped (with their deals)"


async def test_rows_of_clients_he_cannot_see_are_counted_apart_and_skipped(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mark = await join(MARK, "manager", "Mark", language_code="en")
    await make_client(app, OWNER_ID, "Owner's Ivan", phones=("+79161234567",))
    await make_client(app, MARK, "Mark's Maria", phones=("+79035556677",))

    await mark.send_document("база.csv", data=FILE)
    [preview] = await mark.press("Preview")
    assert "New clients: 1" in preview.text
    assert "Already in the base (by ID, phone or e-mail): 1" in preview.text
    assert HIDDEN in preview.text
    assert "Deals: 0" in preview.text  # Иван's row makes none: it is skipped
    assert "Owner's Ivan" not in preview.text
    await mark.press("Fill in their empty fields")
    await finished(app)
    result = mark.last_message().text
    assert "Created: 1" in result and "Updated: 1" in result and "Skipped: 1" in result
    assert "Deals: 0" in result
    names = sorted(c.name for c in await all_of(app, Client))
    assert names == ["Mark's Maria", "Owner's Ivan", "Олег Новый"]  # no second Ivan
    assert sorted(e.email for e in await all_of(app, ClientEmail)) == ["maria@ya.ru"]

    # The owner sees every client (Олег's card too, now): nothing is counted apart.
    await owner_en.send_document("база.csv", data=FILE)
    [preview] = await owner_en.press("Preview")
    assert "Already in the base (by ID, phone or e-mail): 3" in preview.text
    assert "Deals: 1" in preview.text and "Other managers'" not in preview.text


async def test_records_of_other_managers_are_counted_apart_and_skipped(
    app: App, join: Joiner
) -> None:
    mark = await join(MARK, "manager", "Mark", language_code="en")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        await crm.records.create(owner, kind.id, "Альфа")  # the owner's: Mark does not see it
        beta = await crm.records.create(owner, kind.id, "Бета")
        await crm.records.set_manager(owner, beta.id, MARK)
    await mark.send_document(
        "поставщики.csv", data="Название\r\nАльфа\r\nБета\r\nГамма\r\n".encode()
    )
    await mark.press("The file holds")
    await mark.press("🏭 Поставщики")
    [preview] = await mark.press("Preview")
    for line in (
        "New records: 1",
        "Already in the base (by name): 1",
        "Other managers' records, not shown to you: 1. They are skipped unless you choose",
    ):
        assert line in preview.text
    await mark.press("Skip them")
    await finished(app)
    result = mark.last_message().text
    assert "Created: 1" in result and "Skipped: 2" in result
    assert sorted(r.title for r in await all_of(app, Record)) == ["Альфа", "Бета", "Гамма"]
