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
from handlers.clients.states import NewClientFlow
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
# Steps whose refusal quotes the text back ("“…” is not a phone number"): a quote of marks
# shows as empty quotes, so they too refuse it as empty, and ask again.
QUOTING = [
    "new client: phone",
    "new client: email",
    "client: one phone",
    "client: one email",
    "new deal: amount",
    "deal edit: amount",
    "deal edit: expected_close",
    "settings: time zone",
    "settings: summary time",
    "settings: day part time",
]
ASKED_AGAIN = OPTIONAL + QUOTING
ASKED_AGAIN_STEPS = [next(case for case in CASES if case.name == name) for name in ASKED_AGAIN]
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


@pytest.mark.parametrize("case", ASKED_AGAIN_STEPS, ids=ASKED_AGAIN)
async def test_an_optional_or_quoting_step_refuses_it_and_asks_again(
    app: App, user: UserFactory, case: Case
) -> None:
    member = await at_step(app, user, case)
    before = await database(app)
    replies = await member.send("\u200b\u2060" + INVISIBLE)
    assert any("This cannot be empty." in reply.text for reply in replies), replies
    assert not any("\u200b" in (reply.text or "") for reply in replies), "the marks are quoted"
    assert await fsm_state(app) == case.state.state  # still asked
    assert await database(app) == before


async def test_a_phone_beside_a_part_of_marks_is_taken(app: App, user: UserFactory) -> None:
    """Several phones go separated by commas: a part of marks only is no phone, as an
    empty part is none, and is not refused with a quote of it."""
    case = next(case for case in CASES if case.name == "new client: phone")
    member = await at_step(app, user, case)
    await member.send("+7 999 123-45-67, \u200b\u2060")
    assert await fsm_state(app) == NewClientFlow.email.state
    assert (await fsm_data(app))["phones"] == ["+79991234567"]


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
