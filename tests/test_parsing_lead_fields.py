"""Form fields as builders name them, sorted into card fields (pure, table-driven)."""

from __future__ import annotations

import hashlib
import json

import pytest

from crm.parsing.lead_fields import MAX_VALUE, LeadForm, LeadFormError, read_form


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        (
            [("Name", "Иван"), ("Phone", "+7 999 123-45-67"), ("Email", "I@X.RU")],
            LeadForm(name="Иван", phone="+7 999 123-45-67", email="I@X.RU"),
        ),
        (
            [("имя", "Анна"), ("телефон", "89991234567"), ("почта", "a@b.ru")],
            LeadForm(name="Анна", phone="89991234567", email="a@b.ru"),
        ),
        (
            [("ФИО", "Пётр Петров"), ("сообщение", "Перезвоните")],
            LeadForm(name="Пётр Петров", comment="Перезвоните"),
        ),
        (
            [("name", "A"), ("message", "hi"), ("utm_source", "ya"), ("utm_campaign", "x")],
            LeadForm(name="A", comment="hi", utm={"utm_source": "ya", "utm_campaign": "x"}),
        ),
        (
            [("Name", "B"), ("tranid", "123:456"), ("formid", "form1"), ("Size", "XL")],
            LeadForm(name="B", extra={"Size": "XL"}, tranid="123:456"),
        ),
        (
            [("comment", "c"), ("Color", "red"), ("Color", "blue")],
            LeadForm(comment="c", extra={"Color": "red, blue"}),
        ),
        (  # a grid's answers, row by row
            [("name", "C"), ("Grid", [["a", "b"], ["c", [None, 4]]])],
            LeadForm(name="C", extra={"Grid": "a, b, c, 4"}),
        ),
        (
            [("phone", 79991234567), ("agree", True)],
            LeadForm(phone="79991234567", extra={"agree": "yes"}),
        ),
        (  # a field repeated past the limit is cut at it, as one long field is
            [("Color", "x" * 3000), ("Color", "y" * 3000), ("Color", "z")],
            LeadForm(extra={"Color": ("x" * 3000 + ", " + "y" * 3000)[:MAX_VALUE]}),
        ),
        ([("test", "test")], LeadForm(is_test=True)),
        ([("name", ""), ("utm_source", ""), ("x", "1")], LeadForm(extra={"x": "1"})),
        (  # two fields of one kind filled: the first is the card's, the other kept, not lost
            [
                ("Комментарий", "Нужна доставка"),
                ("Name", "Анна"),
                ("Вопрос", "Есть ли скидки?"),
                ("Phone", "+79991234567"),
                ("tel", "+78881234567"),
                ("E-mail", "a@b.ru"),
                ("Email", "a@b.ru"),  # the same again: nothing to keep
            ],
            LeadForm(
                name="Анна",
                phone="+79991234567",
                email="a@b.ru",
                comment="Нужна доставка",
                extra={"Вопрос": "Есть ли скидки?", "tel": "+78881234567"},
            ),
        ),
    ],
)
def test_fields_are_sorted(pairs: list[tuple[str, object]], expected: LeadForm) -> None:
    assert read_form(pairs) == expected


@pytest.mark.parametrize(
    ("pairs", "reason"),
    [
        ([], "no fields with values"),
        ([("name", ""), ("tranid", "1")], "no fields with values"),
        ([("", "x")], "a field without a name"),
        ([("a" * 101, "x")], "field name longer than 100 characters"),
        ([("name", {"first": "x"})], "nested objects are not form fields"),
        ([("Color", [[[[["blue"]]]]])], "lists nested too deeply"),
        ([(f"f{i}", "1") for i in range(61)], "more than 60 fields"),
    ],
)
def test_bad_forms_are_refused_with_a_reason(pairs: list[tuple[str, object]], reason: str) -> None:
    with pytest.raises(LeadFormError) as refused:
        read_form(pairs)
    assert refused.value.args[0] == reason


def test_the_same_submission_hashes_the_same_and_another_does_not() -> None:
    first = read_form([("name", "A"), ("phone", "1"), ("tranid", "1")])
    again = read_form([("phone", "1"), ("name", "A"), ("tranid", "2")])
    other = read_form([("name", "A"), ("phone", "2")])
    assert first.fingerprint() == again.fingerprint() != other.fingerprint()


def test_a_form_whose_phone_was_in_e164_hashes_as_before_the_parsed_phone_was_hashed() -> None:
    """A lead kept before the parsed phone was hashed still catches its repeat in the window
    when its phone and e-mail were written as they are stored."""
    form = read_form([("name", "A"), ("phone", "+79991112236"), ("email", "a@b.ru")])
    before = hashlib.sha256(
        json.dumps(
            {"n": "A", "p": "+79991112236", "e": "a@b.ru", "c": None, "u": {}, "x": {}},
            sort_keys=True,
        ).encode()
    ).hexdigest()
    assert form.fingerprint("+79991112236", "a@b.ru") == form.fingerprint() == before
