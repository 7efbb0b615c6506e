"""An answer too long for a press is said whole in private, and the press still answered.

Telegram shows at most 200 characters on a press and refuses a longer answer (400
MESSAGE_TOO_LONG), which the offline session now does too. A refusal naming long cards
(an import's undo naming five) was sent as an alert all the same."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.app import App
from bot.i18n import build_i18n
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.errors import Conflict, ErrorCode
from handlers.kit.alerts import alert, fits_alert
from handlers.kit.errors import error_text
from storage.models import Client
from tests.conftest import OWNER_ID
from tests.test_automation_round_robin import actor, all_of
from tests.test_imports_flow import finished
from tests.test_imports_unseen import undo_refused
from tests.test_templates_flow import templates

# Five names, each of a letter of its own first (one order in every collation).
NAMES = [
    f"{letter} Константинопольская-Преображенская Александра"
    for letter in ("Анна", "Бэлла", "Вера", "Галина", "Дарья")
]


def refusal(language: str) -> str:
    """What the undo's refusal says in ``language``: every name, over 200 characters."""
    error = Conflict(ErrorCode.IMPORT_CHANGED_SINCE, names=NAMES, count=5, hidden=0)
    i18n = build_i18n(language)
    with i18n.context(), i18n.use_locale(language):
        said = error_text(error)
    assert not fits_alert(said)
    return said


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_long_refusal_on_a_press_is_answered_and_said_whole_in_private(
    app: App, owner_en: SimulatedUser, language: str
) -> None:
    """The owner imports five clients with long names, tags each, and undoes the import:
    the refusal naming all five was sent as an alert, which Telegram refuses."""
    rows = "".join(f"{name};+7916111000{n}\r\n" for n, name in enumerate(NAMES))
    await owner_en.send_document("five.csv", data=("ФИО;Телефон\r\n" + rows).encode())
    await owner_en.press("Preview")
    await owner_en.press("Create")
    await finished(app)
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        for card in await all_of(app, Client):
            await crm.client_edits.add_tags(owner, card.id, ["vip"])
        await crm.members.set_language(owner, language)
    before = len(owner_en.session.requests)

    told = await undo_refused(owner_en, language)  # raises if the press went unanswered

    assert told == refusal(language)  # the whole of it, in the private chat
    assert owner_en.alert is None  # the press answered silently: the text is right below
    assert not {i for i in owner_en.session.refused if i >= before}  # nothing refused


def pressed_in_a_group(app: App) -> CallbackQuery:
    """A member's press on a message of the bot in the team's group."""
    group = Chat(id=-1_001_234_567_890, type="supergroup", title="Team")
    message = Message(message_id=1, date=datetime.now(UTC), chat=group, text="Lead")
    member = User(id=OWNER_ID, is_bot=False, first_name="Olga")
    query = CallbackQuery(id="7", from_user=member, chat_instance="g", message=message, data="x")
    return query.as_(app.bot)


def answers(session: OfflineSession, kind: type[TelegramMethod[Any]]) -> list[Any]:
    return [
        r
        for i, r in enumerate(session.requests)
        if isinstance(r, kind) and i not in session.refused
    ]


@pytest.mark.parametrize(
    ("language", "pointer"),
    [
        ("en", "📩 The whole answer is in our private chat."),
        ("ru", "📩 Весь ответ — в нашем личном чате."),
    ],
)
async def test_a_long_alert_on_a_press_in_a_group_points_to_the_private_chat(
    app: App, language: str, pointer: str
) -> None:
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    said = refusal(language)
    i18n = build_i18n(language)
    with i18n.context(), i18n.use_locale(language):
        await alert(pressed_in_a_group(app), said)
    [private] = answers(session, SendMessage)
    assert (private.chat_id, private.text) == (OWNER_ID, said)
    [answer] = answers(session, AnswerCallbackQuery)
    assert answer.text == pointer
    assert not session.refused


async def test_with_no_private_chat_the_alert_is_its_start(app: App) -> None:
    """A member who never started the bot (or blocked it) cannot be written to: the press
    is answered with as much of the text as an alert shows."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    said = refusal("ru")
    blocked = TelegramForbiddenError(SendMessage(chat_id=OWNER_ID, text=said), "Forbidden")
    session.answer_next(blocked, SendMessage)
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        await alert(pressed_in_a_group(app), said)
    [answer] = answers(session, AnswerCallbackQuery)
    assert answer.show_alert and fits_alert(answer.text)
    assert answer.text.endswith("…") and said.startswith(answer.text[:-1])
    assert len(answer.text) > 150


def test_every_alert_goes_through_the_kit() -> None:
    """An alert sent as ``answer(..., show_alert=True)`` anywhere else would skip the limit."""
    root = Path(__file__).resolve().parent.parent
    senders = sorted(
        str(path.relative_to(root))
        for package in ("bot", "handlers", "reminders")
        for path in (root / package).rglob("*.py")
        if "show_alert" in path.read_text(encoding="utf-8")
    )
    assert senders == ["handlers/kit/alerts.py"]


async def test_a_note_too_long_for_a_press_is_said_in_private_and_the_change_stays(
    app: App, owner_en: SimulatedUser
) -> None:
    """A template named with 100 emoji (200 UTF-16 units): "Deleted: «…»." on the press
    was refused by Telegram, and the member told "Something went wrong on my side; nothing
    was changed", the template deleted all the same."""
    name = "🦄" * 100
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Message")
    await owner_en.send(name)
    [saved] = await owner_en.send("Hi {client.name}")
    assert f"Saved: «{name}»." in saved.text
    await owner_en.press("🦄🦄🦄")
    await owner_en.press("Delete")
    await owner_en.press("Delete")
    assert owner_en.alert is None
    assert owner_en.last_message().text == f"Deleted: «{name}»."
    assert await templates(app) == []
