"""The group chat's overdue tasks: only those overdue since it was bound, checked when sent."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from crm.clock import ManualClock
from tests.conftest import OWNER_ID, Joiner, UserFactory
from tests.test_groups import GROUP, app, bound, group_messages

__all__ = ["app"]  # the English team's fixture, shared with test_groups


async def create_task(app: App, title: str, due_in: timedelta, clock: ManualClock) -> int:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        return (await crm.tasks.create(owner, title, clock.now() + due_in)).id


def overdue_texts(app: App) -> list[str]:
    return [m.text for m in group_messages(app) if m.text.startswith("⏳")]


async def test_a_group_bound_late_hears_only_of_tasks_overdue_since(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    """Bound months after a task went overdue, the group is not told of it (nor of one overdue
    a day before it was bound); a task that goes overdue once it is bound, it hears of."""
    await create_task(app, "Old call", timedelta(hours=1), clock)
    clock.advance(timedelta(days=58))
    await create_task(app, "Yesterday's call", timedelta(hours=1), clock)
    clock.advance(timedelta(days=2))
    await create_task(app, "New call", timedelta(hours=1), clock)
    clock.advance(timedelta(hours=12))  # overdue by a day in 13 hours
    await app.ticker.tick()  # no group yet: nothing announced, nothing noted
    await bound(app, user)
    await app.ticker.tick()
    assert overdue_texts(app) == []
    clock.advance(timedelta(hours=13))
    await app.ticker.tick()
    [text] = overdue_texts(app)
    assert text.startswith("⏳ 1 task overdue by more than a day")
    assert "New call" in text and "Old call" not in text and "Yesterday" not in text


async def test_tasks_overdue_while_the_switch_was_off_are_not_heard_of_later(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    """Switched off, then on: as a group bound late, it hears only of what is overdue after."""
    await bound(app, user)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.groups.switch(owner, GROUP, "task_overdue", False)
    await create_task(app, "Quiet call", timedelta(hours=1), clock)
    clock.advance(timedelta(days=3))
    await app.ticker.tick()
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.groups.switch(owner, GROUP, "task_overdue", True)
    await create_task(app, "Loud call", timedelta(hours=1), clock)
    clock.advance(timedelta(days=1, hours=2))
    await app.ticker.tick()
    [text] = overdue_texts(app)
    assert "Loud call" in text and "Quiet call" not in text


async def test_an_overdue_task_settled_before_the_announcement_goes_is_left_out(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    """Queued, then done, cancelled or moved on before it was sent: the group is not told it
    is overdue; what else was queued with it still goes."""
    await bound(app, user)
    ids = [await create_task(app, title, timedelta(hours=1), clock) for title in TITLES]
    clock.advance(timedelta(days=1, hours=2))
    async with app.crm.open() as crm:
        assert await crm.groups.claim_overdue() == 4  # queued, not yet sent
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.tasks.done(owner, ids[0])
        await crm.task_edits.cancel(owner, ids[1])
        await crm.tasks.reschedule(owner, ids[2], clock.now() + timedelta(days=1))
    await app.ticker.tick()
    [text] = overdue_texts(app)
    assert text.startswith("⏳ 1 task overdue") and "Still late" in text
    assert not any(title in text for title in TITLES[:3])


async def test_an_announcement_of_only_settled_tasks_is_not_sent(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    await bound(app, user)
    task = await create_task(app, "Call back", timedelta(hours=1), clock)
    clock.advance(timedelta(days=1, hours=2))
    async with app.crm.open() as crm:
        assert await crm.groups.claim_overdue() == 1
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.tasks.done(owner, task)
    await app.ticker.tick()
    assert overdue_texts(app) == []


async def test_an_overdue_task_names_whose_it_is(
    app: App, user: UserFactory, join: Joiner, clock: ManualClock
) -> None:
    """The group reads whose each overdue task is (the assignee when it is sent)."""
    await bound(app, user)
    await join(501, "manager", "Mila", last_name="Orlova")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        due = clock.now() + timedelta(hours=1)
        await crm.tasks.create(owner, "Call back", due, assignee_id=501)
        await crm.tasks.create(owner, "Send the offer", due + timedelta(minutes=1))
    clock.advance(timedelta(days=1, hours=2))
    await app.ticker.tick()
    [text] = overdue_texts(app)
    assert text.splitlines()[1:] == [
        "• Call back — Mila Orlova",
        "• Send the offer — Ольга Владелец",
    ]


TITLES = ("Done call", "Cancelled call", "Moved call", "Still late")
