"""The owner's backups from the bot: on demand (/backup) and nightly (see ``storage.backup``).

The nightly backup is decided on the scheduler's tick: once the hour the owner
set in /settings has come in their time zone (the one they have now: changing it in
/settings moves the backup along), one outbox row is written, unless a backup was
already made on that day of theirs (so a zone change never makes a second one the
same night, nor skips one); its key names the moment (``backup:<UTC time>``), so a
second instance never makes two. The archive itself is made when the row is sent (``nightly``): into
``BACKUP_DIR`` when it is set (keeping the last ``BACKUP_KEEP`` files), else to
the owner's private chat as a document, unless it is larger than Telegram lets
a bot send.
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as wall_time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm import outbox
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import ErrorCode, InvalidInput, NotAllowed
from crm.outbox import OutboxKind
from crm.team_settings import BACKUP_KEY, TeamSettings
from storage.backup import backup
from storage.engine import write_transaction
from storage.models import AppSetting, OutboxMessage, Role, User

FILE_PREFIX = "kartoteka-"
# A backup being written (``storage.backup``'s ``.<name>.<random>.part``) is written to all
# along; one untouched this long was left by a process killed mid-way (SIGKILL, power).
STALE_PART_SECONDS = 3600
OUR_NAMES = f"{FILE_PREFIX}*.zip"  # the nightly backups' (``file_name``), as a glob
# Telegram lets a bot upload documents up to 50 MB.
TELEGRAM_UPLOAD_LIMIT = 50 * 2**20


@dataclass
class NightsDone:
    """What one process has settled of the nightly backup, so an idle tick reads nothing:
    the minute (whole, as the clock gives it) the owner was last read, and the night
    (its slot in UTC) already decided, queued or found made."""

    read_minute: datetime | None = None
    night: datetime | None = None


@dataclass(frozen=True)
class BackupFile:
    name: str
    data: bytes
    rows: int


@dataclass(frozen=True)
class NightlyPlan:
    """``hour`` in ``timezone``: the current zone of the owner it is made for."""

    hour: int
    timezone: str
    owner_id: int


@dataclass(frozen=True)
class Nightly:
    """What became of a nightly backup: sent (``file``), put in a folder (``path``),
    or too large to send with no folder set (``file`` None, ``path`` None)."""

    name: str
    size: int
    rows: int
    file: BackupFile | None = None
    path: Path | None = None


class Backups:
    def __init__(
        self, session: AsyncSession, clock: Clock, config: CrmConfig, settings: TeamSettings
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._settings = settings

    async def make(self, actor: User) -> BackupFile:
        """A consistent snapshot taken on its own connection while the bot keeps working."""
        _require_owner(actor)
        buffer = io.BytesIO()
        now = self._clock.now()
        rows = await self._snapshot(buffer, now)
        return BackupFile(file_name(now), buffer.getvalue(), rows)

    async def plan(self) -> NightlyPlan | None:
        """The nightly backup's hour in its owner's time zone, or None: off (the default)."""
        plan, _owner = await self._planned()
        return plan

    async def _planned(self) -> tuple[NightlyPlan | None, User | None]:
        """The plan and the owner it is made for (None: no active owner left)."""
        setting = await self._settings.value(BACKUP_KEY)
        if not setting or setting.get("hour") is None:
            return None, None
        hour, preferred = int(setting["hour"]), int(setting["owner"])
        owner = await self._owner(preferred)
        if owner is None:  # no active owner: the zone it was set in
            return NightlyPlan(hour, str(setting["tz"]), preferred), None
        return NightlyPlan(hour, owner.timezone, owner.id), owner

    async def set_nightly(self, actor: User, hour: int | None) -> None:
        """Nightly at ``hour`` in the actor's time zone, or off (None)."""
        _require_owner(actor)
        if hour is not None and not 0 <= hour <= 23:
            raise InvalidInput(ErrorCode.BAD_HOUR)
        async with self._settings.changing() as session:
            if hour is None:
                await session.execute(delete(AppSetting).where(AppSetting.key == BACKUP_KEY))
            else:
                value = {"hour": hour, "tz": actor.timezone, "owner": actor.id}
                await session.merge(AppSetting(key=BACKUP_KEY, value=value))

    async def claim_due(self, done: NightsDone | None = None) -> int:
        """Queue tonight's backup once its hour has come in the owner's zone; 1 when it did.

        Not when one was made on that day of the owner's (a zone just changed). ``done``
        remembers (per process) the night already decided and the minute the owner was
        last read, so an idle tick reads nothing (the owner's zone, hence the hour, is
        read again each minute); the outbox's unique key drops a repeat from another
        process.
        """
        now = self._clock.now()
        minute = now.replace(second=0, microsecond=0)
        if done is not None and done.read_minute == minute:
            return 0
        plan, owner = await self._planned()
        if plan is None:
            return 0
        queued = await self._queue_tonight(now, plan, owner, done) if owner else False
        if done is not None:
            done.read_minute = minute
        return int(queued)

    async def _queue_tonight(
        self, now: datetime, plan: NightlyPlan, owner: User, done: NightsDone | None
    ) -> bool:
        zone = ZoneInfo(plan.timezone)
        local = now.astimezone(zone)
        if local.hour < plan.hour:
            return False
        slot = datetime.combine(local.date(), wall_time(plan.hour), zone).astimezone(UTC)
        if done is not None and done.night == slot:
            return False
        last = await self._session.scalar(
            select(func.max(OutboxMessage.created_at)).where(
                OutboxMessage.kind == OutboxKind.NIGHTLY_BACKUP
            )
        )
        queued = False
        if last is None or last.astimezone(zone).date() < local.date():
            async with write_transaction(self._session):
                queued = await outbox.enqueue(
                    self._session,
                    chat_id=owner.id,
                    kind=OutboxKind.NIGHTLY_BACKUP,
                    payload={"day": local.date().isoformat()},
                    dedupe_key=f"backup:{slot:%Y-%m-%dT%H:%M}Z",
                    now=now,
                )
        if done is not None:  # only tonight's is worth remembering
            done.night = slot
        return queued

    async def nightly(self, actor: User) -> Nightly:
        """Make tonight's backup: into ``BACKUP_DIR`` when set, else for the owner's chat."""
        _require_owner(actor)
        now = self._clock.now()
        name = file_name(now)
        folder = self._config.backup_dir
        if folder is not None:
            path = Path(folder) / name
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(prune_parts, path.parent)  # their room, before writing
            rows = await self._snapshot(path, now)  # renamed into place once complete
            await asyncio.to_thread(prune, path.parent, self._config.backup_keep)
            return Nightly(name, path.stat().st_size, rows, path=path)
        buffer = io.BytesIO()
        rows = await self._snapshot(buffer, now)
        data = buffer.getvalue()
        if len(data) > TELEGRAM_UPLOAD_LIMIT:
            return Nightly(name, len(data), rows)
        return Nightly(name, len(data), rows, file=BackupFile(name, data, rows))

    async def _snapshot(self, target: Path | io.BytesIO, now: datetime) -> int:
        engine = self._session.bind
        assert isinstance(engine, AsyncEngine)
        manifest = await backup(engine, target, now)
        return sum(manifest.counts().values())

    async def _owner(self, preferred: int) -> User | None:
        """The owner who set the hour, or (if they left) the first active owner."""
        owners = list(
            await self._session.scalars(
                select(User).where(User.role == Role.OWNER, User.active.is_(True)).order_by(User.id)
            )
        )
        return next((o for o in owners if o.id == preferred), owners[0] if owners else None)


