"""/find by a short tag (``#hr``: the clients tagged so, not the names that start with
the letters) and by a phone typed the local way with a trunk 0 (UK, Germany, Belarus)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.client_index import query_terms
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def test_find_by_a_tag_of_two_letters(app: App, owner_en: SimulatedUser) -> None:
    vera = await make_client(app, OWNER_ID, "Vera")
    await make_client(app, OWNER_ID, "Hristo")  # his name starts with the tag's letters
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.client_edits.add_tags(me, vera.id, ["HR"])
    [tagged] = await owner_en.send("/find #hr")
    assert tagged.text.split("\n")[0] == "👤 Vera"  # the one match: her card
    [named] = await owner_en.send("/find hr")  # two letters untagged: a name's start
    assert named.text.split("\n")[0] == "👤 Hristo"


async def test_find_by_a_longer_tag_is_that_tag_only(app: App, owner_en: SimulatedUser) -> None:
    vera = await make_client(app, OWNER_ID, "Vera")
    oleg = await make_client(app, OWNER_ID, "Oleg")
    await make_client(app, OWNER_ID, "Оптима")  # the tag's letters begin her name
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.client_edits.add_tags(me, vera.id, ["опт"])
        await crm.client_edits.add_tags(me, oleg.id, ["оптовик"])  # holds the tag's letters
    [tagged] = await owner_en.send("/find #ОПТ")
    assert tagged.text.split("\n")[0] == "👤 Vera", tagged.text  # the one match: her card
    [longer] = await owner_en.send("/find #оптовик")
    assert longer.text.split("\n")[0] == "👤 Oleg", longer.text
    [words] = await owner_en.send("/find опт")  # untagged: any text holding it
    listed = " ".join(text for text, _data, _url in words.buttons)
    assert "Vera" in listed and "Oleg" in listed and "Оптима" in listed, listed


@pytest.mark.parametrize(
    ("phone", "typed"),
    [
        ("+442079460000", "020 7946 0000"),
        ("+493012345678", "030 12345678"),
        ("+375291234567", "80 29 123 45 67"),
        ("+380501234567", "050 123 4567"),
        ("+79991234567", "8 999 123 45 67"),
    ],
)
async def test_find_a_phone_typed_with_its_trunk(
    app: App, owner_en: SimulatedUser, phone: str, typed: str
) -> None:
    await make_client(app, OWNER_ID, "Tom", phones=(phone,))
    await make_client(app, OWNER_ID, "Ann", phones=("+12025550123",))
    [reply] = await owner_en.send(f"/find {typed}")
    assert reply.text.split("\n")[0] == "👤 Tom", reply.text


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("020 7946 0000", ["2079460000"]),
        ("80 29 123", ["29123"]),
        ("8 999 123", ["999123"]),
        ("012", ["12"]),
        ("01", ["01"]),  # two digits are no phone: a word
        ("+0 12", ["012"]),  # international: as typed
        ("12 30", ["1230"]),
    ],
)
def test_a_trunk_zero_is_dropped_from_a_typed_phone(query: str, terms: list[str]) -> None:
    assert query_terms(query) == terms


@pytest.mark.parametrize(
    "typed",
    [
        "8 999 123-45-67.",
        "+7 (999) 123-45-67,",
        "«+7 999 123 45 67»",
        "(999) 123-45-67.",
        "\u202a+7 999 123-45-67\u202c.",
    ],
)
async def test_find_a_phone_typed_with_punctuation_around_it(
    app: App, owner_en: SimulatedUser, typed: str
) -> None:
    """A number pasted with a stop or a comma after it, or in quotes, was no phone: its
    pieces were looked for as words ("123-45-67"), and nothing was found."""
    await make_client(app, OWNER_ID, "Tom", phones=("+79991234567",))
    await make_client(app, OWNER_ID, "Ann", phones=("+79161234567",))
    [reply] = await owner_en.send(f"/find {typed}")
    assert reply.text.split("\n")[0] == "👤 Tom", reply.text


@pytest.mark.parametrize(
    "typed",
    ["Petrov, Ivan", '"Romashka"', "(Romashka)", "Ivan.", "Петров, Иван!", "«Ivan Petrov»"],
)
async def test_find_with_punctuation_around_the_words(
    app: App, owner_en: SimulatedUser, typed: str
) -> None:
    """A name typed with a comma, in quotes or brackets, or with a full stop was looked
    for with them: "Nothing found for “Petrov, Ivan”." though "Ivan Petrov" is there."""
    await make_client(app, OWNER_ID, "Ivan Petrov", company="Romashka LLC")
    await make_client(app, OWNER_ID, "Петров Иван")
    await make_client(app, OWNER_ID, "Anna Lee")
    [reply] = await owner_en.send(f"/find {typed}")
    first = reply.text.split("\n")[0]
    expected = "👤 Петров Иван" if "Иван" in typed else "👤 Ivan Petrov"
    assert first == expected, reply.text


@pytest.mark.parametrize(
    "typed", ['"Romashka".', "(Ivan Petrov).", "«Petrov».", "Ivan…", "<ivan@mail.ru>"]
)
async def test_find_with_a_stop_after_the_quotes_or_a_mail_programs_brackets(
    app: App, owner_en: SimulatedUser, typed: str
) -> None:
    """The stop was dropped, the quote before it kept: «Petrov». looked for "petrov»" and
    found nothing; an address copied as <ivan@mail.ru> was looked for with its brackets."""
    await make_client(app, OWNER_ID, "Ivan Petrov", company="Romashka", emails=("ivan@mail.ru",))
    await make_client(app, OWNER_ID, "Anna Lee")
    [reply] = await owner_en.send(f"/find {typed}")
    first = reply.text.split("\n")[0]
    assert first == "👤 Ivan Petrov", reply.text


async def test_a_tag_typed_with_a_stop_after_it_is_that_very_tag(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "/find #vip," looked for the tag "vip," (none has it): nothing found. "#vip …"
    (a stop typed apart) was a search for the word vip: "Vipson Ltd" came too."""
    tagged = await make_client(app, OWNER_ID, "Anna Lee")
    await make_client(app, OWNER_ID, "Vipson Ltd")  # "vip" in the name, not a tag
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.add_tags(owner, tagged.id, ["vip"])
    for typed in ("#vip,", "#vip.", "«#vip»", "#vip …", "« #vip »", "#vip!.."):
        [reply] = await owner_en.send(f"/find {typed}")
        assert reply.text.startswith("👤 Anna Lee"), (typed, reply.text)
        assert "Vipson" not in reply.text, (typed, reply.text)  # the tag, not the word
