"""/clients: paging in place, sorting, every filter, the archive, who sees what, odd presses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.clients import ClientDraft
from crm.clock import ManualClock
from handlers.clients.callbacks import ClientListCb, ListAction
from handlers.clients.filters import ListFilters, token
from storage.engine import create_session_factory
from storage.models import Client, Deal, Pipeline, Stage, Task
from tests.conftest import OWNER_ID, START, Joiner, UserFactory

STALE = "This button is no longer active."
NO_ACCESS = "You don't have access to this."


async def add(
    app: App,
    clock: ManualClock,
    name: str,
    *,
    by: int = OWNER_ID,
    city: str | None = None,
    status: str | None = None,
    tags: tuple[str, ...] = (),
    manager: int | str | None = "creator",
    archived: bool = False,
    at: datetime | None = None,
) -> int:
    """A client made through the CRM, each a minute after the last unless ``at`` is given."""
    if at is None:
        clock.advance(timedelta(minutes=1))
    else:
        clock.set(at)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        creator = await crm.members.get_active(by)
        assert owner is not None and creator is not None
        client = await crm.clients.create(creator, ClientDraft(name=name, city=city), force=True)
        assert isinstance(client, Client)
        if status:
            await crm.client_edits.set_status(owner, client.id, status)
        if tags:
            await crm.client_edits.add_tags(owner, client.id, list(tags))
        if manager != "creator":
            assert not isinstance(manager, str)
            await crm.client_edits.set_manager(owner, client.id, manager)
        if archived:
            await crm.client_edits.set_archived(owner, client.id, True)
        return client.id


def listed(screen: SentMessage) -> list[str]:
    """The names of the clients on a list screen, top to bottom."""
    return [
        text.split(" ", 1)[1].split(" · ")[0]
        for text, data, _url in screen.buttons
        if data and data.startswith("cl:open:")
    ]


async def choose(person: SimulatedUser, *path: str) -> SentMessage:
    """Open the filter menu of the newest list and tap through ``path``."""
    await person.press("Filters")
    screen = None
    for label in path:
        [screen] = await person.press(label)
    assert screen is not None
    return screen


async def test_pages_are_edited_in_place(app: App, owner_en: SimulatedUser, clock: ManualClock):
    for n in range(1, 21):
        await add(app, clock, f"Client {n:02d}")
    [first] = await owner_en.send("📇 Clients")
    assert first.text.startswith("📇 Clients: 20\nPage 1 of 3, latest activity first.")
    assert listed(first) == [f"Client {n:02d}" for n in range(20, 12, -1)]
    assert "Reset filters" not in str(first.buttons)
    [second] = await owner_en.press("▶️")
    assert second.message_id == first.message_id
    assert "Page 2 of 3" in second.text
    assert listed(second) == [f"Client {n:02d}" for n in range(12, 4, -1)]
    [third] = await owner_en.press("▶️")
    assert listed(third) == ["Client 04", "Client 03", "Client 02", "Client 01"]
    assert [text for text, _d, _u in third.buttons if text in ("◀️", "▶️")] == ["◀️"]
    [back] = await owner_en.press("◀️")
    assert back.message_id == first.message_id and "Page 2 of 3" in back.text
    [opened] = await owner_en.press("Client 07")
    assert opened.message_id == first.message_id and opened.text.startswith("👤 Client 07")


async def test_latest_activity_comes_first(app: App, owner_en: SimulatedUser, clock: ManualClock):
    anna = await add(app, clock, "Anna")
    await add(app, clock, "Boris")
    await add(app, clock, "Clara")
    clock.advance(timedelta(minutes=5))
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.set_status(owner, anna, "warm")
    [screen] = await owner_en.send("/clients")
    assert listed(screen) == ["Anna", "Clara", "Boris"]


async def test_status_and_tag_alone_and_together(
    app: App, owner_en: SimulatedUser, clock: ManualClock
):
    await add(app, clock, "Anna", status="hot", tags=("vip",))
    await add(app, clock, "Boris", status="hot")
    await add(app, clock, "Clara", tags=("vip", "wholesale"))
    await add(app, clock, "Dmitry", status="cold")
    await owner_en.send("/clients")
    screen = await choose(owner_en, "Status", "hot")
    assert screen.text.startswith("📇 Clients: 2\nFilters: status hot\n")
    assert listed(screen) == ["Boris", "Anna"]
    screen = await choose(owner_en, "Tag", "vip")
    assert "Filters: status hot · tag vip" in screen.text
    assert listed(screen) == ["Anna"]
    [screen] = await owner_en.press("Reset filters")
    assert "Filters" not in screen.text.splitlines()[1] and len(listed(screen)) == 4
    screen = await choose(owner_en, "Tag", "vip")
    assert listed(screen) == ["Clara", "Anna"]
    [menu] = await owner_en.press("Filters")
    assert "Chosen: tag vip" in menu.text and "#️⃣ Tag: vip" in str(menu.buttons)
    [picker] = await owner_en.press("Status")
    [screen] = await owner_en.press("VIP", picker)  # the status, not the tag
    assert "No clients match these filters." in screen.text and listed(screen) == []


async def test_city_and_responsible(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
):
    await join(4101, "manager", "Mark", language_code="en")
    await join(4102, "manager", "Nina", language_code="en")
    await add(app, clock, "Anna", city="Москва", by=4101)
    await add(app, clock, "Boris", city="Москва", by=4102)
    await add(app, clock, "Clara", city="Тверь", by=4101)
    await add(app, clock, "Dmitry", city="Москва", manager=None)
    await owner_en.send("/clients")
    screen = await choose(owner_en, "City", "Москва")
    assert "Filters: city Москва" in screen.text
    assert listed(screen) == ["Dmitry", "Boris", "Anna"]
    screen = await choose(owner_en, "Responsible", "Mark")
    assert "Filters: city Москва · responsible Mark" in screen.text
    assert listed(screen) == ["Anna"]
    screen = await choose(owner_en, "Responsible", "Nobody responsible")
    assert "Filters: city Москва · no responsible" in screen.text
    assert listed(screen) == ["Dmitry"]
    screen = await choose(owner_en, "City", "Any city")
    assert listed(screen) == ["Dmitry"]


async def test_created_in_a_period_in_the_readers_time_zone(
    app: App, owner_en: SimulatedUser, clock: ManualClock
):
    await add(app, clock, "January", at=datetime(2026, 1, 15, 10, tzinfo=UTC))
    await add(app, clock, "February", at=datetime(2026, 2, 10, 10, tzinfo=UTC))
    await add(app, clock, "Sunday", at=datetime(2026, 3, 1, 12, tzinfo=UTC))
    # 22:30 UTC on Sunday is already Monday 01:30 in Moscow, the owner's zone.
    await add(app, clock, "Night", at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    clock.set(START)
    await owner_en.send("/clients")
    expected = {
        "Today": ["Night"],
        "This week": ["Night"],
        "This month": ["Night", "Sunday"],
        "Last 30 days": ["Night", "Sunday", "February"],
    }
    for label, names in expected.items():
        screen = await choose(owner_en, "Created", label)
        assert listed(screen) == names, label
    assert "Filters: created in the last 30 days" in screen.text

    await choose(owner_en, "Created", "Type the dates")
    [reply] = await owner_en.send("last winter")
    assert reply.text.startswith("I could not read that period.")
    [screen] = await owner_en.send("01.01.2026–31.01.2026")
    assert "Filters: created 01.01.2026–31.01.2026" in screen.text
    assert listed(screen) == ["January"]
    await choose(owner_en, "Created", "Type the dates")
    [screen] = await owner_en.send("01.03.2026")
    assert "Filters: created on 01.03.2026" in screen.text and listed(screen) == ["Sunday"]

    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_timezone(owner, "UTC")
    screen = await choose(owner_en, "Created", "Today")
    assert listed(screen) == []


async def seed_deals_and_tasks(app: App, ids: dict[str, int], now: datetime) -> None:
    """An open deal, a won deal, and tasks: late, done, not due yet, late on the open deal."""
    async with create_session_factory(app.engine)() as session, session.begin():
        pipeline = Pipeline(name="Sales")
        session.add(pipeline)
        await session.flush()
        talks = Stage(pipeline_id=pipeline.id, name="Talks", position=1, kind="open")
        won = Stage(pipeline_id=pipeline.id, name="Won", position=2, kind="won")
        session.add_all([talks, won])
        await session.flush()
        deals = [
            Deal(client_id=ids["Deal"], stage_id=talks.id, title="Open", closed_at=None),
            Deal(client_id=ids["Won"], stage_id=won.id, title="Won", closed_at=now),
        ]
        for deal in deals:
            deal.pipeline_id = pipeline.id
            deal.created_at = deal.stage_changed_at = deal.last_activity_at = now
        session.add_all(deals)
        await session.flush()
        hour = timedelta(hours=1)
        tasks = [
            Task(client_id=ids["Late"], due_at=now - hour),
            Task(client_id=ids["Done"], due_at=now - hour, done_at=now),
            Task(client_id=ids["Later"], due_at=now + hour),
            Task(deal_id=deals[0].id, due_at=now - hour),  # a late task of the open deal
        ]
        for task in tasks:
            task.title, task.assignee_id, task.created_at = "Call", OWNER_ID, now
        session.add_all(tasks)


async def test_open_deals_and_overdue_tasks(app: App, owner_en: SimulatedUser, clock: ManualClock):
    ids = {name: await add(app, clock, name) for name in ("Deal", "Won", "Late", "Done", "Later")}
    await seed_deals_and_tasks(app, ids, clock.now())
    await owner_en.send("/clients")
    screen = await choose(owner_en, "Has open deals")
    assert "Filters: with open deals" in screen.text and listed(screen) == ["Deal"]
    screen = await choose(owner_en, "Has open deals")  # off again
    assert len(listed(screen)) == 5
    screen = await choose(owner_en, "Has overdue tasks")
    assert listed(screen) == ["Late", "Deal"]
    [menu] = await owner_en.press("Filters")
    assert "✅ Has overdue tasks" in str(menu.buttons)


async def test_archive_view_and_restore(app: App, owner_en: SimulatedUser, clock: ManualClock):
    await add(app, clock, "Kept", status="hot")
    await add(app, clock, "Gone", status="hot", archived=True)
    [screen] = await owner_en.send("/clients")
    assert listed(screen) == ["Kept"]
    screen = await choose(owner_en, "Status", "hot")
    [screen] = await owner_en.press("Archive")
    assert screen.text.startswith("🗄 Archive: 1\nFilters: status hot")
    assert listed(screen) == ["Gone"]
    [screen] = await owner_en.press("Reset filters")
    assert screen.text.startswith("🗄 Archive: 1\nPage 1 of 1")
    [card] = await owner_en.press("Gone")
    [card] = await owner_en.press("Restore", card)
    [screen] = await owner_en.send("/clients")
    assert listed(screen) == ["Gone", "Kept"]
    [screen] = await owner_en.press("Archive")
    assert "The archive is empty." in screen.text
    [screen] = await owner_en.press("Active clients")
    assert screen.text.startswith("📇 Clients: 2")


async def test_who_sees_what(app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock):
    mark = await join(4201, "manager", "Mark", language_code="en")
    admin = await join(4202, "admin", "Alla", language_code="en")
    await join(4203, "manager", "Nina", language_code="en")
    await add(app, clock, "Owner's")
    await add(app, clock, "Mark's", by=4201)
    await add(app, clock, "Nina's", by=4203)
    await add(app, clock, "Nobody's", manager=None)
    [screen] = await mark.send("/clients")
    assert listed(screen) == ["Nobody's", "Mark's"]
    [menu] = await mark.press("Filters")
    assert "Responsible" not in str(menu.buttons)
    [screen] = await admin.send("/clients")
    assert len(listed(screen)) == 4
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.settings.set_managers_see_all(owner, True)
    [screen] = await mark.send("/clients")
    assert listed(screen) == ["Nobody's", "Nina's", "Mark's", "Owner's"]


async def test_forged_presses_are_refused(
    app: App, owner_en: SimulatedUser, join: Joiner, user: UserFactory, clock: ManualClock
):
    mark = await join(4301, "manager", "Mark", language_code="en")
    await add(app, clock, "Anna", by=4301, tags=("vip",))
    stranger = user(4399, "Eve", language_code="en")
    assert await stranger.press_data(ClientListCb(action="page").pack()) == []
    assert stranger.alert == "This is a private CRM. Ask its owner for an invitation."

    [screen] = await mark.send("/clients")
    for data, alert in [
        (ClientListCb(action="manager", member_id=0), NO_ACCESS),
        (ClientListCb(action="manager", member_id=OWNER_ID), NO_ACCESS),
        (ClientListCb(action="ask", code="manager"), NO_ACCESS),
        (ClientListCb(action="ask", code="colour"), STALE),
        (ClientListCb(action="status", code="no-such"), STALE),
        (ClientListCb(action="tag", code=token("not-offered")), STALE),
        (ClientListCb(action="period", code="yesterday"), STALE),
        ("cls:archive:0::maybe:", STALE),
        ("cls:drop_tables:0:::", STALE),  # not an action at all
    ]:
        packed = data if isinstance(data, str) else data.pack()
        assert await mark.press_data(packed, screen) == []
        assert mark.alert == alert, data
    [screen] = await mark.press_data(ClientListCb(action="tag", code=token("vip")).pack(), screen)
    assert listed(screen) == ["Anna"]


async def test_each_list_keeps_its_filters_and_stale_lists_start_afresh(
    app: App, owner_en: SimulatedUser, clock: ManualClock
):
    for n in range(10):
        await add(app, clock, f"Hot {n}", status="hot")
    await add(app, clock, "Cold", status="cold")
    [hot] = await owner_en.send("/clients")
    await choose(owner_en, "Status", "hot")
    [everyone] = await owner_en.send("/clients")
    [page] = await owner_en.press("▶️", hot)
    assert "Filters: status hot" in page.text and listed(page) == ["Hot 1", "Hot 0"]
    [page] = await owner_en.press("▶️", everyone)
    assert "Filters" not in page.text and len(listed(page)) == 3

    await owner_en.send("/cancel")  # the dialog data is cleared, and the lists with it
    before = len(owner_en.alerts())
    [page] = await owner_en.press("◀️", hot)
    assert owner_en.alerts()[before:] == ["This list was out of date, so its filters were reset."]
    assert "Filters" not in page.text and listed(page)[0] == "Cold"


def test_filters_survive_storage_and_bad_data_means_none() -> None:
    chosen = ListFilters(status="hot", manager_id=5, period="dates", first_day=date(2026, 1, 1))
    assert ListFilters.from_dict(chosen.to_dict()) == chosen
    assert ListFilters().to_dict() == {}
    assert ListFilters.from_dict({"first_day": "soon"}) == ListFilters()
    assert not ListFilters(archived=True).active and ListFilters(open_deals=True).active


async def test_a_period_at_the_calendar_edge_is_asked_again(owner_en: SimulatedUser):
    """31.12.9999 (the day after it does not exist) or 01.01.0001 (before the first UTC
    midnight) is a typo: "I could not read that period", not "Something went wrong"."""
    await owner_en.send("/clients")
    for typed in ("31.12.9999", "01.12.2026–31.12.9999", "01.01.0001"):
        await choose(owner_en, "Created", "Type the dates")
        [reply] = await owner_en.send(typed)
        assert reply.text.startswith("I could not read that period."), typed
    [screen] = await owner_en.send("01.03.2026")
    assert "Filters: created on 01.03.2026" in screen.text


async def test_every_city_and_tag_can_be_picked_a_page_at_a_time(
    app: App, owner_en: SimulatedUser, clock: ManualClock
):
    """The pickers offered the 12 most common cities and tags only: a client of the 13th
    city could not be filtered. They page now, and the archive's offer the archive's own
    (a tag only archived clients have was not offered there)."""
    for number in range(13):  # a client in each: the towns in their names' order
        await add(app, clock, f"Client {number}", city=f"Town {number:02}")
    await add(app, clock, "Lone", city="Town 13", tags=("rare",))
    await add(app, clock, "Old", tags=("bygone",), archived=True)
    [screen] = await owner_en.send("/clients")
    await owner_en.press("Filters")
    [picker] = await owner_en.press("City")
    offered = [text for text, _d, _u in picker.buttons]
    assert "Town 11" in offered and "Town 12" not in offered and "▶️" in offered
    [picker] = await owner_en.press("▶️", picker)
    offered = [text for text, _d, _u in picker.buttons]
    assert offered == ["Town 12", "Town 13", "◀️", "Any city", "◀️ Filters"]
    forged = ClientListCb(action=ListAction.ASK, code="city", member_id=2**63 - 1).pack()
    [first] = await owner_en.press_data(forged, picker)  # a page past any: the first
    assert "Town 00" in [text for text, _d, _u in first.buttons]
    [picker] = await owner_en.press("▶️", first)
    [screen] = await owner_en.press("Town 13", picker)
    assert "Filters: city Town 13" in screen.text
    assert listed(screen) == ["Lone"]
    await owner_en.press("Reset filters")
    [screen] = await owner_en.press("Archive")
    await owner_en.press("Filters")
    [picker] = await owner_en.press("Tag")
    assert [text for text, _d, _u in picker.buttons] == ["bygone", "Any tag", "◀️ Filters"]
    [screen] = await owner_en.press("bygone", picker)
    assert listed(screen) == ["Old"]


async def test_all_clients_archived_is_not_no_clients_yet(
    app: App, owner_en: SimulatedUser, clock: ManualClock, join: Joiner
) -> None:
    """With every client in the archive the list said "No clients yet. Add the first one"."""
    await add(app, clock, "Gone", archived=True)
    [screen] = await owner_en.send("/clients")
    assert screen.text == (
        "📇 Clients: 0\nNo active clients: all of them are in 🗄 Archived clients."
    ), screen.text
    assert "🗄 Archived clients" in [text for text, _d, _u in screen.buttons]
    manager = await join(7101, "manager", "Mark", language_code="en")  # none of his own
    [screen] = await manager.send("/clients")
    assert "You have no clients yet." in screen.text, screen.text


async def test_created_in_days_typed_without_a_year(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """The report reads "01.02–28.02"; the client list's period answered "I could not read
    that period" and wanted the years typed."""
    await add(app, clock, "January", at=datetime(2026, 1, 15, 10, tzinfo=UTC))
    await add(app, clock, "February", at=datetime(2026, 2, 10, 10, tzinfo=UTC))
    await add(app, clock, "Old", at=datetime(2024, 2, 10, 10, tzinfo=UTC))
    clock.set(START)
    await owner_en.send("/clients")
    for typed, names, said in [
        ("01.02–28.02", ["February"], "01.02.2026–28.02.2026"),
        ("10.02 - 15.01", ["February", "January"], "15.01.2026–10.02.2026"),
        ("15.01", ["January"], "on 15.01.2026"),
        ("01.01.2024–31.12.2026", ["February", "January", "Old"], "01.01.2024–31.12.2026"),
    ]:
        await choose(owner_en, "Created", "Type the dates")
        [screen] = await owner_en.send(typed)
        assert f"Filters: created {said}" in screen.text, (typed, screen.text)
        assert listed(screen) == names, typed
