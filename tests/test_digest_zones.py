"""Each reader's summary is about their own yesterday, once, at the digest hour on their clock.

Readers far apart (UTC+12 and UTC−10: one's morning is the other's afternoon of the day
before), and the days a zone moves its clocks, when the digest hour may not exist or may
come twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_tasks_flow import instant_delivery

TARAWA, HONOLULU = "Pacific/Tarawa", "Pacific/Honolulu"  # UTC+12 and UTC−10, all year


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


def summaries(user: SimulatedUser) -> list[str]:
    return [m.text for m in user.chat_messages() if m.text.startswith("Summary for")]


async def admin_in(join: Joiner, user_id: int, name: str, zone: str) -> SimulatedUser:
    person = await join(user_id, "admin", name, language_code="en")
    await person.send("/settings")
    await person.press("Change time zone")
    await person.send(zone)
    return person


async def tick_through(app: App, clock: ManualClock, until: datetime, step: timedelta) -> None:
    while clock.now() < until:
        clock.advance(min(step, until - clock.now()))
        await app.ticker.tick()


async def test_readers_half_a_world_apart_each_get_their_own_yesterday_once(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    kiri = await admin_in(join, 7101, "Kiri", TARAWA)
    hilo = await admin_in(join, 7102, "Hilo", HONOLULU)
    assert (await member(app, 7101)).timezone == TARAWA
    assert (await member(app, 7102)).timezone == HONOLULU
    clock.set(datetime(2026, 3, 9, 4, 0, tzinfo=UTC))
    await app.ticker.tick()  # the summaries due by now are out of the way
    # 9 March in Tarawa (17:00 there), 8 March in Honolulu (19:00 there).
    clock.set(datetime(2026, 3, 9, 5, 0, tzinfo=UTC))
    await make_client(app, OWNER_ID, "Client of the ninth in Tarawa")
    clock.set(datetime(2026, 3, 9, 19, 30, tzinfo=UTC))  # 09:30 of 9 March in Honolulu
    await app.ticker.tick()
    # 10 March in Tarawa (08:00 there), 9 March in Honolulu (10:00 there).
    clock.set(datetime(2026, 3, 9, 20, 0, tzinfo=UTC))
    await make_client(app, OWNER_ID, "Client of the ninth in Honolulu")
    before = {person: len(summaries(person)) for person in (kiri, hilo)}

    # 08:59 in Tarawa on 10 March: nothing yet; its 09:00 is 21:00 UTC on 9 March.
    await tick_through(app, clock, datetime(2026, 3, 9, 20, 59, tzinfo=UTC), timedelta(minutes=1))
    assert [len(summaries(p)) for p in (kiri, hilo)] == [before[kiri], before[hilo]]
    await tick_through(app, clock, datetime(2026, 3, 9, 21, 0, tzinfo=UTC), timedelta(minutes=1))
    [tarawa] = summaries(kiri)[before[kiri] :]
    assert tarawa.startswith("Summary for 09.03.2026")
    assert "New clients: 1 (Client of the ninth in Tarawa)" in tarawa

    # Honolulu's 09:00 on 10 March is 19:00 UTC, 22 hours later.
    until = datetime(2026, 3, 10, 18, 59, tzinfo=UTC)
    await tick_through(app, clock, until, timedelta(minutes=7))
    assert len(summaries(hilo)) == before[hilo]
    await tick_through(app, clock, until + timedelta(minutes=1), timedelta(minutes=1))
    [honolulu] = summaries(hilo)[before[hilo] :]
    assert honolulu.startswith("Summary for 09.03.2026")
    assert "New clients: 1 (Client of the ninth in Honolulu)" in honolulu

    await tick_through(app, clock, until + timedelta(hours=2), timedelta(minutes=10))
    assert len(summaries(kiri)) == before[kiri] + 1
    assert len(summaries(hilo)) == before[hilo] + 1


@pytest.mark.parametrize(
    ("zone", "day", "at", "arrives"),
    [
        # 02:00 → 03:00: 02:30 never comes; it arrives at 03:00.
        ("Europe/Berlin", (2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # 03:00 → 02:00: 02:30 comes twice; it arrives the first time.
        ("Europe/Berlin", (2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("America/New_York", (2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        ("America/New_York", (2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        ("Europe/Berlin", (2026, 3, 29), time(9, 0), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
    ],
)
async def test_a_day_the_clocks_move_has_one_summary(
    app: App,
    owner_en: SimulatedUser,
    join: Joiner,
    clock: ManualClock,
    zone: str,
    day: tuple[int, int, int],
    at: time,
    arrives: datetime,
) -> None:
    reader = await admin_in(join, 7103, "Dana", zone)
    async with app.crm.open() as crm:
        await crm.digests.set_digest_time(await member(app, OWNER_ID), at)
    midnight = datetime(*day, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    clock.set(midnight - timedelta(hours=1))
    await app.ticker.tick()  # the day before's summary
    before = len(summaries(reader))
    came = []
    while clock.now() < midnight + timedelta(hours=10):
        clock.advance(timedelta(minutes=1))
        await app.ticker.tick()
        if len(summaries(reader)) > before + len(came):
            came.append(clock.now())
    assert came == [arrives]
    yesterday = datetime(*day) - timedelta(days=1)
    assert summaries(reader)[-1].startswith(f"Summary for {yesterday:%d.%m.%Y}")


async def test_the_summary_of_a_short_day_covers_its_23_hours(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    """Berlin's 29 March 2026 has 23 hours: what happened in all of them, and nothing of
    the days around it, is in the summary of the 30th."""
    reader = await admin_in(join, 7104, "Dana", "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    for name, moment in [
        ("Saturday late", datetime(2026, 3, 28, 23, 30, tzinfo=berlin)),
        ("Sunday early", datetime(2026, 3, 29, 0, 30, tzinfo=berlin)),
        ("Sunday late", datetime(2026, 3, 29, 23, 30, tzinfo=berlin)),
        ("Monday early", datetime(2026, 3, 30, 0, 30, tzinfo=berlin)),
    ]:
        clock.set(moment.astimezone(UTC))
        await make_client(app, OWNER_ID, name)
    clock.set(datetime(2026, 3, 30, 9, 0, tzinfo=berlin).astimezone(UTC))
    await app.ticker.tick()
    summary = summaries(reader)[-1]
    assert summary.startswith("Summary for 29.03.2026")
    assert "New clients: 2 (Sunday early, Sunday late)" in summary


@pytest.mark.parametrize(
    ("role", "heading"), [("admin", "Summary for"), ("manager", "Good morning! Your day")]
)
async def test_a_reader_moving_far_west_gets_one_digest_each_day_they_live_through(
    app: App, join: Joiner, clock: ManualClock, role: str, heading: str
) -> None:
    """Kiri has the 10th's digest at 09:00 in Tarawa and moves to Honolulu, where it is the
    9th, 11:00: no second one that day (she had it two hours ago, by Honolulu's clock the
    9th too), then one on Honolulu's 10th at 09:00 and one on the 11th, once each."""
    kiri = await in_zone(join, 7101, role, TARAWA)
    clock.set(datetime(2026, 3, 9, 20, 0, tzinfo=UTC))  # 08:00 of the 10th in Tarawa
    await app.ticker.tick()
    before = len(digests(kiri, heading))
    await tick_through(app, clock, datetime(2026, 3, 9, 21, 0, tzinfo=UTC), timedelta(minutes=5))
    assert len(digests(kiri, heading)) == before + 1  # the 10th's, at 09:00 in Tarawa

    await kiri.send("/settings")
    await kiri.press("Change time zone")
    [screen] = await kiri.send(HONOLULU)
    assert "Pacific/Honolulu (now 09.03.2026 11:00)" in screen.text
    came = await arrivals(app, clock, kiri, heading, datetime(2026, 3, 11, 21, 0, tzinfo=UTC))
    # 09:00 of the 10th and of the 11th in Honolulu.
    assert came == [
        datetime(2026, 3, 10, 19, 0, tzinfo=UTC),
        datetime(2026, 3, 11, 19, 0, tzinfo=UTC),
    ]
    if role == "admin":
        assert digests(kiri, heading)[-2].startswith("Summary for 09.03.2026")
        assert digests(kiri, heading)[-1].startswith("Summary for 10.03.2026")
    else:
        assert digests(kiri, heading)[-2].startswith("Good morning! Your day, 10.03.2026")
        assert digests(kiri, heading)[-1].startswith("Good morning! Your day, 11.03.2026")


