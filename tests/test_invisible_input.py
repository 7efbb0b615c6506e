"""A text of nothing visible (U+202E U+200F: a direction mark and an override, as a
pasted text may carry) is no name, title, note or value.

Sent to every dialog step the long-input cases reach (``tests/test_long_input.py``),
it must be answered (not with the apology for a failure) and store nothing: a task,
a stage, a status, a field or a rule named by it would show as a blank line or button.
"""

from __future__ import annotations

import pytest

from bot.app import App
from crm.parsing.search_text import one_line
from tests.conftest import UserFactory
from tests.test_long_input import (
    CASES,
    Case,
    assert_refused_without_an_echo,
    at_step,
    fsm_data,
    kept_texts,
)

INVISIBLE = "\u202e\u200f"
# Steps where a blank answer means "none" and the dialog goes on with it, as a space
# would: the client without a city, the call without a note, the deal under the
# client's name, the type with the default emoji; and a reply is the member's own words.
BLANK_IS_NONE = {
    "new client: city",
    "call note",
    "new deal: title",
    "settings rename: emoji",
    "business: reply",
}
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
