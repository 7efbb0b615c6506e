"""Invitations: a single-use link, valid for seven days, that tells the inviter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.engine import create_session_factory
from storage.models import Invite, User
from tests.conftest import UserFactory, invite_link
from tests.test_access import REFUSAL_RU


def token_of(link: str) -> str:
    return link.rsplit("=", 1)[1]


async def member(app: App, user_id: int) -> User | None:
    async with create_session_factory(app.engine)() as session:
        return await session.get(User, user_id)


async def test_invite_link_admits_exactly_one_person(
    app: App, owner: SimulatedUser, user: UserFactory, session: OfflineSession
) -> None:
    link = await invite_link(owner, "manager")
    assert link.startswith("https://t.me/kartoteka_bot?start=")
    token = token_of(link)
    assert 16 <= len(token) <= 64

    newcomer = user(800, "Никита", language_code="ru")
    replies = await newcomer.send(f"/start {token}")
    assert replies[0].text == "Добро пожаловать в команду! Ваша роль: менеджер."
    assert replies[-1].reply_keyboard is not None
    joined = await member(app, 800)
    assert joined is not None and joined.active and joined.role == "manager"
    assert joined.full_name == "Никита" and joined.language == "ru"

    # The inviter is told, through the outbox, in their language.
    assert await app.sender.drain_once() == 1
    notice = owner.last_message()
    assert notice.text == "Никита принял(а) приглашение и вошёл(ла) в команду, роль: менеджер."

    # A second person with the same link is told it was used (and nothing of theirs is kept).
    latecomer = user(801, language_code="ru")
    [reply] = await latecomer.send(f"/start {token}")
    assert reply.text == (
        "Эта ссылка-приглашение уже использована. Попросите новую, чтобы войти в команду."
    )
    assert await member(app, 801) is None
    # The first person opening it again just gets the menu, and nothing is sent twice.
    replies = await newcomer.send(f"/start {token}")
    assert replies[-1].text.startswith("Здравствуйте, Никита!")
    assert await app.sender.drain_once() == 0


async def test_expired_and_forged_tokens_are_refused(
    app: App, owner: SimulatedUser, user: UserFactory, clock: ManualClock
) -> None:
    token = token_of(await invite_link(owner, "admin"))
    # The owner is shown until when, on their clock (Moscow): seven days from now.
    assert "действует до 09.03.2026 12:00." in owner.last_message().text
    clock.advance(timedelta(days=7, minutes=1))
    late = user(810, language_code="ru")
    [reply] = await late.send(f"/start {token}")
    assert (
        reply.text == "Срок этой ссылки-приглашения истёк. Попросите новую, чтобы войти в команду."
    )
    assert await member(app, 810) is None
    [reply] = await user(813, language_code="en").send(f"/start {token}")
    assert reply.text == "This invitation link has expired. Ask for a new one to join the team."
    assert await member(app, 813) is None

    fresh = token_of(await invite_link(owner, "admin"))
    for forged in (fresh[:-1] + ("A" if fresh[-1] != "A" else "B"), "x" * 70, "../../etc", "0"):
        [reply] = await user(811, language_code="ru").send(f"/start {forged}")
        assert reply.text == REFUSAL_RU
    assert await member(app, 811) is None
    # The real one still works, just before it expires.
    clock.advance(timedelta(days=6, hours=23))
    replies = await user(812, language_code="en").send(f"/start {fresh}")
    assert replies[0].text == "Welcome to the team! Your role: admin."


async def test_invite_button_pressed_twice_makes_one_invite(app: App, owner: SimulatedUser) -> None:
    await owner.send("/invite")
    keyboard_message = owner.last_message()
    data = keyboard_message.buttons[0][1]
    assert data is not None
    [edited] = await owner.press_data(data, keyboard_message)
    assert "https://t.me/" in edited.text
    assert await owner.press_data(data, keyboard_message) == []
    assert owner.alert == "Эта кнопка больше не действует."
    async with create_session_factory(app.engine)() as db:
        assert await db.scalar(select(func.count()).select_from(Invite)) == 1


async def test_of_two_invite_questions_the_newer_is_the_live_one(
    app: App, owner: SimulatedUser
) -> None:
    """/invite sent twice: the older question's buttons say the newer replaced them and make
    no link; the newer's make it (once)."""
    [older] = await owner.send("/invite")
    [newer] = await owner.send("/invite")
    assert await owner.press("Менеджер", older) == []
    assert owner.alert == "Этот вопрос заменён новым /invite: выберите роль под ним."
    [edited] = await owner.press("Администратор", newer)
    assert "https://t.me/" in edited.text
    await owner.press("Менеджер", older)
    assert owner.alert == "Эта кнопка больше не действует."
    async with create_session_factory(app.engine)() as db:
        assert list(await db.scalars(select(Invite.role))) == ["admin"]


