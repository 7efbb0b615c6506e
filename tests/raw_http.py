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


async def short_body(
    client: TestClient,  # type: ignore[type-arg]
    path: str,
    headers: list[tuple[bytes, bytes]],
    wait: float = 10,
) -> tuple[int, bytes, float]:
    """POST whose Content-Length says 100 bytes and whose body has 5, the connection kept
    open: the answer's status and head, and the seconds it took to come (TimeoutError
    after ``wait``)."""
    lines = [f"POST {path} HTTP/1.1".encode(), b"Host: test", b"Content-Length: 100"]
    lines += [name + b": " + value for name, value in headers]
    reader, writer = await asyncio.open_connection(client.host, client.port)
    started = asyncio.get_running_loop().time()
    try:
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + b'{"a":')
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), wait)
    finally:
        writer.close()
    seconds = asyncio.get_running_loop().time() - started
    return int(head.split(b" ", 2)[1]), head, seconds
