"""Lead intake through the Dispatcher: sources in /settings, notices, /incoming, Take it at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.simulator import SimulatedUser
from bot.web.leads import add_lead_routes
from crm.clock import ManualClock
from crm.intake.sources import MAX_SOURCES
from crm.parsing.lead_fields import read_form
from handlers.intake.callbacks import LeadAction, LeadCb, SourceAction, SourceCb, SourceTeamCb
from storage.models import Lead
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_member_pickers import FIRST_ID, big_team, name

NBSP = "\u00a0"

MAX, ANNA = 200_002, 200_003


async def post_lead(app: App, url_line: str, body: dict[str, str]) -> int:
    token = url_line.rsplit("/", 1)[1]
    web_app = web.Application()
    add_lead_routes(web_app, app.crm)
    async with TestClient(TestServer(web_app)) as client:
        response = await client.post(f"/leads/{token}", data=body)
        assert response.status == 200
        return int((await response.json())["lead"])


async def add_source_in_settings(owner: SimulatedUser, name: str) -> str:
    await owner.send("/settings")
    await owner.press("Lead sources")
    await owner.press("Add a source")
    [screen] = await owner.send(name)
    return next(line for line in screen.text.splitlines() if line.startswith("POST "))


async def test_owner_adds_a_source_and_a_queued_lead_is_taken_by_one_of_two(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    max_ = await join(MAX, first_name="Max", language_code="en")
    anna = await join(ANNA, first_name="Anna", language_code="en")
    line = await add_source_in_settings(owner_en, "Spring landing")
    assert line.startswith("POST https://<PUBLIC_URL>/leads/")
    assert "Tilda" in owner_en.last_message().text
    lead_id = await post_lead(app, line, {"Name": "Guest", "Phone": "+79991234567"})

    await app.sender.drain_once()
    notice = owner_en.last_message()
    assert "New lead in the queue" in notice.text and "Guest" in notice.text
    assert [text for text, _, _ in notice.buttons] == ["Open", "✋ Take it"]

    [listing] = await max_.send("/incoming")
    assert "Guest · Spring landing" in listing.text
    await anna.send("/incoming")
    data = LeadCb(action=LeadAction.TAKE, lead_id=lead_id, listed=1).pack()
    await asyncio.gather(max_.press_data(data), anna.press_data(data))
    alerts = {max_.alert, anna.alert}
    assert "The lead is yours now." in alerts
    loser = anna if max_.alert == "The lead is yours now." else max_
    winner_name = "Max" if loser is anna else "Anna"
    assert loser.alert == f"Too late: {winner_name} has already taken this lead."
    [empty] = await owner_en.send("/incoming")
    assert "The incoming queue is empty" in empty.text


async def test_replacing_the_token_and_spam_from_incoming(
    app: App, owner_en: SimulatedUser
) -> None:
    line = await add_source_in_settings(owner_en, "Site")
    await owner_en.press("Replace the token")
    assert owner_en.alert == "New token: the old address stopped working."
    new_line = next(
        row for row in owner_en.last_message().text.splitlines() if row.startswith("POST ")
    )
    assert new_line != line
    await post_lead(app, new_line, {"name": "Casino", "email": "win@spam.io"})
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    assert owner_en.alert == "Marked as spam: the card it made is archived."  # no deal opened
    assert "The incoming queue is empty" in owner_en.last_message().text


async def test_a_manager_pressing_spam_on_a_lead_of_anothers_client_is_told_it_is_gone(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(ANNA, first_name="Anna", language_code="en")
    max_ = await join(MAX, first_name="Max", language_code="en")
    line = await add_source_in_settings(owner_en, "Site")
    lead_id = await post_lead(app, line, {"name": "Big Customer", "phone": "+79991112233"})
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        lead = await crm.incoming._session.get(Lead, lead_id)
        assert owner is not None and lead is not None and lead.client_id is not None
        await crm.client_edits.set_manager(owner, lead.client_id, ANNA)
    [listing] = await max_.send("/incoming")
    assert "Big Customer" not in listing.text
    await max_.press_data(LeadCb(action=LeadAction.SPAM, lead_id=lead_id).pack())
    assert max_.alert == "This record no longer exists."
    async with app.crm.open() as crm:
        lead = await crm.incoming._session.get(Lead, lead_id)
    assert lead is not None and lead.spam_at is None


async def test_forged_lead_and_source_buttons_with_huge_ids_are_told_they_are_gone(
    app: App, owner_en: SimulatedUser
) -> None:
    huge = "9" * 23
    for data in (
        f"ld:take:{huge}:0",
        f"ld:spam:{huge}:1",
        f"ls:show:{huge}:0",
        f"ls:member:0:{huge}",
    ):
        await owner_en.press_data(data)
        assert owner_en.alert == "This record no longer exists.", data


async def test_a_manager_cannot_open_lead_sources(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    max_ = await join(MAX, first_name="Max", language_code="en")
    [screen] = await max_.send("/settings")
    assert not any("Lead sources" in text for text, _, _ in screen.buttons)
    await max_.press_data(SourceCb(action=SourceAction.ADD).pack())
    assert max_.alert == "You don't have access to this."


async def test_report_by_source_matches_hand_computed_numbers(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Site: 3 new clients, 3 deals, 1 won for 1 500 ₽ (conversion 1/3 = 33%);
    Quiz: 1 new client, no deal (the source opens none), nothing won."""
    clock.set(datetime(2026, 10, 5, 9, tzinfo=UTC))
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        site = await crm.lead_sources.create(owner, "Site", open_deal=True)
        quiz = await crm.lead_sources.create(owner, "Quiz")
        leads = [
            await crm.intake.accept_form(site.token, read_form([("name", n), ("phone", p)]))
            for n, p in (("A", "+79990000001"), ("B", "+79990000002"), ("C", "+79990000003"))
        ]
        await crm.intake.accept_form(quiz.token, read_form([("name", "D")]))
        lead = await crm.incoming._session.get(Lead, leads[0].lead_id)
        assert lead is not None and lead.deal_id is not None
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")
        await crm.deals.set_amount(owner, lead.deal_id, 150_000)
        await crm.deals.move(owner, lead.deal_id, won)
    clock.advance(timedelta(hours=1))
    [menu] = await owner_en.send("/report")
    await owner_en.press("This month", menu)
    [screen] = await owner_en.press("By source")
    lines = screen.text.splitlines()
    assert lines[0] == "📥 Sources: This month, 01.10.2026–05.10.2026"
    assert lines[2] == f"Site: 3 · 3 · 1 · 33% · 1,500{NBSP}₽"
    assert lines[3] == f"Quiz: 1 · 0 · 0 · 0% · 0{NBSP}₽"


