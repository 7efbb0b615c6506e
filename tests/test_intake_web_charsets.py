"""POST /leads/{token} with a body in the charset its Content-Type declares (older
1C-Bitrix sites post windows-1251), a JSON body led by UTF-8's byte order mark, a
charset no codec reads or a body of another type (415, with the reason), and JSON numbers
read as written."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import App
from storage.models import Client, Event, Lead
from tests.test_intake_web import count, http, new_source

__all__ = ["http"]  # the fixture, used by name


async def names(app: App) -> set[str]:
    async with app.crm.open() as crm:
        return set(await crm.clients._session.scalars(select(Client.name)))


async def test_a_form_in_windows_1251_is_read_in_its_charset(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    raw = "name=Иван Петров&phone=89991112234".encode("cp1251")
    escaped = b"name=%C0%ED%ED%E0&phone=89991112235"  # "Анна", percent-encoded in cp1251
    for body in (raw, escaped):
        response = await http.post(
            f"/leads/{token}",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=windows-1251"},
        )
        assert response.status == 200, await response.text()
    json_body = '{"name": "Борис", "phone": "89991112236"}'.encode("cp1251")
    response = await http.post(
        f"/leads/{token}",
        data=json_body,
        headers={"Content-Type": 'application/json; charset="Windows-1251"'},
    )
    assert response.status == 200, await response.text()
    part = (
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n'
        b"Content-Type: text/plain; charset=windows-1251\r\n\r\n"
        + "Вера".encode("cp1251")
        + b"\r\n--b--\r\n"
    )
    response = await http.post(
        f"/leads/{token}", data=part, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status == 200, await response.text()
    assert await names(app) == {"Иван Петров", "Анна", "Борис", "Вера"}


async def test_a_json_body_led_by_a_byte_order_mark_is_read(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    body = b"\xef\xbb\xbf" + '{"name": "Ольга", "phone": "+79991112237"}'.encode()
    response = await http.post(
        f"/leads/{token}", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 200, await response.text()
    assert await names(app) == {"Ольга"}


@pytest.mark.parametrize("charset", ["klingon-8", "base64"])
async def test_a_charset_no_codec_reads_gets_415_with_the_reason(
    app: App, http: TestClient[web.Request, web.Application], charset: str
) -> None:
    token = await new_source(app)
    response = await http.post(
        f"/leads/{token}",
        data=b"name=Bob",
        headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
    )
    assert response.status == 415
    answer = await response.json()
    assert answer == {"ok": False, "error": f"unknown charset '{charset}'"}
    assert await count(app, Lead) == 0


async def test_a_body_not_in_its_declared_charset_gets_400_naming_it(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    response = await http.post(
        f"/leads/{token}",
        data=b"name=\xff\xfe\xfd",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert response.status == 400
    assert (await response.json())["error"] == "the body is not UTF-8"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/xml", b"<lead/>"),
        ("text/plain", b"name=Bob"),
        ("application/octet-stream", b'{"name": "Bob"}'),
        (None, b'{"name": "Bob"}'),  # no Content-Type and nothing like a form
    ],
)
async def test_a_body_of_a_type_not_read_gets_415_with_the_types_read(
    app: App,
    http: TestClient[web.Request, web.Application],
    content_type: str | None,
    body: bytes,
) -> None:
    """Not a malformed body (400): one of a kind this server does not read, which HTTP
    answers 415 Unsupported Media Type, as a charset no codec reads is."""
    token = await new_source(app)
    headers = {"Content-Type": content_type} if content_type else {}
    skipped = () if content_type else ("Content-Type",)
    response = await http.post(
        f"/leads/{token}", data=body, headers=headers, skip_auto_headers=skipped
    )
    assert response.status == 415
    answer = await response.json()
    assert answer == {
        "ok": False,
        "error": "expected JSON, form-urlencoded or multipart/form-data",
    }
    assert await count(app, Lead) == 0


async def test_json_numbers_are_kept_as_the_form_wrote_them(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    """Read as floats, a number past a float's range made a lead named "inf", and a long
    one lost its digits: a price or an order number came out as something else."""
    token = await new_source(app)
    body = b'{"name": 1e400, "Order": 12345678901234567.5, "Price": 1.10, "Qty": 3}'
    response = await http.post(
        f"/leads/{token}", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 200, await response.text()
    assert await names(app) == {"1e400"}
    async with app.crm.open() as crm:
        event = await crm.clients._session.scalar(select(Event).where(Event.kind == "lead"))
    assert event is not None
    assert event.data["fields"] == {"Order": "12345678901234567.5", "Price": "1.10", "Qty": "3"}
