"""Table-driven tests for the one-line quick add (the arguments of ``/new``)."""

from __future__ import annotations

import pytest

from crm.parsing.quick_add import QuickClient, parse_quick_add


def _client(
    name: str = "",
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    company: str | None = None,
    problems: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> QuickClient:
    return QuickClient(name, phones, emails, company, problems, tags)


IVAN = "+79991234567"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # The examples from the issue.
        (
            "Иван Петров +7 999 123-45-67 ivan@mail.ru ООО Ромашка",
            _client("Иван Петров", (IVAN,), ("ivan@mail.ru",), "ООО Ромашка"),
        ),
        ("Иван 89991234567", _client("Иван", (IVAN,))),
        ("Анна Смирнова ИП Смирнова А.В.", _client("Анна Смирнова", company="ИП Смирнова А.В.")),
        (
            "John Smith +1 415 555 2671 john@acme.com Acme",
            _client("John Smith", ("+14155552671",), ("john@acme.com",), "Acme"),
        ),
        ("Мария 8 (999) 123-45-67", _client("Мария", (IVAN,))),
        ("Пётр 123-45", _client("Пётр", problems=("bad_phone:123-45",))),
        ("Иван +7 999 000-00-0", _client("Иван", problems=("bad_phone:+7 999 000-00-0",))),
        ("", _client()),
        ("   ", _client()),
        ("89991234567", _client(phones=(IVAN,))),
        ("+7 999 123-45-67", _client(phones=(IVAN,))),
        # Every phone format from parse_phone works inside a line.
        ("Иван +79991234567", _client("Иван", (IVAN,))),
        ("Иван 9991234567", _client("Иван", (IVAN,))),
        ("Иван 7 999 1234567", _client("Иван", (IVAN,))),
        ("Jane +44 20 7946 0958", _client("Jane", ("+442079460958",))),
        ("Bob +1 (415) 555-2671", _client("Bob", ("+14155552671",))),
        # Name is whitespace-collapsed; order of phone and e-mail does not matter.
        (
            "  Иван \t  Петров   ivan@mail.ru  89991234567 ",
            _client("Иван Петров", (IVAN,), ("ivan@mail.ru",)),
        ),
        ("Иван Петров ivan@mail.ru", _client("Иван Петров", emails=("ivan@mail.ru",))),
        ("Иван IVAN@Mail.RU", _client("Иван", emails=("ivan@mail.ru",))),
        # Separators and wrappers people type around contacts.
        (
            "Иван, 8 999 123-45-67, ivan@mail.ru, ООО «Ромашка»",
            _client("Иван", (IVAN,), ("ivan@mail.ru",), "ООО «Ромашка»"),
        ),
        ("Иван <ivan@mail.ru>.", _client("Иван", emails=("ivan@mail.ru",))),
        ("Иван (ivan@mail.ru)", _client("Иван", emails=("ivan@mail.ru",))),
        ("Иван - 89991234567", _client("Иван", (IVAN,))),
        # Several phones, including several typed back to back; duplicates collapse.
        (
            "Иван +7 999 123-45-67 +7 916 123-45-67",
            _client("Иван", (IVAN, "+79161234567")),
        ),
        ("Иван 89991234567 89161234567", _client("Иван", (IVAN, "+79161234567"))),
        ("Иван +79991234567 89991234567", _client("Иван", (IVAN,))),
        (
            "Иван a@b.ru A@B.RU c@d.ru",
            _client("Иван", emails=("a@b.ru", "c@d.ru")),
        ),
        # Tags, as the card shows them: anywhere, in neither the name nor the company.
        ("Иван Петров #опт +7 999 123-45-67", _client("Иван Петров", (IVAN,), tags=("опт",))),
        ("Иван 89991234567 #опт", _client("Иван", (IVAN,), tags=("опт",))),
        (
            "Иван ООО Ромашка #vip, #опт",
            _client("Иван", company="ООО Ромашка", tags=("vip", "опт")),
        ),
        ("Иван #Опт #Опт #b2b-2025.", _client("Иван", tags=("Опт", "b2b-2025"))),
        # A # without a letter after it is no tag: a shop's number, a lone mark.
        ("Магазин #5 89991234567", _client("Магазин #5", (IVAN,))),
        ("Иван # Петров", _client("Иван # Петров")),
        ("Иван ##опт", _client("Иван ##опт")),
        # Legal-form markers: case-insensitive, quoted forms, anywhere.
        ('Иван ООО "Ромашка"', _client("Иван", company='ООО "Ромашка"')),
        ("Иван ООО «Ромашка»", _client("Иван", company="ООО «Ромашка»")),
        ("Иван ООО«Ромашка»", _client("Иван", company="ООО«Ромашка»")),
        ('Иван "ООО Ромашка"', _client("Иван", company='"ООО Ромашка"')),
        ("Иван ооо ромашка", _client("Иван", company="ооо ромашка")),
        ("Иван OOO Romashka", _client("Иван", company="OOO Romashka")),
        ("Олег ПАО Сбербанк 89991234567", _client("Олег", (IVAN,), company="ПАО Сбербанк")),
        ("Олег АО Вектор", _client("Олег", company="АО Вектор")),
        ("Олег ЗАО Вектор", _client("Олег", company="ЗАО Вектор")),
        ("Олег ОАО Вектор", _client("Олег", company="ОАО Вектор")),
        ("Олег НКО Добро", _client("Олег", company="НКО Добро")),
        ("Tom LLC Widgets", _client("Tom", company="LLC Widgets")),
        ("Tom GmbH Widgets", _client("Tom", company="GmbH Widgets")),
        # A marker with nothing after it is a suffix and takes the word before it.
        ("John Acme Inc", _client("John", company="Acme Inc")),
        ("John Acme Inc. +1 415 555 2671", _client("John", ("+14155552671",), company="Acme Inc.")),
        ("Hans Siemens GmbH", _client("Hans", company="Siemens GmbH")),
        ("Иван Ромашка ООО 89991234567", _client("Иван", (IVAN,), company="Ромашка ООО")),
        ("Acme Ltd", _client(company="Acme Ltd")),
        ("ООО Ромашка", _client(company="ООО Ромашка")),
        ("ИП", _client(company="ИП")),
        # After a phone or e-mail, all remaining words are the company, phones excluded.
        ("John +1 415 555 2671 Acme Corp", _client("John", ("+14155552671",), company="Acme Corp")),
        (
            "Иван 89991234567 ООО Ромашка ivan@mail.ru",
            _client("Иван", (IVAN,), ("ivan@mail.ru",), "ООО Ромашка"),
        ),
        (
            "Иван ООО Ромашка 89991234567 Москва",
            _client("Иван", (IVAN,), company="ООО Ромашка Москва"),
        ),
        ("Иван 89991234567 Рога и Копыта,", _client("Иван", (IVAN,), company="Рога и Копыта")),
        # Short digit fragments: dropped from the name, kept inside a company.
        ("Пётр 123-45 Иванов", _client("Пётр Иванов", problems=("bad_phone:123-45",))),
        ("Людовик 14 89991234567", _client("Людовик", (IVAN,), problems=("bad_phone:14",))),
        ("Иван 89991234567 123-45", _client("Иван", (IVAN,), problems=("bad_phone:123-45",))),
        ("Иван ООО Ромашка 2000", _client("Иван", company="ООО Ромашка 2000")),
        (
            "Иван ООО Ромашка 2000 89991234567",
            _client("Иван", (IVAN,), company="ООО Ромашка 2000"),
        ),
        ("Иван 89991234567 Ромашка 2", _client("Иван", (IVAN,), company="Ромашка 2")),
        # Things that looked like contacts but were not are reported, in typed order.
        ("Иван 12345678901234", _client("Иван", problems=("bad_phone:12345678901234",))),
        ("Иван +7 999 123-45-678", _client("Иван", problems=("bad_phone:+7 999 123-45-678",))),
        ("Иван  +7  999   000-00-0", _client("Иван", problems=("bad_phone:+7 999 000-00-0",))),
        ("Иван ivan@mail", _client("Иван", problems=("bad_email:ivan@mail",))),
        ("Иван ivan@@mail.ru", _client("Иван", problems=("bad_email:ivan@@mail.ru",))),
        ("Иван @ivan_p", _client("Иван", problems=("bad_email:@ivan_p",))),
        (
            "Иван ivan@mail 123-45 +7 999 000-00-0 Ромашка",
            _client(
                "Иван",
                company="Ромашка",
                problems=("bad_email:ivan@mail", "bad_phone:123-45", "bad_phone:+7 999 000-00-0"),
            ),
        ),
        (
            "Иван +7 999 000-00-0 +7 916 000-00-0",
            _client("Иван", problems=("bad_phone:+7 999 000-00-0", "bad_phone:+7 916 000-00-0")),
        ),
        (
            "Иван +7 999 000-00-0 89991234567",
            _client("Иван", (IVAN,), problems=("bad_phone:+7 999 000-00-0",)),
        ),
        # Letters glued to digits are words, not phones.
        ("Иван 8999123456x", _client("Иван 8999123456x")),
        ("Смирнова А.В.", _client("Смирнова А.В.")),
        # Long names are not truncated here.
        ("Я" * 300, _client("Я" * 300)),
        # Copied from a phone's contacts (direction marks) or a page (no-break hyphens).
        ("Иван \u202a+7 (999) 123-45-67\u202c", _client("Иван", (IVAN,))),
        ("Иван +7 999 123\u201145\u201167", _client("Иван", (IVAN,))),
        ("Анна Петрова\u2013Ли", _client("Анна Петрова\u2013Ли")),  # a name's dash is kept
    ],
)
def test_parse_quick_add(line: str, expected: QuickClient) -> None:
    assert parse_quick_add(line) == expected


def test_region_applies_to_numbers_without_plus() -> None:
    assert parse_quick_add("Bob (415) 555-2671", "US") == _client("Bob", ("+14155552671",))


def test_many_digits_do_not_hang() -> None:
    line = "1 " * 2000
    result = parse_quick_add(line)
    assert result.phones == ()
    assert result.problems == ("bad_phone:" + line.strip(),)