async def test_twenty_leads_with_long_names_can_still_be_listed(
    app: App, owner_en: SimulatedUser
) -> None:
    """Telegram refuses a text over 4096 units: /incoming shortens long names."""
    line = await add_source_in_settings(owner_en, "Long " + "s" * 90)
    for number in range(20):
        body = {"name": f"{number} " + "Guest " * 40, "phone": f"+7999123{number:04d}"}
        await post_lead(app, line, body)
    [listing] = await owner_en.send("/incoming")
    assert listing.text.startswith("Incoming leads, newest first")
    assert "19 Guest Guest" in listing.text and len(listing.buttons) == 60


async def test_a_member_deactivated_since_is_let_go_from_a_sources_turn(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(MAX, first_name="Max", language_code="en")
    await join(ANNA, first_name="Anna", language_code="en")
    await add_source_in_settings(owner_en, "Site")
    source = SourceCb.unpack(owner_en.last_message().buttons[0][1] or "").source_id
    for member_id in (MAX, ANNA):
        await owner_en.press_data(
            SourceCb(action=SourceAction.TURN_IN, source_id=source, member_id=member_id).pack()
        )
    assert "Who gets its leads: in turn: Max, Anna" in owner_en.last_message().text
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.handoff.deactivate(owner, ANNA, None)
    await owner_en.press_data(SourceCb(action=SourceAction.SHOW, source_id=source).pack())
    assert "in turn: Max, Anna (deactivated)" in owner_en.last_message().text
    await owner_en.press_data(
        SourceCb(action=SourceAction.TURN_IN, source_id=source, member_id=OWNER_ID).pack()
    )
    assert owner_en.alert is None or "Choose active" not in owner_en.alert
    assert "Who gets its leads: in turn: Max, " in owner_en.last_message().text
    assert "Anna" not in owner_en.last_message().text
    for member_id in (OWNER_ID, ANNA):  # Anna back in turn, then deactivated again
        await owner_en.press_data(
            SourceCb(action=SourceAction.TURN_OUT, source_id=source, member_id=member_id).pack()
        )
    async with app.crm.open() as crm:
        sources = await crm.lead_sources.all(owner)
    assert [list(s.member_ids) for s in sources] == [[MAX]]
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_active(owner, ANNA, True)
    await owner_en.press_data(
        SourceCb(action=SourceAction.TURN_IN, source_id=source, member_id=ANNA).pack()
    )
    async with app.crm.open() as crm:
        await crm.handoff.deactivate(owner, ANNA, None)
    await owner_en.press_data(
        SourceCb(action=SourceAction.TURN_OUT, source_id=source, member_id=MAX).pack()
    )
    assert "Who gets its leads: nobody: the incoming queue" in owner_en.last_message().text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Marked as spam: its deal moved to lost; the client's card was there before, "
            "so it stays.",
        ),
        (
            "ru",
            "Отмечено как спам: сделка заявки — в «Проиграно»; карточка клиента была и "
            "раньше, она остаётся.",
        ),
    ],
)
async def test_spam_on_a_known_clients_lead_says_the_card_stays_and_the_deal_is_lost(
    app: App, owner_en: SimulatedUser, language: str, said: str
) -> None:
    """Spam archives only a card the lead made: a lead on a client known before moves its
    deal to lost and leaves the card, and the alert says so (it said both were archived)."""
    known = await make_client(app, OWNER_ID, "Пётр", phones=("+79991234567",))
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.members.set_language(owner, language)
        await crm.client_edits.set_manager(owner, known.id, None)  # its leads wait in the queue
        issued = await crm.lead_sources.create(owner, "Site", open_deal=True)
        form = read_form([("name", "Пётр"), ("phone", "8 999 123-45-67")])
        await crm.intake.accept_form(issued.token, form)
    await owner_en.send("/incoming")
    await owner_en.press("Spam" if language == "en" else "Спам")
    assert owner_en.alert == said
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        card = await crm.client_edits.visible(owner, known.id)
        assert card.archived_at is None


