"""What a new team tripped over in its first week (issue 10), fixed in the CRM core and parsers."""

from __future__ import annotations

import pytest

from bot.app import App
from crm.errors import Conflict, InvalidInput
from crm.members import normalize_timezone
from crm.parsing.timezones import parse_timezone
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("asia/novosibirsk", "Asia/Novosibirsk"),
        ("Новосибирск", "Asia/Novosibirsk"),
        ("екатеринбург", "Asia/Yekaterinburg"),
        ("Almaty", "Asia/Almaty"),
        ("Санкт-Петербург", "Europe/Moscow"),
        ("санкт петербург", "Europe/Moscow"),
        ("UTC+5", "Etc/GMT-5"),
        ("utc-3", "Etc/GMT+3"),
        ("+3", "Etc/GMT-3"),
        ("UTC+0", "UTC"),
        ("UTC", "UTC"),
        ("МСК+4", "Etc/GMT-7"),
        ("мск", "Europe/Moscow"),
        ("MSK-1", "Etc/GMT-2"),
        # an offset with minutes: the place that keeps it all year
        ("UTC+5:30", "Asia/Kolkata"),
        ("+05:30", "Asia/Kolkata"),
        ("GMT+5:45", "Asia/Kathmandu"),
        ("utc+3:30", "Asia/Tehran"),
        ("UTC+9:30", "Australia/Darwin"),
        ("UTC-9:30", "Pacific/Marquesas"),
        ("UTC+5:00", "Etc/GMT-5"),
        ("UTC-3:30", None),  # Newfoundland moves it in summer: no fixed offset
        ("UTC+2:30", None),  # no place keeps it
        ("UTC+5:15", None),
        ("12:00", None),
        ("99", None),
        ("a5", None),
        ("UTC−4", "Etc/GMT+4"),
        ("UTC+15", None),
        ("Atlantis", None),
        ("", None),
        ("x" * 4090, None),
    ],
)
def test_time_zones_as_people_name_them(typed: str, zone: str | None) -> None:
    assert parse_timezone(typed) == zone


def test_a_bad_time_zone_is_never_echoed_whole() -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_timezone("x" * 4090)
    assert len(str(refused.value.params["value"])) <= 64


async def test_editing_a_phone_or_email_checks_duplicates(app: App) -> None:
    await make_client(app, OWNER_ID, "Алёна Смирнова", phones=("+79991234567",), emails=("a@b.ru",))
    ivan = await make_client(app, OWNER_ID, "Иван Петров")
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        with pytest.raises(Conflict) as phone:
            await crm.client_edits.set_phones(owner, ivan.id, ["+79991234567"])
        assert phone.value.code == "duplicate_phone"
        assert phone.value.params["name"] == "Алёна Смирнова"
        with pytest.raises(Conflict) as email:
            await crm.client_edits.set_emails(owner, ivan.id, ["A@B.RU"])
        assert email.value.code == "duplicate_email"
        assert (await crm.client_edits.contacts(ivan.id)).phones == []
        # Its own phone kept while another is added is no duplicate.
        await crm.client_edits.set_phones(owner, ivan.id, ["+79990000001"])
        await crm.client_edits.set_phones(owner, ivan.id, ["+79990000001", "+79990000002"])


async def test_two_stages_never_share_a_name(app: App) -> None:
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        stages = await crm.pipelines.stages()
        meeting = next(s for s in stages if s.code == "meeting")
        with pytest.raises(Conflict) as renamed:
            await crm.pipelines.rename_stage(owner, meeting.id, "новый ЛИД")
        assert renamed.value.code == "stage_name_taken"
        with pytest.raises(Conflict):
            await crm.pipelines.add_stage(owner, "Proposal")
        added = await crm.pipelines.add_stage(owner, "Доставка")
        with pytest.raises(Conflict):
            await crm.pipelines.rename_stage(owner, meeting.id, "доставка")
        await crm.pipelines.rename_stage(owner, added.id, "Доставка и монтаж")
        await crm.pipelines.rename_stage(owner, meeting.id, "Встреча")  # its own name is fine


