"""A team at its limit of templates or rules is told when the owner starts a new one, before
writing it (through the Dispatcher): before, the whole rule was built, or the template named
and written, then refused, and every text sent after was refused the same until /cancel."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.automation.manage import MAX_RULES
from crm.templates import MAX_TEMPLATES
from storage.models import User
from tests.conftest import OWNER_ID


async def me(crm: object) -> User:
    member = await crm.members.get_active(OWNER_ID)  # type: ignore[attr-defined]
    assert member is not None
    return member


async def test_the_template_limit_is_said_when_a_template_is_started(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        owner = await me(crm)
        for n in range(MAX_TEMPLATES):
            await crm.templates.add_text(owner, f"T{n}", "Hello {client.name}")
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    for kind in ("Message", "Document"):
        assert await owner_en.press(kind) == []  # the list stays
        assert owner_en.alert == f"There can be at most {MAX_TEMPLATES} templates."
    answers = await owner_en.send("Offer")  # not taken for a template's name
    assert all("templates" not in a.text for a in answers)


async def test_the_rule_limit_is_said_when_a_rule_is_started(
    app: App, owner_en: SimulatedUser
) -> None:
    hello = {"type": "notify", "to": "owner", "text": "Hello"}
    async with app.crm.open() as crm:
        owner = await me(crm)
        for n in range(MAX_RULES):
            await crm.automation.add(owner, f"R{n}", "client_created", {}, [hello])
    await owner_en.send("/settings")
    await owner_en.press("Automation")
    assert await owner_en.press("New rule") == []
    assert owner_en.alert == f"There can be at most {MAX_RULES} rules."
