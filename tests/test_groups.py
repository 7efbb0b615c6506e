"""The team's group chat: binding, what it hears, bursts folded, members answered in private."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage
from sqlalchemy import func, select, update

from bot.app import App, build_app
from bot.offline import OfflineSession, SentMessage
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from crm.groups import SWITCHES
from crm.parsing.lead_fields import read_form
from handlers.groups.callbacks import GroupAction, GroupCb
from storage.models import GroupChat, OutboxMessage
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner, UserFactory, make_settings, unhurried

GROUP = -100_555
NEW = -100_100_555  # the same group as a supergroup


@pytest.fixture
async def app(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    """A team whose DEFAULT_LANGUAGE is English (the owner, who binds, reads English too:
    a group reads its binder's language, tests/test_group_language.py)."""
    application = build_app(
        make_settings(database_url, default_language="en"),
        session=OfflineSession(),
        clock=clock,
        limits=unhurried(),
    )
    await prepare_database(application)
    yield application
    await application.close()


def group_messages(app: App) -> list[SentMessage]:
    session = app.bot.session
    return [m for m in session.chat_order if m.chat_id == GROUP]  # type: ignore[attr-defined]


async def bound(app: App, user: UserFactory) -> SimulatedUser:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_language(owner, "en")
    in_group = user(OWNER_ID, "Olga", language_code="en", chat_id=GROUP)
    [screen] = await in_group.send("/bind")
    assert screen.text.startswith("This chat hears about:")
    return in_group


async def test_the_group_hears_new_clients_folded_into_one_message(
    app: App, user: UserFactory
) -> None:
    await bound(app, user)
    for name in ("Anna", "Boris", "Vera"):
        await make_client(app, OWNER_ID, name, company="LLC " + name)
    await app.ticker.tick()
    [message] = group_messages(app)[1:]
    assert message.text.splitlines() == [
        "🆕 3 new clients",
        "• Anna (LLC Anna)",
        "• Boris (LLC Boris)",
        "• Vera (LLC Vera)",
    ]
    await app.ticker.tick()
    assert len(group_messages(app)) == 2  # nothing twice


async def test_a_burst_of_long_names_is_shortened_to_fit_telegrams_limit(
    app: App, user: UserFactory
) -> None:
    """Fifteen clients with 200-character names and companies would make 6,000 units,
    which Telegram refuses, and the whole burst would be lost."""
    await bound(app, user)
    for number in range(15):
        await make_client(app, OWNER_ID, f"{number:02d} " + "N" * 197, company="C" * 200)
    await app.ticker.tick()
    [message] = group_messages(app)[1:]
    heading, *lines = message.text.splitlines()
    assert heading == "🆕 15 new clients" and len(lines) == 15
    assert all(line.endswith("…") for line in lines)
    assert [line[2:4] for line in lines] == [f"{n:02d}" for n in range(15)]


@pytest.mark.parametrize("more_before_the_retry", [True, False], ids=["before", "after"])
async def test_a_burst_put_off_by_telegram_goes_out_whole_with_what_came_meanwhile(
    app: App, user: UserFactory, clock: ManualClock, more_before_the_retry: bool
) -> None:
    await bound(app, user)
    await app.ticker.tick()  # what else is due (the owner's summary) is out of the way
    for name in ("Anna", "Boris"):
        await make_client(app, OWNER_ID, name)
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    flood = TelegramRetryAfter(SendMessage(chat_id=GROUP, text="…"), "Too Many Requests", 1)
    session.answer_next(flood, SendMessage)
    await app.ticker.tick()  # the burst, folded, is answered 429: it waits its second
    assert len(group_messages(app)) == 1
    if more_before_the_retry:
        await make_client(app, OWNER_ID, "Vera")
    clock.advance(timedelta(seconds=2))
    if not more_before_the_retry:
        await make_client(app, OWNER_ID, "Vera")
    await app.ticker.tick()
    [message] = group_messages(app)[1:]
    heading, *lines = message.text.splitlines()
    assert heading == "🆕 3 new clients"
    assert sorted(lines) == ["• Anna", "• Boris", "• Vera"]


async def test_subscriptions_and_unbind(app: App, user: UserFactory, join: Joiner) -> None:
    owner_in_group = await bound(app, user)
    await owner_in_group.press("new clients")
    assert "▫️ new clients" in group_messages(app)[0].text
    await make_client(app, OWNER_ID, "Quiet Client")
    await app.ticker.tick()
    assert len(group_messages(app)) == 1

    manager = await join(8001, "manager", "Mark", language_code="en")
    manager_in_group = user(8001, "Mark", language_code="en", chat_id=GROUP)
    await manager_in_group.press_data(GroupCb(action="off", chat_id=GROUP, topic="new_deal").pack())
    assert manager_in_group.alert == "You don't have access to this."
    [reply] = await manager_in_group.send("/bind")
    assert reply.text == "Only the owner can bind a group."
    assert manager.user.id == 8001

    [reply] = await owner_in_group.send("/unbind")
    assert reply.text == "This chat will hear nothing more from Kartoteka."
    await make_client(app, OWNER_ID, "Unheard Client", phones=("+79990000001",))
    await app.ticker.tick()
    assert group_messages(app)[-1].text == "This chat will hear nothing more from Kartoteka."


async def test_strangers_get_nothing_and_members_are_answered_in_private(
    app: App, user: UserFactory
) -> None:
    owner_in_group = await bound(app, user)
    await make_client(app, OWNER_ID, "Private Client")
    stranger = user(9001, language_code="en", chat_id=GROUP)
    assert await stranger.send("/find Private") == []
    assert await stranger.send("/bind") == []
    assert await owner_in_group.send("hello team") == []

    before = len(group_messages(app))
    replies = await owner_in_group.send("/find Private")
    assert len(group_messages(app)) == before  # nothing posted to the group
    [card] = replies
    assert card.chat_id == OWNER_ID and card.text.startswith("👤 Private Client")


async def test_deals_won_lost_and_overdue_tasks(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    await bound(app, user)
    client = await make_client(app, OWNER_ID, "Deal Client")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        ids = {str(s.code): s.id for s in await crm.pipelines.stages()}
        won = await crm.deals.create(owner, client.id, 150_000_00, "Supply")
        lost = await crm.deals.create(owner, client.id, 5_000_00, "Repair")
        await crm.deals.move(owner, won.id, ids["won"])
        await crm.deals.move(owner, lost.id, ids["lost"], "too expensive")
        await crm.tasks.create(owner, "Call back", clock.now() + timedelta(hours=1))
    await app.ticker.tick()
    text = group_messages(app)[-1].text
    assert "💼 2 new deals" in text and "• Supply — Deal Client, 150,000\u00a0₽" in text
    assert "🏆 1 deal won" in text and "❌ 1 deal lost" in text
    assert "• Repair, 5,000\u00a0₽ (too expensive)" in text

    clock.advance(timedelta(days=1, hours=2))
    await app.ticker.tick()
    assert group_messages(app)[-1].text.splitlines() == [
        "⏳ 1 task overdue by more than a day",
        "• Call back — Olga",  # whose it is
    ]
    clock.advance(timedelta(hours=3))
    await app.ticker.tick()
    assert group_messages(app)[-1].text.startswith("⏳ 1 task overdue")
    assert sum(m.text.startswith("⏳") for m in group_messages(app)) == 1


async def test_a_task_moved_on_after_it_was_announced_overdue_is_announced_when_overdue_again(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    """Given a new due time, it is a new chance: overdue by a day again, the group hears of it
    again (it heard once of the old due time, and never again of this task)."""
    await bound(app, user)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        task = await crm.tasks.create(owner, "Call back", clock.now() + timedelta(hours=1))
    clock.advance(timedelta(days=1, hours=2))
    await app.ticker.tick()
    assert group_messages(app)[-1].text.startswith("⏳ 1 task overdue")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.tasks.reschedule(owner, task.id, clock.now() + timedelta(days=2))
    clock.advance(timedelta(days=2, hours=12))  # due half a day ago: not yet
    await app.ticker.tick()
    assert sum(m.text.startswith("⏳") for m in group_messages(app)) == 1
    clock.advance(timedelta(hours=13))
    await app.ticker.tick()
    clock.advance(timedelta(hours=3))
    await app.ticker.tick()
    assert sum(m.text.startswith("⏳") for m in group_messages(app)) == 2
    assert group_messages(app)[-1].text.splitlines()[1] == "• Call back — Olga"


async def test_a_card_made_after_the_newest_was_deleted_is_announced_too(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    """A card made after the newest was deleted is announced too. SQLite gave the new row
    the deleted one's id until migration 0026 (AUTOINCREMENT); the announcement's key never
    relied on ids being new, and now they are."""
    await bound(app, user)
    first = await make_client(app, OWNER_ID, "Anna")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        deal = await crm.deals.create(owner, first.id, 1_000_00, "Supply")
        task = await crm.tasks.create(owner, "Call back", clock.now() + timedelta(hours=1))
    clock.advance(timedelta(days=1, hours=2))
    await app.ticker.tick()  # Anna, Supply, and Call back overdue
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.task_edits.cancel(owner, task.id)
        await crm.client_edits.delete(owner, first.id)  # her deal goes with her
    second = await make_client(app, OWNER_ID, "Boris")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        again = await crm.deals.create(owner, second.id, 2_000_00, "Repair")
        later = await crm.tasks.create(owner, "Write", clock.now() + timedelta(hours=1))
    clock.advance(timedelta(days=1, hours=2))
    await app.ticker.tick()
    text = group_messages(app)[-1].text
    assert "• Boris" in text and "• Repair — Boris" in text and "• Write" in text
    assert second.id > first.id and again.id > deal.id and later.id > task.id  # never reused


async def test_a_group_made_a_supergroup_keeps_hearing_under_its_new_id(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    """Telegram gives a group turned supergroup a new id and answers the old one "migrated":
    the binding, its switches and what waits to be sent move to the new id."""
    await bound(app, user)
    await app.ticker.tick()  # what else is due (the owner's summary) is out of the way
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    await make_client(app, OWNER_ID, "Anna")
    migrated = TelegramMigrateToChat(
        SendMessage(chat_id=GROUP, text="…"), "group chat was upgraded to a supergroup chat", NEW
    )
    session.answer_next(migrated, SendMessage)
    await app.ticker.tick()
    clock.advance(timedelta(minutes=10))
    await make_client(app, OWNER_ID, "Boris")
    await app.ticker.tick()
    heard = [m.text for m in session.chat_order if m.chat_id == NEW]  # type: ignore[attr-defined]
    assert heard and "• Anna" in "\n".join(heard) and "• Boris" in "\n".join(heard)
    async with app.crm.open() as crm:
        assert await crm.groups.get(GROUP) is None
        group = await crm.groups.get(NEW)
        assert group is not None and group.bound_by == OWNER_ID
    # The switches under the old /bind answer, now in the supergroup, carry the old id.
    # An older message's TOGGLE (it did not say which way) changes nothing there: it is
    # answered "no longer active", and the switches are drawn again as they are now.
    in_new = user(OWNER_ID, "Olga", language_code="en", chat_id=NEW)
    toggle = GroupCb(action=GroupAction.TOGGLE, chat_id=GROUP, topic="new_deal")
    [screen] = await in_new.press_data(toggle.pack())
    assert in_new.alert == "This button is no longer active."
    assert screen.chat_id == NEW and "✅ new deals" in screen.text
    async with app.crm.open() as crm:
        group = await crm.groups.get(NEW)
        assert group is not None and "new_deal" in group.subscriptions
    # The switch drawn again (the new id), pressed in the supergroup, turns it off there.
    [redrawn] = [GroupCb.unpack(d) for t, d, _u in screen.buttons if "new deals" in t and d]
    assert (redrawn.action, redrawn.chat_id) == (GroupAction.OFF, NEW)
    [screen] = await in_new.press("new deals", screen)
    assert "▫️ new deals" in screen.text
    async with app.crm.open() as crm:
        group = await crm.groups.get(NEW)
        assert group is not None and "new_deal" not in group.subscriptions
    # An ON/OFF switch drawn before the group was migrated (the old id) works there too.
    switch_on = GroupCb(action=GroupAction.ON, chat_id=GROUP, topic="new_deal")
    [screen] = await in_new.press_data(switch_on.pack())
    assert "✅ new deals" in screen.text
    async with app.crm.open() as crm:
        group = await crm.groups.get(NEW)
        assert group is not None and "new_deal" in group.subscriptions


async def refused_and_unbound(app: App, user: UserFactory, refusal: Exception) -> None:
    """Bound, a new client's announcement refused with ``refusal``: the group is unbound
    and the owner who bound it told."""
    await bound(app, user)
    await app.ticker.tick()  # what else is due (the owner's summary) is out of the way
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    await make_client(app, OWNER_ID, "Anna")
    session.answer_next(refusal, SendMessage)
    await app.ticker.tick()
    await app.ticker.tick()
    told = [m.text for m in session.chat_order if m.chat_id == OWNER_ID]  # type: ignore[attr-defined]
    assert any(t.startswith("I can no longer write to the group “Team”") for t in told), told
    async with app.crm.open() as crm:
        assert await crm.groups.get(GROUP) is None


async def test_a_group_that_removed_the_bot_is_unbound_and_its_binder_told(
    app: App, user: UserFactory
) -> None:
    kicked = TelegramForbiddenError(
        SendMessage(chat_id=GROUP, text="…"), "Forbidden: bot was kicked from the group chat"
    )
    await refused_and_unbound(app, user, kicked)
    await make_client(app, OWNER_ID, "Boris")  # nothing more is queued for it
    async with app.crm.open() as crm:
        queued = await crm.clients._session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == GROUP)
        )
    assert queued == 1  # Anna's, failed


async def test_a_group_where_the_bot_may_not_write_is_unbound_and_its_binder_told(
    app: App, user: UserFactory
) -> None:
    """A group that took the bot's right to write (Telegram's 400, not a kick's 403) is as
    one that removed it: not left bound, every announcement lost and nobody told."""
    muted = TelegramBadRequest(
        SendMessage(chat_id=GROUP, text="…"),
        "Bad Request: not enough rights to send text messages to the chat",
    )
    await refused_and_unbound(app, user, muted)


async def test_leads_nobody_took_reach_the_groups_that_hear_them(
    app: App, user: UserFactory
) -> None:
    """A queued lead goes to the owners always, to a group only while its switch is on."""
    owner_in_group = await bound(app, user)
    assert "✅ leads nobody has taken yet" in group_messages(app)[0].text
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        token = (await crm.lead_sources.create(owner, "Site")).token

    async def lead(name: str) -> None:
        async with app.crm.open() as crm:
            await crm.intake.accept_form(token, read_form([("name", name)]))
        await app.ticker.tick()

    await owner_in_group.press("leads nobody has taken yet")
    assert "▫️ leads nobody has taken yet" in group_messages(app)[0].text
    await lead("Quiet Lead")
    await owner_in_group.press("leads nobody has taken yet")
    await lead("Loud Lead")
    heard = [m.text for m in group_messages(app)[1:]]
    assert len(heard) == 1 and "Loud Lead" in heard[0]
    session = app.bot.session
    to_owner = [m.text for m in session.chat_order if m.chat_id == OWNER_ID]  # type: ignore[attr-defined]
    assert [any(name in text for text in to_owner) for name in ("Quiet Lead", "Loud Lead")] == [
        True,
        True,
    ]


async def test_two_switches_pressed_at_once_both_hold(app: App, user: UserFactory) -> None:
    """Each switch rewrites the group's list: on PostgreSQL the second, reading the list as
    it was, put back what the first had just switched off. The other owner is a second
    connection that has switched "new deals" off and not committed yet."""
    await bound(app, user)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
    assert owner is not None
    async with app.engine.connect() as other:
        row = select(GroupChat).where(GroupChat.chat_id == GROUP).with_for_update()
        await other.execute(row)
        topics = [t for t in SWITCHES if t != "new_deal"]
        await other.execute(
            update(GroupChat).where(GroupChat.chat_id == GROUP).values(subscriptions=topics)
        )

        async def switch() -> GroupChat:
            async with app.crm.open() as crm:
                group, changed = await crm.groups.switch(owner, GROUP, "deal_won", on=False)
                assert changed
                return group

        switching = asyncio.create_task(switch())
        await asyncio.sleep(0.2)
        assert not switching.done()  # it waits for the other owner's transaction
        await other.commit()
    await switching
    async with app.engine.connect() as db:
        kept = await db.scalar(select(GroupChat.subscriptions))
    assert kept == [t for t in SWITCHES if t not in ("new_deal", "deal_won")]


async def test_commands_for_other_bots_and_unknown_ones_leave_the_private_dialog_alone(
    app: App, user: UserFactory
) -> None:
    owner_in_group = await bound(app, user)
    private = user(OWNER_ID, "Olga", language_code="en")
    [question] = await private.send("/new")
    others = ("/start@SomeOtherBot", "/bind@SomeOtherBot", "/find@SomeOtherBot Ivan")
    for text in (*others, "/shrug", "/FIND Ivan"):
        assert await owner_in_group.send(text) == [], text
    [next_question] = await private.send("Ivan Petrov")  # the dialog goes on
    assert next_question.text != question.text
    assert "didn't understand" not in next_question.text
    await private.send("/cancel")
    # Its own name, or none: answered in private.
    await make_client(app, OWNER_ID, "Private Client")
    [card] = await owner_in_group.send("/find@Kartoteka_Bot Private")
    assert card.chat_id == OWNER_ID and card.text.startswith("👤 Private Client")


async def test_a_command_for_another_bot_keeps_the_open_card(app: App, user: UserFactory) -> None:
    owner_in_group = await bound(app, user)
    client = await make_client(app, OWNER_ID, "Private Client")
    private = user(OWNER_ID, "Olga", language_code="en")
    await private.send("/find Private")
    assert await owner_in_group.send("/shrug") == []
    assert await owner_in_group.send("/start@SomeOtherBot") == []
    [ack] = await private.send("call back on Monday")
    assert "Private Client" in ack.text
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        card = await crm.client_queries.card(owner, client.id)
    assert [e.text for e in card.events if e.kind == "comment"] == ["call back on Monday"]


async def test_a_switch_says_which_way_it_goes_so_a_second_press_changes_nothing(
    app: App, user: UserFactory
) -> None:
    owner_in_group = await bound(app, user)
    [screen] = group_messages(app)
    old = screen.buttons  # as /bind showed them: every switch on
    await owner_in_group.press("new deals", screen)
    assert "▫️ new deals" in screen.text and owner_in_group.alert is None
    # Pressed again on the same message (a double tap): its button now switches it on.
    await owner_in_group.press_data(next(d for t, d, _ in old if "new deals" in t) or "", screen)
    assert owner_in_group.alert == "It is so already: nothing changed."
    assert "▫️ new deals" in screen.text
    await owner_in_group.press("new deals", screen)  # the button it shows now: on again
    assert "✅ new deals" in screen.text
    await owner_in_group.press("new deals", screen)
    await owner_in_group.press_data(next(d for t, d, _ in old if "new deals" in t) or "", screen)
    async with app.engine.connect() as db:
        kept = await db.scalar(select(GroupChat.subscriptions))
    assert "new_deal" not in kept
    # A switch of a message from before switches said their way changes nothing.
    older = GroupCb(action="toggle", chat_id=GROUP, topic="deal_won").pack()
    await owner_in_group.press_data(older, screen)
    assert owner_in_group.alert == "This button is no longer active."
    async with app.engine.connect() as db:
        assert await db.scalar(select(GroupChat.subscriptions)) == kept