async def test_a_big_teams_source_shows_its_members_a_page_at_a_time(
    app: App, owner_en: SimulatedUser
) -> None:
    """A source's screen had two buttons a member: with a team of 120 it passed Telegram's
    100 buttons, so a new source's address never reached the owner, nor any screen of it."""
    await big_team(app, deactivated=0)
    line = await add_source_in_settings(owner_en, "Site")
    assert line.startswith("POST https://<PUBLIC_URL>/leads/")
    screen = owner_en.last_message()

    def labels() -> list[str]:
        return [text for text, _, _ in screen.buttons]

    assert [text for text in labels() if text.startswith("Member")] == [
        name(n) for n in range(1, 9)
    ]
    while name(99) not in labels():
        [screen] = await owner_en.press("▶️", screen)
    assert "13/16" in labels() and len(labels()) <= 100
    turn = next(data for text, data, _ in screen.buttons if text == "🔁 in turn")
    assert turn is not None and SourceTeamCb.unpack(turn).member_id == FIRST_ID + 97
    [screen] = await owner_en.press_data(turn, screen)
    assert "Who gets its leads: in turn: Member 097" in screen.text
    assert "13/16" in labels()  # the screen stays on the page pressed
    [screen] = await owner_en.press(name(99), screen)
    assert "Who gets its leads: all to Member 099" in screen.text
    assert "👤 Member 099" in labels() and "13/16" in labels()


async def test_leads_past_the_first_twenty_in_the_queue_are_a_page_away(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """/incoming showed the twenty newest leads and nothing of the rest: the ones waiting
    longest could not be reached, nor was it said that there were more."""
    line = await add_source_in_settings(owner_en, "Site")
    for number in range(1, 26):
        await post_lead(
            app, line, {"name": f"Guest {number:02d}", "phone": f"+7999000{number:04d}"}
        )
        clock.advance(timedelta(minutes=1))
    [first] = await owner_en.send("/incoming")
    assert "Incoming leads, newest first: 1–20 of 25" in first.text
    assert "1. Guest 25" in first.text and "20. Guest 06" in first.text
    [second] = await owner_en.press("▶️", first)
    assert "Incoming leads, newest first: 21–25 of 25" in second.text
    assert "21. Guest 05" in second.text and "25. Guest 01" in second.text
    take = next(data for text, data, _ in second.buttons if text == "✋ Take it")
    assert take is not None
    [after] = await owner_en.press_data(take, second)
    assert owner_en.alert == "The lead is yours now."
    assert "21–24 of 24" in after.text and "Guest 05" not in after.text  # the same page
    spam = next(data for text, data, _ in after.buttons if text == "🚫 Spam")
    assert spam is not None
    [after] = await owner_en.press_data(spam, after)
    assert "21–23 of 23" in after.text and "Guest 04" not in after.text


async def test_a_source_refused_for_their_number_ends_the_question(
    app: App, owner_en: SimulatedUser
) -> None:
    """At the limit of sources, the name was refused and the question stayed: every text
    the owner sent after (a search, a note) was refused again as a source's name."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        for number in range(MAX_SOURCES):
            await crm.lead_sources.create(owner, f"Form {number}")
    await owner_en.send("/settings")
    await owner_en.press("Lead sources")
    await owner_en.press("Add a source")
    [refused] = await owner_en.send("Spring landing")
    assert refused.text == f"There can be at most {MAX_SOURCES} lead sources."
    [after] = await owner_en.send("Petrov")
    assert "lead sources" not in after.text
    [settings] = await owner_en.send("/settings")  # below the limit: a long name is asked again
    await owner_en.press("Lead sources", settings)
    async with app.crm.open() as crm:
        await crm.lead_sources.remove(owner, (await crm.lead_sources.all(owner))[0].id)
    await owner_en.press("Add a source")
    await owner_en.send("x" * 101)
    [added] = await owner_en.send("Spring landing")
    assert added.text.startswith("🌐 Spring landing")
