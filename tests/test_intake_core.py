"""The incoming queue and the per-source figures through the CRM core, on every backend."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from crm.clock import ManualClock
from crm.errors import Conflict, InvalidInput, NotAllowed, NotFound
from crm.intake.batch import Accepted
from crm.parsing.lead_fields import read_form
from storage.models import Client, Deal, Event, Lead, OutboxMessage, User
from tests.client_helpers import member
from tests.conftest import OWNER_ID, Joiner

MAX, ANNA = 200_002, 200_003


async def add_source(app: App, name: str = "Сайт", **options: object) -> str:
    async with app.crm.open() as crm:
        owner = await member_in(crm, OWNER_ID)
        issued = await crm.lead_sources.create(owner, name, **options)  # type: ignore[arg-type]
    return issued.token


async def member_in(crm: object, user_id: int) -> User:
    found = await crm.members.get_active(user_id)  # type: ignore[attr-defined]
    assert found is not None
    return found  # type: ignore[no-any-return]


async def post(app: App, token: str, **fields: str) -> int:
    async with app.crm.open() as crm:
        accepted = await crm.intake.accept_form(token, read_form(list(fields.items())))
    return accepted.lead_id


async def test_two_members_pressing_take_at_once_one_wins(app: App, join: Joiner) -> None:
    await join(MAX, first_name="Max")
    await join(ANNA, first_name="Anna")
    lead_id = await post(
        app, await add_source(app, open_deal=True), name="Гость", phone="+79991234567"
    )

    async def take(user_id: int) -> str:
        async with app.crm.open() as crm:
            try:
                await crm.incoming.take(await member_in(crm, user_id), lead_id)
            except Conflict as refused:
                return f"{refused.code}:{refused.params.get('name')}"
            return "won"

    results = await asyncio.gather(take(MAX), take(ANNA))
    assert sorted(results)[0].startswith("lead_taken:") and "won" in results
    winner = MAX if results[0] == "won" else ANNA
    loser_sees = results[1] if winner == MAX else results[0]
    assert loser_sees == f"lead_taken:{(await member(app, winner)).full_name}"
    async with app.crm.open() as crm:
        lead = await crm.incoming._session.get(Lead, lead_id)  # the tables, read directly
        assert lead is not None and lead.taken_by == winner
        client = await crm.incoming._session.get(Client, lead.client_id)
        deal = await crm.incoming._session.get(Deal, lead.deal_id)
        assert client is not None and client.manager_id == winner
        assert deal is not None and deal.manager_id == winner
        assert await crm.incoming.waiting(await member_in(crm, MAX)) == []
        with pytest.raises(Conflict) as again:
            await crm.incoming.take(await member_in(crm, winner), lead_id)
        assert again.value.code == "lead_yours"


async def test_spam_archives_the_card_and_loses_the_deal(app: App, join: Joiner) -> None:
    await join(MAX)
    source = await add_source(app, open_deal=True)
    spam_id = await post(app, source, name="Casino", email="win@spam.io")
    keep_id = await post(app, source, name="Real", email="real@x.ru")
    async with app.crm.open() as crm:
        max_ = await member_in(crm, MAX)
        assert [q.lead_id for q in await crm.incoming.waiting(max_)] == [keep_id, spam_id]
        await crm.incoming.spam(max_, spam_id)
        with pytest.raises(Conflict) as twice:
            await crm.incoming.take(max_, spam_id)
        assert twice.value.code == "lead_spam"
        lead = await crm.incoming._session.get(Lead, spam_id)
        assert lead is not None
        client = await crm.incoming._session.get(Client, lead.client_id)
        deal = await crm.incoming._session.get(Deal, lead.deal_id)
        assert client is not None and client.archived_at is not None
        assert deal is not None and deal.closed_at is not None and deal.lost_reason == "spam"
        assert [q.lead_id for q in await crm.incoming.waiting(max_)] == [keep_id]
        kinds = list(
            await crm.incoming._session.scalars(
                select(Event.kind).where(Event.client_id == client.id).order_by(Event.id)
            )
        )
    assert kinds == ["client_created", "lead", "deal_created", "deal_lost", "lead_spam"]


async def test_a_lead_of_a_client_given_to_another_is_neither_listed_taken_nor_spammed(
    app: App, join: Joiner
) -> None:
    await join(MAX)
    await join(ANNA)
    lead_id = await post(
        app, await add_source(app, open_deal=True), name="Big Customer", phone="+79991112233"
    )
    async with app.crm.open() as crm:
        lead = await crm.incoming._session.get(Lead, lead_id)
        assert lead is not None and lead.client_id is not None
        client_id = lead.client_id
        # Queued, then the owner gives the card to Anna from the card, not through "Take it".
        await crm.client_edits.set_manager(await member_in(crm, OWNER_ID), client_id, ANNA)
    async with app.crm.open() as crm:
        max_ = await member_in(crm, MAX)
        assert await crm.incoming.waiting(max_) == []
        with pytest.raises(NotFound):
            await crm.incoming.spam(max_, lead_id)
        with pytest.raises(NotFound):
            await crm.incoming.take(max_, lead_id)
        assert [q.lead_id for q in await crm.incoming.waiting(await member_in(crm, ANNA))] == [
            lead_id
        ]
        session = crm.incoming._session
        lead = await session.get(Lead, lead_id, populate_existing=True)
        client = await session.get(Client, client_id, populate_existing=True)
    assert lead is not None and (lead.taken_by, lead.spam_at) == (None, None)
    assert client is not None and client.archived_at is None


async def test_sources_are_the_owners_and_checked(app: App, join: Joiner) -> None:
    await join(MAX)
    async with app.crm.open() as crm:
        owner, max_ = await member_in(crm, OWNER_ID), await member_in(crm, MAX)
        with pytest.raises(NotAllowed):
            await crm.lead_sources.create(max_, "Мой сайт")
        for bad in (
            ("member", ()),
            ("member", (MAX, OWNER_ID)),
            ("round_robin", (999,)),
            ("x", ()),
        ):
            with pytest.raises(InvalidInput) as refused:
                await crm.lead_sources.create(owner, "Сайт", bad[0], bad[1])
            assert refused.value.code == "bad_assignment"
        with pytest.raises(InvalidInput):
            await crm.lead_sources.create(owner, "   ")
        issued = await crm.lead_sources.create(owner, "  Лендинг   весна ", "member", (MAX,))
        assert issued.source.name == "Лендинг весна"
        assert (await crm.lead_sources.by_token(issued.token)) is not None
        await crm.lead_sources.remove(owner, issued.source.id)
        assert await crm.lead_sources.by_token(issued.token) is None


async def test_a_lead_without_contacts_still_makes_a_card_named_after_the_source(app: App) -> None:
    source = await add_source(app, "Квиз")
    await post(app, source, comment="Сколько стоит?")
    async with app.crm.open() as crm:
        client = await crm.incoming._session.scalar(select(Client))
    assert client is not None and (client.name, client.source) == ("Квиз", "Квиз")


OCTOBER = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


async def test_per_source_figures_match_hand_computed_numbers(app: App, clock: ManualClock) -> None:
    """Сайт: 4 new clients in October (one from a second source of the same name, no
    deal), 3 deals opened, 2 of them won (100.00 + 50.00) and 1 lost; a September
    client's deal won in October (70.00) counts as won in October, not as a new client:
    3 won, 220.00. Квиз: 2 new clients, 2 deals, none won.
    Conversion = October's new clients with a won deal / new clients: Сайт 2/4, Квиз 0/2.
    """
    clock.set(datetime(2026, 9, 20, 10, tzinfo=UTC))
    site = await add_source(app, "Сайт", open_deal=True)
    quiz = await add_source(app, "Квиз", open_deal=True)
    old = await post(app, site, name="Сентябрь", phone="+79990000009")
    clock.set(datetime(2026, 10, 2, 10, tzinfo=UTC))
    site_leads = [await post(app, site, name=f"S{i}", phone=f"+7999111000{i}") for i in range(3)]
    clock.advance(timedelta(hours=1))
    async with app.crm.open() as crm:
        owner = await member_in(crm, OWNER_ID)
        no_deal = await crm.lead_sources.create(owner, "Сайт")  # same name: same source on cards
    await post(app, no_deal.token, name="S3", phone="+79991110003")
    quiz_leads = [await post(app, quiz, name=f"Q{i}", phone=f"+7999222000{i}") for i in range(2)]
    clock.advance(timedelta(days=3))
    async with app.crm.open() as crm:
        owner = await member_in(crm, OWNER_ID)
        stages = {s.code: s.id for s in await crm.pipelines.stages()}
        session = crm.incoming._session

        async def deal_of(lead_id: int) -> int:
            deal_id = (await session.get(Lead, lead_id)).deal_id  # type: ignore[union-attr]
            assert deal_id is not None
            return deal_id

        for lead_id, amount in ((site_leads[0], 10_000), (site_leads[1], 5_000), (old, 7_000)):
            await crm.deals.set_amount(owner, await deal_of(lead_id), amount)
            await crm.deals.move(owner, await deal_of(lead_id), stages["won"])
        await crm.deals.move(owner, await deal_of(site_leads[2]), stages["lost"], "дорого")
        await crm.deals.move(owner, await deal_of(quiz_leads[0]), stages["contact"])
        figures = {f.source: f for f in await crm.reports.by_source(owner, *OCTOBER)}
    site_f, quiz_f = figures["Сайт"], figures["Квиз"]
    assert (site_f.new_clients, site_f.deals_opened, site_f.deals_won) == (4, 3, 3)
    assert site_f.won_amount == 22_000
    assert site_f.conversion == pytest.approx(2 / 4)
    assert (quiz_f.new_clients, quiz_f.deals_opened, quiz_f.deals_won, quiz_f.won_amount) == (
        2,
        2,
        0,
        0,
    )
    assert quiz_f.conversion == 0
    assert list(figures) == ["Сайт", "Квиз"]


async def test_one_batch_with_retries_a_shared_phone_and_a_bad_token(app: App) -> None:
    token = await add_source(app, open_deal=True)
    forms = [
        read_form([("name", "A"), ("phone", "+79990000001"), ("tranid", "1")]),
        read_form([("name", "A"), ("phone", "+79990000001"), ("tranid", "1")]),  # retry
        read_form([("name", "A2"), ("phone", "8 999 000-00-01"), ("tranid", "2")]),  # same phone
        read_form([("name", "B"), ("email", "b@x.ru")]),
    ]
    async with app.crm.open() as crm:
        drafts = [crm.intake.draft(token, form) for form in forms]
        drafts.append(crm.intake.draft("no-such-token", forms[3]))
        outcomes = await crm.intake.accept_many(drafts)
        first, retry, same_phone, other, unknown = outcomes
        assert isinstance(first, Accepted) and isinstance(retry, Accepted)
        assert (retry.lead_id, retry.duplicate) == (first.lead_id, True)
        assert isinstance(same_phone, Accepted) and not same_phone.duplicate
        assert isinstance(other, Accepted) and isinstance(unknown, NotFound)
        session = crm.incoming._session
        leads = {lead.id: lead for lead in await session.scalars(select(Lead))}
        assert len(leads) == 3
        assert leads[first.lead_id].client_id == leads[same_phone.lead_id].client_id
        assert (leads[first.lead_id].new_client, leads[same_phone.lead_id].new_client) == (
            True,
            False,
        )
        names = sorted(await session.scalars(select(Client.name)))
        deals = list(await session.scalars(select(Deal.client_id)))
    assert names == ["A", "B"]
    assert len(deals) == 3  # a deal per lead, two of them on A's card


async def test_a_lead_after_the_newest_card_was_deleted_is_stored_and_announced(
    app: App,
) -> None:
    """A new card does not get the id of the newest one deleted (an old message's buttons
    would act on it), and the group chat's notice of it is announced."""
    async with app.crm.open() as crm:
        await crm.groups.bind(await member_in(crm, OWNER_ID), -100_500, "Team")
    token = await add_source(app, assign="member", member_ids=(OWNER_ID,))
    first = await post(app, token, name="Гость", phone="+79990000001")
    async with app.crm.open() as crm:
        lead = await crm.incoming._session.get(Lead, first)
        assert lead is not None and lead.client_id is not None
        await crm.client_edits.delete(await member_in(crm, OWNER_ID), lead.client_id)
    second = await post(app, token, name="Другой", phone="+79990000002")
    async with app.crm.open() as crm:
        session = crm.incoming._session
        heard = await session.scalars(
            select(OutboxMessage.payload["name"].as_string())
            .where(OutboxMessage.chat_id == -100_500, OutboxMessage.kind == "group_new_client")
            .order_by(OutboxMessage.id)
        )
        assert list(heard) == ["Гость", "Другой"]
        later = await session.get(Lead, second)
        assert later is not None and later.client_id is not None
        assert later.client_id > lead.client_id
        assert await session.get(Client, lead.client_id) is None


