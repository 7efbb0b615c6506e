"""An admin making a manager an admin: asked first, because afterwards the admin can no
longer change that member's role or deactivate them (admins manage managers only). The
owner, who keeps managing admins, is not asked. A "yes" pressed twice, or pressed after
the member, or the admin, changed meanwhile, changes nothing wrongly and says why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.access import gives_away
from crm.errors import ErrorCode
from crm.members import role_refusal
from handlers.team.callbacks import TeamCb
from storage.engine import create_session_factory
from storage.models import Event, User
from tests.conftest import Joiner

QUESTION = (
    "Сделать Вера — администратор? После этого вы не сможете ни сменить роль этому участнику, "
    "ни отключить его: это сможет только владелец."
)
MAKE_ADMIN = "Сделать: администратор"
YES = "Да, сделать: администратор"


def buttons(message: SentMessage) -> list[str]:
    return [text for text, _data, _url in message.buttons]


def data_of(message: SentMessage, text: str) -> str:
    [data] = [d for t, d, _u in message.buttons if t == text and d is not None]
    return data


async def state_of(app: App, user_id: int) -> tuple[str, bool]:
    async with create_session_factory(app.engine)() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user.role, user.active


async def role_events(app: App) -> int:
    async with create_session_factory(app.engine)() as session:
        found = await session.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "member_role_changed")
        )
        return int(found or 0)


async def asked(admin: SimulatedUser, member_id: int) -> SentMessage:
    """The admin's card of the member, "make admin" pressed on it: the question."""
    [card] = await admin.press_data(TeamCb(action="open", member_id=member_id).pack())
    [question] = await admin.press(MAKE_ADMIN, card)
    assert question.message_id == card.message_id  # in place of the card
    return question


async def test_an_admin_is_told_what_they_give_up_and_can_say_no(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(970, "admin", "Алиса")
    await join(971, "manager", "Вера")
    question = await asked(admin, 971)
    assert question.text == QUESTION
    assert buttons(question) == [YES, "Нет"]
    assert await state_of(app, 971) == ("manager", True)  # nothing given by asking

    [card] = await admin.press("Нет", question)
    assert "Роль: менеджер" in card.text and MAKE_ADMIN in buttons(card)
    assert await state_of(app, 971) == ("manager", True)

    question = await asked(admin, 971)
    [card] = await admin.press(YES, question)
    assert "Роль: администратор" in card.text
    assert buttons(card) == ["◀️ Команда"]  # as the question said: no longer theirs to manage
    assert await state_of(app, 971) == ("admin", True)
    assert await role_events(app) == 1


async def test_yes_pressed_twice_gives_the_role_once(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(972, "admin", "Алиса")
    await join(971, "manager", "Вера")
    await app.sender.drain_once()
    question = await asked(admin, 971)
    yes = data_of(question, YES)
    await admin.press_data(yes, question)
    [again] = await admin.press_data(yes, question)
    assert admin.alert == "У участника уже эта роль."
    assert "Роль: администратор" in again.text and buttons(again) == ["◀️ Команда"]
    assert await state_of(app, 971) == ("admin", True)
    assert await role_events(app) == 1
    assert await app.sender.drain_once() == 1  # Вера is told once


async def test_the_owner_is_not_asked(app: App, owner: SimulatedUser, join: Joiner) -> None:
    await join(971, "manager", "Вера")
    [card] = await owner.press_data(TeamCb(action="open", member_id=971).pack())
    [card] = await owner.press(MAKE_ADMIN, card)
    assert "Роль: администратор" in card.text
    assert "⛔ Отключить" in buttons(card)  # the owner still manages her
    assert await state_of(app, 971) == ("admin", True)


async def test_an_old_question_after_the_owner_deactivated_the_member(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(973, "admin", "Алиса")
    await join(971, "manager", "Вера")
    question = await asked(admin, 971)
    await owner.press_data(TeamCb(action="off", member_id=971).pack())
    [card] = await admin.press(YES, question)
    assert admin.alert == "Участник отключён. Чтобы сменить ему роль, сначала включите его снова."
    assert "Доступ: отключён" in card.text
    assert await state_of(app, 971) == ("manager", False)
    assert await role_events(app) == 0


async def test_an_old_question_after_the_owner_made_the_member_admin(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(974, "admin", "Алиса")
    await join(971, "manager", "Вера")
    [card] = await admin.press_data(TeamCb(action="open", member_id=971).pack())
    question = await asked(admin, 971)
    await owner.press_data(TeamCb(action="role", member_id=971, role="admin").pack())
    [now] = await admin.press(YES, question)
    assert admin.alert == "У участника уже эта роль."
    assert "Роль: администратор" in now.text and buttons(now) == ["◀️ Команда"]
    # "Make admin" on a card older still: no question about a role she has.
    [now] = await admin.press_data(TeamCb(action="role", member_id=971, role="admin").pack(), card)
    assert admin.alert == "У участника уже эта роль."
    assert "Роль: администратор" in now.text
    assert await role_events(app) == 1  # the owner's


async def test_an_old_question_after_the_admin_lost_the_right(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(975, "admin", "Алиса")
    await join(971, "manager", "Вера")
    question = await asked(admin, 971)
    await owner.press_data(TeamCb(action="role", member_id=975, role="manager").pack())
    assert await admin.press(YES, question) == []
    assert admin.alert == "Управлять командой могут только владелец и администраторы."
    assert await state_of(app, 971) == ("manager", True)
    assert await role_events(app) == 1  # Алиса's own demotion only


def person(user_id: int, role: str, active: bool = True) -> User:
    return User(id=user_id, full_name="", role=role, active=active, language="ru", timezone="UTC")


@pytest.mark.parametrize(
    ("actor", "role", "asked"),
    [("admin", "admin", True), ("owner", "admin", False), ("owner", "manager", False)],
)
def test_who_is_asked_before_giving_a_role(actor: str, role: str, asked: bool) -> None:
    assert gives_away(person(1, actor), role) is asked


@pytest.mark.parametrize(
    ("actor", "target", "role", "refused"),
    [
        (person(1, "admin"), person(2, "manager"), "admin", None),
        (person(1, "owner"), person(2, "admin"), "manager", None),
        (person(1, "admin"), person(2, "admin"), "admin", ErrorCode.ROLE_UNCHANGED),
        (person(1, "admin"), person(2, "admin"), "manager", ErrorCode.NOT_ALLOWED),
        (
            person(1, "admin"),
            person(2, "manager", active=False),
            "admin",
            ErrorCode.MEMBER_INACTIVE,
        ),
        (person(1, "manager"), person(2, "manager"), "admin", ErrorCode.NOT_ALLOWED),
        (person(1, "admin", active=False), person(2, "manager"), "admin", ErrorCode.NOT_ALLOWED),
        (person(1, "admin"), person(1, "admin"), "manager", ErrorCode.NOT_ALLOWED),
        (person(1, "owner"), person(2, "owner"), "admin", ErrorCode.NOT_ALLOWED),
        (person(1, "owner"), person(2, "manager"), "owner", ErrorCode.NOT_ALLOWED),
        (None, person(2, "manager"), "admin", ErrorCode.NOT_ALLOWED),
    ],
)
def test_why_a_role_may_not_be_given(
    actor: User | None, target: User, role: str, refused: ErrorCode | None
) -> None:
    refusal = role_refusal(actor, target, role)
    assert (refusal.code if refusal is not None else None) == refused
