"""A lead's body in a Content-Encoding: gzip and deflate are read; br and zstd got aiohttp's
plain-text 400 "Please install Brotli" before the route ran, and a coding aiohttp does not know
was read as if it were the body. Now any coding not read is 415 in the route's JSON form."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from multidict import CIMultiDict

from bot.app import App
from storage.models import Lead
from tests.test_intake_web import count, http, new_source

__all__ = ["http"]  # the fixture, used by name

LEAD = json.dumps({"name": "Bob Coded", "phone": "+79990001122"}).encode()


@pytest.mark.parametrize("encoding", ["br", "zstd", "x-unknown", "gzip, br"])
async def test_a_content_encoding_not_read_gets_415_in_json(
    app: App, http: TestClient[web.Request, web.Application], encoding: str
) -> None:
    token = await new_source(app)
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    response = await http.post(f"/leads/{token}", data=LEAD, headers=headers)
    assert response.status == 415, await response.text()
    answer = await response.json()
    assert answer["ok"] is False and "Content-Encoding" in answer["error"], answer
    assert await count(app, Lead) == 0


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(LEAD)),
        ("deflate", zlib.compress(LEAD)),
        ("deflate", zlib.compress(LEAD)[2:-4]),  # a bare deflate stream, as some send
        ("identity", LEAD),
    ],
)
async def test_gzip_and_deflate_bodies_are_read(
    app: App, http: TestClient[web.Request, web.Application], encoding: str, body: bytes
) -> None:
    token = await new_source(app)
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    response = await http.post(f"/leads/{token}", data=body, headers=headers)
    assert response.status == 200, await response.text()
    assert await count(app, Lead) == 1


async def test_a_body_inflating_past_the_limit_gets_413(
    app: App, http: TestClient[web.Request, web.Application]
) -> None:
    token = await new_source(app)
    bomb = gzip.compress(b'{"name": "' + b"a" * 200_000 + b'"}')
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = await http.post(f"/leads/{token}", data=bomb, headers=headers)
    assert response.status == 413
    assert (await response.json())["ok"] is False
    assert await count(app, Lead) == 0


@pytest.mark.parametrize(
    ("second", "body", "status"),
    [("gzip", gzip.compress(gzip.compress(LEAD)), 200), ("br", gzip.compress(LEAD), 415)],
    ids=["gzip-gzip", "gzip-br"],
)
async def test_a_content_encoding_on_two_lines_is_one_list(
    app: App,
    http: TestClient[web.Request, web.Application],
    second: str,
    body: bytes,
    status: int,
) -> None:
    """Two Content-Encoding lines ("gzip", then "br") are "gzip, br": the second was not read
    (only the first line was), and the body then refused as "not UTF-8" or stored wrong."""
    token = await new_source(app)
    headers = CIMultiDict(
        [
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
            ("Content-Encoding", second),
        ]
    )
    response = await http.post(f"/leads/{token}", data=body, headers=headers)
    assert response.status == status, await response.text()
    assert await count(app, Lead) == (status == 200)
