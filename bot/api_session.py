"""The Bot API session: aiohttp's, sending JSON and keeping the response types it reads.

Requests go as a JSON body, which the Bot API accepts for every method that
uploads no file (an upload goes as aiogram sends everything: multipart form
data). aiogram's form encoding JSON-encodes each object field and then
percent-encodes the whole form: a ``/help`` answer took 350 µs of CPU to encode
and 5.6 KB on the wire (Cyrillic is six bytes a letter once percent-encoded),
against 130 µs and 2.2 KB as JSON. The values are aiogram's own
(``prepare_value``: bot defaults filled in, objects as dicts), and a field the
form would leave out (unset, or an empty text) is left out here too.

aiogram reads every answer with ``Response[<the method's result type>]``, a
pydantic generic model. pydantic keeps parametrized models only weakly, so the
cyclic garbage collector frees them, and the next answer builds its model
again: about 7 ms of CPU each time, tens of times a minute on a busy bot. Here
each result type's model, once made, is kept for the life of the process (a
few dozen, one per kind of Bot API method the bot calls).
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

_KEPT: dict[Any, type[Response[Any]]] = {}
_JSON = {"Content-Type": "application/json"}
_PLAIN = frozenset({str, int, float, bool})


def _dumps(fields: dict[str, Any], default: Any = None) -> bytes:
    """JSON as UTF-8; a text holding a lone surrogate (which UTF-8 cannot carry) escaped
    as aiogram's form escapes it."""
    try:
        return json.dumps(
            fields, ensure_ascii=False, separators=(",", ":"), default=default
        ).encode()
    except UnicodeEncodeError:
        return json.dumps(fields, separators=(",", ":"), default=default).encode()


class _LeftOut(Exception):
    """A value inside the body that aiogram would leave out (a default that is None)."""


def keep_response_type(returning: Any) -> type[Response[Any]]:
    """``Response[returning]``, made once and then held so that pydantic's cache keeps it."""
    kept = _KEPT.get(returning)
    if kept is None:
        kept = _KEPT[returning] = Response[returning]
    return kept


class ApiSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        keep_response_type(method.__returning__)
        return super().check_response(bot, method, status_code, content)

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """``method`` as a JSON body; None when it uploads a file (form data then).

        pydantic leaves out the fields that are None, and json writes the dump's
        texts, numbers, flags, dicts and lists as they are. That is aiogram's own
        preparation as long as every value comes from a typed field: a None inside a
        plain list, or a number enum (aiogram sends it as text), can only come from an
        extra field (``extra="allow"``), which nothing the bot sends sets on a
        method's own fields; a method with any goes aiogram's way, as does one where
        json meets a value aiogram would leave out (a default that is unset)."""
        files: dict[str, Any] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            kind = type(value)
            # Dicts and lists as they are: what json cannot write in them (a default, a
            # date, a file) is prepared when it meets it (``_meet``).
            prepared = (
                value
                if kind in _PLAIN or kind is dict or kind is list
                else self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            )
            if prepared is not None and prepared != "":  # what aiogram's form leaves out
                fields[key] = prepared
        try:
            if method.model_extra:
                raise _LeftOut
            body = _dumps(fields, default=functools.partial(self._meet, bot, files))
        except _LeftOut:  # aiogram's own preparation, from the top
            # (A file met on either way stays in ``files``: the request is a form then.)
            fields = {
                key: prepared
                for key, value in fields.items()
                if (prepared := self.prepare_value(value, bot=bot, files=files, _dumps_json=False))
                is not None
            }
            body = _dumps(fields)
        return None if files else body

    def _meet(self, bot: Bot, files: dict[str, Any], value: Any) -> Any:
        """What json cannot write, prepared as aiogram prepares it (``prepare_value``)."""
        prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
        if prepared is None:  # aiogram leaves the key out, which json cannot do from here
            raise _LeftOut
        return prepared

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (the BaseSession signature)
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        # aiogram's AiohttpSession.make_request, with a JSON body instead of its form.
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            waits = ClientTimeout(total=self.timeout if timeout is None else timeout)
            async with session.post(url, data=body, headers=_JSON, timeout=waits) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)
