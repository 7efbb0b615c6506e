"""POST /leads/{token} through aiohttp's test client, on every backend."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from bot.web import refusals
from bot.web.leads import MAX_BUCKETS, LeadWriter, RateLimiter, add_lead_routes
from bot.web.server import build_web_app
from crm.clock import ManualClock
from crm.intake.batch import Accepted
from crm.intake.drafts import LeadDraft
from crm.intake.sources import MAX_TOKEN
from crm.tokens import token_hash
from storage.models import Client, ClientPhone, Deal, Event, Lead, OutboxMessage
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.raw_http import raw_request, short_body
from tests.test_client_card import open_card


async def web_client(app: App, **limits: int) -> TestClient[web.Request, web.Application]:
    """The bot's HTTP server as it runs (``build_web_app``), with the lead intake's route."""

    def lead_routes(web_app: web.Application) -> None:
        add_lead_routes(web_app, app.crm, **limits)

    web_app = build_web_app(app, route_adders=(lead_routes,))
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(web_app))
    await client.start_server()
    return client


@pytest.fixture
async def http(app: App) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    client = await web_client(app)
    yield client
    await client.close()


async def new_source(app: App, **options: object) -> str:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        issued = await crm.lead_sources.create(owner, "Сайт", **options)  # type: ignore[arg-type]
    return issued.token


async def count(app: App, model: type[object]) -> int:
    async with app.crm.open() as crm:
        session = crm.clients._session
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_json_lead_makes_a_card_a_timeline_line_and_a_notice(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app, assign="member", member_ids=(OWNER_ID,), open_deal=True)
    body = {
        "Name": "Иван Петров",
        "Phone": "8 (999) 123-45-67",
        "Email": "Ivan@Mail.RU",
        "comment": "Нужен расчёт",
        "utm_source": "yandex",
        "Размер": "XL",
    }
    response = await http.post(f"/leads/{token}", json=body)
    assert response.status == 200
    answer = await response.json()
    assert answer["ok"] is True and answer["duplicate"] is False
    async with app.crm.open() as crm:
        session = crm.clients._session
        client = await session.scalar(select(Client))
        assert client is not None
        assert (client.name, client.source, client.manager_id) == ("Иван Петров", "Сайт", OWNER_ID)
        phone = await session.scalar(select(ClientPhone.e164))
        assert phone == "+79991234567"
        event = await session.scalar(select(Event).where(Event.kind == "lead"))
        assert event is not None and event.text == "Нужен расчёт"
        assert event.data["utm"] == {"utm_source": "yandex"}
        assert event.data["fields"] == {"Размер": "XL"}
        deal = await session.scalar(select(Deal))
        assert deal is not None and deal.manager_id == OWNER_ID
        notice = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "lead_new"))
        assert notice is not None and notice.chat_id == OWNER_ID
        assert notice.payload["deal_id"] == deal.id


async def test_form_urlencoded_and_multipart_are_read(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    form = await http.post(
        f"/leads/{token}", data={"name": "Анна", "phone": "+79990000001", "formid": "f1"}
    )
    assert form.status == 200
    boundary = "----kartoteka"
    parts = [
        'Content-Disposition: form-data; name="имя"\r\n\r\nБорис',
        'Content-Disposition: form-data; name="телефон"\r\n\r\n+79990000002',
        'Content-Disposition: form-data; name="file"; filename="plan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF",
    ]
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    sent = await http.post(
        f"/leads/{token}",
        data=body.encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert sent.status == 200, await sent.text()
    async with app.crm.open() as crm:
        session = crm.clients._session
        names = set(await session.scalars(select(Client.name)))
        files = [
            e.data["fields"]
            for e in await session.scalars(select(Event).where(Event.kind == "lead"))
        ]
    assert names == {"Анна", "Борис"}
    assert {"file": "[file plan.pdf, not stored]"} in files


async def test_tilda_check_is_200_and_stores_nothing(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    response = await http.post(f"/leads/{token}", data={"test": "test"})
    assert response.status == 200
    assert await count(app, Lead) == 0 and await count(app, Client) == 0


async def test_a_retried_submission_is_one_lead(
    app: App, http: TestClient[web.Request, web.Application], clock: ManualClock
) -> None:
    token = await new_source(app, open_deal=True)
    tilda = {"Name": "Олег", "Phone": "+79991110000", "tranid": "777:1"}
    first = await (await http.post(f"/leads/{token}", data=tilda)).json()
    again = await (await http.post(f"/leads/{token}", data=tilda)).json()
    assert again == {"ok": True, "lead": first["lead"], "duplicate": True}
    plain = {"name": "Вера", "email": "vera@x.ru"}
    one = await (await http.post(f"/leads/{token}", json=plain)).json()
    clock.advance(timedelta(minutes=2))
    two = await (await http.post(f"/leads/{token}", json=plain)).json()
    assert two["duplicate"] is True and two["lead"] == one["lead"]
    assert (await count(app, Lead), await count(app, Client), await count(app, Deal)) == (2, 2, 2)
    # The same body much later is a new lead of the known client: no new card.
    clock.advance(timedelta(hours=1))
    later = await (await http.post(f"/leads/{token}", json=plain)).json()
    assert later["duplicate"] is False and later["lead"] != one["lead"]
    assert (await count(app, Lead), await count(app, Client)) == (3, 2)


async def test_a_submission_posted_again_with_its_phone_written_otherwise_is_one_lead(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    """A form posted twice within the window, its phone and e-mail typed differently the
    second time (a site that reformats them, a person who retypes them): one lead."""
    token = await new_source(app, open_deal=True)
    first = {"name": "Жанна", "phone": "+7 999 111-22-36", "email": "Zh@Mail.ru"}
    again = {"name": "Жанна", "phone": "8 (999) 1112236", "email": "zh@mail.ru"}
    one = await (await http.post(f"/leads/{token}", json=first)).json()
    two = await (await http.post(f"/leads/{token}", json=again)).json()
    assert two == {"ok": True, "lead": one["lead"], "duplicate": True}
    other = await http.post(f"/leads/{token}", json={**again, "phone": "89991112237"})
    assert (await other.json())["duplicate"] is False
    assert (await count(app, Lead), await count(app, Deal)) == (2, 2)


async def test_a_known_client_is_found_by_phone_in_another_format(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    await http.post(f"/leads/{token}", json={"name": "Ира", "phone": "+7 999 222-33-44"})
    await http.post(f"/leads/{token}", json={"name": "Ирина", "phone": "89992223344", "x": "1"})
    assert (await count(app, Lead), await count(app, Client)) == (2, 1)


async def test_a_lead_on_an_archived_card_restores_it_and_says_so(
    app: App, http: TestClient[web.Request, web.Application], owner_en: SimulatedUser
) -> None:
    """A returning customer whose card was archived: the lead, its deal and the card were
    out of every list. The card is restored, its timeline saying a lead brought it back."""
    old = await make_client(app, OWNER_ID, "Old Ivan", phones=("+79991234567",))
    async with app.crm.open() as crm:
        await crm.client_edits.set_archived(await member(app, OWNER_ID), old.id, True)
    token = await new_source(app, assign="member", member_ids=(OWNER_ID,), open_deal=True)
    both = [{"name": "Ivan", "phone": "8 999 123-45-67", "n": str(n)} for n in (1, 2)]
    for body in both:
        assert (await http.post(f"/leads/{token}", json=body)).status == 200
    assert (await count(app, Client), await count(app, Deal)) == (1, 2)
    [clients] = await owner_en.send("/clients")
    assert "Old Ivan" in clients.text + " ".join(t for t, _d, _u in clients.buttons)
    [deals] = await owner_en.send("/deals")
    assert "New lead: 2 ·" in deals.text  # both deals counted: their client is not archived
    async with app.crm.open() as crm:
        kinds = list(
            await crm.clients._session.scalars(
                select(Event.kind).where(Event.client_id == old.id).order_by(Event.id)
            )
        )
    assert kinds == [
        *("client_created", "archived", "unarchived"),
        *("lead", "deal_created", "lead", "deal_created"),  # restored once for two leads
    ]
    card = await open_card(owner_en, old.id)
    assert "♻️ restored from the archive: a new lead came in on it" in card


async def test_bad_and_replaced_tokens_get_a_bare_404(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    unknown = await http.post("/leads/nope", json={"name": "x"})
    nowhere = await http.post("/no/such/page", json={"name": "x"})
    assert unknown.status == nowhere.status == 404
    assert await unknown.text() == await nowhere.text()
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        [source] = await crm.lead_sources.all(owner)
        fresh = await crm.lead_sources.replace_token(owner, source.id)
    old = await http.post(f"/leads/{token}", json={"name": "x"})
    new = await http.post(f"/leads/{fresh.token}", json={"name": "x"})
    assert (old.status, new.status) == (404, 200)


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("application/json", b"{not json", "invalid JSON: Expecting property name"),
        ("application/json", b"[1, 2]", "the JSON body must be an object of fields"),
        ("application/json", b'{"name": {"a": 1}}', "nested objects are not form fields"),
        ("application/x-www-form-urlencoded", b"", "empty body"),
        ("application/x-www-form-urlencoded", b"name", "malformed form-urlencoded body"),
        ("application/x-www-form-urlencoded", b"name=%FF", "the body is not UTF-8"),
        ("application/json", '{"name": "Иван"}'.encode("cp1251"), "the body is not UTF-8"),
        ("multipart/form-data", b"x", "multipart body without a boundary"),
        ("application/json", b'{"tranid": "1"}', "no fields with values"),
        ("application/json", b'{"x": ' + b"1" * 5000 + b"}", "invalid JSON: a number too long"),
        ("application/json", b'{"name": NaN}', "invalid JSON: NaN is not a JSON value"),
        ("application/json", b'{"name": "Bob", "n": -Infinity}', "invalid JSON: -Infinity is"),
        ("application/json", b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "invalid JSON: nested"),
        (
            "application/json",
            b'{"name": "Bob", "x": ' + b"[" * 900 + b'"y"' + b"]" * 900 + b"}",
            "lists nested too deeply",
        ),
        ("application/json", b'{"name": "Bob \\ud800"}', "a field is not Unicode text"),
        ("application/json", b'{"\\udfff": "x"}', "a field is not Unicode text"),
        ("application/json", b'{"name": ["a", "b\\u0000"]}', "a field holds a NUL character"),
        ("application/x-www-form-urlencoded", b"name=a%00b", "a field holds a NUL character"),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\na\x00b\r\n--b--\r\n',
            "a field holds a NUL character",
        ),
        # Headers the email package itself trips on (IndexError, ValueError).
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="x"; filename*\r\n\r\na\r\n--b--\r\n',
            "malformed multipart body",
        ),
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=x; filename*=u\x00tf-8''a\r\n\r\n"
            b"a\r\n--b--\r\n",
            "malformed multipart body",
        ),
    ],
)
async def test_a_malformed_body_gets_400_with_the_reason(
    app: App,
    http: TestClient[web.Request, web.Application],
    content_type: str,
    body: bytes,
    reason: str,
) -> None:
    token = await new_source(app)
    response = await http.post(f"/leads/{token}", data=body, headers={"Content-Type": content_type})
    assert response.status == 400
    answer = await response.json()
    assert answer["ok"] is False and answer["error"].startswith(reason)
    assert await count(app, Lead) == 0


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"not gzip at all"),
        ("deflate", b"\xff" + zlib.compress(b'{"name": "Bob"}')),
    ],
)
async def test_a_body_whose_content_encoding_does_not_decode_gets_400(
    app: App, http: TestClient[web.Request, web.Application], encoding: str, body: bytes
) -> None:
    token = await new_source(app)
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    response = await http.post(f"/leads/{token}", data=body, headers=headers)
    assert response.status == 400
    answer = await response.json()
    assert answer["ok"] is False and answer["error"].startswith("the body does not decode")
    unknown = await http.post("/leads/nope", data=body, headers=headers)
    assert unknown.status == 404
    assert await count(app, Lead) == 0


async def test_a_content_type_with_bytes_that_are_not_utf8_gets_400_or_415(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    """A boundary that is no text: a malformed body (400); a type that is none of those read:
    an unsupported one (415)."""
    token = await new_source(app)
    body = b'--\xff\r\nContent-Disposition: form-data; name="name"\r\n\r\nBob\r\n--\xff--\r\n'
    for content_type, expected in (
        (b"multipart/form-data; boundary=\xff", 400),
        (b"application/json\xff", 415),
    ):
        status, answer = await raw_request(
            http, "POST", f"/leads/{token}", [(b"Content-Type", content_type)], body
        )
        assert status == expected, answer
        assert json.loads(answer)["ok"] is False
    assert await count(app, Lead) == 0


@pytest.mark.parametrize("known", [True, False])
async def test_a_body_shorter_than_its_content_length_is_answered_408_in_time(
    app: App, monkeypatch: pytest.MonkeyPatch, known: bool
) -> None:
    """The caller says 100 bytes and sends 5: its connection, and the handler, waited
    for the rest for ever. Now it is answered once ``BODY_SECONDS`` have passed (a
    made-up token with the same bare 404 as ever), and the connection is closed."""
    monkeypatch.setattr(refusals, "BODY_SECONDS", 0.5)
    token = await new_source(app) if known else "made-up-token"
    client = await web_client(app)
    try:
        json_body = [(b"Content-Type", b"application/json")]
        status, head, seconds = await short_body(client, f"/leads/{token}", json_body)
    finally:
        await client.close()
    assert status == (408 if known else 404), head
    assert b"Connection: close" in head
    assert 0.5 <= seconds < 5
    assert await count(app, Lead) == 0


async def write_at_once(app: App, drafts: list[LeadDraft]) -> list[object]:
    """The drafts given to a ``LeadWriter`` as one batch; each one's outcome or exception."""
    writer = LeadWriter(app.crm)
    submitted = [asyncio.ensure_future(writer.submit(draft)) for draft in drafts]
    await asyncio.sleep(0)  # all queued before the writer takes its first batch
    running = asyncio.create_task(writer.run())
    try:
        return await asyncio.gather(*submitted, return_exceptions=True)
    finally:
        running.cancel()