@pytest.mark.parametrize(
    ("role", "heading"), [("admin", "Summary for"), ("manager", "Good morning! Your day")]
)
async def test_a_reader_moving_far_east_gets_no_second_digest_the_same_day(
    app: App, join: Joiner, clock: ManualClock, role: str, heading: str
) -> None:
    """Hilo has the 9th's digest at 09:00 in Honolulu and moves to Tarawa, where it is the
    10th, 08:00 (the digest came at 07:00 by Tarawa's clock): none at 09:00, one on the 11th."""
    hilo = await in_zone(join, 7102, role, HONOLULU)
    clock.set(datetime(2026, 3, 9, 18, 0, tzinfo=UTC))  # 08:00 of the 9th in Honolulu
    await app.ticker.tick()
    before = len(digests(hilo, heading))
    await tick_through(app, clock, datetime(2026, 3, 9, 19, 0, tzinfo=UTC), timedelta(minutes=5))
    assert len(digests(hilo, heading)) == before + 1
    clock.set(datetime(2026, 3, 9, 20, 0, tzinfo=UTC))
    await hilo.send("/settings")
    await hilo.press("Change time zone")
    [screen] = await hilo.send(TARAWA)
    assert "Pacific/Tarawa (now 10.03.2026 08:00)" in screen.text
    came = await arrivals(app, clock, hilo, heading, datetime(2026, 3, 11, 0, 0, tzinfo=UTC))
    assert came == [datetime(2026, 3, 10, 21, 0, tzinfo=UTC)]  # 09:00 of the 11th in Tarawa


async def in_zone(join: Joiner, user_id: int, role: str, zone: str) -> SimulatedUser:
    person = await join(user_id, role, "Kiri", language_code="en")
    await person.send("/settings")
    await person.press("Change time zone")
    await person.send(zone)
    return person


async def arrivals(
    app: App, clock: ManualClock, reader: SimulatedUser, heading: str, until: datetime
) -> list[datetime]:
    """The moments a digest came, ticking every 10 minutes until ``until``."""
    came: list[datetime] = []
    seen = len(digests(reader, heading))
    while clock.now() < until:
        clock.advance(timedelta(minutes=10))
        await app.ticker.tick()
        if len(digests(reader, heading)) > seen:
            seen = len(digests(reader, heading))
            came.append(clock.now())
    return came


def digests(user: SimulatedUser, heading: str) -> list[str]:
    return [m.text for m in user.chat_messages() if m.text.startswith(heading)]
