"""/report → By field: won and lost per option of a deal list or yes/no field
("won by product line"), a manager's own figures, forged presses refused."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from crm.parsing.fields import FieldType
from handlers.reports.callbacks import ReportAction, ReportCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MAX = 6101
NBSP = "\u00a0"


async def test_won_by_product_line(
    app: App, owner_en: SimulatedUser, clock: ManualClock, join: Joiner
) -> None:
    max_user = await join(MAX, "manager", "Max", language_code="en")
    clock.set(datetime(2026, 10, 1, 9, tzinfo=UTC))
    client = await make_client(app, OWNER_ID, "Roga")
    async with app.crm.open() as crm:
        owner, max_ = await member(app, OWNER_ID), await member(app, MAX)
        await crm.client_edits.set_manager(owner, client.id, None)
        line = await crm.fields.define(
            owner, CardKind.DEAL, "Product line", FieldType.CHOICE, options=["Ice", "Steam"]
        )
        tags = await crm.fields.define(
            owner, CardKind.DEAL, "Tags", FieldType.MULTI_CHOICE, options=["Big", "Urgent"]
        )
        await crm.fields.define(owner, CardKind.DEAL, "Contract", FieldType.TEXT)
        stages = {str(s.code): s.id for s in await crm.pipelines.stages()}
        for who, amount, product, tagged, outcome in (
            (owner, 100_00, "Ice", "Big, Urgent", "won"),
            (owner, 250_00, "Ice", "Big", "won"),
            (max_, 300_00, "Steam", "", "won"),
            (owner, 50_00, "Ice", "", "lost"),
            (owner, 70_00, "", "Urgent", "won"),
            (owner, 10_00, "Steam", "", ""),  # still open: not counted
        ):
            deal = await crm.deals.create(who, client.id, amount)
            ref = CardRef(CardKind.DEAL, deal.id)
            if product:
                await crm.field_values.set(owner, ref, line.id, product)
            if tagged:
                await crm.field_values.set(owner, ref, tags.id, tagged)
            if outcome:
                await crm.deals.move(
                    who, deal.id, stages[outcome], "price" if outcome == "lost" else None
                )
    clock.set(datetime(2026, 10, 15, 12, tzinfo=UTC))

    await owner_en.send("/report")
    await owner_en.press("This month")
    [picker] = await owner_en.press("🧩 By field")
    assert [t for t, _d, _u in picker.buttons] == ["Product line", "Tags", "◀️ Report"]
    [figures] = await owner_en.press("Product line")
    assert figures.text.strip() == "\n".join(
        [
            "🧩 Product line: This month, 01.10.2026–15.10.2026",
            "won · won amount · lost",
            f"Ice: 2 · 350{NBSP}₽ · 1",
            f"Steam: 1 · 300{NBSP}₽ · 0",
            f"not set: 1 · 70{NBSP}₽ · 0",
        ]
    )
    await owner_en.press("◀️ Fields")
    [figures] = await owner_en.press("Tags")
    assert f"Big: 2 · 350{NBSP}₽ · 0" in figures.text
    assert f"Urgent: 2 · 170{NBSP}₽ · 0" in figures.text
    assert f"not set: 1 · 300{NBSP}₽ · 1" in figures.text
    assert "A deal with several options counts under each." in figures.text

    # a manager gets the figures of their own deals
    await max_user.send("/report")
    await max_user.press("This month")
    await max_user.press("🧩 By field")
    [figures] = await max_user.press("Product line")
    assert figures.text.strip().splitlines()[2:] == [f"Steam: 1 · 300{NBSP}₽ · 0"]

    # forged: a text field, a client field, no field, days that make no sense
    async with app.crm.open() as crm:
        client_field = await crm.fields.define(
            await member(app, OWNER_ID), CardKind.CLIENT, "Tier", FieldType.YES_NO
        )
        text_field = next(f for f in await crm.fields.of(CardKind.DEAL) if f.name == "Contract")
    days = {"first": 20261001, "last": 20261015}
    for field_id, alert in (
        (text_field.id, "This button is no longer active."),
        (client_field.id, "This button is no longer active."),
        (0, "This field no longer exists."),
        (10**6, "This field no longer exists."),
    ):
        await max_user.press_data(
            ReportCb(action=ReportAction.BY_FIELD, field_id=field_id, **days).pack()
        )
        assert max_user.alert == alert, field_id
    await max_user.press_data(
        ReportCb(action=ReportAction.BY_FIELD, field_id=line.id, first=20261032).pack()
    )
    assert max_user.alert == "This button is no longer active."


async def test_many_long_options_still_fit_and_say_how_many_more(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """100 options of 60 characters, most of them emoji (two UTF-16 units each), all on one
    won deal: the figures are one message Telegram takes (4096 UTF-16 units; 60 such rows
    were refused), the rows left out counted."""
    clock.set(datetime(2026, 10, 1, 9, tzinfo=UTC))
    client = await make_client(app, OWNER_ID, "Roga")
    names = [f"Option {n:03} " + "🙂" * 49 for n in range(100)]
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        field = await crm.fields.define(
            owner, CardKind.DEAL, "Extras", FieldType.MULTI_CHOICE, options=names
        )
        deal = await crm.deals.create(owner, client.id, 100_00)
        await crm.field_values.set(
            owner, CardRef(CardKind.DEAL, deal.id), field.id, ", ".join(names)
        )
        won = next(s.id for s in await crm.pipelines.stages() if s.code == "won")
        await crm.deals.move(owner, deal.id, won)
    clock.set(datetime(2026, 10, 15, 12, tzinfo=UTC))
    await owner_en.send("/report")
    await owner_en.press("This month")
    await owner_en.press("🧩 By field")
    [figures] = await owner_en.press("Extras")
    text = figures.text
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    shown = sum(f"Option {n:03} " in text for n in range(100))
    assert 10 < shown < 60
    assert "Option 000 " in text and f"Option {shown - 1:03} " in text
    assert f"…and {100 - shown} more." in text
    assert text.rstrip().endswith("A deal with several options counts under each.")
