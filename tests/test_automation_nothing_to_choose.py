"""The rule builder's triggers, actions and conditions that choose among the team's
templates, custom fields or types of card, pressed while the team has none (through the
Dispatcher): said on the press, and the rule being built stays on its screen (before, the
builder went on to a screen with nothing to choose and only "Cancel", which threw away the
trigger, conditions and actions chosen)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from storage.engine import create_session_factory
from storage.models import AutomationRule
from tests.test_automation_builder import open_builder
from tests.test_automation_gone_meanwhile import TELL_THE_OWNER_NOW, steps


async def test_no_template_and_no_field_to_choose_is_said_and_the_rule_goes_on(
    app: App, owner_en: SimulatedUser
) -> None:
    await open_builder(owner_en)
    no_fields = "There are no such fields yet: add them in /settings → Fields and record types."
    for trigger, said in (
        ("A date field approaches", no_fields),
        ("A custom field changes", no_fields),
        (
            "A card of the team's own type",
            "There are no record types yet: add them in /settings → Fields and record types.",
        ),
    ):
        assert await owner_en.press(trigger) == []  # the triggers stay on the screen
        assert owner_en.alert == said
    await steps(owner_en, "A client is created", "Any source")
    assert await owner_en.press("A custom field is") == []  # answered, the screen stays
    assert owner_en.alert == no_fields
    await owner_en.press("What it does")
    assert await owner_en.press("Prepare a template") == []
    assert owner_en.alert == "There are no templates yet: add one in /settings → Templates."
    assert await owner_en.press("Change a custom field") == []
    assert owner_en.alert.startswith("There are no such fields yet")
    await steps(owner_en, *TELL_THE_OWNER_NOW, ">New clients")
    async with create_session_factory(app.engine)() as db:
        [rule] = list(await db.scalars(select(AutomationRule)))
    assert (rule.name, rule.trigger) == ("New clients", "client_created")
    assert [action["type"] for action in rule.actions] == ["notify"]


async def test_no_template_is_said_in_russian(app: App, owner: SimulatedUser) -> None:
    await owner.send("/start")
    await owner.send("/settings")
    await steps(owner, "Автоматизация", "Новое правило", "Создан клиент", "Любой источник")
    await owner.press("Что делать")
    assert await owner.press("Подготовить шаблон") == []
    assert owner.alert == "Шаблонов пока нет: добавьте в /settings → Шаблоны."
