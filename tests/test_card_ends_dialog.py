"""Opening a card ends the question a dialog left waiting: the card says that what is sent
now goes into its history, so the next text must not answer a question asked on another
card (a reply into a customer's chat, a deal's lost reason, a comment, an edit)."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.deals.callbacks import DealAction, DealCb, DealField
from handlers.records.callbacks import Ent, EntCb
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.models import Client, Event, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_deal_card import deal_now, make_deal
from tests.test_open_card import comments_of
from tests.test_task_screens import make_task

HINT = "Всё, что вы отправите сейчас, попадёт в историю этой карточки."
MAX = 200_002
IVAN = customer(900_001, "Ivan", "Petrov", username="ivanp")
OLGA = customer(900_002, "Olga", username="olga_k")


def client_card(client_id: int) -> str:
    return ClientCb(action=CardAction.OPEN, client_id=client_id).pack()


def deal_card(deal_id: int) -> str:
    return DealCb(action=DealAction.OPEN, deal_id=deal_id).pack()


async def client_named(app: App, name: str) -> Client:
    async with app.crm.open() as crm:
        session = crm.clients._session
        found = await session.scalar(select(Client).where(Client.name == name))
    assert found is not None
    return found


async def two_chats(app: App, join: Joiner) -> tuple[SimulatedUser, SimulatedBusiness]:
    """Max, whose Business account has chats with Ivan and with Olga (a card each)."""
    max_ = await join(MAX, first_name="Max", language_code="en")
    account = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-max")
    await account.connect()
    await account.writes(IVAN, "Is it in stock?")
    await account.writes(OLGA, "Hello")
    return max_, account


def said_to_customers(account: SimulatedBusiness, since: int) -> list[SendMessage]:
    requests = account.session.requests[since:]
    return [r for r in requests if isinstance(r, SendMessage) and r.chat_id in (IVAN.id, OLGA.id)]


async def test_a_reply_asked_on_one_card_does_not_take_a_note_on_another(
    app: App, join: Joiner
) -> None:
    max_, account = await two_chats(app, join)
    ivan, olga = await client_named(app, "Ivan Petrov"), await client_named(app, "Olga")
    [other] = await max_.send("/clients")
    [ivan_card] = await max_.press_data(client_card(ivan.id))
    await max_.press("Reply in Telegram", ivan_card)
    assert "Send the reply to Ivan Petrov" in max_.last_message().text
    # Olga's card, from another message: what is sent now goes into her card's history.
    [card] = await max_.press_data(client_card(olga.id), other)
    assert "What you send now goes into this card's history." in card.text
    before = len(account.session.requests)
    await max_.send("private: she may be the one who never pays")
    assert said_to_customers(account, before) == []
    note = "private: she may be the one who never pays"
    assert await comments_of(app, client_id=olga.id) == [note]
    assert await comments_of(app, client_id=ivan.id) == []


async def test_a_card_opened_from_an_old_message_ends_the_reply_asked_on_another(
    app: App, join: Joiner
) -> None:
    """Ivan's card is an old message; Olga's reply is asked; Ivan's card pressed there."""
    max_, account = await two_chats(app, join)
    ivan, olga = await client_named(app, "Ivan Petrov"), await client_named(app, "Olga")
    [ivan_card] = await max_.send("/find ivan")
    [olga_card] = await max_.send("/find olga")
    await max_.press("Reply in Telegram", olga_card)
    await max_.press_data(client_card(ivan.id), ivan_card)
    before = len(account.session.requests)
    await max_.send("called him, he will come on Friday")
    assert said_to_customers(account, before) == []
    assert await comments_of(app, client_id=ivan.id) == ["called him, he will come on Friday"]
    assert await comments_of(app, client_id=olga.id) == []


