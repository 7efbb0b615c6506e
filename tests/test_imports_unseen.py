"""A manager's import preview tells the truth about rows matching clients he cannot see
(another manager's), without naming them: they are counted apart from the clients in the
base he sees, as skipped (not filled in, no deal) unless he creates them anyway, which is
what the import then does; the new client's duplicate question says as much by hand. An
undo refused for cards changed since names none he cannot see (given away since)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.i18n import build_i18n
from bot.simulator import SimulatedUser
from crm.errors import Conflict, ErrorCode
from handlers.kit.errors import error_text
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


NINA = 7332
THREE = "ФИО;Телефон\r\nАнна Белова;+79161110001\r\nБорис Скрытый;+79161110002\r\n"
THREE += "Вера Видимая;+79161110003\r\n"
REFUSED = {
    "en": "Cannot undo: 2 imported cards were changed since, among them Вера Видимая. Of them, "
    "1 is another manager's card now, not shown to you. Undoing would throw that work away.",
    "ru": "Отменить нельзя: с тех пор изменили 2 импортированные карточки, среди них Вера "
    "Видимая. Из них 1 карточка теперь чужая и вам не видна. Отмена выбросила бы эту работу.",
}


async def marks_three(app: App, join: Joiner) -> SimulatedUser:
    """Mark and Nina join; Mark imports three clients. Mark."""
    mark = await join(MARK, "manager", "Mark", language_code="en")
    await join(NINA, "manager", "Nina", language_code="en")
    await mark.send_document("три.csv", data=THREE.encode())
    await mark.press("Preview")
    await mark.press("Create")
    await finished(app)
    return mark


async def undo_refused(member: SimulatedUser, language: str = "en") -> str:
    """/imports → Undo #1 → Yes: what the refusal said."""
    await member.send("/imports")
    await member.press("#1" if language == "en" else "№1")
    await member.press("Yes" if language == "en" else "Да")
    return member.alert or member.last_message().text


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_an_undo_refused_does_not_name_a_card_given_to_another_manager(
    app: App, owner_en: SimulatedUser, join: Joiner, language: str
) -> None:
    """Mark's import, then the owner gives Борис to Nina and tags Вера: Mark's undo was
    refused naming both, Nina's client too (the name came from his own file, but the card
    is hers now). It names Вера only, and counts the card he cannot see."""
    mark = await marks_three(app, join)
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        cards = {c.name: c.id for c in await all_of(app, Client)}
        await crm.client_edits.set_manager(owner, cards["Борис Скрытый"], NINA)
        await crm.client_edits.add_tags(owner, cards["Вера Видимая"], ["vip"])
        await crm.members.set_language(await actor(crm, MARK), language)
    told = await undo_refused(mark, language)
    assert told == REFUSED[language]
    assert "Борис" not in told
    # The owner sees every card: both named.
    told = await undo_refused(owner_en)
    assert "among them Борис Скрытый, Вера Видимая. Undoing" in told


async def test_an_undo_refused_for_hidden_cards_only_names_none(app: App, join: Joiner) -> None:
    mark = await marks_three(app, join)
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        for card in await all_of(app, Client):
            if card.name != "Анна Белова":
                await crm.client_edits.set_manager(owner, card.id, NINA)
    assert await undo_refused(mark) == (
        "Cannot undo: 2 imported cards were changed since and are other managers' now, "
        "not shown to you. Undoing would throw that work away."
    )


RUSSIAN = [
    (1, 2, "Из них 1 карточка теперь чужая и вам не видна."),
    (2, 3, "Из них 2 карточки теперь чужие и вам не видны."),
    (5, 6, "Из них 5 карточек теперь чужие и вам не видны."),
    (21, 22, "Из них 21 карточка теперь чужая и вам не видна."),
    (0, 21, "изменили 21 импортированную карточку; теперь она у другого менеджера и вам не видна."),
    (0, 22, "изменили 22 импортированные карточки; теперь они у других менеджеров и вам не видны."),
    (0, 25, "изменили 25 импортированных карточек; теперь они у других менеджеров и вам не видны."),
]


@pytest.mark.parametrize(("hidden", "count", "said"), RUSSIAN)
def test_the_cards_not_shown_are_counted_in_their_russian_plural_form(
    hidden: int, count: int, said: str
) -> None:
    """``hidden`` 0: every changed card is another manager's (none named)."""
    names = ["Вера"] if hidden else []
    error = Conflict(
        ErrorCode.IMPORT_CHANGED_SINCE, names=names, count=count, hidden=hidden or count
    )
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        assert said in error_text(error)
