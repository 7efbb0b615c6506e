"""A group's announcements were in DEFAULT_LANGUAGE while its /bind switches were in the
owner's: an English-reading owner of a Russian team bound the group, read "This chat
hears about:", and the group then heard "🆕 1 новый клиент". The group now reads the
language of the member who bound it, as that member reads the bot now."""

from __future__ import annotations

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, app_with

GROUP = -100_777


def heard(app: App) -> list[str]:
    session = app.bot.session
    sent: list[SentMessage] = session.chat_order  # type: ignore[attr-defined]
    return [m.text for m in sent if m.chat_id == GROUP]


async def bound_in(app: App, language: str) -> None:
    """The owner, reading the bot in ``language``, binds the group."""
    await set_language(app, language)
    in_group = SimulatedUser(
        app.dispatcher, app.bot, OWNER_ID, first_name="Olga", language_code=language, chat_id=GROUP
    )
    await in_group.send("/bind")


async def set_language(app: App, language: str) -> None:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_language(owner, language)


async def test_the_group_reads_the_language_of_its_binder(app: App) -> None:
    await bound_in(app, "en")  # the team's DEFAULT_LANGUAGE is Russian
    assert heard(app)[0].startswith("This chat hears about:")
    await make_client(app, OWNER_ID, "Anna")
    await app.ticker.tick()
    assert heard(app)[1].splitlines() == ["🆕 1 new client", "• Anna"]
    await set_language(app, "ru")  # the binder now reads Russian: so does the group
    await make_client(app, OWNER_ID, "Boris")
    await app.ticker.tick()
    assert heard(app)[2].splitlines() == ["🆕 1 новый клиент", "• Boris"]


async def test_a_russian_binder_s_group_in_an_english_team(
    database_url: str, clock: ManualClock
) -> None:
    async with app_with(database_url, clock, default_language="en") as app:
        await bound_in(app, "ru")
        assert heard(app)[0].startswith("Этот чат получает уведомления:"), heard(app)[0]
        await make_client(app, OWNER_ID, "Anna")
        await app.ticker.tick()
        assert heard(app)[1].splitlines() == ["🆕 1 новый клиент", "• Anna"]


async def test_a_lost_deal_s_built_in_reason_in_the_group_s_language(app: App) -> None:
    """A deal lost as «дорого» by a Russian-reading member was announced "(дорого)" to a group
    reading English, while the card and /report say a built-in reason in the reader's words."""
    await bound_in(app, "en")
    client = await make_client(app, OWNER_ID, "Anna")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        lost = {str(s.code): s.id for s in await crm.pipelines.stages()}["lost"]
        deal = await crm.deals.create(owner, client.id, 5_000_00, "Repair")
        await crm.deals.move(owner, deal.id, lost, "дорого")
    await app.ticker.tick()
    assert "• Repair, 5,000\u00a0₽ (too expensive)" in heard(app)[-1].splitlines()
