"""The sales pipeline: its stages and the reasons deals are lost, and the owner's edits.

The model allows several pipelines; the bot shows the first. Built-in stages
and reasons carry a ``code`` and are named in each reader's language until the
owner renames them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.access import is_staff
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.event_data import stage_move
from crm.lost_reasons import refuse_reason
from crm.parsing.search_text import fold, one_line
from storage.engine import write_transaction
from storage.models import Deal, LostReason, Pipeline, Role, Stage, User

DEFAULT_STAGES: tuple[tuple[str, str, int | None], ...] = (
    ("lead", "open", 3),
    ("contact", "open", 7),
    ("meeting", "open", 7),
    ("proposal", "open", 10),
    ("invoice", "open", 14),
    ("won", "won", None),
    ("lost", "lost", None),
)
DEFAULT_LOST_REASONS = ("expensive", "competitor", "no_answer", "irrelevant")
MAX_STAGE_NAME = 60
MAX_REASON = 200
MAX_STAGES = 15
MAX_STALE_DAYS = 365


@dataclass(frozen=True)
class StageView:
    """A stage as screens need it, detached from the session."""

    id: int
    code: str | None
    name: str | None
    kind: str
    position: int
    stale_days: int | None


def clean_name(text: str, limit: int, field: str) -> str:
    name = one_line(text)
    if not name:
        raise InvalidInput(ErrorCode.EMPTY, field=field)
    if len(name) > limit:
        raise InvalidInput(ErrorCode.TOO_LONG, field=field, limit=limit)
    return name


# The built-in stages' names in both languages: a stage the owner names must not
# read like another stage in either.
BUILTIN_STAGE_NAMES: dict[str, tuple[str, ...]] = {
    "lead": ("New lead", "Новый лид"),
    "contact": ("Contact made", "Контакт установлен"),
    "meeting": ("Meeting", "Встреча"),
    "proposal": ("Proposal", "Коммерческое предложение"),
    "invoice": ("Invoice sent", "Счёт выставлен"),
    "won": ("Paid", "Оплачено"),
    "lost": ("Lost", "Проиграно"),
}


def refuse_taken_name(name: str, others: list[StageView]) -> None:
    """Two stages of a pipeline never share a name (in any case, as either language shows it)."""
    wanted = fold(name)
    for other in others:
        shown = (other.name,) if other.name else BUILTIN_STAGE_NAMES.get(other.code or "", ())
        if any(fold(candidate) == wanted for candidate in shown):
            raise Conflict(ErrorCode.STAGE_NAME_TAKEN, name=name)


class Pipelines:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def ensure_default(self) -> None:
        """Create the built-in pipeline and lost reasons on a new database."""
        async with write_transaction(self._session):
            if await self._session.scalar(select(func.count()).select_from(Pipeline)):
                return
            pipeline = Pipeline(name=None, position=0)
            self._session.add(pipeline)
            await self._session.flush()
            for position, (code, kind, stale) in enumerate(DEFAULT_STAGES):
                self._session.add(
                    Stage(
                        pipeline_id=pipeline.id,
                        code=code,
                        name=None,
                        kind=kind,
                        position=position,
                        stale_days=stale,
                    )
                )
            if not await self._session.scalar(select(func.count()).select_from(LostReason)):
                for position, code in enumerate(DEFAULT_LOST_REASONS):
                    self._session.add(LostReason(code=code, text=None, position=position))

    async def default_pipeline_id(self) -> int:
        pipeline_id = await self._session.scalar(
            select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1)
        )
        if pipeline_id is None:
            raise NotFound()
        return int(pipeline_id)

    async def stages(self, pipeline_id: int | None = None) -> list[StageView]:
        """Open stages in order, then won, then lost."""
        if pipeline_id is None:
            pipeline_id = await self.default_pipeline_id()
        rows = await self._session.scalars(
            select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position, Stage.id)
        )
        order = {"open": 0, "won": 1, "lost": 2}
        views = [StageView(s.id, s.code, s.name, s.kind, s.position, s.stale_days) for s in rows]
        return sorted(views, key=lambda s: (order.get(s.kind, 0), s.position, s.id))

    async def stage(self, stage_id: int) -> Stage:
        stage = await self._session.get(Stage, stage_id)
        if stage is None:
            raise Conflict(ErrorCode.STAGE_GONE)
        return stage

    async def lost_reasons(self) -> list[LostReason]:
        rows = await self._session.scalars(
            select(LostReason).order_by(LostReason.position, LostReason.id)
        )
        return list(rows)

    # --- the owner's edits ----------------------------------------------------------------

    async def add_stage(self, actor: User, name: str) -> Stage:
        """A new open stage, last before won and lost."""
        _require_owner(actor)
        name = clean_name(name, MAX_STAGE_NAME, "stage")
        async with write_transaction(self._session):
            pipeline_id = await self.default_pipeline_id()
            stages = await self.stages(pipeline_id)
            if len(stages) >= MAX_STAGES:
                raise InvalidInput(ErrorCode.TOO_MANY_STAGES, limit=MAX_STAGES)
            refuse_taken_name(name, stages)
            position = max((s.position for s in stages if s.kind == "open"), default=-1) + 1
            await self._session.execute(
                update(Stage)
                .where(Stage.pipeline_id == pipeline_id, Stage.kind != "open")
                .values(position=Stage.position + 1)
            )
            stage = Stage(
                pipeline_id=pipeline_id,
                code=None,
                name=name,
                kind="open",
                position=position,
                stale_days=None,
            )
            self._session.add(stage)
            await self._session.flush()
            return stage

    async def rename_stage(self, actor: User, stage_id: int, name: str) -> Stage:
        _require_owner(actor)
        name = clean_name(name, MAX_STAGE_NAME, "stage")
        async with write_transaction(self._session):
            stage = await self.stage(stage_id)
            others = [s for s in await self.stages(stage.pipeline_id) if s.id != stage.id]
            refuse_taken_name(name, others)
            stage.name = name
            return stage

    async def set_stale_days(self, actor: User, stage_id: int, days: int | None) -> Stage:
        _require_owner(actor)
        if days is not None and not 1 <= days <= MAX_STALE_DAYS:
            raise InvalidInput(ErrorCode.BAD_STALE_DAYS, limit=MAX_STALE_DAYS)
        async with write_transaction(self._session):
            stage = await self.stage(stage_id)
            if stage.kind != "open":
                raise InvalidInput(ErrorCode.CLOSED_STAGE)
            stage.stale_days = days
            return stage

    async def move_stage(self, actor: User, stage_id: int, step: int) -> None:
        """Swap an open stage with its neighbour (``step`` -1 up, +1 down)."""
        _require_owner(actor)
        async with write_transaction(self._session):
            stage = await self.stage(stage_id)
            opened = [s for s in await self.stages(stage.pipeline_id) if s.kind == "open"]
            index = next((i for i, s in enumerate(opened) if s.id == stage_id), None)
            if index is None:
                raise InvalidInput(ErrorCode.CLOSED_STAGE)
            other = index + step
            if not 0 <= other < len(opened):
                return
            ids = [s.id for s in opened]
            ids[index], ids[other] = ids[other], ids[index]
            for position, moved_id in enumerate(ids):
                await self._session.execute(
                    update(Stage).where(Stage.id == moved_id).values(position=position)
                )

    async def deals_on(self, stage_id: int) -> int:
        return int(
            await self._session.scalar(
                select(func.count()).select_from(Deal).where(Deal.stage_id == stage_id)
            )
            or 0
        )

    async def delete_stage(self, actor: User, stage_id: int, move_to: int | None) -> int:
        """Delete an open stage, moving its deals to ``move_to`` first. Returns how many moved.

        The moved deals set off no rule for entering ``move_to``: the owner's bulk re-filing,
        as an import's deals and a leaver's handed-over cards set off none (a task or message
        per deal at once, and a rule paused past its hourly limit)."""
        _require_owner(actor)
        async with write_transaction(self._session):
            stage = await self.stage(stage_id)
            if stage.kind != "open":
                raise InvalidInput(ErrorCode.CLOSED_STAGE)
            opened = [s for s in await self.stages(stage.pipeline_id) if s.kind == "open"]
            if len(opened) <= 1:
                raise InvalidInput(ErrorCode.LAST_OPEN_STAGE)
            deals = list(await self._session.scalars(select(Deal).where(Deal.stage_id == stage_id)))
            if deals:
                target = await self._session.get(Stage, move_to) if move_to else None
                if (
                    target is None
                    or target.id == stage_id
                    or target.kind != "open"
                    or target.pipeline_id != stage.pipeline_id
                ):
                    raise InvalidInput(ErrorCode.MOVE_DEALS_FIRST)
                now = self._clock.now()
                moved = stage_move(stage, target)
                moved["stage_deleted"] = True
                for deal in deals:
                    deal.stage_id = target.id
                    deal.stage_changed_at = now
                    events.record(
                        self._session,
                        self._clock,
                        events.EventKind.STAGE_CHANGED,
                        actor.id,
                        client_id=deal.client_id,
                        deal_id=deal.id,
                        data=moved,
                    )
            await self._session.flush()
            await self._session.delete(stage)
            return len(deals)

    async def add_lost_reason(self, actor: User, text: str) -> LostReason:
        _require_owner(actor)
        text = clean_name(text, MAX_REASON, "reason")
        async with write_transaction(self._session):
            await refuse_reason(self._session, text)
            position = await self._session.scalar(select(func.max(LostReason.position)))
            reason = LostReason(code=None, text=text, position=(position or 0) + 1)
            self._session.add(reason)
            await self._session.flush()
            return reason

    async def rename_lost_reason(self, actor: User, reason_id: int, text: str) -> LostReason:
        _require_owner(actor)
        text = clean_name(text, MAX_REASON, "reason")
        async with write_transaction(self._session):
            reason = await self._session.get(LostReason, reason_id)
            if reason is None:
                raise Conflict(ErrorCode.REASON_GONE)
            await refuse_reason(self._session, text, reason.id)
            reason.text = text
            return reason

    async def delete_lost_reason(self, actor: User, reason_id: int) -> None:
        _require_owner(actor)
        async with write_transaction(self._session):
            reason = await self._session.get(LostReason, reason_id)
            if reason is None:
                raise Conflict(ErrorCode.REASON_GONE)
            await self._session.delete(reason)


def _require_owner(actor: User) -> None:
    if not (is_staff(actor) and actor.role == Role.OWNER):
        raise NotAllowed()
