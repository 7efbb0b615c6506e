"""``python -m bot console``: the real bot in a terminal, offline.

Each line typed (or piped in) is a message from the current user, the owner at
first. ``#N`` presses button N of the newest message that has buttons,
``/as <telegram id>`` becomes another user. The bot's answers are printed with
their buttons numbered; messages it sends on its own (through the outbox) are
printed with their recipient. The trial keeps its own database by default, so
it never mixes with a real team's data.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, EditMessageText

from bot.app import build_app
from bot.config import Settings
from bot.guards import guard_database
from bot.offline import OfflineSession, SentMessage
from bot.simulator import SimulatedUser

CONSOLE_DATABASE_URL = "sqlite+aiosqlite:///kartoteka-console.db"
CONSOLE_OWNER_ID = 1
HELP = (
    "Kartoteka console: type messages as the user {user}; #N presses button N; "
    "/as <telegram id> switches user; end of input (Ctrl-D) quits."
)


async def run_console(
    settings: Settings, database_url: str | None, stdin: TextIO, stdout: TextIO
) -> int:
    from bot.startup import prepare_database

    settings = settings.model_copy(update={"database_url": database_url or CONSOLE_DATABASE_URL})
    owner_id = settings.owner_ids[0] if settings.owner_ids else CONSOLE_OWNER_ID
    session = OfflineSession(bot_username="kartoteka_console_bot")
    app = build_app(settings, session=session, owner_ids=(owner_id, *settings.owner_ids[1:]))
    try:
        await guard_database(settings.database_url, lambda: prepare_database(app))
        users: dict[int, SimulatedUser] = {}

        def user(user_id: int) -> SimulatedUser:
            if user_id not in users:
                name = "Owner" if user_id == owner_id else f"User{user_id}"
                users[user_id] = SimulatedUser(
                    app.dispatcher,
                    app.bot,
                    user_id,
                    first_name=name,
                    language_code=settings.default_language,
                )
            return users[user_id]

        current = user(owner_id)
        print(HELP.format(user=owner_id), file=stdout)
        while True:
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            print(f"\n[{current.user.id}] > {line}", file=stdout)
            before = len(session.requests)
            if line.startswith("/as"):
                parts = line.split()
                if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
                    print("usage: /as <telegram id>", file=stdout)
                    continue
                current = user(int(parts[1]))
                print(f"(you are now user {current.user.id})", file=stdout)
                continue
            if line.startswith("#") and line[1:].isdigit():
                await press_number(current, int(line[1:]), stdout)
            else:
                await current.send(line)
            await app.ticker.tick()
            print_requests(session, before, current.chat.id, stdout)
        return 0
    finally:
        await app.close()


async def press_number(user: SimulatedUser, number: int, stdout: TextIO) -> None:
    for sent in reversed(user.chat_messages()):
        buttons = [data for _text, data, _url in sent.buttons]
        if buttons:
            if not 1 <= number <= len(buttons) or buttons[number - 1] is None:
                print(f"(the latest buttons are numbered 1 to {len(buttons)})", file=stdout)
                return
            await user.press_data(str(buttons[number - 1]), sent)
            return
    print("(no message with buttons yet)", file=stdout)


def print_requests(session: OfflineSession, start: int, own_chat: int, stdout: TextIO) -> None:
    for request, outcome in zip(session.requests[start:], session.outcomes[start:], strict=True):
        if isinstance(request, AnswerCallbackQuery) and request.text:
            print(f"bot (notice): {request.text}", file=stdout)
        if outcome is None:
            continue
        edited = isinstance(request, EditMessageText | EditMessageReplyMarkup)
        who = "bot" if outcome.chat_id == own_chat else f"bot → {outcome.chat_id}"
        print(format_message(outcome, f"{who}{' (edited)' if edited else ''}"), file=stdout)


def format_message(sent: SentMessage, label: str) -> str:
    lines = (sent.text or (f"[{sent.file}]" if sent.file else "")).splitlines() or [""]
    out = [f"{label}: {lines[0]}", *(f"    {line}" for line in lines[1:])]
    number = 0
    if sent.inline_keyboard is not None:
        for row in sent.inline_keyboard.inline_keyboard:
            cells = []
            for button in row:
                number += 1
                cells.append(
                    f"[{number}] {button.text}" + (f" <{button.url}>" if button.url else "")
                )
            out.append("    " + "   ".join(cells))
    if sent.reply_keyboard is not None:
        rows = [" | ".join(b.text for b in row) for row in sent.reply_keyboard.keyboard]
        out.append("    keyboard: " + " / ".join(rows))
    return "\n".join(out)
