""" "New rule" pressed again (an older Automation message's button) while a rule is being
built does not drop that rule: the owner is told one is under way and may start over."""

from __future__ import annotations

from bot.offline import SentMessage
from bot.simulator import SimulatedUser


async def new_rule_again(owner: SimulatedUser, *labels: str) -> tuple[SentMessage, SentMessage]:
    """Automation opened twice; a rule built on the second message (the buttons ``labels``:
    Automation, New rule, a trigger, a status), then New rule pressed on the first.
    The rule's message and the answer to that press."""
    automation, new, *steps = labels
    await owner.send("/settings")
    [older] = await owner.press(automation)
    await owner.send("/settings")
    [building] = await owner.press(automation)
    for label in (new, *steps):
        [building] = await owner.press(label, building)
    [note] = await owner.press(new, older)
    return building, note


async def test_new_rule_pressed_on_an_older_message_keeps_the_rule_being_built(
    owner_en: SimulatedUser,
) -> None:
    building, note = await new_rule_again(
        owner_en, "Automation", "New rule", "A client's status changes", "hot"
    )
    assert "Only when" in building.text
    assert "A rule is already being built: finish it in its message, or start over." in note.text
    assert "hot" in note.text  # the rule under way, as it stands
    assert note.message_id != building.message_id

    [actions] = await owner_en.press("What it does", building)  # the draft goes on
    assert "What should the rule do?" in actions.text and "hot" in actions.text

    [anew] = await owner_en.press("Start over", note)
    assert "What sets the rule off?" in anew.text and "hot" not in anew.text


async def test_the_rule_under_way_is_told_in_russian(owner: SimulatedUser) -> None:
    _building, note = await new_rule_again(
        owner, "Автоматизация", "Новое правило", "Меняется статус клиента", "горяч"
    )
    assert "Правило уже собирается: закончите его в его сообщении или начните заново." in note.text
    assert any("Начать заново" in text for text, _d, _u in note.buttons)
