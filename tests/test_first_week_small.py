"""Small things that read like a bug in the first week (issue 10, item 8), as met."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner


def button_texts(message: object) -> list[str]:
    return [text for text, _data, _url in message.buttons]  # type: ignore[attr-defined]


async def test_the_archive_button_on_clients_opens_the_archive(
    app: App, owner: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Алёна Смирнова")
    [screen] = await owner.send("/clients")
    assert "🗄 Архив" in button_texts(screen)
    assert "🗄 В архив" not in button_texts(screen)  # that is what the card's button does
    [archive] = await owner.press("🗄 Архив", screen)
    assert archive.text.startswith("🗄 Архив: 0")
    [screen] = await owner.send("/clients")
    [card] = await owner.press("Алёна Смирнова", screen)
    assert "🗄 В архив" in button_texts(card)


async def test_a_manager_with_no_clients_is_told_they_have_none(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    await make_client(app, OWNER_ID, "Алёна Смирнова")  # the owner's: not the manager's
    manager = await join(4301, "manager", "Марк")
    [screen] = await manager.send("/clients")
    assert "У вас пока нет клиентов" in screen.text
    [screen] = await owner.send("/clients")
    assert "У вас пока нет клиентов" not in screen.text


async def test_find_says_a_match_is_in_the_archive(app: App, owner: SimulatedUser) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    await make_client(app, OWNER_ID, "Алёна Котова")
    async with app.crm.open() as crm:
        await crm.client_edits.set_archived(await member(app, OWNER_ID), alena.id, True)
    [found] = await owner.send("/find смирнова")
    assert "🗄 — клиент в архиве" in found.text
    assert button_texts(found) == ["🗄 Алёна Смирнова"]
    [card] = await owner.press("Алёна Смирнова", found)
    assert "В архиве" in card.text
    # An active match alone still opens its card at once.
    [card] = await owner.send("/find котова")
    assert card.text.startswith("👤 Алёна Котова")
    [found] = await owner.send("/find алёна")
    assert button_texts(found) == ["Алёна Котова", "🗄 Алёна Смирнова"]


async def test_a_long_comment_can_be_read_whole(app: App, owner: SimulatedUser) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    long = "Очень длинный разговор. " * 20 + "Итог: перезвонить в пятницу."
    async with app.crm.open() as crm:
        event = await crm.timeline.comment(await member(app, OWNER_ID), alena.id, long)
    [card] = await owner.send("/find алёна")
    assert "Итог: перезвонить в пятницу." not in card.text  # cut on the timeline
    [read] = [text for text in button_texts(card) if text.startswith("📖")]
    [whole] = await owner.press(read, card)
    assert whole.text == " ".join(long.split()) or whole.text == long
    assert whole is not card  # the card stays as it was
    # A forged press for an event of a client out of view, or of no note, is refused.
    from handlers.opencard.callbacks import OpenCardAction, OpenCardCb

    await owner.press_data(OpenCardCb(action=OpenCardAction.FULL_TEXT, ref=event.id + 99).pack())
    assert owner.alert is not None and "больше нет" in owner.alert


async def test_a_name_with_no_letters_is_told_why(app: App, owner: SimulatedUser) -> None:
    [reply] = await owner.send("/new 🎉")
    assert reply.text.startswith("В имени должна быть хотя бы одна буква или цифра.")
    [card] = await owner.send("Алёна")
    assert card.text.startswith("👤 Алёна")