def file_name(now: datetime) -> str:
    return f"{FILE_PREFIX}{now:%Y-%m-%d-%H%M%S}.zip"


def prune(folder: Path, keep: int, now: float | None = None) -> list[Path]:
    """Remove all but the newest ``keep`` backups in ``folder``, and the half-written files
    of backups killed mid-way (``prune_parts``); returns what was removed.

    Only files this bot names (``kartoteka-<time>.zip``) are looked at; their names
    sort by time.
    """
    ours = sorted(p for p in folder.glob(OUR_NAMES) if p.is_file())
    old = ours[: max(len(ours) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)
    return old + prune_parts(folder, now)


def prune_parts(folder: Path, now: float | None = None, name: str = OUR_NAMES) -> list[Path]:
    """Remove the files of backups that were being written when their process was killed
    (SIGKILL, power: ``storage.backup``'s ``.kartoteka-<time>.zip.<random>.part``), once
    untouched for ``STALE_PART_SECONDS``, so one another process is writing now stays.
    ``now``: the file system's time ages are measured from (``time.time()`` by default);
    ``name``: a glob of the backups' names (``python -m bot backup FILE``: FILE's too)."""
    since = (time.time() if now is None else now) - STALE_PART_SECONDS
    stale = []
    for part in sorted(folder.glob(f".{name}.*.part")):
        try:
            if part.is_file() and part.stat().st_mtime < since:
                part.unlink(missing_ok=True)
                stale.append(part)
        except FileNotFoundError:  # renamed into place meanwhile
            continue
    return stale


def _require_owner(actor: User) -> None:
    if not (actor.active and actor.role == Role.OWNER):
        raise NotAllowed()