async def test_a_lead_that_cannot_be_stored_fails_alone_not_the_batch_it_came_in(
    app: App,
) -> None:
    token = await new_source(app)
    # Text the database refuses, got past the body's checks: it fails as it is written.
    bad = LeadDraft(token_hash(token), "b:bad", name="Bad \ud800")
    goods = [LeadDraft(token_hash(token), f"b:{i}", name=f"Good {i}") for i in range(5)]
    outcomes = await write_at_once(app, [goods[0], bad, *goods[1:]])
    assert isinstance(outcomes[1], Exception)
    assert all(isinstance(o, Accepted) for o in (outcomes[0], *outcomes[2:])), outcomes
    assert await count(app, Lead) == await count(app, Client) == 5


async def test_a_body_too_large_gets_413(app: App) -> None:
    client = await web_client(app, max_body=2048)
    try:
        token = await new_source(app)
        response = await client.post(f"/leads/{token}", json={"comment": "x" * 3000})
        assert response.status == 413
        assert await count(app, Lead) == 0
    finally:
        await client.close()


async def test_a_flood_from_one_token_is_cut_at_the_limit(app: App) -> None:
    client = await web_client(app, rate_per_minute=5)
    try:
        token = await new_source(app)
        other = await new_source(app)
        answers = await asyncio.gather(
            *(
                client.post(f"/leads/{token}", json={"name": f"N{i}", "x": str(i)})
                for i in range(12)
            )
        )
        statuses = sorted(r.status for r in answers)
        assert statuses == [200] * 5 + [429] * 7
        assert all(r.headers["Retry-After"] for r in answers if r.status == 429)
        assert await count(app, Lead) == 5
        # Another source's token has its own budget.
        assert (await client.post(f"/leads/{other}", json={"name": "Z"})).status == 200
    finally:
        await client.close()


