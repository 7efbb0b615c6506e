"""A request body's ``Content-Encoding``, undone here rather than by aiohttp.

aiohttp decodes gzip and deflate itself, but answers ``br`` and ``zstd`` (without their
optional libraries) with its own plain-text 400 before any route runs, and hands any other
coding over as it came, to be read as if it were the body. The server therefore takes
bodies as they arrive (``auto_decompress`` off, ``bot.web.server``), and each route undoes
the coding here: gzip and deflate are read, any other coding is refused (415), and what a
body inflates to is held to the same limit as a body sent plain.
"""

from __future__ import annotations

import zlib

from aiohttp import web

from bot.web.form_body import BodyError, Unsupported

UNDECODABLE = "the body does not decode as its Content-Encoding says"
_GZIP = 16 + zlib.MAX_WBITS


class UndecodableBody(BodyError):
    """The body's Content-Encoding (gzip, deflate) does not decode: answered 400."""


class UnsupportedEncoding(Unsupported):
    """A Content-Encoding this server does not read (br, zstd, any other): answered 415."""


def decode_body(request: web.BaseRequest, body: bytes, limit: int) -> bytes | None:
    """``request``'s ``body`` with the codings of its ``Content-Encoding`` undone, last applied
    first; None when it inflates past ``limit`` bytes. The header sent on two lines is one
    list, as HTTP has it (``gzip`` then ``br`` is ``gzip, br``), not its first line alone."""
    lines = request.headers.getall("Content-Encoding", [])
    codings = [c.strip().lower() for c in ",".join(lines).split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        if coding in ("gzip", "x-gzip"):
            wbits = _GZIP
        elif coding == "deflate":
            # As aiohttp: zlib's wrapping when the first byte says so, else a bare stream.
            wbits = zlib.MAX_WBITS if body[:1] and body[0] & 0xF == 8 else -zlib.MAX_WBITS
        else:
            raise UnsupportedEncoding(
                f"the Content-Encoding {coding[:40]!r} is not read here: "
                "send the body as it is, or gzip or deflate it"
            )
        inflated = _inflate(body, wbits, limit)
        if inflated is None:
            return None
        body = inflated
    return body


def _inflate(body: bytes, wbits: int, limit: int) -> bytes | None:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise UndecodableBody(UNDECODABLE) from None
    if len(out) > limit:
        return None
    if not inflater.eof or inflater.unused_data:
        raise UndecodableBody(UNDECODABLE)
    return out
