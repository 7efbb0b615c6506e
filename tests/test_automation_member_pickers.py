"""The rule builder's member pickers in a big team: round-robin's "Among whom?" and the
task's "For whom is the task?" show the active members eight a page with "◀️ n/N ▶️",
so with 120 members the screen stays within Telegram's 100 buttons (the offline session
refuses more, as Telegram does); members on any page can be picked, a member ticked stays
on their page, and a member's button sent before the pages still works."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from handlers.automation.callbacks import BuildCb, Step
from storage.engine import create_session_factory
from storage.models import AutomationRule
from tests.test_member_pickers import FIRST_ID, TEAM, big_team, name


def marks(screen: SentMessage) -> list[str]:
    return [text for text, _data, _url in screen.buttons if "Member" in text]


def members_on(screen: SentMessage) -> list[str]:
    return [text.removeprefix("✅ ").removeprefix("▫️ ") for text in marks(screen)]


async def page_to(person: SimulatedUser, screen: SentMessage, wanted: str) -> SentMessage:
    """Press "▶️" until ``wanted`` is on the page."""
    while wanted not in members_on(screen):
        [screen] = await person.press("▶️", screen)
    return screen


async def rules(app: App) -> list[AutomationRule]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(AutomationRule)))


async def to_actions(app: App, owner: SimulatedUser, deactivated: int) -> None:
    """A team of ``TEAM`` active members; the owner builds a rule up to its actions."""
    await owner.send("/start")
    await big_team(app, deactivated=deactivated)
    await owner.send("/settings")
    await owner.press("Automation")
    await owner.press("New rule")
    await owner.press("A client is created")
    await owner.press("Any source")
    await owner.press("What it does")


async def save(app: App, owner: SimulatedUser, name: str) -> list[AutomationRule]:
    """The actions done: at once, named ``name``; the rules stored."""
    await owner.press("When to do it")
    await owner.press("Immediately")
    await owner.send(name)
    return await rules(app)


async def test_round_robin_members_come_a_page_at_a_time(app: App, owner_en: SimulatedUser) -> None:
    await to_actions(app, owner_en, deactivated=3)
    [among] = await owner_en.press("Assign in turn")
    assert "Among whom? Tap to choose." in among.text
    assert len(members_on(among)) == 8
    assert f"1/{-(-(TEAM + 1) // 8)}" in [t for t, _d, _u in among.buttons]

    far = await page_to(owner_en, among, name(100))
    [ticked] = await owner_en.press(name(100), far)
    assert f"✅ {name(100)}" in marks(ticked)  # still on the page it was ticked on
    last = await page_to(owner_en, ticked, name(120))
    assert not [mark for mark in marks(last) if mark.startswith("✅")]
    on_last = members_on(last)  # (the message is edited in place)
    [back] = await owner_en.press("◀️", last)
    assert members_on(back) and members_on(back) != on_last
    # A member's button sent before the pages (no page in it) still ticks them.
    [old] = await owner_en.press_data(BuildCb(step=Step.MEMBER, member=FIRST_ID + 2).pack())
    assert f"✅ {name(2)}" in marks(old)
    await owner_en.press("Done", old)
    [rule] = await save(app, owner_en, "Spread leads")
    assert rule.actions[0]["members"] == [FIRST_ID + 100, FIRST_ID + 2]


async def test_the_task_for_a_member_on_a_later_page(app: App, owner_en: SimulatedUser) -> None:
    await to_actions(app, owner_en, deactivated=0)
    await owner_en.press("Create a task")
    await owner_en.send("Call {client.name}")
    [whom] = await owner_en.press("At 10:00 the next working day")
    assert "For whom is the task?" in whom.text
    assert len(members_on(whom)) == 8
    assert "The responsible" in [t for t, _d, _u in whom.buttons]
    far = await page_to(owner_en, whom, name(77))
    assert "For whom is the task?" in far.text
    await owner_en.press(name(77), far)
    [rule] = await save(app, owner_en, "Calls for 77")
    assert rule.actions[0]["assignee"] == FIRST_ID + 77