async def test_a_queue_lead_tells_the_owners_and_the_team_chat(
    app: App, http: TestClient[web.Request, web.Application], join: Joiner
) -> None:
    await join(200_002, first_name="Max")
    token = await new_source(app)
    response = await http.post(f"/leads/{token}", json={"name": "Гость", "phone": "+79995554433"})
    assert response.status == 200
    async with app.crm.open() as crm:
        session = crm.clients._session
        notices = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "lead_queue"))
        )
        client = await session.scalar(select(Client))
    assert [n.chat_id for n in notices] == [OWNER_ID]
    assert client is not None and client.manager_id is None
    # The manager hears nothing: the lead is nobody's until someone takes it.
    assert await member(app, 200_002) is not None


async def test_round_robin_gives_leads_in_turn(
    app: App, http: TestClient[web.Request, web.Application], join: Joiner
) -> None:
    await join(200_002)
    await join(200_003)
    token = await new_source(app, assign="round_robin", member_ids=(200_002, 200_003))
    for i in range(4):
        response = await http.post(
            f"/leads/{token}", json={"name": f"L{i}", "phone": f"+7999000000{i}"}
        )
        assert response.status == 200
    async with app.crm.open() as crm:
        session = crm.clients._session
        managers = list(await session.scalars(select(Client.manager_id).order_by(Client.id)))
    assert managers == [200_002, 200_003, 200_002, 200_003]


