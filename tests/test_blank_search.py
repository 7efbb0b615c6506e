"""A search of nothing visible (zero-width spaces, word joiners, direction marks, as a paste
may carry) was looked for, and answered "Nobody found by “”": each search step asks its
question again instead, saying what to type, and stays open; /find and a plain text say
what to look for."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from tests.conftest import UserFactory
from tests.test_long_input import CASES, Case, at_step, fsm_state

BLANK = "\u200b \u2060\u200f"
# Each search step, and how its question begins.
QUESTIONS = {
    "task: which client": "Send a client's name (or phone, company) to tie the task",
    "deal: another client": "Send the name (or phone, company) of the client to move",
    "forward: which client": "Which client? Send a name, phone or email to find them.",
    "link: search": "Send a few letters of the name to find the card.",
}


SEARCHES = [case for case in CASES if case.name in QUESTIONS]


@pytest.mark.parametrize("case", SEARCHES, ids=[case.name for case in SEARCHES])
async def test_a_search_of_nothing_visible_is_asked_again(
    app: App, user: UserFactory, case: Case
) -> None:
    [reply] = await (await at_step(app, user, case)).send(BLANK)
    assert reply.text.startswith(QUESTIONS[case.name]), reply.text
    assert await fsm_state(app) == case.state.state  # the step is still open


async def test_find_and_a_plain_text_of_nothing_visible_say_what_to_look_for(
    owner_en: SimulatedUser,
) -> None:
    for typed in (f"/find {BLANK}", BLANK):
        [reply] = await owner_en.send(typed)
        assert reply.text.startswith("What to look for? For example: /find Petrov"), typed


@pytest.mark.parametrize("typed", [".", ", ;", "«»", "..."])
async def test_a_link_search_of_nothing_but_punctuation_finds_nothing(
    app: App, user: UserFactory, typed: str
) -> None:
    """The punctuation around a word is dropped from the search (fe6989d): a search of
    nothing else had no words left, and every record was offered ("Salt") as found."""
    [case] = [case for case in CASES if case.name == "link: search"]
    [reply] = await (await at_step(app, user, case)).send(typed)
    assert reply.text.startswith("Nothing found. Send another search."), reply.text


@pytest.mark.parametrize("typed", [".", "«»"])
async def test_a_record_search_of_nothing_but_punctuation_finds_nothing(
    app: App, user: UserFactory, typed: str
) -> None:
    """As the link search: every record of the type ("Salt") was "found" by a "."."""
    [case] = [case for case in CASES if case.name == "record list: search"]
    [reply] = await (await at_step(app, user, case)).send(typed)
    assert "Found: 0" in reply.text, reply.text
    assert "Salt" not in str(reply.inline_keyboard), reply.inline_keyboard
