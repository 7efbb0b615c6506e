"""A member turned off in the middle of a dialog does not find it waiting when let back in:
what they type after coming back is read afresh, not as the answer to a question asked
before their access was turned off."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.team.callbacks import HandOverCb, TeamCb
from tests.client_helpers import make_client
from tests.conftest import Joiner

MARIA, GLEB = 9501, 9502


@pytest.mark.parametrize("how", ["off", "hand_over"])
async def test_a_dialog_open_when_turned_off_is_closed_when_let_back_in(
    app: App, owner: SimulatedUser, join: Joiner, how: str
) -> None:
    maria = await join(MARIA, "manager", "Мария")
    await join(GLEB, "manager", "Глеб")
    await make_client(app, MARIA, "Клиент Марии")
    [question] = await maria.send("/new")
    assert question.text == "Новый клиент.\nКак зовут клиента?"
    if how == "off":
        await owner.press_data(TeamCb(action="off", member_id=MARIA).pack())
    else:
        await owner.press_data(HandOverCb(member_id=MARIA, to=GLEB).pack())
    [card] = await owner.press_data(TeamCb(action="on", member_id=MARIA).pack())
    assert "Доступ: активен" in card.text

    [reply] = await maria.send("Иван Петров")  # a search now, not the old question's answer
    assert reply.text == "По запросу «Иван Петров» ничего не найдено."
    [reply] = await maria.send("/new")  # and a new client starts from the beginning
    assert reply.text == "Новый клиент.\nКак зовут клиента?"


async def test_an_english_members_dialog_is_closed_too(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    mark = await join(MARIA, "manager", "Mark", language_code="en")
    [question] = await mark.send("/new")
    assert question.text == "New client.\nWhat is the client's name?"
    await owner.press_data(TeamCb(action="off", member_id=MARIA).pack())
    [refusal] = await mark.send("Ivan Petrov")  # turned off: refused, the dialog not used
    assert refusal.text == "This is a private CRM. Ask its owner for an invitation."
    await owner.press_data(TeamCb(action="on", member_id=MARIA).pack())
    [reply] = await mark.send("Ivan Petrov")
    assert reply.text == "Nothing found for “Ivan Petrov”."