async def test_a_lead_on_the_client_of_a_member_who_left_waits_in_the_queue(
    app: App, http: TestClient[web.Request, web.Application], join: Joiner
) -> None:
    max_ = await join(200_002, first_name="Max")
    token = await new_source(app, assign="member", member_ids=(200_002,))
    lead = {"name": "Ира", "phone": "+79992223344"}
    assert (await http.post(f"/leads/{token}", json=lead)).status == 200
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.handoff.deactivate(owner, 200_002, None)  # left; Ира's card stays his
    await app.sender.drain_once()
    told_before = len(max_.chat_messages())
    again = await http.post(f"/leads/{token}", json={**lead, "comment": "Call me, secret"})
    assert again.status == 200
    await app.sender.drain_once()
    async with app.crm.open() as crm:
        session = crm.clients._session
        stored = await session.get(Lead, (await again.json())["lead"])
        assert stored is not None
        notices = list(
            await session.scalars(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.payload["lead_id"].as_integer() == stored.id
                )
            )
        )
    assert max_.chat_messages()[told_before:] == []
    assert stored.taken_by is None and notices == [OWNER_ID]


async def test_a_lead_notice_is_not_sent_to_a_member_who_left_before_it_went_out(
    app: App, http: TestClient[web.Request, web.Application], join: Joiner
) -> None:
    max_ = await join(200_002, first_name="Max")
    await app.sender.drain_once()
    told_before = len(max_.chat_messages())
    token = await new_source(app, assign="member", member_ids=(200_002,))
    sent = await http.post(f"/leads/{token}", json={"name": "Ира", "comment": "secret"})
    assert sent.status == 200
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.handoff.deactivate(owner, 200_002, None)
    await app.sender.drain_once()
    # Only that their access was turned off (tests/test_team_notices.py): not the lead.
    [told] = max_.chat_messages()[told_before:]
    assert told.text.startswith("Ваш доступ к Картотеке отключён.")


