"""Real bot processes (``python -m bot``) in webhook mode on PostgreSQL and Redis, fed
Telegram updates over HTTP, talking to a fake Bot API: for the multi-instance tests and
the benchmark."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Settings
from bot.web.webhook import SECRET_HEADER
from tests.fake_bot_api import FakeBotApi

REPO_ROOT = Path(__file__).resolve().parents[1]
SECRET = "cluster-secret"
HOOK_PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any Kartoteka setting, plus ``extra``."""
    names = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in names}
    env.update(PYTHONPATH=str(REPO_ROOT), PYTHONIOENCODING="utf-8", **extra)
    return env


@dataclass
class Instance:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        output = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=self.log.parent,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


@dataclass
class Cluster:
    """``count`` bot processes on one database and one Redis, and a fake Bot API."""

    database_url: str
    redis_url: str
    directory: Path
    count: int = 2
    extra: dict[str, str] = field(default_factory=dict)
    api: FakeBotApi = field(default_factory=lambda: FakeBotApi(random.randint(10**8, 10**9)))
    instances: list[Instance] = field(default_factory=list)
    http: aiohttp.ClientSession | None = None
    prefix: str = field(default_factory=lambda: f"kt-{uuid.uuid4().hex[:10]}")

    async def start(self, owner_id: int) -> None:
        await self.api.start()
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        for number in range(self.count):
            name = "abcdefgh"[number]
            port = free_port()
            env = clean_env(
                BOT_TOKEN=f"{self.api.bot_id}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                DATABASE_URL=self.database_url,
                REDIS_URL=self.redis_url,
                REDIS_PREFIX=self.prefix,
                TELEGRAM_API_URL=self.api.base_url(name),
                WEBHOOK_URL=f"http://127.0.0.1:{port}{HOOK_PATH}",
                WEBHOOK_SECRET=SECRET,
                WEB_HOST="127.0.0.1",
                WEB_PORT=str(port),
                INSTANCES=str(self.count),
                INSTANCE_NAME=name,
                OWNER_IDS=str(owner_id),
                LOG_FORMAT="json",
                **self.extra,
            )
            self.instances.append(Instance(name, port, env, self.directory / f"{name}.log"))
        for instance in self.instances:
            instance.start()
        await asyncio.gather(*(self.ready(instance) for instance in self.instances))

    async def ready(self, instance: Instance, within: float = 240) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        assert self.http is not None
        while loop.time() < deadline:
            assert instance.process is not None
            if instance.process.poll() is not None:
                raise AssertionError(f"{instance.name} exited: {instance.log.read_text()[-3000:]}")
            try:
                async with self.http.get(f"{instance.url}/readyz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"{instance.name} not ready: {instance.log.read_text()[-3000:]}")

    async def post(self, instance: Instance, update: dict[str, Any]) -> bool:
        """Deliver ``update`` as Telegram does; True when the instance answered 200."""
        assert self.http is not None
        try:
            async with self.http.post(
                f"{instance.url}{HOOK_PATH}", json=update, headers={SECRET_HEADER: SECRET}
            ) as answer:
                return answer.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def get(self, instance: Instance, path: str) -> tuple[int, str]:
        assert self.http is not None
        async with self.http.get(f"{instance.url}{path}") as answer:
            return answer.status, await answer.text()

    async def close(self) -> None:
        for instance in self.instances:
            if instance.process is not None and instance.process.poll() is None:
                instance.process.kill()
                instance.process.wait(10)
        if self.http is not None:
            await self.http.close()
        await self.api.stop()


def message_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_772_442_000,
            "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"},
            "text": text,
        },
    }


async def wait_until(condition: Any, within: float, step: float = 0.05) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if condition():
            return True
        await asyncio.sleep(step)
    return bool(condition())
