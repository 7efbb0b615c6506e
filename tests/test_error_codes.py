"""Every refusal code reads as words in both languages, with the values it explains."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.i18n import build_i18n
from crm.errors import CrmError, ErrorCode
from handlers.kit.errors import error_text

# The values a refusal may carry (Latin only, so English must come out without Cyrillic);
# each code's text takes the ones it needs.
PARAMS: dict[str, Any] = {
    "member": "Anna",
    "client": "Acme",
    "responsible": "Boris",
    "name": "Supplies",
    "value": "+79991234567",
    "visible": True,
    "limit": 50,
    "count": 3,
    "names": ["Ivan", "Peter"],
    "reason": "550 mailbox unavailable",
    "part": "stage",
    "text": "client.nam",
    "line": 7,
}
OWN_PARAMS: dict[ErrorCode, dict[str, Any]] = {
    ErrorCode.BAD_FIELD_VALUE: {"reason": "not_a_number"},
    ErrorCode.IMPORT_STRAY_QUOTE: {"end": 12},  # the line the quote is closed on
}
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture(scope="module")
def texts() -> dict[str, dict[ErrorCode | None, str]]:
    i18n = build_i18n("ru")
    found: dict[str, dict[ErrorCode | None, str]] = {}
    for language in ("ru", "en"):
        with i18n.context(), i18n.use_locale(language):
            found[language] = {
                code: error_text(CrmError(code, **(PARAMS | OWN_PARAMS.get(code, {}))))
                for code in ErrorCode
            }
            unknown = CrmError("no_such_code")  # type: ignore[arg-type]
            found[language][None] = error_text(unknown)
    return found


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_has_its_own_text_in_both_languages(
    code: ErrorCode, texts: dict[str, dict[ErrorCode | None, str]]
) -> None:
    english, russian = texts["en"][code], texts["ru"][code]
    for language, text in (("en", english), ("ru", russian)):
        assert text != texts[language][None], (language, code)  # not the generic apology
        assert text.strip() and "_" not in text, (language, text)
        assert "None" not in text and "{}" not in text, (language, text)
    assert CYRILLIC.search(russian), russian  # translated
    assert not CYRILLIC.search(english), english


def test_every_code_said_with_values_shows_them() -> None:
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("en"):
        too_large = error_text(CrmError(ErrorCode.IMPORT_TOO_LARGE, limit=20))
        not_visible = error_text(
            CrmError(ErrorCode.CLIENT_NOT_VISIBLE, member="Anna", client="Acme", responsible="")
        )
    assert "20 MB" in too_large
    assert "Anna" in not_visible and "Acme" in not_visible and "—" in not_visible


def test_the_codes_keep_the_strings_stored_and_tested_before() -> None:
    assert ErrorCode.NOT_ALLOWED == "not_allowed"
    assert CrmError(ErrorCode.IN_THE_PAST).code == "in_the_past"
    assert all(code.value == code.name.lower() for code in ErrorCode)
