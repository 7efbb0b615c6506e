"""/settings → Pipeline: the owner's stages and lost reasons, through the Dispatcher."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.pipeline import MAX_STAGES, StageView
from handlers.settings.callbacks import PipelineCb
from storage.engine import create_session_factory
from storage.models import Deal
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

NO_ACCESS = "You don't have access to this."
GONE = "This stage no longer exists."
BAD_DAYS = "Send a whole number of days from 1 to 365."
TOO_LONG = "That is too long: at most 60 characters. Please send a shorter one."
EMPTY = "This cannot be empty. Please send it again."
CLOSED = "A won or lost stage can only be renamed."
DEFAULT_ORDER = ["lead", "contact", "meeting", "proposal", "invoice", "won", "lost"]


async def stages(app: App) -> list[StageView]:
    async with app.crm.open() as crm:
        return await crm.pipelines.stages()


async def order(app: App) -> list[str]:
    return [s.name or str(s.code) for s in await stages(app)]


async def stage_id(app: App, code: str) -> int:
    return next(s.id for s in await stages(app) if s.code == code or s.name == code)


async def reasons(app: App) -> list[str]:
    async with app.crm.open() as crm:
        return [r.text or str(r.code) for r in await crm.pipelines.lost_reasons()]


async def open_pipeline(owner: SimulatedUser) -> SentMessage:
    await owner.send("/settings")
    [screen] = await owner.press("🪜 Pipeline")
    return screen


def labels(screen: SentMessage) -> list[str]:
    return [text for text, _data, _url in screen.buttons]


def press(action: str, item_id: int = 0, value: str = "") -> str:
    """A press as a button or a forger makes it, the ids and ``value`` written as they are:
    ``value`` is the days of ``stale_set``, else the stage the deals go to."""
    prefix, kind, _item, to_id, days, page = PipelineCb(action=action).pack().split(":")
    if action == "stale_set":
        days = value
    elif value:
        to_id = value
    return ":".join((prefix, kind, str(item_id), to_id, days, page))


async def test_the_pipeline_screen_shows_every_stage(app: App, owner_en: SimulatedUser) -> None:
    screen = await open_pipeline(owner_en)
    assert screen.text.startswith("Pipeline\nDeals go through the open stages in this order")
    assert labels(screen) == [
        "▫️ New lead · open · ⏳ 3",
        "▫️ Contact made · open · ⏳ 7",
        "▫️ Meeting · open · ⏳ 7",
        "▫️ Proposal · open · ⏳ 10",
        "▫️ Invoice sent · open · ⏳ 14",
        "🏆 Paid · won",
        "❌ Lost · lost",
        "➕ Add a stage",
        "❌ Lost reasons",
        "◀️ Settings",
    ]
    [stage] = await owner_en.press("Meeting")
    assert stage.text == (
        "Stage: Meeting\nKind: open\nDays without activity before a deal goes stale: 7\n"
        "Deals on it: 0"
    )
    assert labels(stage) == [
        "✏️ Rename",
        "⏳ Days before stale",
        "⬆️ Up",
        "⬇️ Down",
        "🗑 Delete",
        "◀️ Pipeline",
    ]
    [back] = await owner_en.press("◀️ Pipeline", stage)
    assert back.message_id == screen.message_id  # navigation edits the one message
    [settings] = await owner_en.press("◀️ Settings", back)
    assert settings.text.startswith("Settings\nLanguage: English")


async def test_owner_adds_a_stage_with_a_second_chance(app: App, owner_en: SimulatedUser) -> None:
    await open_pipeline(owner_en)
    [prompt] = await owner_en.press("Add a stage")
    assert prompt.text.startswith("Send the name of the new stage, 1 to 60 characters.")
    [reply] = await owner_en.send("   ")
    assert reply.text == EMPTY
    [reply] = await owner_en.send("x" * 61)
    assert reply.text == TOO_LONG
    [screen] = await owner_en.send("  Demo   call ")
    assert screen.text.startswith("Pipeline\nAdded: Demo call.")
    assert "▫️ Demo call · open · ⏳ never" in labels(screen)
    assert await order(app) == [*DEFAULT_ORDER[:5], "Demo call", "won", "lost"]
    [reply] = await owner_en.send("Another")  # the prompt is over: plain text is a search
    assert reply.text == "Nothing found for “Another”."
    assert len(await stages(app)) == 8


async def test_the_stage_limit(app: App, owner_en: SimulatedUser) -> None:
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        for n in range(MAX_STAGES - 7):
            await crm.pipelines.add_stage(owner, f"Extra {n}")
    screen = await open_pipeline(owner_en)
    assert "➕ Add a stage" not in labels(screen)
    assert await owner_en.press_data(press("add"), screen) == []
    assert owner_en.alert == f"A pipeline can have at most {MAX_STAGES} stages."
    await owner_en.send("One too many")
    assert len(await stages(app)) == MAX_STAGES


async def test_owner_renames_stages_with_a_second_chance(app: App, owner_en: SimulatedUser) -> None:
    await open_pipeline(owner_en)
    await owner_en.press("Contact made")
    [prompt] = await owner_en.press("Rename")
    assert prompt.text == "Send the new name for the stage Contact made, 1 to 60 characters."
    [reply] = await owner_en.send("  ")
    assert reply.text == EMPTY
    [reply] = await owner_en.send("y" * 61)
    assert reply.text == TOO_LONG
    [screen] = await owner_en.send("First call")
    assert screen.text.startswith("Stage: First call\nRenamed: First call.")
    assert await order(app) == ["lead", "First call", *DEFAULT_ORDER[2:]]

    # Won and lost: rename only.
    [pipeline] = await owner_en.press("◀️ Pipeline", screen)
    [won] = await owner_en.press("🏆 Paid", pipeline)
    assert labels(won) == ["✏️ Rename", "◀️ Pipeline"]
    assert "Kind: won" in won.text and "A closing stage can only be renamed." in won.text
    await owner_en.press("Rename", won)
    [screen] = await owner_en.send("Paid in full")
    assert screen.text.startswith("Stage: Paid in full\nRenamed: Paid in full.")
    assert (await stages(app))[-2].name == "Paid in full"


async def test_owner_reorders_open_stages(app: App, owner_en: SimulatedUser) -> None:
    await open_pipeline(owner_en)
    [screen] = await owner_en.press("Meeting")
    [screen] = await owner_en.press("⬆️ Up", screen)
    assert owner_en.alert == "Moved up."
    assert await order(app) == ["lead", "meeting", "contact", "proposal", "invoice", "won", "lost"]
    [screen] = await owner_en.press("⬆️ Up", screen)
    assert "⬆️ Up" not in labels(screen)  # first now
    assert await order(app) == ["meeting", "lead", "contact", "proposal", "invoice", "won", "lost"]
    # A stale Up on the first stage changes nothing.
    meeting = await stage_id(app, "meeting")
    await owner_en.press_data(press("up", meeting), screen)
    assert (await order(app))[0] == "meeting"
    for _ in range(4):
        [screen] = await owner_en.press("⬇️ Down", screen)
    assert "⬇️ Down" not in labels(screen)  # last open stage; won and lost stay last
    assert await order(app) == ["lead", "contact", "proposal", "invoice", "meeting", "won", "lost"]
    await owner_en.press_data(press("down", meeting), screen)
    assert await order(app) == ["lead", "contact", "proposal", "invoice", "meeting", "won", "lost"]


async def test_stale_days_by_button_and_typed(app: App, owner_en: SimulatedUser) -> None:
    await open_pipeline(owner_en)
    await owner_en.press("New lead")
    [prompt] = await owner_en.press("Days before stale")
    assert prompt.text.startswith(
        "After how many days without activity does a deal on New lead go stale? Now: 3."
    )
    assert labels(prompt) == ["1", "3", "7", "14", "30", "Never", "◀️ Back"]
    [screen] = await owner_en.press("14", prompt)
    assert "Saved: stale after 14 d without activity." in screen.text
    assert "Days without activity before a deal goes stale: 14" in screen.text
    assert (await stages(app))[0].stale_days == 14

    await owner_en.press("Days before stale", screen)
    [screen] = await owner_en.press("Never")
    assert "Deals on this stage never go stale now." in screen.text
    assert (await stages(app))[0].stale_days is None

    await owner_en.press("Days before stale", screen)
    for wrong in ("0", "366", "abc", "-5", "7.5"):
        [reply] = await owner_en.send(wrong)
        assert reply.text == BAD_DAYS, wrong
    assert (await stages(app))[0].stale_days is None
    [screen] = await owner_en.send(" 21 ")
    assert "Saved: stale after 21 d without activity." in screen.text
    assert (await stages(app))[0].stale_days == 21

    # Forged values are refused, and closing stages have no stale days.
    lead = await stage_id(app, "lead")
    for value in ("0", "400", "x", "99999999999"):
        await owner_en.press_data(press("stale_set", lead, value), screen)
        assert owner_en.alert == BAD_DAYS
    won = await stage_id(app, "won")
    await owner_en.press_data(press("stale_set", won, "7"), screen)
    assert owner_en.alert == CLOSED
    await owner_en.press_data(press("stale", won), screen)
    assert owner_en.alert == CLOSED
    assert [s.stale_days for s in await stages(app)] == [21, 7, 7, 10, 14, None, None]


async def test_owner_deletes_an_empty_stage_and_a_second_press_is_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    await open_pipeline(owner_en)
    await owner_en.press("Proposal")
    [confirm] = await owner_en.press("🗑 Delete")
    assert confirm.text == "Delete the stage Proposal? It has no deals."
    assert labels(confirm) == ["🗑 Yes, delete", "◀️ Back"]
    [_text, yes, _url] = confirm.buttons[0]  # kept: the message is edited in place
    assert yes is not None
    [screen] = await owner_en.press("Yes, delete", confirm)
    assert screen.text.startswith("Pipeline\nDeleted: Proposal.")
    assert not any("Proposal" in label for label in labels(screen))
    assert await order(app) == ["lead", "contact", "meeting", "invoice", "won", "lost"]

    [screen] = await owner_en.press_data(yes, screen)  # the same confirmation, again
    assert owner_en.alert == GONE
    assert screen.text.startswith("Pipeline")
    assert len(await stages(app)) == 6


async def test_deleting_a_stage_with_deals_moves_them_first(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    meeting, proposal = await stage_id(app, "meeting"), await stage_id(app, "proposal")
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        deals = [await crm.deals.create(owner, client.id, 0) for _ in range(2)]
        for deal in deals:
            await crm.deals.move(owner, deal.id, meeting)

    await open_pipeline(owner_en)
    [screen] = await owner_en.press("Meeting")
    assert "Deals on it: 2" in screen.text
    [where] = await owner_en.press("🗑 Delete", screen)
    question = "Deals on the stage Meeting: 2. Move them to:"
    assert where.text == question
    assert labels(where) == ["New lead", "Contact made", "Proposal", "Invoice sent", "◀️ Back"]

    # Without a target the CRM refuses, and the dialog asks where again.
    await owner_en.press("Proposal", where)
    [again] = await owner_en.press_data(press("delete_yes", meeting), where)
    assert owner_en.alert == "This stage has deals; choose where to move them first."
    assert again.text == question
    won = await stage_id(app, "won")
    await owner_en.press_data(press("delete_yes", meeting, str(won)), where)
    assert owner_en.alert == "This stage has deals; choose where to move them first."
    assert await stage_id(app, "meeting") == meeting

    [confirm] = await owner_en.press("Proposal", where)
    assert confirm.text == "Move the deals (2) to Proposal and delete the stage Meeting?"
    [screen] = await owner_en.press("Yes, delete", confirm)
    assert screen.text.startswith("Pipeline\nDeleted: Meeting. Deals moved to Proposal: 2.")
    assert await order(app) == ["lead", "contact", "proposal", "invoice", "won", "lost"]
    async with create_session_factory(app.engine)() as session:
        on = set(await session.scalars(select(Deal.stage_id).where(Deal.client_id == client.id)))
    assert on == {proposal}


async def test_the_last_open_stage_cannot_be_deleted(app: App, owner_en: SimulatedUser) -> None:
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        for code in ("contact", "meeting", "proposal", "invoice"):
            await crm.pipelines.delete_stage(owner, await stage_id(app, code), None)
    await open_pipeline(owner_en)
    [screen] = await owner_en.press("New lead")
    assert "⬆️ Up" not in labels(screen) and "⬇️ Down" not in labels(screen)
    assert await owner_en.press("🗑 Delete", screen) == []
    last = "This is the only open stage; the pipeline needs at least one."
    assert owner_en.alert == last
    await owner_en.press_data(press("delete_yes", await stage_id(app, "lead")), screen)
    assert owner_en.alert == last
    assert await order(app) == ["lead", "won", "lost"]


async def test_won_and_lost_cannot_be_deleted_or_moved(app: App, owner_en: SimulatedUser) -> None:
    screen = await open_pipeline(owner_en)
    for code in ("won", "lost"):
        closing = await stage_id(app, code)
        for data in (
            press("delete", closing),
            press("delete_yes", closing),
            press("delete_yes", closing, str(await stage_id(app, "lead"))),
            press("up", closing),
            press("down", closing),
        ):
            await owner_en.press_data(data, screen)
            assert owner_en.alert == CLOSED, data
    # Nor can an open stage's deals be sent to a closing stage.
    await owner_en.press_data(
        press("delete_to", await stage_id(app, "lead"), str(await stage_id(app, "won"))), screen
    )
    assert owner_en.alert == GONE
    assert await order(app) == DEFAULT_ORDER


async def test_a_stage_deleted_meanwhile(app: App, owner_en: SimulatedUser) -> None:
    await open_pipeline(owner_en)
    [screen] = await owner_en.press("Invoice sent")
    owner = await member(app, OWNER_ID)
    invoice = await stage_id(app, "invoice")
    async with app.crm.open() as crm:
        await crm.pipelines.delete_stage(owner, invoice, None)
    for action in ("rename", "stale", "up", "delete", "stage"):
        [shown] = await owner_en.press_data(press(action, invoice), screen)
        assert owner_en.alert == GONE
        assert shown.text.startswith("Pipeline")  # the stale screen goes back to the list

    # Gone while its new name was being typed.
    [screen] = await owner_en.press("Contact made", shown)
    await owner_en.press("Rename", screen)
    async with app.crm.open() as crm:
        await crm.pipelines.delete_stage(owner, await stage_id(app, "contact"), None)
    [reply] = await owner_en.send("Late name")
    assert reply.text == GONE
    [reply] = await owner_en.send("Later name")  # the prompt ended
    assert reply.text == "Nothing found for “Later name”."
    for bogus in (0, -1, 2**40):
        await owner_en.press_data(press("stage", bogus), screen)
        assert owner_en.alert == GONE
    assert await order(app) == ["lead", "meeting", "proposal", "won", "lost"]


async def test_leaving_a_prompt(app: App, owner_en: SimulatedUser) -> None:
    await open_pipeline(owner_en)
    [prompt] = await owner_en.press("Add a stage")
    [screen] = await owner_en.press("◀️ Pipeline", prompt)
    assert screen.text.startswith("Pipeline")
    [reply] = await owner_en.send("Demo")
    assert reply.text == "Nothing found for “Demo”."
    await owner_en.press("Meeting", screen)
    await owner_en.press("Days before stale")
    [reply] = await owner_en.send("/cancel")
    assert reply.text == "Cancelled."
    [reply] = await owner_en.send("5")
    assert "Saved" not in reply.text
    assert await order(app) == DEFAULT_ORDER
    assert [s.stale_days for s in await stages(app)][2] == 7


async def test_owner_edits_lost_reasons(app: App, owner_en: SimulatedUser) -> None:
    pipeline = await open_pipeline(owner_en)
    [screen] = await owner_en.press("❌ Lost reasons", pipeline)
    assert screen.text.startswith("Lost reasons\nA manager picks one of these")
    assert labels(screen) == [
        "too expensive",
        "chose a competitor",
        "no reply",
        "no longer relevant",
        "➕ Add a reason",
        "◀️ Pipeline",
    ]
    [prompt] = await owner_en.press("Add a reason", screen)
    assert prompt.text == "Send the new reason, 1 to 200 characters."
    [reply] = await owner_en.send(" ")
    assert reply.text == EMPTY
    [reply] = await owner_en.send("z" * 201)
    assert reply.text == "That is too long: at most 200 characters. Please send a shorter one."
    [screen] = await owner_en.send("Budget   frozen")
    assert screen.text.startswith("Lost reasons\nAdded: Budget frozen.")
    assert labels(screen)[4] == "Budget frozen"

    [reason] = await owner_en.press("too expensive", screen)
    assert reason.text == "Lost reason\ntoo expensive"
    [prompt] = await owner_en.press("Rename", reason)
    assert prompt.text == "Send the new wording for “too expensive”, 1 to 200 characters."
    [reply] = await owner_en.send(" \n ")
    assert reply.text == EMPTY
    [screen] = await owner_en.send("Price too high")
    assert screen.text.startswith("Lost reasons\nRenamed: Price too high.")

    [reason] = await owner_en.press("no reply", screen)
    [_text, rename, _url] = reason.buttons[0]  # kept: the message is edited in place
    [confirm] = await owner_en.press("Delete", reason)
    assert confirm.text.startswith("Delete the reason “no reply”?")
    [_text, yes, _url] = confirm.buttons[0]
    assert rename is not None and yes is not None
    [screen] = await owner_en.press("Yes, delete", confirm)
    assert screen.text.startswith("Lost reasons\nDeleted: no reply.")
    assert await reasons(app) == ["Price too high", "competitor", "irrelevant", "Budget frozen"]
    # Pressed again, or a rename of the deleted reason: it is gone.
    [screen] = await owner_en.press_data(yes, screen)
    assert owner_en.alert == "This reason no longer exists."
    assert screen.text.startswith("Lost reasons")
    await owner_en.press_data(rename, screen)
    assert owner_en.alert == "This reason no longer exists."
    assert len(await reasons(app)) == 4
    [back] = await owner_en.press("◀️ Pipeline", screen)
    assert back.text.startswith("Pipeline")


async def test_many_reasons_page(app: App, owner_en: SimulatedUser) -> None:
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        for n in range(12):
            await crm.pipelines.add_lost_reason(owner, f"Reason {n:02}")
    screen = await open_pipeline(owner_en)
    [screen] = await owner_en.press("Lost reasons", screen)
    assert labels(screen)[:10][-1] == "Reason 05" and "1/2" in labels(screen)
    [screen] = await owner_en.press("▶️", screen)
    assert labels(screen)[:6] == [f"Reason {n:02}" for n in range(6, 12)]
    [reason] = await owner_en.press("Reason 10", screen)
    [screen] = await owner_en.press("◀️ Lost reasons", reason)
    assert "2/2" in labels(screen)  # back to the page it was on


async def test_admins_and_managers_cannot_edit_the_pipeline(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    lead = await stage_id(app, "lead")
    contact = await stage_id(app, "contact")
    async with app.crm.open() as crm:
        reason = (await crm.pipelines.lost_reasons())[0].id
    for person in (
        await join(5001, "manager", "Mark", language_code="en"),
        await join(5002, "admin", "Alla", language_code="en"),
    ):
        [screen] = await person.send("/settings")
        assert "🪜 Pipeline" not in labels(screen)
        for data in (
            press("stages"),
            press("settings"),
            press("stage", lead),
            press("add"),
            press("rename", lead),
            press("stale", lead),
            press("stale_set", lead, "30"),
            press("up", contact),
            press("down", lead),
            press("delete", lead),
            press("delete_to", lead, str(contact)),
            press("delete_yes", lead),
            press("reasons"),
            press("reason", reason),
            press("reason_add"),
            press("reason_rename", reason),
            press("reason_delete", reason),
            press("reason_delete_yes", reason),
        ):
            assert await person.press_data(data, screen) == [], data
            assert person.alert == NO_ACCESS
        [reply] = await person.send("Sneaky stage")  # nothing was asked
        assert "Added" not in reply.text
    assert await order(app) == DEFAULT_ORDER
    assert [s.stale_days for s in await stages(app)][:2] == [3, 7]
    assert len(await reasons(app)) == 4


async def test_a_reason_twice_or_too_many_reasons_are_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    """A deal's "❌ Lost" lists every reason as a button: a second "too expensive" made two
    identical buttons, and a hundred reasons over 100 buttons, which Telegram refuses."""
    pipeline = await open_pipeline(owner_en)
    [screen] = await owner_en.press("❌ Lost reasons", pipeline)
    await owner_en.press("Add a reason", screen)
    [reply] = await owner_en.send("Too  Expensive")
    assert reply.text == "There is already a reason “Too Expensive”. Send another one."
    [reply] = await owner_en.send("ДОРОГО")  # as the other language shows the built-in one
    assert reply.text == "There is already a reason “ДОРОГО”. Send another one."
    [screen] = await owner_en.send("Budget frozen")
    assert screen.text.startswith("Lost reasons\nAdded: Budget frozen.")
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        for n in range(25):
            await crm.pipelines.add_lost_reason(owner, f"Reason {n:02}")
    [screen] = await owner_en.press("❌ Lost reasons", await open_pipeline(owner_en))
    await owner_en.press("Add a reason", screen)
    [reply] = await owner_en.send("One more")
    assert reply.text == "There can be at most 30 reasons: delete one you no longer use."
    assert len(await reasons(app)) == 30
