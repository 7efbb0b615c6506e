"""A file (or a photo, a sticker) sent to any dialog step is answered about that step.

Every step the long-input cases reach (``tests/test_long_input.py``) gets a document
instead of its answer: the bot must say something other than "I didn't understand"
or the apology for a failure, and the step must stay for the real answer.
"""

from __future__ import annotations

import pytest

from bot.app import App
from tests.conftest import UserFactory
from tests.test_long_input import APOLOGIES, CASES, Case, at_step, fsm_state, said


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_file_sent_to_a_dialog_step_is_answered_and_the_step_stays(
    app: App, user: UserFactory, case: Case
) -> None:
    member = await at_step(app, user, case)
    start = len(member.session.requests)
    await member.send_document("scan.pdf", "application/pdf")
    answers = said(member.session.requests[start:])
    assert answers, "the bot said nothing"
    assert not set(answers) & set(APOLOGIES), answers
    assert await fsm_state(app) == case.state.state
