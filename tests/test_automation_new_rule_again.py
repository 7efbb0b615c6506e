""" "New rule" pressed again (an older Automation message's button) while a rule is being
built does not drop that rule: the owner is told one is under way, in a new message under
that Automation menu, which stays as it was, and may start over."""

from __future__ import annotations

from bot.offline import SentMessage
from bot.simulator import SimulatedUser


async def new_rule_again(
    owner: SimulatedUser, *labels: str
) -> tuple[SentMessage, SentMessage, SentMessage]:
    """Automation opened twice; a rule built on the second message (the buttons ``labels``:
    Automation, New rule, a trigger, a status), then New rule pressed on the first.
    The rule's message, the answer to that press and the first message as it is now."""
    automation, new, *steps = labels
    await owner.send("/settings")
    [older] = await owner.press(automation)
    await owner.send("/settings")
    [building] = await owner.press(automation)
    for label in (new, *steps):
        [building] = await owner.press(label, building)
    [note] = await owner.press(new, older)
    [menu] = [sent for sent in owner.chat_messages() if sent.message_id == older.message_id]
    return building, note, menu


async def test_new_rule_pressed_on_an_older_message_keeps_the_rule_being_built(
    owner_en: SimulatedUser,
) -> None:
    building, note, menu = await new_rule_again(
        owner_en, "Automation", "New rule", "A client's status changes", "hot"
    )
    assert "Only when" in building.text
    assert "A rule is already being built: finish it in its message, or start over." in note.text
    assert "hot" in note.text  # the rule under way, as it stands
    assert note.message_id not in (building.message_id, menu.message_id)
    assert note.message_id == owner_en.last_message().message_id  # under the menu
    # The menu was turned into that note (its buttons lost): now it stays, and works.
    assert menu.text.startswith("🤖 Automation") and "already being built" not in menu.text
    [starters] = await owner_en.press("Ready rules", menu)
    assert starters.message_id == menu.message_id and "Tap one to turn it on." in starters.text

    [actions] = await owner_en.press("What it does", building)  # the draft goes on
    assert "What should the rule do?" in actions.text and "hot" in actions.text

    [anew] = await owner_en.press("Start over", note)
    assert "What sets the rule off?" in anew.text and "hot" not in anew.text


async def test_the_rule_under_way_is_told_in_russian(owner: SimulatedUser) -> None:
    _building, note, menu = await new_rule_again(
        owner, "Автоматизация", "Новое правило", "Меняется статус клиента", "горяч"
    )
    assert "Правило уже собирается: закончите его в его сообщении или начните заново." in note.text
    assert any("Начать заново" in text for text, _d, _u in note.buttons)
    assert menu.text.startswith("🤖 Автоматизация") and note.message_id != menu.message_id


STALE = (
    "This button is from an earlier draft: the rule being built now stays as it is. "
    "Finish it in its message, or /cancel."
)


async def test_an_older_start_over_drops_no_draft_begun_since(owner_en: SimulatedUser) -> None:
    """Two notes of the same draft: Start over on one drops it; then the other's Start over
    (its draft started over already) says so, and the newer draft goes on."""
    _building, note, menu = await new_rule_again(
        owner_en, "Automation", "New rule", "A client's status changes", "hot"
    )
    [other_note] = await owner_en.press("New rule", menu)
    assert "already being built" in other_note.text
    [anew] = await owner_en.press("Start over", note)
    [newer] = await owner_en.press("A deal is won", anew)
    assert "Only when" in newer.text and "won" in newer.text
    assert await owner_en.press("Start over", other_note) == []
    assert owner_en.alert == STALE
    [actions] = await owner_en.press("What it does", newer)  # the newer draft goes on
    assert "What should the rule do?" in actions.text and "won" in actions.text


async def test_an_older_start_over_after_its_draft_was_cancelled(
    owner_en: SimulatedUser,
) -> None:
    """Its draft cancelled and no other begun, Start over starts a new rule (nothing is
    dropped); once a newer draft is under way (New rule), an old one is refused."""
    _building, note, menu = await new_rule_again(
        owner_en, "Automation", "New rule", "A client's status changes", "hot"
    )
    [other_note] = await owner_en.press("New rule", menu)
    await owner_en.send("/cancel")
    [anew] = await owner_en.press("Start over", note)
    assert "What sets the rule off?" in anew.text and "hot" not in anew.text
    await owner_en.send("/cancel")
    await owner_en.send("/settings")
    [automation] = await owner_en.press("Automation")
    [begun] = await owner_en.press("New rule", automation)
    [chosen] = await owner_en.press("A deal is lost", begun)
    assert await owner_en.press("Start over", other_note) == []
    assert owner_en.alert == STALE
    [actions] = await owner_en.press("What it does", chosen)
    assert "What should the rule do?" in actions.text and "lost" in actions.text


async def test_an_older_start_over_is_refused_in_russian(owner: SimulatedUser) -> None:
    _building, note, menu = await new_rule_again(
        owner, "Автоматизация", "Новое правило", "Меняется статус клиента", "горяч"
    )
    [other_note] = await owner.press("Новое правило", menu)
    await owner.press("Начать заново", note)
    assert await owner.press("Начать заново", other_note) == []
    assert owner.alert == (
        "Эта кнопка от прежнего черновика: правило, которое собирается сейчас, осталось как "
        "было. Закончите его в его сообщении или отмените: /cancel."
    )
