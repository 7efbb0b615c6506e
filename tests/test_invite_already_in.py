"""An invitation opened by someone already in the team (the owner trying his own link, a
manager given an admin's link) is not used, and they are told so: their role stays, and
the link still admits the one it was meant for."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from storage.engine import create_session_factory
from storage.models import User
from tests.conftest import Joiner, UserFactory, invite_link

NOT_USED_RU = (
    "Вы уже в команде (ваша роль: владелец): это приглашение ничего не изменило "
    "и осталось неиспользованным. По нему ещё может войти кто-то другой."
)
NOT_USED_EN = (
    "You are already in the team (your role: manager): this invitation changed nothing "
    "and was not used. It can still admit someone else."
)


def token_of(link: str) -> str:
    return link.rsplit("=", 1)[1]


async def role_of(app: App, user_id: int) -> str | None:
    async with create_session_factory(app.engine)() as session:
        user = await session.get(User, user_id)
        return None if user is None else user.role


async def test_the_owner_opening_his_own_link_is_told_it_was_not_used(
    app: App, owner: SimulatedUser, user: UserFactory
) -> None:
    link = await invite_link(owner, "admin")
    [note, hello] = await owner.send(f"/start {token_of(link)}")
    assert note.text == NOT_USED_RU
    assert hello.text.startswith("Здравствуйте, Ольга Владелец!")
    newcomer = user(9701, "Антон", language_code="ru")
    [welcome, _hello] = await newcomer.send(f"/start {token_of(link)}")
    assert welcome.text == "Добро пожаловать в команду! Ваша роль: администратор."


async def test_a_manager_opening_an_admins_link_stays_a_manager_and_is_told(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    mark = await join(9702, "manager", "Mark", language_code="en")
    link = await invite_link(owner, "admin")
    [note, hello] = await mark.send(f"/start {token_of(link)}")
    assert note.text == NOT_USED_EN
    assert hello.text.startswith("Hello, Mark!")
    assert await role_of(app, 9702) == "manager"


async def test_the_link_one_joined_by_opened_again_only_greets(
    app: App, owner: SimulatedUser, user: UserFactory
) -> None:
    link = await invite_link(owner, "manager")
    mark = user(9703, "Mark", language_code="en")
    await mark.send(f"/start {token_of(link)}")
    [hello] = await mark.send(f"/start {token_of(link)}")  # tapped twice: nothing to say
    assert hello.text.startswith("Hello, Mark!")
