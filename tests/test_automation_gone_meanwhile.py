"""A rule whose part is deleted while the owner builds it (through the Dispatcher): the
template, stage or type of card it names, deleted by another screen before the rule is
named. The rule is refused by name, never saved as one that cannot work, and the builder
ends, saying that nothing was saved (before, a stage gone refused every name typed, until
/cancel, and a template gone was saved as a rule "working" that did nothing)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.automation.callbacks import BuildCb, Step
from storage.engine import create_session_factory
from storage.models import AutomationRule, User
from tests.conftest import OWNER_ID
from tests.test_automation_builder import open_builder, stage_id


async def rules(app: App) -> list[AutomationRule]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(AutomationRule)))


async def me(crm: object) -> User:
    member = await crm.members.get_active(OWNER_ID)  # type: ignore[attr-defined]
    assert member is not None
    return member


async def steps(owner: SimulatedUser, *taken: str) -> None:
    """Press each button named, or send the text given as ``>text``."""
    for step in taken:
        await (owner.send(step[1:]) if step.startswith(">") else owner.press(step))


TELL_THE_OWNER_NOW = ("Tell someone", "The owner", ">Hello", "When to do it", "Immediately")


async def test_a_template_deleted_before_the_name_is_refused_and_ends_the_builder(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        offer = await crm.templates.add_text(await me(crm), "Offer", "Dear {client.name}")
    await open_builder(owner_en)
    await steps(owner_en, "A client is created", "Any source", "What it does")
    await steps(owner_en, "Prepare a template", "Offer", "When to do it", "Immediately")
    async with app.crm.open() as crm:  # another screen, or another owner, deletes it
        await crm.templates.delete(await me(crm), offer.id)
    [refused] = await owner_en.send("Offers to new clients")
    assert refused.text == (
        "This template no longer exists.\n"
        "The rule was not saved: start it again in /settings → Automation."
    )
    assert await rules(app) == []
    # The builder has ended: the next text is not taken for the rule's name.
    answers = await owner_en.send("Offers to new clients")
    assert all("no longer exists" not in a.text for a in answers)
    assert await rules(app) == []


async def test_a_stage_deleted_before_the_name_ends_the_builder_in_russian(
    app: App, owner: SimulatedUser
) -> None:
    await owner.send("/start")
    await owner.send("/settings")
    await owner.press("Автоматизация")
    await owner.press("Новое правило")
    [stages] = await owner.press("Сделка перешла на этап")
    proposal = await stage_id(app, "proposal")
    await owner.press_data(BuildCb(step=Step.STAGE, value=proposal).pack(), stages)
    await steps(owner, "Что делать", "Написать", "Владельцу", ">Сделка {deal.title} на этапе КП")
    await steps(owner, "Когда делать", "Сразу")
    async with app.crm.open() as crm:
        await crm.pipelines.delete_stage(await me(crm), proposal, None)
    [refused] = await owner.send("КП")
    assert refused.text.startswith("Этого этапа больше нет.\n")
    assert "Правило не сохранено" in refused.text
    answers = await owner.send("КП")
    assert all("Этого этапа больше нет" not in a.text for a in answers)
    assert await rules(app) == []


async def test_a_type_of_card_deleted_before_the_name_is_named(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        suppliers = await crm.record_types.create(await me(crm), "Supplier", "Suppliers", "🏭")
    await open_builder(owner_en)
    await steps(owner_en, "A card of the team's own type", "Suppliers", *TELL_THE_OWNER_NOW)
    async with app.crm.open() as crm:
        await crm.record_types.delete(await me(crm), suppliers.id)
    [refused] = await owner_en.send("New suppliers")
    assert refused.text.startswith("This record type no longer exists.\n")
    assert await rules(app) == []


async def test_a_name_too_long_is_still_asked_again(app: App, owner_en: SimulatedUser) -> None:
    await open_builder(owner_en)
    await steps(owner_en, "A client is created", "Any source", "What it does")
    await steps(owner_en, *TELL_THE_OWNER_NOW)
    [refused] = await owner_en.send("x" * 101)
    assert "The rule was not saved" not in refused.text
    [saved] = await owner_en.send("New clients")
    assert "🤖 New clients" in saved.text
    assert [r.name for r in await rules(app)] == ["New clients"]
