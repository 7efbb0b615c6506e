"""Reading a form's body (JSON, form-urlencoded or multipart) into ``(name, value)`` pairs."""

from __future__ import annotations

import codecs
import contextlib
import json
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl


class BodyError(ValueError):
    """Not a form body; ``args[0]`` is the reason told to the sender."""


class Unsupported(BodyError):
    """A body of a kind this server does not read (its Content-Type): answered 415."""


class UnknownCharset(Unsupported):
    """The body declares a charset Python has no codec for: answered 415."""


def read_pairs(content_type: str, body: bytes) -> list[tuple[str, object]]:
    """The body's fields, every name and text in them one the database can store."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        pairs = _json(body, _charset(content_type))
    elif kind == "application/x-www-form-urlencoded" or (not kind and b"=" in body):
        pairs = _urlencoded(body, _charset(content_type))
    elif kind == "multipart/form-data":
        pairs = _multipart(content_type, body)
    else:
        raise Unsupported("expected JSON, form-urlencoded or multipart/form-data")
    _check_texts(pairs)
    return pairs


def _check_texts(pairs: list[tuple[str, object]]) -> None:
    """Refuse a lone surrogate (JSON's ``"\\ud800"``: no UTF-8 has it) and NUL (PostgreSQL's
    text has none): either would fail the lead's write, and with it its batch's.

    A loop, not recursion: a JSON body may nest as deep as the parser went.
    """
    stack: list[object] = [item for pair in pairs for item in pair]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, str):
            if "\x00" in item:
                raise BodyError("a field holds a NUL character")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BodyError("a field is not Unicode text (a lone surrogate)") from exc


def _charset(content_type: str) -> str:
    """The codec of the Content-Type's ``charset`` (older 1C-Bitrix sites post
    ``windows-1251``), UTF-8 when none is declared."""
    message = Message()
    message["Content-Type"] = content_type
    declared = message.get_param("charset")
    if not isinstance(declared, str) or not declared.strip():
        return "utf-8"
    try:
        name = codecs.lookup(declared.strip()).name
        with contextlib.suppress(UnicodeError):
            b"a".decode(name)  # a codec that is no text encoding (base64) is refused here
    except LookupError:
        raise UnknownCharset(f"unknown charset {declared.strip()[:40]!r}") from None
    return name


def _text(body: bytes, charset: str = "utf-8") -> str:
    """The body as text; UTF-8's byte order mark, which some senders put first, is dropped."""
    try:
        return body.decode("utf-8-sig" if charset == "utf-8" else charset)
    except UnicodeError as exc:
        raise BodyError(f"the body is not {_named(charset)}") from exc


def _named(charset: str) -> str:
    return "UTF-8" if charset == "utf-8" else charset


def _json(body: bytes, charset: str) -> list[tuple[str, object]]:
    text = _text(body, charset)  # not decodable: its own reason (BodyError is a ValueError too)
    try:
        # A number with a fraction or an exponent is kept as written: as a float, 1e400 was
        # the text "inf" and 12345678901234567.5 lost its digits ("1.2345678901234568e+16").
        data = json.loads(text, parse_constant=_no_constant, parse_float=str)
    except BodyError:
        raise
    except json.JSONDecodeError as exc:
        raise BodyError(f"invalid JSON: {exc.msg} at position {exc.pos}") from exc
    except ValueError as exc:  # an integer past Python's 4300 digits
        raise BodyError("invalid JSON: a number too long") from exc
    except RecursionError as exc:  # arrays or objects nested past Python's stack
        raise BodyError("invalid JSON: nested too deeply") from exc
    if not isinstance(data, dict):
        raise BodyError("the JSON body must be an object of fields")
    return list(data.items())


def _no_constant(name: str) -> object:
    """Python's json reads NaN and Infinity, which JSON has not: a lead named "nan"."""
    raise BodyError(f"invalid JSON: {name} is not a JSON value")


def _urlencoded(body: bytes, charset: str) -> list[tuple[str, object]]:
    text = _text(body, charset)
    if not text.strip():
        raise BodyError("empty body")
    try:
        return list(
            parse_qsl(
                text, keep_blank_values=True, strict_parsing=True, encoding=charset, errors="strict"
            )
        )
    except UnicodeError as exc:
        raise BodyError(f"the body is not {_named(charset)}") from exc
    except ValueError as exc:
        raise BodyError("malformed form-urlencoded body") from exc


def _multipart(content_type: str, body: bytes) -> list[tuple[str, object]]:
    if "boundary=" not in content_type:
        raise BodyError("multipart body without a boundary")
    # aiohttp keeps a header's bytes that are not UTF-8 as surrogates: give them back as they came.
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode(
        errors="surrogateescape"
    )
    try:
        return _parts(BytesParser(policy=HTTP).parsebytes(head + body))
    except BodyError:
        raise
    except (LookupError, ValueError) as exc:
        # The email package trips on some broken headers itself (an IndexError on
        # ``filename*`` cut short, a ValueError on a NUL in an encoded parameter).
        raise BodyError("malformed multipart body") from exc


def _parts(message: Message) -> list[tuple[str, object]]:
    parts = message.get_payload() if message.is_multipart() else None
    if not isinstance(parts, list) or not parts or message.defects:
        raise BodyError("malformed multipart body")
    pairs: list[tuple[str, object]] = []
    for part in parts:
        if not isinstance(part, Message):
            raise BodyError("malformed multipart body")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise BodyError("a multipart part without a field name")
        filename = part.get_filename()
        if filename:
            pairs.append((name, f"[file {filename}, not stored]"))
            continue
        payload = part.get_payload(decode=True)
        charset = _charset(part.get("Content-Type", ""))  # a part may declare its own
        pairs.append((name, _text(payload, charset) if isinstance(payload, bytes) else ""))
    return pairs
