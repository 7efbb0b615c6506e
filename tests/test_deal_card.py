"""The deal card through the Dispatcher: moves, won, lost, reopen, edits, comments, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.service import Crm
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from storage.models import Deal, Event, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

RUB = "\u00a0₽"


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def stage_ids(app: App) -> dict[str, int]:
    async with app.crm.open() as crm:
        return {str(s.code): s.id for s in await crm.pipelines.stages()}


async def make_deal(
    app: App, client_id: int, amount: int = 15_000_000, title: str = "Supply", who: int = OWNER_ID
) -> Deal:
    async with app.crm.open() as crm:
        return await crm.deals.create(await actor(crm, who), client_id, amount, title)


async def deal_now(app: App, deal_id: int) -> Deal:
    async with app.crm.open() as crm:
        return await crm.deals.visible(await actor(crm), deal_id)


async def deal_events(app: App, deal_id: int) -> list[Event]:
    """The deal's history, oldest first (as far as one page of the card goes)."""
    async with app.crm.open() as crm:
        card = await crm.deal_queries.card(await actor(crm), deal_id)
    return card.events[::-1]


async def open_deal(user: SimulatedUser, deal_id: int) -> str:
    [card] = await user.press_data(DealCb(action="open", deal_id=deal_id).pack())
    return card.text


async def open_client(user: SimulatedUser, client_id: int) -> str:
    [card] = await user.press_data(ClientCb(action="open", client_id=client_id).pack())
    return card.text


def history(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("History"))
    # (a client's card ends with a blank line and the one about where text goes)
    return [line for line in lines[start + 1 :] if line and not line.startswith("✍️")]


def button_texts(user: SimulatedUser) -> list[str]:
    return [text for text, _d, _u in user.last_message().buttons]


async def test_next_stage_skipping_moving_back_won_and_reopen(
    app: App, owner_en: SimulatedUser
) -> None:
    ids = await stage_ids(app)
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    deal = await make_deal(app, client.id)
    await open_client(owner_en, client.id)
    [card] = await owner_en.press(f"Supply · 150,000{RUB} · New lead")
    assert card.text.startswith("💼 Supply")
    assert "◉○○○○ New lead" in card.text
    assert button_texts(owner_en)[:3] == ["➡️ Next: Contact made", "🏆 Won", "❌ Lost"]

    [card] = await owner_en.press("Next: Contact made")
    assert owner_en.alert == "Stage changed."
    assert "●◉○○○ Contact made" in card.text
    assert (await deal_now(app, deal.id)).stage_id == ids["contact"]

    [picker] = await owner_en.press("Stage")
    assert picker.text == "Move “Supply” to which stage?"
    assert [t for t, _d, _u in picker.buttons] == [
        "▫️ New lead",
        "✅ Contact made",
        "▫️ Meeting",
        "▫️ Proposal",
        "▫️ Invoice sent",
        "🏆 Paid",
        "❌ Lost",
        "◀️ Deal",
    ]
    [card] = await owner_en.press("Invoice sent", picker)  # skipping two stages
    assert "●●●●◉ Invoice sent" in card.text
    assert history(card.text)[0].endswith("➡️ Contact made → Invoice sent")
    assert "Next:" not in str(card.buttons)  # the last open stage has no next one
    await owner_en.press("Stage")
    [card] = await owner_en.press("Meeting")  # and back
    assert "●●◉○○ Meeting" in card.text
    assert history(card.text)[0].endswith("⬅️ Invoice sent → Meeting")  # a move back

    [card] = await owner_en.press("Won")
    assert owner_en.alert == "🏆 The deal is won!"
    assert "🏆 ●●●●● Paid" in card.text and "Closed 02.03.2026" in card.text
    assert history(card.text)[0].endswith(f"🏆 won: 150,000{RUB}")
    assert "Won" not in str(card.buttons) and "Lost" not in str(card.buttons)
    won = await deal_now(app, deal.id)
    assert won.stage_id == ids["won"] and won.closed_at is not None

    [card] = await owner_en.press("Reopen")
    assert owner_en.alert == "The deal is open again."
    assert "●●◉○○ Meeting" in card.text
    assert history(card.text)[0].endswith("♻️ reopened: Paid → Meeting")
    reopened = await deal_now(app, deal.id)
    assert reopened.stage_id == ids["meeting"] and reopened.closed_at is None
    assert [e.kind for e in await deal_events(app, deal.id)] == [
        "deal_created",
        "stage_changed",
        "stage_changed",
        "stage_changed",
        "deal_won",
        "deal_reopened",
    ]
    await owner_en.press_data(DealCb(action="reopen", deal_id=deal.id).pack())
    assert owner_en.alert == "The deal is already open."


