"""Spam on one of several leads on a card: the card goes (back) to the archive when the
last lead that brought it in is thrown out, never while another lead on it waits in
/incoming (the alert says so), and stays when a member took one of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.intake.queue import QueuedLead
from crm.intake.sources import IssuedToken
from crm.parsing.lead_fields import read_form
from handlers.intake.callbacks import LeadAction, LeadCb
from storage.models import Client
from tests.client_helpers import member
from tests.conftest import OWNER_ID

FORM = [("name", "Casino"), ("phone", "+79990001122")]
WAITING = "Marked as spam: its deal moved to lost; the card stays active while another lead on it waits in /incoming."  # noqa: E501
AGAIN = (
    "Marked as spam: the card it brought back from the archive is archived again, "
    "its deal moved to lost."
)
ANOTHER = (
    "Marked as spam: its deal moved to lost; the card another lead brought back from the "
    "archive, spam too, is archived again."
)
TAKEN = (
    "Marked as spam: its deal moved to lost; the card stays, a member took another of its leads."
)


async def source(app: App) -> IssuedToken:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        return await crm.lead_sources.create(owner, "Site", open_deal=True)


async def waiting(app: App) -> list[int]:
    """The queued leads' ids, oldest first."""
    async with app.crm.open() as crm:
        return [
            lead.lead_id
            for lead in reversed(await crm.incoming.waiting(await member(app, OWNER_ID)))
        ]


async def archived(app: App, client_id: int) -> bool:
    async with app.crm.open() as crm:
        card = await crm.client_edits.visible(await member(app, OWNER_ID), client_id)
        return card.archived_at is not None


async def press(user: SimulatedUser, action: LeadAction, lead_id: int) -> None:
    [queue] = await user.send("/incoming")
    await user.press_data(LeadCb(action=action, lead_id=lead_id, listed=1).pack(), queue)


async def archived_card_back_with_two_leads(
    app: App, owner_en: SimulatedUser
) -> tuple[int, int, int]:
    """A spammer's card, archived by Spam; one delivery brings two more leads on it, which
    restore it. The card's id and the two leads', oldest first."""
    issued = await source(app)
    async with app.crm.open() as crm:
        await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", "1")]))
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    async with app.crm.open() as crm:
        drafts = [crm.intake.draft(issued.token, read_form([*FORM, ("n", str(n))])) for n in (2, 3)]
        await crm.intake.accept_many(drafts)
        [later, first] = await crm.incoming.waiting(await member(app, OWNER_ID))
    assert later.client_id == first.client_id
    assert not await archived(app, first.client_id)  # the delivery restored it
    return first.client_id, first.lead_id, later.lead_id


@pytest.mark.parametrize("later_first", [True, False], ids=["later first", "first lead first"])
async def test_spam_on_either_lead_of_a_delivery_waits_for_the_other(
    app: App, owner_en: SimulatedUser, later_first: bool
) -> None:
    """Spam on the later lead, which did not write the "unarchived" line, said the card was
    there before and left it; Spam on the first archived it under the other lead waiting
    in /incoming. Now the card waits for the other lead, then goes back with it."""
    card, first, later = await archived_card_back_with_two_leads(app, owner_en)
    one, other = (later, first) if later_first else (first, later)
    await press(owner_en, LeadAction.SPAM, one)
    assert owner_en.alert == WAITING
    assert not await archived(app, card)
    await press(owner_en, LeadAction.SPAM, other)
    assert owner_en.alert == (ANOTHER if other == later else AGAIN)
    assert await archived(app, card)


async def set_archived(app: App, client_id: int, archived: bool) -> None:
    async with app.crm.open() as crm:
        await crm.client_edits.set_archived(await member(app, OWNER_ID), client_id, archived)


async def older_and_newer(
    app: App,
    owner_en: SimulatedUser,
    clock: ManualClock,
    before_archive: Callable[[QueuedLead], Awaitable[None]] | None = None,
) -> tuple[int, QueuedLead, QueuedLead]:
    """A card without a manager (a spammer's, restored by the owner); a lead waits on it
    (``before_archive`` is done with it), the owner archives the card, a second lead
    brings it back. The card's id, and the two leads, the one from before the archive first."""
    issued = await source(app)

    async def arrives(n: int) -> QueuedLead:
        clock.advance(timedelta(minutes=5))
        async with app.crm.open() as crm:
            await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", str(n))]))
            return (await crm.incoming.waiting(await member(app, OWNER_ID)))[0]

    spammer = await arrives(0)
    card = spammer.client_id
    await press(owner_en, LeadAction.SPAM, spammer.lead_id)
    assert await archived(app, card)
    await set_archived(app, card, False)
    older = await arrives(1)
    assert older.client_id == card
    if before_archive is not None:
        await before_archive(older)
    clock.advance(timedelta(minutes=5))
    await set_archived(app, card, True)
    newer = await arrives(2)
    assert newer.client_id == card
    assert not await archived(app, card)  # the second lead brought it back
    clock.advance(timedelta(minutes=5))
    return card, older, newer


@pytest.mark.parametrize("older_last", [True, False], ids=["older lead last", "older lead first"])
async def test_a_lead_from_before_the_archive_thrown_out_last_takes_the_card_back(
    app: App, owner_en: SimulatedUser, clock: ManualClock, older_last: bool
) -> None:
    """Spam on the second lead, then on the first, said "the client's card was there
    before, so it stays" and left the card active though only spam had brought it back;
    now whichever goes last archives it."""
    card, older, newer = await older_and_newer(app, owner_en, clock)
    one, other = (newer, older) if older_last else (older, newer)
    await press(owner_en, LeadAction.SPAM, one.lead_id)
    assert owner_en.alert == WAITING
    assert not await archived(app, card)
    await press(owner_en, LeadAction.SPAM, other.lead_id)
    assert owner_en.alert == (ANOTHER if older_last else AGAIN)
    assert await archived(app, card)


