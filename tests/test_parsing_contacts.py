"""Table-driven tests for phone/e-mail parsing, phone search queries and search folding."""

from __future__ import annotations

import pytest

from crm.parsing.contacts import (
    EmailError,
    Phone,
    PhoneError,
    parse_email,
    parse_phone,
    parse_typed_email,
    phone_digits_query,
)
from crm.parsing.search_text import fold


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("8 (999) 123-45-67", "+79991234567"),
        ("+7 999 123-45-67", "+79991234567"),
        ("+79991234567", "+79991234567"),
        ("9991234567", "+79991234567"),
        ("89991234567", "+79991234567"),
        ("7 999 1234567", "+79991234567"),
        ("79991234567", "+79991234567"),
        ("  +7 (999) 123.45.67  ", "+79991234567"),
        ("+7\u00a0999\u00a0123-45-67", "+79991234567"),
        ("\t8 999\t1234567", "+79991234567"),
        ("8 495 123-45-67", "+74951234567"),
        ("8 800 555 35 35", "+78005553535"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+380 44 123 4567", "+380441234567"),
        ("810 44 20 7946 0958", "+442079460958"),
        # copied: from a phone's contacts (direction marks), a page (no-break hyphens and
        # narrow spaces, an en dash, a zero-width space)
        ("\u202a+7 (999) 123-45-67\u202c", "+79991234567"),
        ("+7 999 123\u201145\u201167", "+79991234567"),
        ("+7\u202f999\u202f123\u202f45\u202f67", "+79991234567"),
        ("8 999 123\u201345\u201367", "+79991234567"),
        ("\u200e+7 999 123-45-67\u200b", "+79991234567"),
    ],
)
def test_parse_phone_valid(text: str, e164: str) -> None:
    assert parse_phone(text) == Phone(e164=e164, digits=e164[1:])


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+7 999 123-45-67", "US", "+79991234567"),
        ("89991234567", "ru", "+79991234567"),
    ],
)
def test_parse_phone_other_regions(text: str, region: str, e164: str) -> None:
    assert parse_phone(text, region).e164 == e164


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "123",
        "123-45",
        "abc",
        "+7 999 ABC-45-67",
        "1-800-FLOWERS",
        "+7 999 123 45 67 ext 5",
        "+7 999 123-45-6",
        "+7 999 000-00-0",
        "+7 999 123-45-678",
        "8999123456",
        "899912345678",
        "+7999123456789012345",
        "1" * 80,
        "7+9991234567",
        "++79991234567",
        "+7 999 123-45-67 +7 916 123-45-67",
        "+",
        "()-.",
        "+7 999 123/45/67",
        "0044 20 7946 0958",
        "\u0669\u0669\u0669\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
    ],
)
def test_parse_phone_invalid(text: str) -> None:
    with pytest.raises(PhoneError):
        parse_phone(text)


def test_parse_phone_unknown_region_without_plus() -> None:
    with pytest.raises(PhoneError):
        parse_phone("4155552671", "ZZ")


def test_phone_error_is_value_error() -> None:
    assert issubclass(PhoneError, ValueError)
    assert issubclass(EmailError, ValueError)


# Exactly 254 characters, the maximum: 2 + 3 * (63 + 1) + 56 + 4.
_LONGEST_EMAIL = "a@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 56]) + ".com"


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("ivan@mail.ru", "ivan@mail.ru"),
        ("  Ivan.Petrov@Mail.RU \n", "ivan.petrov@mail.ru"),
        ("john+crm@acme.co.uk", "john+crm@acme.co.uk"),
        ("a_b-c@sub-domain.example.com", "a_b-c@sub-domain.example.com"),
        ("иван@почта.рф", "иван@почта.рф"),
        ("x@xn--80a1acny.xn--p1ai", "x@xn--80a1acny.xn--p1ai"),
        ("\u2068ivan@mail.ru\u2069\u200b", "ivan@mail.ru"),  # copied with marks that show nothing
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
        (_LONGEST_EMAIL, _LONGEST_EMAIL),
    ],
)
def test_parse_email_valid(text: str, email: str) -> None:
    assert parse_email(text) == email


@pytest.mark.parametrize(
    ("typed", "email"),
    [
        ("<Ivan@Mail.ru>", "ivan@mail.ru"),  # a mail program's "To:"
        ("«ivan@mail.ru».", "ivan@mail.ru"),
        ('"ivan@mail.ru",', "ivan@mail.ru"),
        ("(ivan@mail.ru)", "ivan@mail.ru"),
        ("ivan@mail.ru.", "ivan@mail.ru"),
        ("ivan@mail.ru", "ivan@mail.ru"),
        ("Ivan <ivan@mail.ru>", None),  # a name with it: not an address typed alone
        ("<ivan@mail>", None),
        ("<>", None),
    ],
)
def test_parse_typed_email(typed: str, email: str | None) -> None:
    """An address typed alone, as quick add reads one: its wrappers and a stop dropped."""
    if email is None:
        with pytest.raises(EmailError):
            parse_typed_email(typed)
    else:
        assert parse_typed_email(typed) == email


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ivan",
        "ivan.mail.ru",
        "ivan@@mail.ru",
        "ivan@mail@ru.com",
        "ivan @mail.ru",
        "ivan@ mail.ru",
        "iv an@mail.ru",
        "ivan@mail",
        "ivan@localhost",
        "@mail.ru",
        "ivan@",
        "ivan@.ru",
        "ivan@mail.",
        "ivan@mail..ru",
        "ivan@-mail.ru",
        "ivan@mail-.ru",
        "ivan@mail.r",
        "ivan@mail.123",
        ".ivan@mail.ru",
        "ivan.@mail.ru",
        "iv..an@mail.ru",
        '"ivan"@mail.ru',
        "<ivan@mail.ru>",
        "ivan@mail.ru,",
        "a" * 65 + "@example.com",
        _LONGEST_EMAIL[:-4] + "x.com",
        "a@" + "b" * 250 + ".com",
        "a@" + "b" * 64 + ".com",
    ],
)
def test_parse_email_invalid(text: str) -> None:
    with pytest.raises(EmailError):
        parse_email(text)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("999 123", "999123"),
        ("+7(999)", "7999"),
        ("4567", "4567"),
        ("123", "123"),
        ("8 (999) 123-45-67", "89991234567"),
        ("+7 999 123.45.67", "79991234567"),
        ("  999  ", "999"),
        ("\u202a999\u2011123\u202c", "999123"),
        ("12", None),
        ("1 2", None),
        ("", None),
        ("   ", None),
        ("+-()", None),
        ("Иван", None),
        ("Иван 999", None),
        ("999a", None),
        ("999/123", None),
        ("ivan@999.ru", None),
        ("\u0669\u0669\u0669", None),
    ],
)
def test_phone_digits_query(text: str, digits: str | None) -> None:
    assert phone_digits_query(text) == digits


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ЁЛКА", "елка"),
        ("Ёлка", "елка"),
        ("ёжик", "ежик"),
        ("е\u0308лка", "елка"),
        ("Straße", "strasse"),
        ("  Иван \t Петров\n ", "иван петров"),
        ("John   SMITH", "john smith"),
        ("ООО «Ромашка»", "ооо «ромашка»"),
        ("Mixed Ёж and Hedgehog", "mixed еж and hedgehog"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_is_idempotent() -> None:
    text = "  Пётр  ЁЖИКОВ Straße "
    assert fold(fold(text)) == fold(text)
