"""The daily summary and the morning list: decided on the tick, once per reader and day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.reports.callbacks import DigestDay, DigestDayCb
from handlers.settings.callbacks import DigestCb
from storage.engine import create_session_factory
from storage.models import OutboxMessage, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_tasks_flow import instant_delivery


async def member(app: App, user_id: int) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(user_id)
    assert found is not None
    return found


def texts(user: SimulatedUser) -> list[str]:
    return [message.text for message in user.chat_messages()]


async def test_the_summary_arrives_once_at_nine_local(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")  # the bot learns the owner's name
    # Monday 2026-03-02: a client, a deal won, a task done.
    clock.set(datetime(2026, 3, 2, 7, tzinfo=UTC))  # 10:00 Moscow
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        ids = {str(s.code): s.id for s in await crm.pipelines.stages()}
        deal = await crm.deals.create(owner, client.id, 150_000_00)
        await crm.deals.create(owner, client.id, 20_000_00)
        await crm.deals.move(owner, deal.id, ids["won"])
        task = await crm.tasks.create(owner, "Call back", clock.now() + timedelta(hours=1))
        await crm.tasks.done(owner, task.id)
        await crm.tasks.create(owner, "Send the invoice", clock.now() + timedelta(hours=2))

    clock.set(datetime(2026, 3, 3, 5, 59, tzinfo=UTC))  # 08:59 Moscow, Tuesday
    await app.ticker.tick()  # the task's reminder and nudge go out; no summary yet
    assert not any(text.startswith("Summary for") for text in texts(owner_en))

    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # 09:00
    await app.ticker.tick()
    digest = owner_en.last_message().text
    assert digest.startswith("Summary for 02.03.2026")
    assert "New clients: 1 (Anna Lee)" in digest
    assert "Deals created: 2, 170,000\u00a0₽" in digest
    assert "Deals won: 1, 150,000\u00a0₽" in digest
    assert "• New lead: 1 · 20,000\u00a0₽" in digest
    assert "• Olga Owner: 1 / 1" in digest  # one done, one overdue by the day's end

    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        await app.ticker.tick()
    assert sum(text.startswith("Summary for") for text in texts(owner_en)) == 1


async def test_a_quiet_day_is_one_line(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    await app.ticker.tick()
    assert owner_en.last_message().text == (
        "Summary for 02.03.2026: a quiet day, nothing happened and nothing is stuck."
    )


async def test_managers_get_their_morning_list_unless_they_switch_it_off(
    app: App, join: Joiner, clock: ManualClock
) -> None:
    manager = await join(7001, "manager", "Mark", language_code="en")
    mira = await join(7002, "manager", "Mira", language_code="en")
    async with app.crm.open() as crm:
        mark = await member(app, 7001)
        await crm.tasks.create(mark, "Visit the client", datetime(2026, 3, 3, 8, tzinfo=UTC))
        await crm.digests.set_morning_list(await member(app, 7002), False)
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    await app.ticker.tick()
    morning = manager.last_message().text
    assert morning.startswith("Good morning! Your day, 03.03.2026")
    assert "11:00 Visit the client" in morning
    assert not any(text.startswith("Good morning") for text in texts(mira))
    assert not any(text.startswith("Summary for") for text in texts(manager))


async def test_a_restart_neither_loses_nor_repeats_the_summary(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 3, 6, 30, tzinfo=UTC))
    async with app.crm.open() as crm:
        assert await crm.digests.claim_due() == 1  # decided, then the bot stopped
        assert await crm.digests.claim_due() == 0
    await app.ticker.tick()  # back up: sent once
    await app.ticker.tick()
    assert sum(text.startswith("Summary for") for text in texts(owner_en)) == 1


async def test_the_owner_moves_the_digest_time(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    from datetime import time

    async with app.crm.open() as crm:
        await crm.digests.set_digest_time(await member(app, OWNER_ID), time(7, 30))
    clock.set(datetime(2026, 3, 3, 4, 30, tzinfo=UTC))  # 07:30 Moscow
    await app.ticker.tick()
    assert owner_en.last_message().text.startswith("Summary for 02.03.2026")


async def test_digest_now_for_the_owner_only(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    await make_client(app, OWNER_ID, "Yesterday Client")
    clock.advance(timedelta(days=1))
    await make_client(app, OWNER_ID, "Today Client")
    # Today so far (12:00 in Moscow), with yesterday one tap away, and back.
    [reply] = await owner_en.send("/digest")
    assert reply.text.startswith("Today so far (03.03.2026, until 12:00)")
    assert "New clients: 1 (Today Client)" in reply.text
    [yesterday] = await owner_en.press("Yesterday", reply)
    assert yesterday is reply  # the same message, edited
    assert yesterday.text.startswith("Summary for 02.03.2026")
    assert "New clients: 1 (Yesterday Client)" in yesterday.text
    [today] = await owner_en.press("Today so far", reply)
    assert "New clients: 1 (Today Client)" in today.text
    clock.advance(timedelta(hours=12))  # 00:00 on the 4th: nothing yet today
    [quiet] = await owner_en.send("/digest")
    assert quiet.text == (
        "Today so far (04.03.2026, until 00:00): nothing yet, and nothing is stuck."
    )
    # /help says what /digest shows: today so far, not yesterday's summary
    [help_text] = await owner_en.send("/help")
    assert "/digest — today so far, yesterday one tap away" in help_text.text
    manager = await join(7003, "manager", "Max", language_code="en")
    [reply] = await manager.send("/digest")
    assert reply.text == "The summary is for the owner and admins; /tasks shows your day."
    await manager.press_data(DigestDayCb(day=DigestDay.YESTERDAY).pack())  # forged
    assert manager.alert == "You don't have access to this."


async def test_the_owner_sets_the_summary_time_in_settings(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Daily summary at 09:00")
    [screen] = await owner_en.press("08:00")
    assert "Daily summary at 08:00" in str(screen.buttons)
    await owner_en.press("Daily summary at 08:00")
    [reply] = await owner_en.send("25:00")
    assert reply.text == "“25:00” is not a time. Send it like 9:00 or 18:30."
    [screen] = await owner_en.send("7.45")
    assert "Daily summary at 07:45" in str(screen.buttons)
    manager = await join(7004, "manager", "Mona", language_code="en")
    [screen] = await manager.send("/settings")
    assert "Daily summary" not in str(screen.buttons)
    await manager.press_data(DigestCb(action="set", hour=6).pack())
    assert manager.alert == "You don't have access to this."
    await manager.press_data(DigestCb(action="time").pack())
    assert manager.alert == "You don't have access to this."
    await owner_en.press_data("dg:set:0:24:0")  # forged: no such hour
    assert owner_en.alert == "This button is no longer active."
    async with app.crm.open() as crm:
        assert (await crm.digests.digest_time()).strftime("%H:%M") == "07:45"


async def test_a_manager_switches_the_morning_list(app: App, join: Joiner) -> None:
    manager = await join(7005, "manager", "Nina", language_code="en")
    [screen] = await manager.send("/settings")
    [screen] = await manager.press("My morning list: on", screen)
    assert "My morning list: off" in str(screen.buttons)
    assert (await member(app, 7005)).morning_list is False


async def test_a_manager_made_admin_pressing_the_old_morning_list_button_is_refused(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    """An admin has no morning list (they get the daily summary): the "My morning list"
    button left from their manager days says so and changes nothing."""
    manager = await join(7006, "manager", "Nina", language_code="en")
    [old] = await manager.send("/settings")
    await owner.send("/team")
    await owner.press("Nina")
    await owner.press("Сделать: администратор")
    [screen] = await manager.press("My morning list: on", old)
    assert manager.alert == (
        "The morning list is for managers: owners and admins get the daily summary instead."
    )
    assert "My morning list" not in str(screen.buttons)  # the screen is as it is now
    assert (await member(app, 7006)).morning_list is True


async def test_an_admin_made_manager_before_their_summary_went_out_gets_none_and_it_settles(
    app: App, owner: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    """The summary decided for an admin who is a manager by the time it is sent is dropped
    (a manager may not see it), not retried and logged as a failure on every lease."""
    admin = await join(7001, "admin", "Alla", language_code="en")
    await app.sender.drain_once()
    clock.set(datetime(2026, 3, 3, 7, tzinfo=UTC))  # 10:00 in Moscow: the summaries are due
    async with app.crm.open() as crm:
        await crm.digests.claim_due()
    await owner.send("/team")
    await owner.press("Alla")
    await owner.press("Сделать: менеджер")
    before = len(admin.chat_messages())
    for _lease in range(3):
        await app.sender.drain_once()
        clock.advance(timedelta(minutes=30))
    # Only their new role (tests/test_team_notices.py), not the team's summary.
    assert [sent.text.split("\n")[0] for sent in admin.chat_messages()[before:]] == [
        "Your role in the team is now: manager."
    ]
    async with create_session_factory(app.engine)() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        )
    assert pending == 0


async def test_a_long_morning_list_still_fits_in_one_message(
    app: App, join: Joiner, clock: ManualClock
) -> None:
    """With 40 overdue tasks of long titles, and 5 for today: the list is
    one message Telegram takes (4096 UTF-16 units; a longer one was refused and lost), today's
    tasks all there, and the overdue ones it cannot show counted, with where to see them.
    (The tick sends the forty overdue reminders too: they go without waiting a second each.)"""
    instant_delivery(app)
    manager = await join(7001, "manager", "Mark", language_code="en")
    title = (
        "Call the client 🙂 about the kitchen delivery, confirm the installation date with "
        "the foreman and send them the invoice"
    )
    async with app.crm.open() as crm:
        mark = await member(app, 7001)
        for n in range(40):
            moment = datetime(2026, 3, 2, 10, tzinfo=UTC) + timedelta(minutes=5 * n)
            await crm.tasks.create(mark, f"{title} №{n}", moment)
        for n in range(5):
            moment = datetime(2026, 3, 3, 8 + n, tzinfo=UTC)
            await crm.tasks.create(mark, f"Today's visit №{n}", moment)
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    await app.ticker.tick()
    # Sent without pacing, the reminders may go out after it: it is found by what it says.
    [morning] = [text for text in texts(manager) if text.startswith("Good morning!")]
    assert morning.startswith("Good morning! Your day, 03.03.2026")
    assert len(morning.encode("utf-16-le")) // 2 <= 4096
    assert all(f"Today's visit №{n}" in morning for n in range(5))
    shown = morning.count(title)
    assert 10 < shown < 30
    assert f"…and {40 - shown} more: /tasks" in morning


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_a_long_summary_still_fits_and_counts_what_it_leaves_out(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """12 stale deals and 12 new clients, all of long names with emoji: the summary the clock
    sends (through the outbox) and the one /digest shows are each one message Telegram takes
    (4096 UTF-16 units; a longer one was refused and lost), and each list it shortens says
    how many more there are."""
    await owner_en.send("/start")
    words = " Конструкторское бюро 🙂 полного цикла"
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        client = await make_client(app, OWNER_ID, ("Old client" + words * 5)[:200])
        for n in range(12):
            await crm.deals.create(owner, client.id, 100_00, (f"Deal {n}" + words * 5)[:200])
    clock.set(datetime(2026, 3, 9, 9, tzinfo=UTC))  # a week on: the deals are stale
    for n in range(12):
        await make_client(app, OWNER_ID, (f"New client {n}" + words * 5)[:200])
    clock.set(datetime(2026, 3, 10, 6, 0, tzinfo=UTC))  # 09:00 Moscow
    await app.ticker.tick()
    sent = owner_en.last_message().text
    [sent_yesterday] = await owner_en.send("/digest")  # today: nothing new, the stale deals
    [shown] = await owner_en.press("Yesterday", sent_yesterday)
    for summary in (sent, shown.text):
        assert summary.startswith("Summary for 09.03.2026")
        assert utf16(summary) <= 4096
        names = sum(f"New client {n} " in summary for n in range(12))
        assert 0 < names < 10  # ten of the twelve were to be named: shortened to fit
        assert "New clients: 12 (New client 0 " in summary
        assert f", …and {12 - names} more)" in summary
        deals = sum(f"• Deal {n} " in summary for n in range(12))
        assert 0 < deals < 10  # all twelve are stale: ten were to be listed
        assert "• Deal 11 " in summary and f"…and {12 - deals} more: /deals" in summary
