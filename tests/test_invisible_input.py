"""A text of nothing visible (U+202E U+200F: a direction mark and an override, as a
pasted text may carry) is no name, title, note or value.

Sent to every dialog step the long-input cases reach (``tests/test_long_input.py``),
it must be answered (not with the apology for a failure) and store nothing: a task,
a stage, a status, a field or a rule named by it would show as a blank line or button.
"""

from __future__ import annotations

import pytest

from bot.app import App
from crm.parsing.search_text import one_line, unseen
from tests.conftest import UserFactory
from tests.test_long_input import (
    CASES,
    Case,
    assert_refused_without_an_echo,
    at_step,
    database,
    fsm_data,
    fsm_state,
    kept_texts,
)

INVISIBLE = "\u202e\u200f"
# A reply is the member's own words. (A step where no answer means "none", the client
# without a city, the call without a note, the deal under the client's name, the type with
# the default emoji, has its Skip button for that: it refuses these marks too.)
BLANK_IS_NONE = {"business: reply"}
# Those steps, and the client's optional fields, refuse with words and ask again.
OPTIONAL = [
    "new client: source",
    "new client: company",
    "new client: city",
    "call note",
    "new deal: title",
    "settings rename: emoji",
    "client edit: company",
    "client edit: city",
    "client edit: address",
    "client edit: source",
]
OPTIONAL_STEPS = [next(case for case in CASES if case.name == name) for name in OPTIONAL]
STEPS = [case for case in CASES if case.name not in BLANK_IS_NONE]


@pytest.mark.parametrize("case", STEPS, ids=[case.name for case in STEPS])
async def test_an_invisible_text_is_refused_and_stores_nothing(
    app: App, user: UserFactory, case: Case
) -> None:
    member = await at_step(app, user, case)
    await assert_refused_without_an_echo(app, member, INVISIBLE, member.send)
    # The echo and "kept" checks above look for 200 characters of the text: these two
    # are shorter, so whether the dialog kept them for a later step is looked at here.
    kept = kept_texts(await fsm_data(app))
    assert not any(INVISIBLE in text for text in kept), "the dialog kept the text"


@pytest.mark.parametrize("case", OPTIONAL_STEPS, ids=OPTIONAL)
async def test_an_optional_step_refuses_it_and_asks_again(
    app: App, user: UserFactory, case: Case
) -> None:
    member = await at_step(app, user, case)
    before = await database(app)
    replies = await member.send("\u200b\u2060" + INVISIBLE)
    assert any("This cannot be empty." in reply.text for reply in replies), replies
    assert await fsm_state(app) == case.state.state  # still asked
    assert await database(app) == before


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ice   cubes ", "Ice cubes"),
        (INVISIBLE, ""),
        ("\u200b \ufeff\u2060", ""),
        ("\u200fIce", "\u200fIce"),  # a mark beside a letter is the member's to keep
        ("👩\u200d💻", "👩\u200d💻"),
        ("", ""),
    ],
)
def test_one_line_is_empty_when_nothing_shows(typed: str, kept: str) -> None:
    assert one_line(typed) == kept


@pytest.mark.parametrize(
    ("typed", "refused"),
    [("\u200b\u2060", True), (INVISIBLE, True), ("", False), ("  ", False), ("\u200fKazan", False)],
)
def test_unseen_is_something_typed_of_which_nothing_shows(typed: str, refused: bool) -> None:
    assert unseen(typed) is refused