def test_every_event_kind_reads_as_words_in_both_languages() -> None:
    from datetime import UTC, datetime

    from bot.i18n import build_i18n
    from crm.events import EventKind
    from handlers.kit.timeline import event_text
    from storage.models import Event

    i18n = build_i18n("ru")
    data = {
        "field": "phones",
        "old": ["+79997654321"],
        "new": [],
        "assignee": OWNER_ID,
        "file": "base.xlsx",
    }
    for language in ("ru", "en"):
        with i18n.context(), i18n.use_locale(language):
            for kind in EventKind:
                event = Event(
                    occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
                    kind=str(kind),
                    text="Позвонить",
                    data={"old": OWNER_ID, "new": None}
                    if kind == EventKind.MANAGER_CHANGED
                    else dict(data),
                )
                shown = event_text(event, {}, [])
                assert shown != kind.value, (language, kind)
                assert "_" not in shown, (language, kind)
                assert not shown.startswith("• "), (language, kind)  # the generic fallback
                if kind == EventKind.FIELD_CHANGED:
                    assert "+7 999 765-43-21" in shown
                if language == "ru" and kind.startswith(("task_", "deal_deleted")):
                    assert "Позвонить" in shown


async def test_an_unreachable_telegram_is_retried_then_told_in_one_paragraph() -> None:
    from aiogram import Bot
    from aiogram.exceptions import TelegramNetworkError
    from aiogram.methods import GetMe

    from bot.guards import SetupError, reach_telegram
    from bot.i18n import build_i18n
    from bot.offline import OfflineSession

    session = OfflineSession()
    for _ in range(6):
        session.answer_next(
            TelegramNetworkError(method=GetMe(), message="ClientConnectorError: refused"), GetMe
        )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    bot = Bot("123:abc", session=session)
    i18n = build_i18n("en")
    with i18n.context(), i18n.use_locale("en"), pytest.raises(SetupError) as stopped:
        await reach_telegram(bot, "api.telegram.org", sleep=sleep)
    assert waits == [1, 2, 4, 8, 16]
    assert "api.telegram.org" in str(stopped.value) and "\n" not in str(stopped.value)

    session.answer_next(
        TelegramNetworkError(method=GetMe(), message="ClientConnectorError: refused"), GetMe
    )
    me = await reach_telegram(bot, "api.telegram.org", sleep=sleep)  # then it answers
    assert me.is_bot


@pytest.mark.parametrize(
    "elsewhere", ["/start", "/cancel", "/clients", "/find никого-такого", "📇 Клиенты"]
)
async def test_going_elsewhere_closes_the_open_card(app: App, owner, elsewhere: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from storage.engine import create_session_factory
    from storage.models import Event

    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    await make_client(app, OWNER_ID, "Пётр Кузнецов")
    await owner.send("/start")
    [card] = await owner.send("/find алёна")
    assert "Алёна Смирнова" in (card.text or "")
    await owner.send(elsewhere)
    replies = await owner.send("кузнецов")
    assert not any("Комментарий добавлен" in (r.text or "") for r in replies)
    assert any("Кузнецов" in (r.text or "") for r in replies)  # a search found him
    async with create_session_factory(app.engine)() as db:
        kinds = list(await db.scalars(select(Event.kind).where(Event.client_id == alena.id)))
    assert "comment" not in kinds


async def test_the_open_card_says_where_text_goes(app: App, owner) -> None:  # type: ignore[no-untyped-def]
    await make_client(app, OWNER_ID, "Алёна Смирнова")
    [card] = await owner.send("/find алёна")
    assert (
        (card.text or "")
        .rstrip()
        .endswith("Всё, что вы отправите сейчас, попадёт в историю этой карточки.")
    )
