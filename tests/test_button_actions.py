"""Every action the /settings buttons' callback data declare has a handler: an action
nothing handles is either a button that does nothing (answered "no longer active" on its
first press) or dead code that reads as a feature."""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import Router
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter

from bot.app import App
from bot.simulator import SimulatedUser
from tests.test_press_sweep import button_classes, presses


def data_filters(router: Router) -> Iterator[CallbackQueryFilter]:
    for handler in router.callback_query.handlers:
        for found in handler.filters or ():
            if isinstance(found.callback, CallbackQueryFilter):
                yield found.callback
    for sub in router.sub_routers:
        yield from data_filters(sub)


def handled(button: CallbackData, filters: list[CallbackQueryFilter]) -> bool:
    return any(
        isinstance(button, f.callback_data) and (f.rule is None or f.rule.resolve(button))
        for f in filters
    )


async def test_every_action_of_the_settings_buttons_has_a_handler(app: App) -> None:
    filters = list(data_filters(app.dispatcher))
    unhandled = []
    for cls in [c for c in button_classes() if c.__module__ == "handlers.settings.callbacks"]:
        for _changes, data in presses(cls, {}):
            try:
                button = cls.unpack(data)
            except (TypeError, ValueError):
                continue  # the bogus action, or a value its fields refuse
            if not handled(button, filters):
                unhandled.append(data)
    assert unhandled == []


async def test_a_forged_or_unknown_parts_of_the_day_press_is_answered(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.press_data("dp:set:morning:9:0")  # no button ever carried it
    assert owner_en.alert == "This button is no longer active."
    [screen] = await owner_en.press_data("dp:list::0:0")  # a /settings screen's, in a chat
    assert "Pick one to change it." in screen.text
