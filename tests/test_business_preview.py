"""The preview of a filled Business reply template too long to show whole (pure): what is
left out is counted in the units Telegram counts (an emoji is two), in the member's words."""

from __future__ import annotations

import re

import pytest

from bot.i18n import build_i18n
from handlers.business.views import template_preview
from handlers.kit.screen import MESSAGE_CHARS, utf16_length

HEAD = {"en": "This goes to Ivan in Telegram:", "ru": "Клиенту Ivan в Telegram уйдёт:"}
LEFT = {
    "en": r"…and (\d+) more characters? \(Telegram counts an emoji as two\): "
    r"📤 Send sends the whole text\.",
    "ru": r"…и ещё (\d+) символ(?:а|ов)? \(Telegram считает эмодзи за два\)\. "
    r"«📤 Отправить» отправит текст целиком\.",
}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "text",
    [
        "a" * 4090,  # 1 unit a character
        "🙂" * 2048,  # 2 units a character: 4096 units
        "a🙂 " * 1300,  # 4 units, 3 characters
        "Привет 🙂\n" * 500,
        "🙂" * 2000 + "a" * 90,
    ],
    ids=["ascii", "emoji", "mixed", "lines", "emoji-then-ascii"],
)
def test_what_a_long_preview_leaves_out_is_counted_in_telegram_units(
    language: str, text: str
) -> None:
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale(language):
        preview, _ = template_preview("Ivan", 1, text)
    shown = preview.as_kwargs()["text"]
    assert utf16_length(shown) <= MESSAGE_CHARS
    head, first, more = shown.split("\n\n", 2)
    assert head == HEAD[language]
    matched = re.fullmatch(LEFT[language], more)
    assert matched is not None, more
    assert text.startswith(first)
    assert int(matched[1]) == utf16_length(text) - utf16_length(first)


def test_a_preview_that_fits_is_shown_whole() -> None:
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("en"):
        preview, _ = template_preview("Ivan", 1, "🙂" * 1980)
    assert preview.as_kwargs()["text"] == HEAD["en"] + "\n\n" + "🙂" * 1980