async def test_a_card_whose_lead_from_before_the_archive_was_taken_stays(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """The owner takes the lead that waited on the card from before it was archived, after
    the second lead brought it back: Spam on the second archived the card again, under
    the client the owner had just taken (only leads from the second one on counted)."""
    card, older, newer = await older_and_newer(app, owner_en, clock)
    await press(owner_en, LeadAction.TAKE, older.lead_id)
    clock.advance(timedelta(minutes=5))
    await press(owner_en, LeadAction.SPAM, newer.lead_id)
    assert owner_en.alert == TAKEN
    assert not await archived(app, card)


async def test_a_lead_taken_before_the_card_was_archived_does_not_keep_it(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Taken before the owner archived the card (and the card left without a manager),
    the older lead is no reason to keep it: the spam that alone brought it back takes
    it back to the archive."""

    async def taken(older: QueuedLead) -> None:
        await press(owner_en, LeadAction.TAKE, older.lead_id)
        async with app.engine.begin() as db:  # nobody's card: the next lead waits in /incoming
            await db.execute(
                update(Client).where(Client.id == older.client_id).values(manager_id=None)
            )

    card, _older, newer = await older_and_newer(app, owner_en, clock, taken)
    await press(owner_en, LeadAction.SPAM, newer.lead_id)
    assert owner_en.alert == AGAIN
    assert await archived(app, card)


async def test_spam_leaves_the_card_when_a_member_took_another_lead_of_the_delivery(
    app: App, owner_en: SimulatedUser
) -> None:
    card, first, later = await archived_card_back_with_two_leads(app, owner_en)
    await press(owner_en, LeadAction.TAKE, first)
    await press(owner_en, LeadAction.SPAM, later)
    assert owner_en.alert == TAKEN
    assert not await archived(app, card)


async def test_a_new_card_waits_for_its_second_lead_in_russian(
    app: App, owner_en: SimulatedUser
) -> None:
    """A card its first lead made, with a second lead on it waiting: Spam on the first used
    to archive it under the waiting lead; now it stays until the second is spam too."""
    issued = await source(app)
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.members.set_language(owner, "ru")
        await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", "1")]))
        await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", "2")]))
    first, second = await waiting(app)
    async with app.crm.open() as crm:
        [lead, _] = await crm.incoming.waiting(await member(app, OWNER_ID))
    await press(owner_en, LeadAction.SPAM, first)
    assert owner_en.alert == (
        "Отмечено как спам: сделка заявки — в «Проиграно»; карточка остаётся в работе, "
        "пока другая её заявка ждёт в /incoming."
    )
    assert not await archived(app, lead.client_id)
    await press(owner_en, LeadAction.SPAM, second)
    assert owner_en.alert == (
        "Отмечено как спам: сделка заявки — в «Проиграно»; карточка, созданная прежней "
        "заявкой (тоже спамом), в архиве."
    )
    assert await archived(app, lead.client_id)


BROUGHT_BACK = {
    "en": "Marked as spam: its deal moved to lost; the card stays, a member brought it back "
    "from the archive.",
    "ru": "Отмечено как спам: сделка заявки — в «Проиграно»; карточка остаётся: её вернул из "
    "архива сотрудник.",
}


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_card_the_owner_archived_and_restored_stays_when_its_first_lead_is_spam(
    app: App, owner_en: SimulatedUser, clock: ManualClock, language: str
) -> None:
    """The card a lead made, archived and restored by the owner while the lead waited:
    the owner kept it, so Spam on that lead leaves it, and says a member brought it back.
    It said "the client's card was there before", which it was not."""
    issued = await source(app)
    async with app.crm.open() as crm:
        await crm.members.set_language(await member(app, OWNER_ID), language)
        await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", "1")]))
        [lead] = await crm.incoming.waiting(await member(app, OWNER_ID))
    clock.advance(timedelta(minutes=5))
    await set_archived(app, lead.client_id, True)
    await set_archived(app, lead.client_id, False)
    await press(owner_en, LeadAction.SPAM, lead.lead_id)
    assert owner_en.alert == BROUGHT_BACK[language]
    assert not await archived(app, lead.client_id)


async def test_a_card_the_owner_restored_before_the_lead_came_was_there_before(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """A spammer's card the owner restored by hand, then a lead on it: Spam on that lead
    leaves the card, which was there before the lead, and says so, not that a member
    brought it back since."""
    issued = await source(app)
    async with app.crm.open() as crm:
        await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", "1")]))
        [spammer] = await crm.incoming.waiting(await member(app, OWNER_ID))
    await press(owner_en, LeadAction.SPAM, spammer.lead_id)
    await set_archived(app, spammer.client_id, False)
    clock.advance(timedelta(minutes=5))
    async with app.crm.open() as crm:
        await crm.intake.accept_form(issued.token, read_form([*FORM, ("n", "2")]))
        [lead] = await crm.incoming.waiting(await member(app, OWNER_ID))
    assert lead.client_id == spammer.client_id
    await press(owner_en, LeadAction.SPAM, lead.lead_id)
    assert owner_en.alert == (
        "Marked as spam: its deal moved to lost; the client's card was there before, so it stays."
    )
    assert not await archived(app, lead.client_id)
