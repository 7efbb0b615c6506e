"""The rule builder's status buttons carry the status's code, not its place in the list: the
list changed elsewhere while a rule is built (reordered, or the status gone) never turns an
older button into another status; a status no longer there is said so, the list re-shown."""

from __future__ import annotations

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.team_settings import STATUSES_KEY
from storage.engine import create_session_factory
from storage.models import AppSetting
from tests.conftest import OWNER_ID


async def statuses_shown(app: App, owner: SimulatedUser) -> tuple[SentMessage, list[dict]]:  # type: ignore[type-arg]
    """The builder on "A client's status changes", with the team's own status Partner."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.settings.add_status(me, "Partner")
        items = [{"code": s.code, "name": s.name} for s in await crm.settings.statuses()]
    await owner.send("/settings")
    await owner.press("Automation")
    await owner.press("New rule")
    [screen] = await owner.press("A client's status changes")
    assert "To which status?" in screen.text
    return screen, items


async def save_statuses(app: App, items: list[dict]) -> None:  # type: ignore[type-arg]
    """The list as another device, or another instance, left it."""
    async with create_session_factory(app.engine)() as db:
        await db.merge(AppSetting(key=STATUSES_KEY, value={"items": items}))
        await db.commit()
    app.crm.settings_cache.drop()


def data_of(screen: SentMessage, label: str) -> str:
    return next(d for text, d, _u in screen.buttons if label in text and d)


async def test_an_older_status_button_picks_its_status_after_the_list_was_reordered(
    app: App, owner_en: SimulatedUser
) -> None:
    screen, items = await statuses_shown(app, owner_en)
    partner = data_of(screen, "Partner")
    await save_statuses(app, [items[-1], *items[:-1]])  # Partner moved to the top
    [after] = await owner_en.press_data(partner, screen)
    assert "Only when" in after.text
    assert "Partner" in after.text and "regular" not in after.text.lower()


async def test_a_status_gone_from_the_list_is_said_and_the_list_shown_again(
    app: App, owner_en: SimulatedUser
) -> None:
    screen, items = await statuses_shown(app, owner_en)
    partner = data_of(screen, "Partner")
    await save_statuses(app, items[:-1])  # Partner gone
    [again] = await owner_en.press_data(partner, screen)
    assert owner_en.alert == "This status is no longer in the list: choose again."
    assert "To which status?" in again.text
    assert not any("Partner" in text for text, _d, _u in again.buttons)
    [after] = await owner_en.press_data(data_of(again, "hot"), again)
    assert "Only when" in after.text and "hot" in after.text.lower()