async def test_a_stage_pressed_twice_or_deleted_meanwhile(
    app: App, owner_en: SimulatedUser, session: OfflineSession
) -> None:
    ids = await stage_ids(app)
    client = await make_client(app, OWNER_ID, "Anna Lee")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    card_message = owner_en.last_message()
    next_button = next(d for t, d, _u in card_message.buttons if t.startswith("➡️"))
    assert next_button is not None
    await owner_en.press_data(next_button, card_message)
    await owner_en.press_data(next_button, card_message)  # a double tap, or an old copy
    assert owner_en.alert == "The deal is already at this stage."
    # Telegram refuses to "edit" a screen into itself; that is no failure.
    not_modified = "Bad Request: message is not modified"
    session.answer_next(
        TelegramBadRequest(EditMessageText(text="…"), not_modified), EditMessageText
    )
    await owner_en.press_data(next_button, card_message)
    assert owner_en.alert == "The deal is already at this stage."
    assert (await deal_now(app, deal.id)).stage_id == ids["contact"]
    assert [e.kind for e in await deal_events(app, deal.id)].count("stage_changed") == 1

    # The owner deletes the next stage while the card still offers it.
    [card] = await owner_en.press("Stage")
    meeting = next(d for t, d, _u in card.buttons if t.endswith("Meeting"))
    assert meeting is not None
    async with app.crm.open() as crm:
        await crm.pipelines.delete_stage(await actor(crm), ids["meeting"], None)
    [card] = await owner_en.press_data(meeting, card)
    assert owner_en.alert == "This stage no longer exists."
    assert card.text.startswith("💼 Supply")  # the card as it is now
    assert "➡️ Next: Proposal" in str(card.buttons)
    assert (await deal_now(app, deal.id)).stage_id == ids["contact"]

    # The deal's own stage deleted, its deals moved on: the history still reads well.
    async with app.crm.open() as crm:
        await crm.pipelines.delete_stage(await actor(crm), ids["contact"], ids["proposal"])
    text = await open_deal(owner_en, deal.id)
    assert "●◉○ Proposal" in text
    assert history(text)[0].endswith("➡️ Contact made → Proposal (the stage was deleted)")
    text = await open_client(owner_en, client.id)
    assert history(text)[0].endswith("💼 Supply: ➡️ Contact made → Proposal (the stage was deleted)")


async def test_lost_with_a_listed_and_with_a_typed_reason(
    app: App, owner_en: SimulatedUser
) -> None:
    ids = await stage_ids(app)
    client = await make_client(app, OWNER_ID, "Boris Orlov")
    first = await make_deal(app, client.id, title="Chairs")
    second = await make_deal(app, client.id, 5_000_00, title="Tables")

    await open_deal(owner_en, first.id)
    [reasons] = await owner_en.press("Lost")
    assert reasons.text.startswith("Why was “Chairs” lost? Choose a reason")
    assert [t for t, _d, _u in reasons.buttons] == [
        "too expensive",
        "chose a competitor",
        "no reply",
        "no longer relevant",
        "◀️ Deal",
    ]
    [card] = await owner_en.press("too expensive", reasons)
    assert owner_en.alert == "The deal is marked lost."
    assert (
        "\n❌ Lost\n" in card.text
        and "●" not in card.text
        and "Lost because: too expensive" in card.text
    )
    assert history(card.text)[0].endswith(f"❌ lost: 150,000{RUB}; reason: too expensive")
    lost = await deal_now(app, first.id)
    assert (lost.stage_id, lost.lost_reason) == (ids["lost"], "too expensive")
    await owner_en.press_data(DealCb(action="lost", deal_id=first.id).pack())
    assert owner_en.alert == "The deal is already at this stage."

    await open_deal(owner_en, second.id)
    await owner_en.press("Lost")
    [reply] = await owner_en.send("x" * 201)
    assert reply.text == ("That is too long: at most 200 characters. Please send a shorter one.")
    assert (await deal_now(app, second.id)).closed_at is None
    [card] = await owner_en.send("The budget   was cut")
    assert "Lost because: The budget was cut" in card.text
    assert f"❌ lost: 5,000{RUB}; reason: The budget was cut" in card.text
    assert (await deal_now(app, second.id)).lost_reason == "The budget was cut"
    # The dialog is over: more text is a comment on the open (deal's) card, not a reason.
    [ack] = await owner_en.send("Call again in autumn")
    assert ack.text == "Comment added to the deal “Tables”."
    assert (await deal_now(app, second.id)).lost_reason == "The budget was cut"

    # Going back from the reasons leaves the question: text is not taken as a reason.
    await open_deal(owner_en, second.id)
    [card] = await owner_en.press("Reopen")
    assert "Lost because" not in card.text
    [reasons] = await owner_en.press("Lost")
    [card] = await owner_en.press("◀️ Deal", reasons)
    assert card.text.startswith("💼 Tables")
    [ack] = await owner_en.send("Not lost after all")
    assert ack.text == "Comment added to the deal “Tables”."
    reopened = await deal_now(app, second.id)
    assert (reopened.closed_at, reopened.lost_reason) == (None, None)


