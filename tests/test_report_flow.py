"""/report through the Dispatcher: figures against hand-computed ones, a manager's view, the
periods in the reader's time zone, typed days, charts and the workbook, forged presses."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from textwrap import dedent

import pytest
from aiogram.methods import SendDocument, SendPhoto
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from PIL import Image

from bot.app import App
from bot.i18n import build_i18n
from bot.offline import OfflineSession, SentMessage
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.pipeline import StageView
from crm.reports import FunnelStep, Report
from handlers.kit.keyboards import main_menu
from handlers.reports.callbacks import ReportCb
from handlers.reports.periods import Period, preset_period, typed_period
from handlers.reports.report import won_per_week
from handlers.reports.views import MAX_TEXT, report_text
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner, UserFactory

MAX = 6001
NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)  # a Thursday, 15:00 in Moscow
NBSP = "\u00a0"
STALE = "This button is no longer active."
BAD_PERIOD = (
    "I could not read that period. Send it as 01.10–31.10 or 01.10.2026–31.10.2026 "
    "(at most a year), or /cancel."
)


def screen(text: str) -> str:
    """An expected message: money is written with a plain space here, sent with a no-break one."""
    return dedent(text).strip().replace(" ₽", f"{NBSP}₽")


@pytest.fixture
async def october(app: App, clock: ManualClock, join: Joiner) -> App:
    """The deals of tests/test_reports_core.py, plus one won this week, then the clock at NOW.

    Stages: lead contact meeting proposal invoice, won, lost.
    d0 created 28.09 (owner), won 01.10              1000, 3 days
    d1 lead → won 03.10 (owner)                        100, 2 days
    d2 lead → meeting → won 05.10 (Max)                300, 4 days
    d3 lead → proposal → lost "expensive" 05.10         50
    d4 lead → contact; d5 lead; d6 → invoice → contact (open)
    d7 lead → lost "late" 03.10 (Max)                   70
    d8 created 13.10, won 15.10 09:00 UTC (owner)      500, 2 days
    Clients: 28.09 "Report Client" (no source) and "Site Client" (site); 01.10 "Ad Client" (ads);
    14.10 22:00 UTC "Night Client" (site): already the 15th in Moscow, still the 14th in UTC.
    """
    await join(MAX, "manager", "Max", language_code="en")
    clock.set(datetime(2026, 9, 28, 9, tzinfo=UTC))
    client = await make_client(app, OWNER_ID, "Report Client")
    await make_client(app, OWNER_ID, "Site Client", source="site")
    async with app.crm.open() as crm:
        owner, max_ = await member(app, OWNER_ID), await member(app, MAX)
        await crm.client_edits.set_manager(owner, client.id, None)  # Max works with it too
        ids = {str(s.code): s.id for s in await crm.pipelines.stages()}
        d0 = await crm.deals.create(owner, client.id, 1000_00)
        clock.set(datetime(2026, 10, 1, 9, tzinfo=UTC))
        await make_client(app, OWNER_ID, "Ad Client", source="ads")
        await crm.deals.move(owner, d0.id, ids["won"])
        made = {}
        for name, who, amount in (
            ("d1", owner, 100_00),
            ("d2", max_, 300_00),
            ("d3", owner, 50_00),
            ("d4", owner, 10_00),
            ("d5", owner, 20_00),
            ("d6", owner, 30_00),
            ("d7", max_, 70_00),
        ):
            made[name] = await crm.deals.create(who, client.id, amount)
        clock.advance(timedelta(days=2))
        await crm.deals.move(owner, made["d1"].id, ids["won"])
        await crm.deals.move(owner, made["d2"].id, ids["meeting"])
        await crm.deals.move(owner, made["d3"].id, ids["proposal"])
        await crm.deals.move(owner, made["d4"].id, ids["contact"])
        await crm.deals.move(owner, made["d6"].id, ids["invoice"])
        await crm.deals.move(owner, made["d6"].id, ids["contact"])
        await crm.deals.move(max_, made["d7"].id, ids["lost"], "late")
        clock.advance(timedelta(days=2))
        await crm.deals.move(owner, made["d2"].id, ids["won"])
        await crm.deals.move(owner, made["d3"].id, ids["lost"], "expensive")
        clock.set(datetime(2026, 10, 13, 9, tzinfo=UTC))
        d8 = await crm.deals.create(owner, client.id, 500_00)
        clock.set(datetime(2026, 10, 14, 22, tzinfo=UTC))
        await make_client(app, OWNER_ID, "Night Client", source="site")
        clock.set(datetime(2026, 10, 15, 9, tzinfo=UTC))
        await crm.deals.move(owner, d8.id, ids["won"])
    clock.set(NOW)
    return app


async def choose(person: SimulatedUser, period: str) -> SentMessage:
    """/report, then a period button; the menu message becomes the report."""
    [menu] = await person.send("/report")
    assert "Choose a period" in menu.text
    [report] = await person.press(period, menu)
    assert report.message_id == menu.message_id  # one message per screen
    return report


MONTH = screen(
    """
    📊 Report: This month, 01.10.2026–15.10.2026

    Funnel: deals created in the period, 8
    New lead: 8 → 75%
    Contact made: 6 → 83%
    Meeting: 5 → 100%
    Proposal: 5 → 80%
    Invoice sent: 4 → 75%
    Paid: 3
    → the share that reached the next stage

    Closed in the period
    🏆 Won: 4 · 1,900 ₽
    ❌ Lost: 2 · 120 ₽
    Win rate: 67%
    Average won deal: 475 ₽
    Average days from creation to won: 2.8

    Lost reasons
    late: 1 · 70 ₽
    expensive: 1 · 50 ₽

    Won by member
    Olga Owner: 3 · 1,600 ₽
    Max: 1 · 300 ₽

    New clients by source
    ads: 1
    site: 1
    """
)


async def test_the_month_against_hand_computed_figures(
    october: App, owner_en: SimulatedUser
) -> None:
    # Funnel, furthest stage of d1…d8: won, won, proposal, contact, lead, invoice, lead, won.
    # Conversions 6/8, 5/6, 5/5, 4/5, 3/4. Closed in October: won d0 1000 + d1 100 + d2 300 +
    # d8 500 = 1900; lost d3 50 + d7 70. Win rate 4/6; average 1900/4 = 475; days (3+2+4+2)/4.
    report = await choose(owner_en, "This month")
    assert report.text == MONTH
    assert [text for text, _data, _url in report.buttons] == [
        "📈 Charts",
        "📄 XLSX",
        "📥 By source",
        "🧩 By field",
        "🔄 Refresh",
        "◀️ Periods",
    ]
    assert all(len(data.encode()) <= 64 for _text, data, _url in report.buttons if data)


async def test_the_quarter_has_begun_with_the_month(october: App, owner_en: SimulatedUser) -> None:
    report = await choose(owner_en, "This quarter")
    assert report.text == MONTH.replace("This month", "This quarter")


async def test_this_week_and_today_in_the_readers_time_zone(
    october: App, owner_en: SimulatedUser
) -> None:
    # The week began on Monday 12.10 in Moscow: d8 created and won, the night client.
    week = await choose(owner_en, "This week")
    assert week.text.startswith("📊 Report: This week, 12.10.2026–15.10.2026\n\n")
    assert "Funnel: deals created in the period, 1\nNew lead: 1 → 100%" in week.text
    assert "🏆 Won: 1 · 500 ₽".replace(" ₽", f"{NBSP}₽") in week.text
    assert "Average days from creation to won: 2\n" in week.text
    assert week.text.endswith("New clients by source\nsite: 1")
    # Today: nothing created, d8 won; the client made at 01:00 Moscow time counts.
    today = await choose(owner_en, "Today")
    assert today.text.startswith("📊 Report: Today, 15.10.2026\n\n")
    assert "Funnel: deals created in the period, 0\nNew lead: 0\n" in today.text
    assert "Win rate: 100%" in today.text
    assert today.text.endswith("New clients by source\nsite: 1")
    # In UTC that client was made yesterday.
    async with october.crm.open() as crm:
        await crm.members.set_timezone(await member(october, OWNER_ID), "UTC")
    today = await choose(owner_en, "Today")
    assert today.text.endswith("New clients by source\nnone")


async def test_a_manager_sees_their_own_work(october: App, user: UserFactory) -> None:
    max_ = user(MAX, "Max", language_code="en")
    report = await choose(max_, "This month")
    # Max's deals: d2 won (lead → meeting → won), d7 lost from lead.
    assert report.text == screen(
        """
        📊 Report: This month, 01.10.2026–15.10.2026
        Your own deals and clients.

        Funnel: deals created in the period, 2
        New lead: 2 → 50%
        Contact made: 1 → 100%
        Meeting: 1 → 100%
        Proposal: 1 → 100%
        Invoice sent: 1 → 100%
        Paid: 1
        → the share that reached the next stage

        Closed in the period
        🏆 Won: 1 · 300 ₽
        ❌ Lost: 1 · 70 ₽
        Win rate: 50%
        Average won deal: 300 ₽
        Average days from creation to won: 4

        Lost reasons
        late: 1 · 70 ₽

        Won by member
        Max: 1 · 300 ₽

        New clients by source
        none
        """
    )


async def test_the_menu_button_and_the_command_are_for_everyone(
    october: App, owner_en: SimulatedUser, user: UserFactory
) -> None:
    """A manager's /help offers /report, which gives their own figures: their menu has the
    button too, and it opens the same report."""
    owner, max_ = await member(october, OWNER_ID), await member(october, MAX)
    with october.i18n.context(), october.i18n.use_locale("en"):
        owner_keys = [b.text for row in main_menu(owner).keyboard for b in row]
        manager_keys = [b.text for row in main_menu(max_).keyboard for b in row]
    assert "📊 Reports" in owner_keys and "📊 Reports" in manager_keys
    [menu] = await owner_en.send("📊 Reports")
    assert menu.text.startswith("📊 Reports\nChoose a period")

    manager = user(MAX, "Max", language_code="en")
    [help_text] = await manager.send("/help")
    assert "/report — " in help_text.text
    assert help_text.reply_keyboard is not None
    assert "📊 Reports" in [b.text for row in help_text.reply_keyboard.keyboard for b in row]
    [menu] = await manager.send("📊 Reports")
    [report] = await manager.press("This month", menu)
    assert report.text.startswith("📊 Report: This month, 01.10.2026–15.10.2026\nYour own deals")


async def test_typed_days_with_a_second_chance(october: App, owner_en: SimulatedUser) -> None:
    [menu] = await owner_en.send("/report")
    [prompt] = await owner_en.press("Type the days", menu)
    assert prompt.message_id == menu.message_id and "01.10–31.10" in prompt.text
    [refused] = await owner_en.send("31.02–01.03")
    assert refused.text == BAD_PERIOD
    [refused] = await owner_en.send("01.01.2025–31.12.2026")  # longer than a year
    assert refused.text == BAD_PERIOD
    [report] = await owner_en.send("01.10–31.10")
    # The same days as the month so far, under their own label.
    assert report.text == MONTH.replace(
        "This month, 01.10.2026–15.10.2026", "01.10.2026–31.10.2026"
    )
    [again] = await owner_en.send("01.10–31.10")  # the dialog is over
    assert again.text != report.text


async def test_typed_full_dates_for_september(october: App, owner_en: SimulatedUser) -> None:
    [menu] = await owner_en.send("/report")
    await owner_en.press("Type the days", menu)
    [report] = await owner_en.send("28.09.2026 – 30.09.2026")
    # d0 was created then and won in October: the funnel follows it to the end, the won
    # figures are October's. Two clients, one with no source.
    assert report.text.startswith("📊 Report: 28.09.2026–30.09.2026\n\n")
    funnel = report.text.split("\n\n")[1].splitlines()
    assert funnel[:3] == [
        "Funnel: deals created in the period, 1",
        "New lead: 1 → 100%",
        "Contact made: 1 → 100%",
    ]
    assert funnel[-2] == "Paid: 1"
    assert "🏆 Won: 0 · 0 ₽".replace(" ₽", f"{NBSP}₽") in report.text
    assert "Win rate: —\nAverage won deal: —\nAverage days from creation to won: —" in report.text
    assert report.text.endswith("New clients by source\nsite: 1\nno source: 1")


def test_preset_periods() -> None:
    thursday = date(2026, 10, 15)
    assert preset_period("today", thursday) == Period(thursday, thursday, "today")
    assert preset_period("week", thursday).first == date(2026, 10, 12)
    assert preset_period("week", date(2026, 10, 12)).first == date(2026, 10, 12)
    assert preset_period("month", thursday).first == date(2026, 10, 1)
    for day, first in (
        (date(2026, 1, 1), date(2026, 1, 1)),
        (date(2026, 3, 31), date(2026, 1, 1)),
        (date(2026, 4, 1), date(2026, 4, 1)),
        (date(2026, 8, 20), date(2026, 7, 1)),
        (date(2026, 12, 31), date(2026, 10, 1)),
    ):
        assert preset_period("quarter", day) == Period(first, day, "quarter")


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("01.10–31.10", (date(2026, 10, 1), date(2026, 10, 31))),
        ("01.10.2026–31.10.2026", (date(2026, 10, 1), date(2026, 10, 31))),
        ("1.10 - 5.10", (date(2026, 10, 1), date(2026, 10, 5))),
        ("31.10—01.10", (date(2026, 10, 1), date(2026, 10, 31))),  # reversed: swapped
        ("01.10", (date(2026, 10, 1), date(2026, 10, 1))),
        ("01.12–31.12", (date(2025, 12, 1), date(2025, 12, 31))),  # would begin in the future
        ("15.12–15.01", (date(2025, 12, 15), date(2026, 1, 15))),  # over New Year
        ("20.12.2025–10.01", (date(2025, 12, 20), date(2026, 1, 10))),
        ("20.12–10.01.2026", (date(2025, 12, 20), date(2026, 1, 10))),
        ("31.02", None),
        ("01.10–", None),
        ("october", None),
        ("01.10.26–31.10.26", None),
        ("01.01.2025–31.12.2026", None),  # more than a year
        ("01.01.0001", None),
        ("31.12.9999", None),
    ],
)
def test_typed_periods(typed: str, days: tuple[date, date] | None) -> None:
    found = typed_period(typed, date(2026, 10, 15))
    assert (None if found is None else (found.first, found.last)) == days


def test_period_bounds_stop_at_now_and_follow_the_zone() -> None:
    period = Period(date(2026, 10, 1), date(2026, 10, 31))
    assert period.bounds("Europe/Moscow", NOW) == (datetime(2026, 9, 30, 21, tzinfo=UTC), NOW)
    later = NOW + timedelta(days=30)
    assert period.bounds("UTC", later) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    future = Period(date(2026, 12, 1), date(2026, 12, 2))
    start, end = future.bounds("UTC", NOW)
    assert start == end == datetime(2026, 12, 1, tzinfo=UTC)


def sent_files(app: App, method: type[SendPhoto] | type[SendDocument]) -> list[bytes]:
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    found = []
    for request in session.requests:
        if isinstance(request, method):
            upload = request.photo if isinstance(request, SendPhoto) else request.document
            assert isinstance(upload, BufferedInputFile)
            found.append(upload.data)
    return found


async def test_charts_are_sent_as_pictures(october: App, owner_en: SimulatedUser) -> None:
    report = await choose(owner_en, "This month")
    sent = await owner_en.press("📈 Charts", report)
    assert [m.method for m in sent] == ["SendPhoto", "SendPhoto"]
    assert [m.text for m in sent] == [
        "📈 Funnel · This month, 01.10.2026–15.10.2026",
        "📈 Won per week · This month, 01.10.2026–15.10.2026",
    ]
    assert [m.file for m in sent] == ["funnel.png", "won-per-week.png"]
    for data in sent_files(october, SendPhoto):
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
        Image.open(io.BytesIO(data)).verify()
    assert owner_en.last_message().message_id == sent[-1].message_id


async def test_won_per_week_follows_iso_weeks_in_the_period(october: App) -> None:
    owner, max_ = await member(october, OWNER_ID), await member(october, MAX)
    month = Period(date(2026, 10, 1), date(2026, 10, 15), "month")
    with october.i18n.context(), october.i18n.use_locale("en"):
        async with october.crm.open() as crm:
            weeks = await won_per_week(crm, owner, month)
            mine = await won_per_week(crm, max_, month)
            whole = await won_per_week(crm, owner, Period(date(2026, 10, 1), date(2026, 12, 31)))
    # W40 (from 01.10): d0 1000 + d1 100; W41: d2 300; W42 (to today): d8 500.
    assert weeks == [("W40\n01.10", 1100_00), ("W41\n05.10", 300_00), ("W42\n12.10", 500_00)]
    assert mine == [("W40\n01.10", 0), ("W41\n05.10", 300_00), ("W42\n12.10", 0)]
    assert whole == weeks  # the weeks after now are not drawn


async def test_the_workbook_holds_the_same_figures(october: App, owner_en: SimulatedUser) -> None:
    report = await choose(owner_en, "This month")
    [document] = await owner_en.press("📄 XLSX", report)
    assert document.method == "SendDocument"
    assert document.file == "report-20261001-20261015.xlsx"
    [data] = sent_files(october, SendDocument)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Funnel", "Summary", "Lost reasons", "By member", "Sources"]

    def rows(sheet: str) -> list[list[object]]:
        return [[cell.value for cell in row] for row in book[sheet].iter_rows()]

    assert rows("Funnel") == [
        ["Stage", "Reached", "To next"],
        ["New lead", 8, 6 / 8],
        ["Contact made", 6, 5 / 6],
        ["Meeting", 5, 1],
        ["Proposal", 5, 4 / 5],
        ["Invoice sent", 4, 3 / 4],
        ["Paid", 3, None],
    ]
    assert rows("Summary") == [
        ["Figure", "Value"],
        ["Period", "This month, 01.10.2026–15.10.2026"],
        ["Deals created", 8],
        ["Won deals", 4],
        ["Won amount", 1900],
        ["Lost deals", 2],
        ["Lost amount", 120],
        ["Win rate", 4 / 6],
        ["Average won deal", 475],
        ["Average days from creation to won", 2.75],
    ]
    assert rows("Lost reasons") == [
        ["Reason", "Deals", "Amount, RUB"],
        ["late", 1, 70],
        ["expensive", 1, 50],
    ]
    assert rows("By member") == [
        ["Member", "Won deals", "Amount, RUB"],
        ["Olga Owner", 3, 1600],
        ["Max", 1, 300],
    ]
    assert rows("Sources") == [["Source", "New clients"], ["ads", 1], ["site", 1]]
    assert book["Summary"]["B8"].number_format == "0.0%"


async def test_refresh_and_back_to_the_periods(october: App, owner_en: SimulatedUser) -> None:
    report = await choose(owner_en, "This month")
    [refreshed] = await owner_en.press("🔄 Refresh", report)
    assert refreshed.message_id == report.message_id and refreshed.text == MONTH
    [menu] = await owner_en.press("◀️ Periods", refreshed)
    assert menu.message_id == report.message_id and "Choose a period" in menu.text


@pytest.mark.parametrize(
    "forged",
    [
        "rep:drop_tables::0:0",
        "rep:period:decade:0:0",  # a preset that does not exist
        "rep:period::0:0",  # no preset at all
        ReportCb(action="charts", first=20261301, last=20261315).pack(),
        ReportCb(action="xlsx", first=20261015, last=20261001).pack(),
        ReportCb(action="xlsx", first=20200101, last=20261015).pack(),
        ReportCb(action="show").pack(),
        ReportCb(action="charts", first=10101, last=10102).pack(),  # the year 1
        ReportCb(action="xlsx", first=99991231, last=99991231).pack(),
        ReportCb(action="xlsx", first=-20261001, last=20261001).pack(),
        ReportCb(action="xlsx", first=10**20, last=10**20 + 1).pack(),
    ],
)
async def test_forged_presses_are_refused(
    october: App, owner_en: SimulatedUser, forged: str
) -> None:
    await owner_en.send("/report")
    assert isinstance(october.bot.session, OfflineSession)
    october.bot.session.clear()
    await owner_en.press_data(forged)
    assert owner_en.alerts() == [STALE]
    assert sent_files(october, SendPhoto) == sent_files(october, SendDocument) == []


async def test_a_stranger_gets_nothing(october: App, user: UserFactory) -> None:
    stranger = user(424242, "Eve", language_code="en")
    for data in (
        ReportCb(action="period", preset="month").pack(),
        ReportCb(action="xlsx", preset="month", first=20261001, last=20261015).pack(),
        ReportCb(action="charts", preset="month", first=20261001, last=20261015).pack(),
    ):
        replies = await stranger.press_data(data)
        assert all("Report" not in reply.text for reply in replies)
    assert stranger.alerts() == ["This is a private CRM. Ask its owner for an invitation."] * 3
    assert sent_files(october, SendPhoto) == sent_files(october, SendDocument) == []
    [refused] = await stranger.send("/report")
    assert refused.text == "This is a private CRM. Ask its owner for an invitation."


async def test_a_press_from_a_group_is_refused(
    october: App, owner_en: SimulatedUser, user: UserFactory
) -> None:
    in_group = user(OWNER_ID, "Olga", last_name="Owner", language_code="en", chat_id=-100_500)
    await in_group.press_data(
        ReportCb(action="xlsx", preset="month", first=20261001, last=20261015).pack()
    )
    await in_group.press_data(ReportCb(action="period", preset="month").pack())
    assert in_group.alerts() == [STALE, STALE]
    assert sent_files(october, SendDocument) == []
    assert in_group.chat_messages() == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_longest_report_fits_in_one_message(language: str) -> None:
    """15 stages with the longest names, 50 reasons, members and sources of the longest kind."""
    stages = [
        FunnelStep(StageView(i, None, f"{i:02} " + "s" * 57, "open", i, None), 100 - i, 0.5)
        for i in range(15)
    ]
    report = Report(
        start=NOW,
        end=NOW,
        funnel=stages,
        created=100,
        won_count=10**6,
        won_amount=10**15,
        lost_count=10**6,
        lost_amount=10**15,
        win_rate=0.5,
        average_won=10**9,
        average_days_to_won=1234.56,
        lost_reasons=[(f"{i:02} " + "r" * 197, 10**6, 10**15) for i in range(50)],
        won_by_member=[(i, 10**6, 10**15) for i in range(50)],
        clients_by_source=[(f"{i:02} " + "c" * 97, 10**6) for i in range(50)],
    )
    names = {i: f"{i:02} " + "n" * 250 for i in range(50)}
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale(language):
        text = str(report_text(report, period, names, "RUB", own_only=False).as_kwargs()["text"])
    assert len(text.encode("utf-16-le")) // 2 <= MAX_TEXT
    blocks = text.split("\n\n")
    assert len(blocks) == 6 and len(blocks[1].splitlines()) == 1 + 15 + 1  # the whole funnel
    for block in blocks[3:]:  # each list cut to the same few lines and a pointer to the rest
        lines = block.splitlines()
        assert 1 + 3 + 1 <= len(lines) <= 1 + 10 + 1
        assert "XLSX" in lines[-1]