async def test_a_lost_reason_asked_on_one_deal_is_not_taken_from_another_card(
    app: App, owner: SimulatedUser
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    petr = await make_client(app, OWNER_ID, "Пётр Кузнецов")
    deal = await make_deal(app, alena.id, title="Поставка")
    [other] = await owner.send("/clients")
    [deal_message] = await owner.send("/find алёна")
    await owner.press_data(deal_card(deal.id), deal_message)
    await owner.press_data(DealCb(action=DealAction.LOST, deal_id=deal.id).pack(), deal_message)
    [card] = await owner.press_data(client_card(petr.id), other)
    assert card.text.rstrip().endswith(HINT)
    await owner.send("не платит вовремя")
    still = await deal_now(app, deal.id)
    assert (still.closed_at, still.lost_reason) == (None, None)
    assert await comments_of(app, client_id=petr.id) == ["не платит вовремя"]


@pytest.mark.parametrize(
    "question",
    [
        DealCb(action=DealAction.COMMENT, deal_id=1).pack(),
        DealCb(action=DealAction.EDIT_FIELD, deal_id=1, field=DealField.TITLE).pack(),
        ClientCb(action=CardAction.COMMENT, client_id=1).pack(),
        ClientCb(action=CardAction.EDIT_FIELD, client_id=1, code="city").pack(),
        TaskCb(action=TaskAction.TITLE, task_id=1).pack(),
    ],
)
async def test_a_question_of_one_card_is_ended_by_opening_a_deal(
    app: App, owner: SimulatedUser, question: str
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    assert alena.id == 1
    petr = await make_client(app, OWNER_ID, "Пётр Кузнецов")
    supply = await make_deal(app, alena.id, title="Поставка")
    assert supply.id == 1
    mounting = await make_deal(app, petr.id, title="Монтаж")
    task = await make_task(app, OWNER_ID, "позвонить", 1, client_id=alena.id)
    assert task.id == 1
    await owner.press_data(deal_card(supply.id))
    await owner.press_data(question)
    [card] = await owner.press_data(deal_card(mounting.id))
    assert card.text.rstrip().endswith(HINT)
    await owner.send("замер в среду")
    assert await comments_of(app, deal_id=mounting.id) == ["замер в среду"]
    assert await comments_of(app, client_id=alena.id) == []
    assert (await deal_now(app, supply.id)).title == "Поставка"
    async with app.crm.open() as crm:
        session = crm.clients._session
        kinds = list(await session.scalars(select(Event.kind).where(Event.client_id == alena.id)))
    assert not {"comment", "field_changed"} & set(kinds)
    assert (await client_named(app, "Алёна Смирнова")).city is None
    async with app.crm.open() as crm:
        assert (await crm.clients._session.get(Task, task.id)).title == "позвонить"  # type: ignore[union-attr]


async def test_a_comment_asked_on_a_record_is_ended_by_opening_a_client(
    app: App, owner: SimulatedUser
) -> None:
    alena = await make_client(app, OWNER_ID, "Алёна Смирнова")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        suppliers = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
        acme = await crm.records.create(me, suppliers.id, "Acme")
    [other] = await owner.send("/clients")
    await owner.press_data(EntCb(action=Ent.COMMENT, kind="record", card=acme.id).pack())
    await owner.press_data(client_card(alena.id), other)
    await owner.send("привезти образцы")
    assert await comments_of(app, client_id=alena.id) == ["привезти образцы"]
    async with app.crm.open() as crm:
        session = crm.clients._session
        on_acme = list(await session.scalars(select(Event.text).where(Event.record_id == acme.id)))
    assert "привезти образцы" not in on_acme


async def test_a_reply_asked_on_a_card_is_ended_by_opening_a_record(app: App, join: Joiner) -> None:
    """A record's card is the open card too (files go into it): opening it ends the reply
    asked on Ivan's card, so the text typed next is not sent into his Telegram chat."""
    max_, account = await two_chats(app, join)
    ivan = await client_named(app, "Ivan Petrov")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        acme = await crm.records.create(owner, suppliers.id, "Acme")
        await crm.records.set_manager(owner, acme.id, MAX)
    [ivan_card] = await max_.press_data(client_card(ivan.id))
    await max_.press("Reply in Telegram", ivan_card)
    [card] = await max_.press_data(EntCb(action=Ent.RECORD, kind="record", card=acme.id).pack())
    assert card.text.startswith("🏭 Supplier: Acme"), card.text
    before = len(account.session.requests)
    await max_.send("Acme wants prepayment for Ivan's order")
    assert said_to_customers(account, before) == []


async def test_a_reply_to_another_card_is_not_taken_by_the_question(app: App, join: Joiner) -> None:
    """Olga's reply is asked; the member answers Ivan's card's message with a note."""
    max_, account = await two_chats(app, join)
    ivan, olga = await client_named(app, "Ivan Petrov"), await client_named(app, "Olga")
    [ivan_card] = await max_.send("/find ivan")
    [olga_card] = await max_.send("/find olga")
    await max_.press("Reply in Telegram", olga_card)
    before = len(account.session.requests)
    await max_.send("he asked for a discount, do not give it", reply_to=ivan_card)
    assert said_to_customers(account, before) == []
    assert await comments_of(app, client_id=ivan.id) == ["he asked for a discount, do not give it"]
    assert await comments_of(app, client_id=olga.id) == []
    await max_.send("are you still there?")  # the question is over: a note, not a reply
    assert said_to_customers(account, before) == []