async def test_managers_change_only_their_own_deals(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    ids = await stage_ids(app)
    mila = await join(5001, "manager", "Mila", language_code="en")
    mark = await join(5002, "manager", "Mark", language_code="en")
    client = await make_client(app, 5001, "Mila's Client")
    deal = await make_deal(app, client.id, who=5001)

    # Mark cannot see Mila's client: every forged press is "no longer exists".
    for data in (
        DealCb(action="open", deal_id=deal.id).pack(),
        DealCb(action="move", deal_id=deal.id, item_id=ids["won"]).pack(),
        DealCb(action="lost", deal_id=deal.id).pack(),
        DealCb(action="lost_pick", deal_id=deal.id, item_id=1).pack(),
        DealCb(action="reopen", deal_id=deal.id).pack(),
        DealCb(action="stages", deal_id=deal.id).pack(),
        DealCb(action="edit", deal_id=deal.id).pack(),
        DealCb(action="comment", deal_id=deal.id).pack(),
    ):
        assert await mark.press_data(data) == []
        assert mark.alert == "This record no longer exists.", data
    assert (await deal_now(app, deal.id)).stage_id == ids["lead"]

    # Unassigned, the client is seen by all; the deal stays Mila's to change.
    async with app.crm.open() as crm:
        await crm.client_edits.set_manager(await actor(crm), client.id, None)
    text = await open_deal(mark, deal.id)
    assert text.startswith("💼 Supply") and "Responsible: Mila" in text
    assert button_texts(mark) == [
        "💬 Comment",
        "➕ Task",
        "🧩 Fields",
        "🔗 Links",
        "📨 Send",
        "👤 Mila's Client",
        "🔄 Refresh",
    ]
    for data in (
        DealCb(action="move", deal_id=deal.id, item_id=ids["won"]).pack(),
        DealCb(action="lost", deal_id=deal.id).pack(),
        DealCb(action="stages", deal_id=deal.id).pack(),
        DealCb(action="edit_field", deal_id=deal.id, field="amount").pack(),
        DealCb(action="manager", deal_id=deal.id).pack(),
    ):
        await mark.press_data(data)
        assert mark.alert == "You don't have access to this.", data
    await mark.press("Comment")
    [ack] = await mark.send("Met Mila's client at the fair")
    assert ack.text == "Comment added to the deal “Supply”."
    assert (await deal_now(app, deal.id)).stage_id == ids["lead"]

    await open_deal(mila, deal.id)
    assert "👤 Responsible" not in button_texts(mila)
    [card] = await mila.press("Next: Contact made")
    assert "Contact made" in card.text
    assert "💬 Met Mila's client at the fair" in card.text

    # The owner hands the deal to Mark; now he moves it.
    await open_deal(owner_en, deal.id)
    [people] = await owner_en.press("Responsible")
    assert people.text == "Who is responsible for “Supply”?"
    [card] = await owner_en.press("Mark", people)
    assert owner_en.alert == "Responsible changed."
    assert "Responsible: Mark" in card.text
    assert history(card.text)[0].endswith("✏️ responsible: Mila → Mark")
    [card] = await mark.press_data(
        DealCb(action="move", deal_id=deal.id, item_id=ids["won"]).pack()
    )
    assert "Paid" in card.text
    assert (await deal_now(app, deal.id)).manager_id == 5002


async def test_the_client_card_lists_deals_and_shows_their_history(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Gleb Frolov")
    supply = await make_deal(app, client.id, title="Supply")
    await make_deal(app, client.id, 0, title="Service")
    text = await open_client(owner_en, client.id)
    deals = text.split("Deals\n", 1)[1]
    assert f"• Supply · 150,000{RUB} · New lead" in deals
    assert f"• Service · 0{RUB} · New lead" in deals
    assert f"▫️ Supply · 150,000{RUB} · New lead" in button_texts(owner_en)
    assert "💼 New deal" in button_texts(owner_en)

    await open_deal(owner_en, supply.id)
    await owner_en.press("Next")
    [card] = await owner_en.press("Gleb Frolov")  # back to the client
    assert card.text.startswith("👤 Gleb Frolov")
    assert f"• Supply · 150,000{RUB} · Contact made" in card.text
    lines = history(card.text)
    assert lines[0].endswith("💼 Supply: ➡️ New lead → Contact made")
    assert lines[1].endswith(f"💼 Service: 🆕 deal created: 0{RUB}, New lead")
    assert lines[-1].endswith("✨ client added")


async def test_many_deals_are_listed_a_page_at_a_time(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Zoya Many")
    for n in range(10):
        await make_deal(app, client.id, n * 100, title=f"Deal {n}")
    text = await open_client(owner_en, client.id)
    assert "…and 5 more" in text
    deal_buttons = [t for t in button_texts(owner_en) if t.startswith("▫️")]
    assert len(deal_buttons) == 5
    [listing] = await owner_en.press("All deals (10)")
    assert listing.text == "Deals of Zoya Many:"
    assert len([t for t, _d, _u in listing.buttons if t.startswith("▫️")]) == 8
    [listing] = await owner_en.press("Next ▶️", listing)
    assert len([t for t, _d, _u in listing.buttons if t.startswith("▫️")]) == 2
    [card] = await owner_en.press("▫️ Deal", listing)
    assert card.text.startswith("💼 Deal ")


async def test_editing_amount_title_and_expected_close(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Vera Kim")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    [menu] = await owner_en.press("Edit")
    assert [t for t, _d, _u in menu.buttons] == [
        "Amount",
        "Title",
        "Expected close date",
        "👤 Another client",
        "🗑 Delete the deal",
        "◀️ Deal",
    ]
    [question] = await owner_en.press("Amount", menu)
    assert question.text.startswith("The amount of “Supply”? For example:")
    [reply] = await owner_en.send("lots")
    assert reply.text.startswith("“lots” is not an amount I can read.")
    [reply] = await owner_en.send("-10")
    assert reply.text.startswith("The amount cannot be negative.")
    [card] = await owner_en.send("2,5 млн")
    assert f"Amount: 2,500,000{RUB}" in card.text
    assert history(card.text)[0].endswith(f"✏️ amount: 150,000{RUB} → 2,500,000{RUB}")
    assert (await deal_now(app, deal.id)).amount_minor == 250_000_000

    await owner_en.press("Edit")
    await owner_en.press("Expected close date")
    [reply] = await owner_en.send("someday")
    assert reply.text.startswith("“someday” is not a date I can read. For example:")
    [reply] = await owner_en.send("01.01.0000")  # not "is not a date I can read"
    assert reply.text.startswith("That year is not valid: check the year. For example:")
    [card] = await owner_en.send("31 March")
    assert "Expected close: 31.03.2026" in card.text
    assert history(card.text)[0].endswith("✏️ expected close date: — → 31.03.2026")
    assert (await deal_now(app, deal.id)).expected_close == date(2026, 3, 31)
    # a date in the past is taken (a deal may close late) and said so, a typo seen
    await owner_en.press("Edit")
    await owner_en.press("Expected close date")
    [note, card] = await owner_en.send("yesterday")
    assert note.text == (
        "Saved: 01.03.2026 is already in the past. If that is a typo, change the date."
    )
    assert "Expected close: 01.03.2026" in card.text
    assert (await deal_now(app, deal.id)).expected_close == date(2026, 3, 1)
    await owner_en.press("Edit")
    await owner_en.press("Expected close date")
    [card] = await owner_en.send("today")  # not past: the card alone
    assert "Expected close: 02.03.2026" in card.text
    await owner_en.press("Edit")
    await owner_en.press("Expected close date")
    [card] = await owner_en.send("-")
    assert "Expected close: not set" in card.text
    assert (await deal_now(app, deal.id)).expected_close is None

    await owner_en.press("Edit")
    await owner_en.press("Title")
    [reply] = await owner_en.send("  ")
    assert reply.text == "This cannot be empty. Please send it again."
    [card] = await owner_en.send("Supply 2026")
    assert card.text.startswith("💼 Supply 2026")
    assert history(card.text)[0].endswith("✏️ title: Supply → Supply 2026")


async def test_a_close_date_without_its_year_days_ago_is_this_years(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """“05.12” typed on 6 December became 05.12.2027; a day of the last two months is this
    year's (late already, and said so), an earlier one the next."""
    clock.set(datetime(2026, 12, 6, 12, tzinfo=ZoneInfo("Europe/Moscow")).astimezone(UTC))
    client = await make_client(app, OWNER_ID, "Vera Kim")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    for typed, saved, late in (
        ("05.12", date(2026, 12, 5), True),
        ("10 October", date(2026, 10, 10), True),
        ("01.10", date(2027, 10, 1), False),
        ("25.12", date(2026, 12, 25), False),
    ):
        await owner_en.press("Edit")
        await owner_en.press("Expected close date")
        *note, card = await owner_en.send(typed)
        shown = saved.strftime("%d.%m.%Y")
        assert f"Expected close: {shown}" in card.text, (typed, card.text)
        assert [n.text for n in note] == (
            [f"Saved: {shown} is already in the past. If that is a typo, change the date."]
            if late
            else []
        )
        assert (await deal_now(app, deal.id)).expected_close == saved


async def test_a_comment_on_a_deal_shows_on_both_timelines(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Egor Lis")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    [question] = await owner_en.press("Comment")
    assert question.text == "Write the comment for the deal “Supply”."
    [reply] = await owner_en.send(" ")
    assert reply.text == "This cannot be empty. Please send it again."
    [ack] = await owner_en.send("Sent the contract *draft*")
    assert ack.text == "Comment added to the deal “Supply”."
    undo = next(data for text, data, _u in ack.buttons if "Undo" in text)
    assert undo is not None
    [card] = await owner_en.press("Open deal", ack)
    assert history(card.text)[0].endswith("💬 Sent the contract *draft*")
    client_text = await open_client(owner_en, client.id)
    assert history(client_text)[0].endswith("💼 Supply: 💬 Sent the contract *draft*")
    [comment] = [e for e in await deal_events(app, deal.id) if e.kind == "comment"]
    assert (comment.client_id, comment.text) == (client.id, "Sent the contract *draft*")

    [undone] = await owner_en.press_data(undo, ack)
    assert undone.text == "Removed from the card."
    assert [e.kind for e in await deal_events(app, deal.id)] == ["deal_created"]

    # The deal's history pages like the client's.
    async with app.crm.open() as crm:
        owner = await actor(crm)
        for n in range(11):
            clock.advance(timedelta(minutes=1))
            await crm.deals.comment(owner, deal.id, f"note {n:02d}")
    text = await open_deal(owner_en, deal.id)
    assert "History (1–10 of 12)" in text and "note 10" in text and "note 00" not in text
    [card] = await owner_en.press("Older")
    assert "History (11–12 of 12)" in card.text and "note 00" in card.text
    assert "🆕 deal created" in card.text


async def test_an_old_older_button_past_the_history_shows_its_last_page(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "Older ▶️" on a card shown when the deal had eleven events, pressed after a comment
    was undone, read "No history yet." under a deal with ten: it shows the last page."""
    client = await make_client(app, OWNER_ID, "Vera Kim")
    deal = await make_deal(app, client.id)
    async with app.crm.open() as crm:
        notes = [await crm.deals.comment(await actor(crm), deal.id, f"note {n}") for n in range(10)]
    await open_deal(owner_en, deal.id)
    card = owner_en.last_message()
    assert card.text.count("note ") == 10 and "Older ▶️" in button_texts(owner_en)
    async with app.crm.open() as crm:
        await crm.timeline.undo_comment(await actor(crm), notes[-1].id, client.id)
    [older] = await owner_en.press("Older ▶️", card)
    assert "No history yet." not in older.text
    assert "History (1–10 of 10)" in older.text and "deal created" in older.text


async def test_a_close_date_the_calendar_has_not_is_said_so(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "31.04" as the expected close date was "not a date I can read": it is no day, as a
    task's when says."""
    client = await make_client(app, OWNER_ID, "Vera Kim")
    deal = await make_deal(app, client.id)
    ask = DealCb(action="edit_field", deal_id=deal.id, field="expected_close").pack()
    await owner_en.press_data(ask)
    [reply] = await owner_en.send("31.04")
    assert reply.text.startswith(
        "There is no such day in the calendar: check the day and the month. For example:"
    )
    [reply] = await owner_en.send("29.02")  # (2 March 2026: the coming one is 2028's)
    assert reply.text.startswith("The coming February has no 29th; the next 29 February is in")
    [card] = await owner_en.send("30.04")
    assert "Expected close: 30.04.2026" in card.text