async def test_an_older_invite_question_s_cancel_leaves_the_newer(
    app: App, owner: SimulatedUser
) -> None:
    """/invite sent twice: Cancel under the older question says it is closed and ends
    nothing; the newer question's buttons still make the link."""
    [older] = await owner.send("/invite")
    [newer] = await owner.send("/invite")
    assert await owner.press("✖️ Отмена", older) == []
    assert owner.alert == "Этот вопрос уже закрыт."
    [edited] = await owner.press("Администратор", newer)
    assert "https://t.me/" in edited.text
    async with create_session_factory(app.engine)() as db:
        assert list(await db.scalars(select(Invite.role))) == ["admin"]


async def test_invite_cancel_leaves_no_invite(app: App, owner: SimulatedUser) -> None:
    await owner.send("/invite")
    keyboard_message = owner.last_message()
    role_button = keyboard_message.buttons[0][1]
    assert role_button is not None
    [edited] = await owner.press("Отмена")
    assert edited.text == "Отменено." and edited.buttons == []
    # The old role button, pressed after cancelling, does nothing.
    await owner.press_data(role_button, keyboard_message)
    assert owner.alert == "Эта кнопка больше не действует."
    async with create_session_factory(app.engine)() as db:
        assert await db.scalar(select(func.count()).select_from(Invite)) == 0


async def test_admin_can_invite_and_deactivated_member_can_rejoin(
    app: App, owner: SimulatedUser, user: UserFactory
) -> None:
    admin = user(820, "Алла", language_code="ru")
    await admin.send(f"/start {token_of(await invite_link(owner, 'admin'))}")
    link = await invite_link(admin, "manager")
    manager = user(821, "Марк", language_code="ru")
    await manager.send(f"/start {token_of(link)}")
    assert await app.sender.drain_once() == 2  # the owner heard of Алла, Алла of Марк
    assert admin.last_message().text.startswith("Марк принял(а) приглашение")

    await admin.send("/team")
    await admin.press("Марк")
    await admin.press("Отключить")
    await admin.press("Да, отключить")
    [reply] = await manager.send("/start")
    assert reply.text == REFUSAL_RU
    # A new invitation lets them back in with their history.
    replies = await manager.send(f"/start {token_of(await invite_link(owner, 'manager'))}")
    assert replies[0].text.startswith("Добро пожаловать в команду!")
    rejoined = await member(app, 821)
    assert rejoined is not None and rejoined.active


async def test_a_deactivated_members_unused_link_no_longer_admits(
    app: App, owner: SimulatedUser, user: UserFactory
) -> None:
    """Deactivating an admin ends their invitations too: they cannot come back through a
    link they made before (nor let anyone else in with it)."""
    admin = user(830, "Алла", language_code="ru")
    await admin.send(f"/start {token_of(await invite_link(owner, 'admin'))}")
    own_way_back = await invite_link(admin, "admin")
    for_a_friend = await invite_link(admin, "manager")
    await owner.send("/team")
    await owner.press("Алла")
    await owner.press("Отключить")
    await owner.press("Да, отключить")

    [reply] = await admin.send(f"/start {token_of(own_way_back)}")
    assert reply.text == REFUSAL_RU
    friend = user(831, "Фёдор", language_code="ru")
    [reply] = await friend.send(f"/start {token_of(for_a_friend)}")
    assert reply.text == REFUSAL_RU
    came_back, joined = await member(app, 830), await member(app, 831)
    assert came_back is not None and not came_back.active
    assert joined is None or not joined.active


@pytest.mark.parametrize("change", [("Отключить", "Да, отключить"), ("Сделать: менеджер",)])
async def test_an_inviter_deactivated_or_demoted_before_the_notice_hears_nothing(
    app: App, owner: SimulatedUser, user: UserFactory, change: tuple[str, ...]
) -> None:
    """The "X joined" notice is queued when the link is used; if its inviter is deactivated
    (or is no longer an owner or admin) before it goes out, it is not sent to them."""
    admin = user(840, "Алла", language_code="ru")
    await admin.send(f"/start {token_of(await invite_link(owner, 'admin'))}")
    link = await invite_link(admin, "manager")
    assert await app.sender.drain_once() == 1  # the owner heard of Алла
    heard_before = len(admin.chat_messages())
    await user(841, "Марк", language_code="ru").send(f"/start {token_of(link)}")

    await owner.send("/team")
    await owner.press("Алла")
    for button in change:
        await owner.press(button)
    changed = await member(app, 840)
    assert changed is not None and (not changed.active or changed.role == "manager")
    assert await app.sender.drain_once() == 1
    # Only what was done to them (tests/test_team_notices.py), not who joined by their link.
    [told] = admin.chat_messages()[heard_before:]
    assert told.text.startswith(("Ваш доступ к Картотеке отключён.", "Ваша роль в команде теперь"))
