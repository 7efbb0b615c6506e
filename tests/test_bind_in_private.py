"""/bind and /unbind sent in the private chat are told where they go, not "I didn't
understand"; a manager is told they are the owner's."""

from __future__ import annotations

from bot.simulator import SimulatedUser
from tests.conftest import Joiner


async def test_the_owner_sending_bind_in_private_is_told_to_send_it_in_the_group(
    owner: SimulatedUser,
) -> None:
    [reply] = await owner.send("/bind")
    assert reply.text == (
        "/bind отправляют в групповом чате команды: добавьте меня в группу и отправьте /bind "
        "там. Группа будет узнавать о новых клиентах, сделках и просроченных задачах."
    )
    [reply] = await owner.send("/unbind")
    assert reply.text == (
        "/unbind отправляют в том групповом чате, который больше не должен ничего "
        "получать от Картотеки."
    )


async def test_a_manager_sending_bind_in_private_is_told_it_is_the_owners(
    owner: SimulatedUser, join: Joiner
) -> None:
    mark = await join(9801, "manager", "Mark", language_code="en")
    [reply] = await mark.send("/bind")
    assert reply.text == "Only the owner can bind a group."
    [reply] = await mark.send("/unbind")
    assert reply.text == "Only the owner can unbind a group."
