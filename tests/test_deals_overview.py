"""/deals: the totals against hand-computed ones, filters, a stage's deals paged in place,
who sees what, the reader's month, and forged presses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from textwrap import dedent

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.service import Crm
from handlers.deals.callbacks import DealCb, DealsCb
from storage.models import User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, START, Joiner, UserFactory

MAX, MIA = 5101, 5102
GONE = "This stage no longer exists."
STALE_BUTTON = "This button is no longer active."
NBSP = "\u00a0"


def screen(text: str) -> str:
    """An expected message: money is written with a plain space here, sent with a no-break one."""
    return dedent(text).strip().replace(" ₽", f"{NBSP}₽")


def body(sent: SentMessage) -> str:
    """The message without its first two lines (the title and the filters line)."""
    return sent.text.split("\n\n", 1)[1]


def deal_buttons(sent: SentMessage) -> list[tuple[str, str]]:
    return [(text, data) for text, data, _url in sent.buttons if data and data.startswith("dl:")]


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def stage_ids(app: App) -> dict[str, int]:
    async with app.crm.open() as crm:
        return {str(s.code): s.id for s in await crm.pipelines.stages()}


async def deal(
    app: App,
    who: int,
    client_id: int,
    rubles: int,
    stage: str = "lead",
    *,
    closes: date | None = None,
    title: str | None = None,
) -> int:
    """A deal made through the CRM, put on ``stage``; ``closes`` is set before it moves."""
    async with app.crm.open() as crm:
        person = await actor(crm, who)
        made = await crm.deals.create(person, client_id, rubles * 100, title)
        if closes is not None:
            await crm.deals.set_expected_close(person, made.id, closes)
        if stage != "lead":
            ids = {str(s.code): s.id for s in await crm.pipelines.stages()}
            reason = "too expensive" if stage == "lost" else None
            await crm.deals.move(person, made.id, ids[stage], reason)
        return made.id


async def seed(app: App, clock: ManualClock, join: Joiner) -> tuple[SimulatedUser, SimulatedUser]:
    """Two managers and the owner; deals on every kind of stage, this month and last.

    Owner (client A) / Max (client B) / Mia (client C); the reader's month is March
    in Moscow, which began at 2026-02-28 21:00 UTC.
    """
    max_ = await join(MAX, "manager", "Max", language_code="en")
    mia = await join(MIA, "manager", "Mia", language_code="en")
    a = (await make_client(app, OWNER_ID, "Client A")).id
    b = (await make_client(app, MAX, "Client B")).id
    c = (await make_client(app, MIA, "Client C")).id

    clock.set(datetime(2026, 2, 20, 12, tzinfo=UTC))  # last month
    await deal(app, OWNER_ID, a, 1_000, "won")
    await deal(app, MAX, b, 2_000, "lost")
    await deal(app, OWNER_ID, a, 10_000)  # a lead untouched since: stale
    clock.set(datetime(2026, 2, 25, 9, tzinfo=UTC))
    await deal(app, MAX, b, 20_000, closes=date(2026, 3, 10))  # stale too, closing in March
    clock.set(datetime(2026, 2, 28, 22, tzinfo=UTC))  # 1 March, 01:00 in Moscow
    await deal(app, OWNER_ID, a, 5_000, "won")

    clock.set(START)
    await deal(app, OWNER_ID, a, 100_000)
    await deal(app, OWNER_ID, a, 250_000, "proposal", closes=date(2026, 4, 1))
    await deal(app, OWNER_ID, b, 30_000, "contact")  # on Max's client, but the owner's deal
    await deal(app, MAX, b, 50_000)
    await deal(app, MAX, b, 150_000, "meeting", closes=date(2026, 3, 31))
    await deal(app, MAX, b, 300_000, "won", closes=date(2026, 3, 15))
    await deal(app, MIA, c, 80_000, "invoice", closes=date(2026, 2, 28))
    await deal(app, MIA, c, 40_000, "lost")
    return max_, mia


OWNER_ALL = """
    ▫️ New lead: 4 · 180,000 ₽
    ▫️ Contact made: 1 · 30,000 ₽
    ▫️ Meeting: 1 · 150,000 ₽
    ▫️ Proposal: 1 · 250,000 ₽
    ▫️ Invoice sent: 1 · 80,000 ₽
    Open: 8 · 690,000 ₽

    🏆 Won this month: 2 · 305,000 ₽
    ❌ Lost this month: 1 · 40,000 ₽
