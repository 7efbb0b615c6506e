"""An HTTP request sent as raw bytes: headers no client library would send (bytes that
are not UTF-8), straight to a test server."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient


async def raw_request(
    client: TestClient,  # type: ignore[type-arg]
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> tuple[int, bytes]:
    """The status and body of the answer; the connection is closed after it."""
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: test", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    lines.append(b"Content-Length: %d" % len(body))
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head, _, content = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), content
