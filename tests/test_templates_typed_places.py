"""A message template or a rule's text with a place the bot cannot fill is refused as a .docx
is: a placeholder written in other words ("{клиент.имя}", "{client name}") is named as
unknown, a brace left open ("{client.name, hi") is shown, so the client never gets the
braces as typed. Braces around no words stay as they are."""

from __future__ import annotations

import pytest

from bot.simulator import SimulatedUser
from crm import placeholders
from crm.errors import ErrorCode, InvalidInput
from tests.test_automation_builder import open_builder

UNKNOWN = "I don't know the placeholder {{{name}}}."
BROKEN = "A placeholder is broken near “{text}”: write it with both braces"


@pytest.mark.parametrize(
    ("text", "code", "shown"),
    [
        ("Здравствуйте, {клиент.имя}!", ErrorCode.UNKNOWN_PLACEHOLDER, "клиент.имя"),
        ("Hi {client name}", ErrorCode.UNKNOWN_PLACEHOLDER, "client name"),
        ("Hi {Client.Name}", ErrorCode.UNKNOWN_PLACEHOLDER, "Client.Name"),
        ("Dear {client.name, hi", ErrorCode.BROKEN_PLACEHOLDER, "Dear {client.name, hi"),
        ("Hello.\nDear {client.name\nBye", ErrorCode.BROKEN_PLACEHOLDER, "Dear {client.name"),
    ],
)
def test_a_place_that_cannot_be_filled_is_refused(text: str, code: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        placeholders.check(text)
    assert refused.value.code == code
    params = refused.value.params
    assert shown == (params["name"] if code == ErrorCode.UNKNOWN_PLACEHOLDER else params["text"])


@pytest.mark.parametrize(
    "text",
    ["Dear {client.name}, { }", "Скидка {10%} до {1}", "Smile {:)}", "{ today } {deal.amount}"],
)
def test_braces_around_no_words_are_left_alone(text: str) -> None:
    placeholders.check(text)


async def test_a_message_template_in_other_words_is_refused(owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Message")
    await owner_en.send("Offer")
    [refused] = await owner_en.send("Здравствуйте, {клиент.имя}!")
    assert UNKNOWN.format(name="клиент.имя") in refused.text
    [refused] = await owner_en.send("Dear {client.name, here is the offer")
    assert BROKEN.format(text="Dear {client.name, here is the offer") in refused.text
    [saved] = await owner_en.send("Dear {client.name}, here is the offer")
    assert "Saved: «Offer»." in saved.text


async def test_a_rule_task_in_other_words_is_refused(owner_en: SimulatedUser) -> None:
    await open_builder(owner_en)
    for press in ("A client is created", "Any source", "What it does", "Create a task"):
        await owner_en.press(press)
    answers = [await owner_en.send(text) for text in ("Call {client name}", "Call {client.name}")]
    [[refused], [due]] = answers
    assert UNKNOWN.format(name="client name") in refused.text
    assert "When is it due?" in due.text
