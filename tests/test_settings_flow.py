"""/settings and /cancel: language, time zone, leaving a dialog."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.settings.callbacks import SettingsCb
from storage.engine import create_session_factory
from storage.models import User
from tests.conftest import OWNER_ID, Joiner, UserFactory


async def stored(app: App, user_id: int) -> User:
    async with create_session_factory(app.engine)() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def test_language_comes_from_telegram_and_can_be_changed(app: App, join: Joiner) -> None:
    english = await join(1001, "manager", "Emma", language_code="en-GB")
    assert (await stored(app, 1001)).language == "en"
    [screen] = await english.send("/settings")
    assert screen.text.startswith("Settings\nLanguage: English")
    replies = await english.press("Русский")
    assert replies[0].text.startswith("Настройки\nЯзык: Русский")
    assert replies[1].reply_keyboard is not None
    assert [b.text for b in replies[1].reply_keyboard.keyboard[-1]] == [
        "⚙️ Настройки",
        "❓ Помощь",
    ]
    assert (await stored(app, 1001)).language == "ru"
    [reply] = await english.send("/help")
    assert reply.text.startswith("Что я умею")


async def test_forged_language_is_refused(app: App, owner: SimulatedUser) -> None:
    await owner.press_data(SettingsCb(action="lang", language="de").pack())
    assert owner.alert == "Этот язык не поддерживается."
    assert (await stored(app, OWNER_ID)).language == "ru"


async def test_time_zone_by_button_and_by_text(app: App, owner: SimulatedUser) -> None:
    await owner.send("/settings")
    await owner.press("Сменить часовой пояс")
    [screen] = await owner.press("Asia/Vladivostok")
    assert "Asia/Vladivostok (сейчас 02.03.2026 19:00)" in screen.text
    assert (await stored(app, OWNER_ID)).timezone == "Asia/Vladivostok"

    await owner.press("Сменить часовой пояс")
    [reply] = await owner.send("Марс/Олимп")
    assert reply.text.startswith("«Марс/Олимп» — незнакомый мне часовой пояс.")
    [reply] = await owner.send("asia/yekaterinburg")
    assert "Asia/Yekaterinburg (сейчас 02.03.2026 14:00)" in reply.text
    assert (await stored(app, OWNER_ID)).timezone == "Asia/Yekaterinburg"

    await owner.press_data(SettingsCb(action="tz_pick", zone="Nowhere/Else").pack())
    assert "незнакомый мне часовой пояс" in owner.alert
    assert (await stored(app, OWNER_ID)).timezone == "Asia/Yekaterinburg"


async def test_cancel_leaves_any_dialog(app: App, owner: SimulatedUser) -> None:
    await owner.send("/settings")
    await owner.press("Сменить часовой пояс")
    [reply] = await owner.send("/cancel")
    assert reply.text == "Отменено."
    # Back outside the dialog, text is no longer read as a time zone (it is a search).
    [reply] = await owner.send("Europe/Samara")
    assert "Europe/Samara" in reply.text and "сейчас" not in reply.text
    assert (await stored(app, OWNER_ID)).timezone == "Europe/Moscow"
    [reply] = await owner.send("/cancel")
    assert reply.text == "Отменять нечего."


async def test_english_member_sees_english_everywhere(
    app: App, owner: SimulatedUser, user: UserFactory
) -> None:
    from tests.conftest import invite_link

    link = await invite_link(owner, "manager")
    english = user(1002, "John", language_code="en")
    replies = await english.send(f"/start {link.rsplit('=', 1)[1]}")
    assert replies[0].text == "Welcome to the team! Your role: manager."
    assert replies[1].text.startswith("Hello, John!")
    [reply] = await english.send("/team")
    assert reply.text == "Only the owner or an admin can manage the team."


async def test_a_command_or_menu_button_ends_any_dialog(app: App, owner_en: SimulatedUser) -> None:
    from tests.client_helpers import make_client

    client = await make_client(app, OWNER_ID, "Dialog Client")
    await owner_en.press_data(ClientCb(action="comment", client_id=client.id).pack())
    [screen] = await owner_en.send("⚙️ Settings")  # not taken as the comment
    assert screen.text.startswith("Settings")
    await owner_en.press_data(
        ClientCb(action="edit_field", client_id=client.id, code="city").pack()
    )
    [found] = await owner_en.send("/find Dialog")
    assert found.text.startswith("👤 Dialog Client")
    assert "📍" not in found.text and "💬" not in found.text
    await owner_en.send("/new")
    [reply] = await owner_en.send("/cancel")
    assert reply.text == "Cancelled."


async def test_a_clock_time_or_a_number_is_no_time_zone(app: App, owner: SimulatedUser) -> None:
    """ "12:00" (the time on the member's clock) was read as UTC+2 and "99" as UTC+9 (any
    character passed for the offset's sign): the zone changed without a word of doubt."""
    await owner.send("/settings")
    await owner.press("Сменить часовой пояс")
    for typed in ("12:00", "99", "a5"):
        [reply] = await owner.send(typed)
        assert reply.text.startswith(f"«{typed}» — незнакомый мне часовой пояс."), typed
    assert (await stored(app, OWNER_ID)).timezone == "Europe/Moscow"
    [reply] = await owner.send("−2")  # the minus sign as typographers type it
    assert "Часовой пояс: UTC-2 (" in reply.text  # shown with its own sign
    assert (await stored(app, OWNER_ID)).timezone == "Etc/GMT+2"


async def test_an_offset_with_minutes_is_the_place_that_keeps_it(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "UTC+5:30" was refused as no time zone (Etc zones are whole hours): India's offset
    is now India's zone; Newfoundland's −3:30, which moves in summer, still wants a city."""
    await owner_en.send("/settings")
    await owner_en.press("Change time zone")
    [reply] = await owner_en.send("UTC-3:30")
    assert reply.text.startswith("“UTC-3:30” is not a time zone I know."), reply.text
    [reply] = await owner_en.send("UTC+5:30")
    assert "Asia/Kolkata (now 02.03.2026 14:30)" in reply.text, reply.text
    assert (await stored(app, OWNER_ID)).timezone == "Asia/Kolkata"
