"""The nightly backup follows the owner's time zone: "03:00" is 03:00 where the owner is now,
after a change in /settings too, with no second backup and no skipped night at the change."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.engine import create_session_factory
from storage.models import Role, User
from tests.conftest import Joiner
from tests.test_backup_nightly import documents, set_hour


async def move_to(owner: SimulatedUser, zone: str) -> None:
    await owner.send("/settings")
    await owner.press("Change time zone")
    [reply] = await owner.send(zone)
    assert zone in reply.text, reply.text


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


async def at(app: App, clock: ManualClock, moment: datetime) -> None:
    clock.set(moment)
    await app.ticker.tick()


async def ticks(
    app: App, owner: SimulatedUser, clock: ManualClock, *steps: tuple[datetime, int, str]
) -> None:
    """At each moment the scheduler ticks; then the owner has that many backups."""
    for moment, made, why in steps:
        await at(app, clock, moment)
        assert len(documents(owner)) == made, (moment, why)


async def test_moving_west_the_backup_comes_at_the_new_zones_hour_once_a_night(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await set_hour(owner_en, "03:00")  # in Moscow (UTC+3)
    await at(app, clock, utc(3, 0))  # 03:00 in Moscow
    assert len(documents(owner_en)) == 1

    clock.set(utc(3, 0, 30))
    await move_to(owner_en, "Europe/London")  # UTC+0: it is 00:30 of the same night there
    [screen] = await owner_en.press("Nightly backup at 03:00")
    assert "Now: every night at 03:00 (Europe/London)." in screen.text
    await ticks(
        app,
        owner_en,
        clock,
        (utc(3, 3), 1, "London's 03:00: this night had its backup, at 00:00 London"),
        (utc(4, 0), 1, "Moscow's 03:00: no longer his"),
        (utc(4, 2, 59), 1, "not yet"),
        (utc(4, 3), 2, "03:00 in London"),
        (utc(4, 9), 2, "once a night"),
    )


async def test_moving_far_west_the_next_local_night_is_not_skipped(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await set_hour(owner_en, "03:00")
    await at(app, clock, utc(3, 0))  # 03:00 on the 3rd in Moscow
    clock.set(utc(3, 1))
    await move_to(owner_en, "America/New_York")  # UTC-5: 20:00 on the 2nd there
    await ticks(
        app,
        owner_en,
        clock,
        (utc(3, 7, 59), 1, "not yet"),
        (utc(3, 8), 2, "03:00 on the 3rd in New York: the last was at 19:00 on the 2nd there"),
        (utc(4, 0), 2, "Moscow's 03:00: no longer his"),
    )


async def test_moving_east_the_backup_comes_at_the_new_zones_hour_once_a_night(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await move_to(owner_en, "Europe/London")
    await set_hour(owner_en, "03:00")
    await at(app, clock, utc(3, 3))  # 03:00 in London
    assert len(documents(owner_en)) == 1

    clock.set(utc(3, 4))
    await move_to(owner_en, "Europe/Moscow")  # 07:00 in Moscow: this night has its backup
    await ticks(
        app,
        owner_en,
        clock,
        (utc(3, 4, 1), 1, "the night had its backup, at 06:00 Moscow"),
        (utc(3, 23, 59), 1, "not yet"),
        (utc(4, 0), 2, "03:00 in Moscow"),
        (utc(4, 3), 2, "London's 03:00: no longer his"),
        (utc(5, 0), 3, "the next night in Moscow"),
    )


async def test_another_owner_in_another_zone_sees_whose_hour_it_is(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await set_hour(owner_en, "03:00")  # Olga's, in Moscow
    second = await join(7201, "admin", "Lev", language_code="en")
    async with create_session_factory(app.engine)() as session, session.begin():
        await session.execute(update(User).where(User.id == 7201).values(role=Role.OWNER))
    await move_to(second, "Europe/London")
    [screen] = await second.send("/settings")
    assert "🗄 Nightly backup at 03:00 (Europe/Moscow)" in str(screen.buttons)
    [screen] = await owner_en.send("/settings")
    assert "🗄 Nightly backup at 03:00'" in str(screen.buttons)  # hers: no zone to name
