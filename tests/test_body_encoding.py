"""bot.web.body_encoding.decode_body on its own: what a body inflates to is held to the limit
while it inflates (a small gzip of zeros must not grow to its full size in memory first), and
a body that does not decode as its Content-Encoding says is refused, never read as it came."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.web.body_encoding import UndecodableBody, UnsupportedEncoding, decode_body

TEXT = b'{"name": "Bob"}'


def _posted(encoding: str) -> web.Request:
    return make_mocked_request("POST", "/leads/x", headers={"Content-Encoding": encoding})


def _zeros_gzipped(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


def test_a_bomb_is_stopped_at_the_limit_not_inflated_whole() -> None:
    bomb = _zeros_gzipped(64 * 1024 * 1024)  # about 64 KB sent, 64 MB inflated
    tracemalloc.start()
    try:
        assert decode_body(_posted("gzip"), bomb, 1000) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(TEXT)[:-6]),  # cut short
        ("gzip", b"not gzip at all"),
        ("gzip", gzip.compress(TEXT) + b"tail"),  # something after the stream
        ("deflate", b"\x00\x01"),
    ],
    ids=["truncated", "not-gzip", "trailing", "bad-deflate"],
)
def test_a_body_that_does_not_decode_is_refused(encoding: str, body: bytes) -> None:
    with pytest.raises(UndecodableBody):
        decode_body(_posted(encoding), body, 10_000)


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("identity", TEXT),
        ("GZIP", gzip.compress(TEXT)),
        ("identity, x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
    ],
)
def test_a_body_in_a_coding_read_here_decodes(encoding: str, body: bytes) -> None:
    assert decode_body(_posted(encoding), body, len(TEXT)) == TEXT


def test_a_coding_not_read_here_is_refused() -> None:
    with pytest.raises(UnsupportedEncoding):
        decode_body(_posted("zstd"), TEXT, 10_000)