async def test_a_managers_figures_by_source_count_their_own_deals_as_their_report_does(
    app: App, join: Joiner, clock: ManualClock
) -> None:
    """A manager's /report counts the deals they hold; By source counted the deals on their
    clients instead: a deal of theirs on a client nobody has (a lead in the queue) was not
    there, and a deal given to someone else on their client was, amount and all."""
    await join(MAX, first_name="Max")
    await join(ANNA, first_name="Anna")
    clock.set(datetime(2026, 10, 2, 10, tzinfo=UTC))
    queued = await post(app, await add_source(app, "Квиз", open_deal=True), name="Q")
    site = await add_source(app, "Сайт", assign="member", member_ids=(MAX,), open_deal=True)
    maxs = await post(app, site, name="S")
    clock.advance(timedelta(hours=1))
    async with app.crm.open() as crm:
        owner, max_, anna = [await member_in(crm, i) for i in (OWNER_ID, MAX, ANNA)]
        await crm.settings.set_managers_see_all(owner, True)
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")
        session = crm.incoming._session
        leads = [await session.get(Lead, lead_id) for lead_id in (queued, maxs)]
        queued_deal, maxs_deal = [lead.deal_id if lead else None for lead in leads]
        assert queued_deal is not None and maxs_deal is not None
        await crm.deals.set_manager(owner, queued_deal, MAX)  # Max's deal, nobody's client
        await crm.deals.set_amount(max_, queued_deal, 10_000)
        await crm.deals.move(max_, queued_deal, won)
        await crm.deals.set_manager(owner, maxs_deal, ANNA)  # Anna's deal on Max's client
        await crm.deals.set_amount(anna, maxs_deal, 70_000)
        await crm.deals.move(anna, maxs_deal, won)
        report = await crm.reports.report(max_, *OCTOBER)
        figures = {f.source: f for f in await crm.reports.by_source(max_, *OCTOBER)}
    assert (report.won_count, report.won_amount) == (1, 10_000)
    quiz, site = figures["Квиз"], figures["Сайт"]
    assert (quiz.deals_opened, quiz.deals_won, quiz.won_amount) == (1, 1, 10_000)
    assert (site.new_clients, site.deals_opened, site.deals_won, site.won_amount) == (1, 0, 0, 0)