def test_a_flood_of_made_up_tokens_does_not_reset_a_real_tokens_limit() -> None:
    limiter = RateLimiter(per_minute=5)
    assert [limiter.allow("real", now=0.0) for _ in range(5)] == [0.0] * 5
    assert limiter.allow("real", now=0.0) > 0  # spent
    for i in range(3 * MAX_BUCKETS):  # made-up tokens, each a cheap 404
        limiter.allow(f"junk{i}", now=1.0)
    assert len(limiter.buckets) <= MAX_BUCKETS
    assert limiter.allow("real", now=1.0) > 0  # still held back


def test_tokens_longer_than_any_source_s_share_one_bucket() -> None:
    limiter = RateLimiter(per_minute=5)
    for i in range(MAX_BUCKETS):  # each a 404, its URL up to aiohttp's 8 KB line
        limiter.allow(f"{i}{'x' * 8000}", now=0.0)
    assert sum(len(key) for key in limiter.buckets) <= MAX_TOKEN
    assert limiter.allow("y" * 8000, now=0.0) > 0  # held back together
    assert limiter.allow("x" * MAX_TOKEN, now=0.0) == 0.0


async def test_what_the_form_said_is_on_the_cards_history(
    app: App, http: TestClient[web.Request, web.Application], owner_en: SimulatedUser
) -> None:
    """The lead's line read "• a change": the customer's message, the form's other fields
    and its UTM tags were kept but shown nowhere on the card (nor were Take it and Spam)."""
    token = await new_source(app)
    message = "Нужен расчёт на пять дверей, " + "с доставкой " * 30 + "до пятницы"
    body = {"name": "Иван", "comment": message, "Размер": "XL", "utm_source": "yandex"}
    lead = await (await http.post(f"/leads/{token}", json=body)).json()
    spam = await (await http.post(f"/leads/{token}", json={"name": "Казино"})).json()
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        taken = await crm.incoming.take(owner, lead["lead"])
        spammed = await crm.incoming.spam(owner, spam["lead"])
    assert taken.client_id is not None and spammed.lead.client_id is not None
    card = await open_card(owner_en, taken.client_id)
    line = next(row for row in card.splitlines() if "📥" in row)
    assert line.startswith("02.03 12:00: 📥 lead from Сайт: Нужен расчёт на пять дверей")
    assert line.endswith("… · Размер: XL · utm_source: yandex")
    assert "02.03 12:00 · Olga Owner: ✋ lead taken" in card
    await owner_en.press("📖 Read whole")
    assert owner_en.last_message().text == message
    async with app.crm.open() as crm:
        await crm.client_edits.set_archived(owner, spammed.lead.client_id, False)
    spam_card = await open_card(owner_en, spammed.lead.client_id)
    assert "· Olga Owner: 🚫 lead marked as spam: the card went to the archive" in spam_card
    async with app.crm.open() as crm:  # the same in Russian
        await crm.members.set_language(owner, "ru")
    card = await open_card(owner_en, taken.client_id)
    assert "📥 заявка с формы «Сайт»: Нужен расчёт" in card
    assert "Olga Owner: ✋ заявка взята в работу" in card