"""


async def test_overview_matches_hand_computed_totals(
    app: App, clock: ManualClock, join: Joiner, owner_en: SimulatedUser
) -> None:
    await seed(app, clock, join)
    [shown] = await owner_en.send("/deals")
    assert shown.text.startswith("💼 Deals\nShowing: all deals you can see\n\n")
    assert body(shown) == screen(OWNER_ALL)
    assert f"150,000{NBSP}₽" in shown.text  # English grouping, the sign after a no-break space
    stages = [text for text, data, _url in shown.buttons if data and ":stage:" in data]
    assert stages == [
        "New lead · 4",
        "Contact made · 1",
        "Meeting · 1",
        "Proposal · 1",
        "Invoice sent · 1",
    ]
    [again] = await owner_en.send("💼 Deals")  # the menu button is the same screen
    assert again.text == shown.text and again.message_id != shown.message_id


async def test_each_filter_and_their_combinations(
    app: App, clock: ManualClock, join: Joiner, owner_en: SimulatedUser
) -> None:
    await seed(app, clock, join)
    [first] = await owner_en.send("/deals")

    [mine] = await owner_en.press("Only mine")
    assert mine.message_id == first.message_id
    assert mine.text.split("\n")[1] == "Showing: only my deals"
    assert body(mine) == screen("""
        ▫️ New lead: 2 · 110,000 ₽
        ▫️ Contact made: 1 · 30,000 ₽
        ▫️ Meeting: 0
        ▫️ Proposal: 1 · 250,000 ₽
        ▫️ Invoice sent: 0
        Open: 4 · 390,000 ₽

        🏆 Won this month: 1 · 5,000 ₽
        ❌ Lost this month: 0
    """)
    assert "✅ 👤 Only mine" in [text for text, _d, _u in mine.buttons]

    [both] = await owner_en.press("Closing this month")
    assert both.text.split("\n")[1] == "Showing: only my deals · expected to close this month"
    assert body(both) == screen("""
        No open deals match these filters.

        🏆 Won this month: 0
        ❌ Lost this month: 0
    """)

    [closing] = await owner_en.press("Only mine")  # off again; "closing" stays
    assert (
        closing.text.split("\n")[1]
        == "Showing: all deals you can see · expected to close this month"
    )
    assert body(closing) == screen("""
        ▫️ New lead: 1 · 20,000 ₽
        ▫️ Contact made: 0
        ▫️ Meeting: 1 · 150,000 ₽
        ▫️ Proposal: 0
        ▫️ Invoice sent: 0
        Open: 2 · 170,000 ₽

        🏆 Won this month: 1 · 300,000 ₽
        ❌ Lost this month: 0
    """)

    [stale_closing] = await owner_en.press("Stale")
    assert body(stale_closing).startswith(screen("▫️ New lead: 1 · 20,000 ₽"))
    assert body(stale_closing).endswith(screen("Open: 1 · 20,000 ₽"))
    assert "Won this month" not in stale_closing.text  # a closed deal is never stale

    [stale] = await owner_en.press("Closing this month")
    assert stale.text.split("\n")[1] == (
        "Showing: all deals you can see · stale: no activity for longer than the stage allows"
    )
    assert body(stale).startswith(screen("▫️ New lead: 2 · 30,000 ₽\n▫️ Contact made: 0"))
    assert body(stale).endswith(screen("Open: 2 · 30,000 ₽"))

    [reset] = await owner_en.press("Reset filters")
    assert body(reset) == screen(OWNER_ALL) and reset.message_id == first.message_id
    assert "Reset filters" not in str(reset.buttons)


async def test_a_manager_sees_the_deals_of_their_clients(
    app: App, clock: ManualClock, join: Joiner, owner_en: SimulatedUser
) -> None:
    max_, mia = await seed(app, clock, join)
    [seen] = await max_.send("/deals")
    assert body(seen) == screen("""
        ▫️ New lead: 2 · 70,000 ₽
        ▫️ Contact made: 1 · 30,000 ₽
        ▫️ Meeting: 1 · 150,000 ₽
        ▫️ Proposal: 0
        ▫️ Invoice sent: 0
        Open: 4 · 250,000 ₽

        🏆 Won this month: 1 · 300,000 ₽
        ❌ Lost this month: 0
    """)
    [mine] = await max_.press("Only mine")  # the owner's deal on Max's client drops out
    assert body(mine).split("\n")[:2] == screen(
        "▫️ New lead: 2 · 70,000 ₽\n▫️ Contact made: 0"
    ).split("\n")
    assert screen("Open: 3 · 220,000 ₽") in mine.text

    [lead_list] = await max_.press("New lead")
    assert lead_list.text.startswith("▫️ New lead: 2\nShowing: only my deals\n")
    [mia_view] = await mia.send("/deals")
    assert screen("Open: 1 · 80,000 ₽") in mia_view.text
    assert screen("❌ Lost this month: 1 · 40,000 ₽") in mia_view.text

    # Max presses the owner's button for the lead stage: he still gets only what he sees.
    [owners] = await owner_en.send("/deals")
    lead_data = next(data for text, data, _u in owners.buttons if text.startswith("New lead"))
    assert lead_data is not None
    [pressed] = await max_.press_data(lead_data)
    assert pressed.text.startswith("▫️ New lead: 2\nShowing: all deals you can see\n")


async def test_stage_list_pages_in_place_with_deal_buttons(
    app: App, clock: ManualClock, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    made = []
    for n in range(1, 20):
        clock.advance(timedelta(minutes=1))
        made.append(await deal(app, OWNER_ID, client.id, 1_000 * n, title=f"Deal {n:02d}"))
    clock.advance(timedelta(minutes=1))
    made.append(await deal(app, OWNER_ID, client.id, 150_000))  # titled after the client
    [overview] = await owner_en.send("/deals")
    [first] = await owner_en.press("New lead · 20")
    assert first.message_id == overview.message_id
    assert first.text == (
        "▫️ New lead: 20\nShowing: all deals you can see\n"
        "Page 1 of 3, latest activity first. Tap a deal to open it."
    )
    buttons = deal_buttons(first)
    assert buttons[0] == (
        f"Ivan Petrov · 150,000{NBSP}₽",
        DealCb(action="open", deal_id=made[19]).pack(),
    )
    assert buttons[1] == (
        f"Deal 19 · Ivan Petrov · 19,000{NBSP}₽",
        DealCb(action="open", deal_id=made[18]).pack(),
    )
    assert [data for _t, data in buttons] == [
        DealCb(action="open", deal_id=made[i]).pack() for i in range(19, 11, -1)
    ]
    [second] = await owner_en.press("▶️")
    assert second.message_id == first.message_id and "Page 2 of 3" in second.text
    assert [t.split(" · ")[0] for t, _d in deal_buttons(second)] == [
        f"Deal {n:02d}" for n in range(12, 4, -1)
    ]
    [third] = await owner_en.press("▶️")
    assert [t.split(" · ")[0] for t, _d in deal_buttons(third)] == [
        "Deal 04",
        "Deal 03",
        "Deal 02",
        "Deal 01",
    ]
    assert [t for t, _d, _u in third.buttons if t in ("◀️", "▶️")] == ["◀️"]
    [back] = await owner_en.press("◀️")
    assert "Page 2 of 3" in back.text and back.message_id == first.message_id
    [overview_again] = await owner_en.press("Back to the overview")
    assert overview_again.message_id == first.message_id
    assert overview_again.text.startswith("💼 Deals") and "Open: 20 · " in overview_again.text


async def test_stale_deals_are_marked_and_filters_travel_with_the_list(
    app: App, clock: ManualClock, join: Joiner, owner_en: SimulatedUser
) -> None:
    await seed(app, clock, join)
    await owner_en.send("/deals")
    await owner_en.press("Stale")
    [stale] = await owner_en.press("New lead · 2")
    assert stale.text.split("\n")[:2] == [
        "▫️ New lead: 2",
        "Showing: all deals you can see · stale: no activity for longer than the stage allows",
    ]
    assert "💤 no activity" not in stale.text.split("\n", 2)[2]  # the filters line says it
    assert [t for t, _d in deal_buttons(stale)] == [
        f"💤 Client B · 20,000{NBSP}₽",
        f"💤 Client A · 10,000{NBSP}₽",
    ]
    [back] = await owner_en.press("Back to the overview")
    assert "✅ 💤 Stale" in [t for t, _d, _u in back.buttons]
    await owner_en.press("Stale")  # off: the whole stage, with its stale deals marked
    [everything] = await owner_en.press("New lead · 4")
    assert "💤 no activity for longer than the stage allows." in everything.text
    assert [t for t, _d in deal_buttons(everything)] == [
        f"Client B · 50,000{NBSP}₽",  # same moment as the next: the newer deal first
        f"Client A · 100,000{NBSP}₽",
        f"💤 Client B · 20,000{NBSP}₽",
        f"💤 Client A · 10,000{NBSP}₽",
    ]


async def test_the_month_is_the_readers(
    app: App, clock: ManualClock, join: Joiner, owner_en: SimulatedUser
) -> None:
    max_ = await join(MAX, "manager", "Max", language_code="en")
    client = await make_client(app, MAX, "Client B")
    clock.set(datetime(2026, 3, 31, 20, tzinfo=UTC))  # 23:00 in Moscow
    await deal(app, MAX, client.id, 7_000, "won")
    clock.set(datetime(2026, 3, 31, 21, 30, tzinfo=UTC))  # April already in Moscow
    [moscow] = await max_.send("/deals")
    assert "🏆 Won this month: 0" in moscow.text
    async with app.crm.open() as crm:
        await crm.members.set_timezone(await actor(crm, MAX), "UTC")
    [utc] = await max_.send("/deals")
    assert screen("🏆 Won this month: 1 · 7,000 ₽") in utc.text


async def test_empty_pipeline(owner_en: SimulatedUser) -> None:
    [shown] = await owner_en.send("/deals")
    assert shown.text == screen("""
        💼 Deals
        Showing: all deals you can see

        No open deals.

        🏆 Won this month: 0
        ❌ Lost this month: 0
    """)
    assert not [data for _t, data, _u in shown.buttons if data and ":stage:" in data]


async def test_forged_and_stale_presses(
    app: App, clock: ManualClock, owner_en: SimulatedUser, user: UserFactory
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await deal(app, OWNER_ID, client.id, 5_000, "contact")
    ids = await stage_ids(app)
    [overview] = await owner_en.send("/deals")

    for stage in (99_999, ids["won"], ids["lost"]):
        [shown] = await owner_en.press_data(
            DealsCb(action="stage", stage_id=stage).pack(), overview
        )
        assert owner_en.alert == GONE
        assert shown.text.startswith("💼 Deals")

    [letters] = await owner_en.press_data(DealsCb(action="show", f="xmq?").pack(), overview)
    assert letters.text.split("\n")[1] == "Showing: only my deals"
    [nothing] = await owner_en.press_data(DealsCb(action="show", f="zz").pack(), overview)
    assert nothing.text.split("\n")[1] == "Showing: all deals you can see"

    far = DealsCb(action="stage", stage_id=ids["contact"], page=10**30).pack()
    [clamped] = await owner_en.press_data(far, overview)
    assert "Page 1 of 1" in clamped.text and len(deal_buttons(clamped)) == 1
    behind = DealsCb(action="stage", stage_id=ids["contact"], page=5).pack()
    [last] = await owner_en.press_data(behind, overview)
    assert "Page 1 of 1" in last.text

    assert await owner_en.press_data("dls:boom:0:0:", overview) == []
    assert owner_en.alert == STALE_BUTTON
    assert await owner_en.press_data("dls:stage:abc:0:", overview) == []
    assert owner_en.alert == STALE_BUTTON

    # The owner deletes the stage after the overview showed its button.
    [fresh] = await owner_en.press_data(DealsCb(action="show").pack(), overview)
    async with app.crm.open() as crm:
        await crm.pipelines.delete_stage(await actor(crm), ids["contact"], ids["meeting"])
    [after] = await owner_en.press("Contact made", fresh)
    assert owner_en.alert == GONE
    assert "▫️ Meeting: 1 · " in after.text and "Contact made" not in after.text

    stranger = user(777, language_code="en")
    before = owner_en.last_message().text
    assert await stranger.press_data(DealsCb(action="stage", stage_id=ids["lead"]).pack()) == []
    assert stranger.alert.startswith("This is a private CRM.")
    assert owner_en.last_message().text == before


async def test_menu_and_help_offer_deals_to_everyone(join: Joiner, owner_en: SimulatedUser) -> None:
    manager = await join(MAX, "manager", "Max", language_code="en")
    for person in (manager, owner_en):
        [reply] = await person.send("/help")
        assert "/deals — the pipeline at a glance" in reply.text
        assert reply.reply_keyboard is not None
        texts = [b.text for row in reply.reply_keyboard.keyboard for b in row]
        assert texts.count("💼 Deals") == 1


async def test_a_sale_stays_in_the_month_when_its_client_is_archived_after(
    app: App, owner_en: SimulatedUser
) -> None:
    """A one-off customer archived once his deal was won (or lost) took the deal out of
    "Won this month" in /deals, while /report and the summary still counted it; his open
    deals stay out of the listed stages, as the archive hides him."""
    client = await make_client(app, OWNER_ID, "One-off")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        stages = await crm.pipelines.stages()
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        sold = await crm.deals.create(owner, client.id, 500_000, "Sold")
        await crm.deals.move(owner, sold.id, won.id)
        gone = await crm.deals.create(owner, client.id, 200_000, "Gone")
        await crm.deals.move(owner, gone.id, lost.id, "too expensive")
        await crm.deals.create(owner, client.id, 100_000, "Still open")
        await crm.client_edits.set_archived(owner, client.id, True)
    [overview] = await owner_en.send("/deals")
    assert f"🏆 Won this month: 1 · 5,000{NBSP}₽" in overview.text
    assert f"❌ Lost this month: 1 · 2,000{NBSP}₽" in overview.text
    assert "No open deals." in overview.text
    [mine] = await owner_en.press("Only mine")
    assert f"🏆 Won this month: 1 · 5,000{NBSP}₽" in mine.text
