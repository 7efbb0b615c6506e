"""The catalogs: complete for Russian, loadable for both languages, used for the command menu."""

from __future__ import annotations

from aiogram.methods import SetMyCommands

from bot.catalogs import extract, load, untranslated
from bot.i18n import build_i18n
from handlers.menu.commands import publish_commands
from tests.conftest import OWNER_ID


def test_every_message_in_the_code_is_translated_to_russian() -> None:
    template = extract()
    assert len(template) > 50
    missing = untranslated(load("ru"), template)
    assert missing == [], "run `python -m bot.catalogs` and translate these"


def test_both_catalogs_load_and_differ() -> None:
    i18n = build_i18n("ru")
    assert set(i18n.available_locales) == {"ru", "en"}
    text = "This is a private CRM. Ask its owner for an invitation."
    assert (
        i18n.gettext(text, locale="ru") == "Это закрытая CRM. Попросите её владельца о приглашении."
    )
    assert i18n.gettext(text, locale="en") == text


def test_placeholders_survive_translation() -> None:
    catalog = load("ru")
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        source = {part for text in ids for part in str(text).split("{")[1:]}
        target = {part for text in strings for part in str(text).split("{")[1:]}
        names = lambda parts: {p.split("}")[0] for p in parts}  # noqa: E731
        assert names(source) == names(target), message.id


async def test_command_menu_is_published_in_both_languages(app, session) -> None:  # type: ignore[no-untyped-def]
    await publish_commands(app.bot, app.i18n)
    published = {r.language_code: r for r in session.requests if isinstance(r, SetMyCommands)}
    assert set(published) == {"ru", "en", None}
    ru = {c.command: c.description for c in published["ru"].commands}
    en = {c.command: c.description for c in published["en"].commands}
    assert ru["settings"] == "язык и часовой пояс"
    assert en["settings"] == "language and time zone"
    assert set(ru) == set(en) >= {"start", "help", "cancel", "settings", "team", "invite"}
    assert OWNER_ID  # the app fixture made the owner a member
