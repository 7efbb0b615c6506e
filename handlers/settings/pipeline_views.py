"""The pipeline settings' screens: data in, text and buttons out."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_key_value, as_list
from aiogram.utils.i18n import gettext as _

from crm.automation.parts import STAGE
from crm.errors import Conflict, ErrorCode, InvalidInput
from crm.pipeline import MAX_STAGES, MAX_STALE_DAYS, StageView
from crm.service import Crm
from handlers.kit.rules_in_use import rules_in_use, rules_not_set_off
from handlers.kit.stages import STAGE_ICONS, stage_name
from handlers.settings.callbacks import PipelineAction, PipelineCb
from handlers.settings.editing import Screen, confirmation, list_screen
from storage.models import User

STALE_CHOICES = (1, 3, 7, 14, 30)


def pl_button(
    text: str,
    action: PipelineAction,
    item_id: int = 0,
    *,
    to_id: int = 0,
    days: int | None = None,
    page: int = 0,
) -> InlineKeyboardButton:
    data = PipelineCb(action=action, item_id=item_id, to_id=to_id, days=days, page=page)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def kind_name(kind: str) -> str:
    return {"open": _("open"), "won": _("won"), "lost": _("lost")}.get(kind, kind)


def stale_text(days: int | None) -> str:
    return str(days) if days else _("never")


def stage_row(stage: StageView) -> str:
    """A stage as one line: ``▫️ Meeting · open · ⏳ 7``."""
    row = f"{STAGE_ICONS.get(stage.kind, '')} {stage_name(stage)} · {kind_name(stage.kind)}"
    if stage.kind == "open":
        row += f" · ⏳ {stale_text(stage.stale_days)}"
    return row


async def find_stage(crm: Crm, stage_id: int) -> tuple[StageView, list[StageView]]:
    """The stage and the whole pipeline, or ``stage_gone``."""
    stages = await crm.pipelines.stages()
    stage = next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        raise Conflict(ErrorCode.STAGE_GONE)
    return stage, stages


async def pipeline_screen(crm: Crm, note: str | None = None) -> Screen:
    stages = await crm.pipelines.stages()
    intro = _(
        "Deals go through the open stages in this order and end on a won or a lost one. "
        "⏳ is how many days without activity make a deal on the stage stale. "
        "Tap a stage to change it."
    )
    rows = [[pl_button(stage_row(stage), PipelineAction.STAGE, stage.id)] for stage in stages]
    if len(stages) < MAX_STAGES:
        rows.append([pl_button(_("➕ Add a stage"), PipelineAction.ADD)])
    rows.append([pl_button(_("❌ Lost reasons"), PipelineAction.REASONS)])
    rows.append([pl_button(_("◀️ Settings"), PipelineAction.SETTINGS)])
    return list_screen(_("Pipeline"), intro, rows, note)


async def stage_screen(crm: Crm, stage_id: int, note: str | None = None) -> Screen:
    stage, stages = await find_stage(crm, stage_id)
    lines: list[Text | str] = [Bold(_("Stage: {name}").format(name=stage_name(stage)))]
    if note:
        lines.append(note)
    lines.append(as_key_value(_("Kind"), kind_name(stage.kind)))
    rows = [[pl_button(_("✏️ Rename"), PipelineAction.RENAME, stage.id)]]
    if stage.kind == "open":
        lines.append(
            as_key_value(
                _("Days without activity before a deal goes stale"), stale_text(stage.stale_days)
            )
        )
        opened = [s.id for s in stages if s.kind == "open"]
        index = opened.index(stage.id)
        rows.append([pl_button(_("⏳ Days before stale"), PipelineAction.STALE, stage.id)])
        moves = []
        if index > 0:
            moves.append(pl_button(_("⬆️ Up"), PipelineAction.UP, stage.id))
        if index < len(opened) - 1:
            moves.append(pl_button(_("⬇️ Down"), PipelineAction.DOWN, stage.id))
        if moves:
            rows.append(moves)
        rows.append([pl_button(_("🗑 Delete"), PipelineAction.DELETE, stage.id)])
    lines.append(as_key_value(_("Deals on it"), str(await crm.pipelines.deals_on(stage.id))))
    if stage.kind != "open":
        lines.append(_("A closing stage can only be renamed."))
    rows.append([pl_button(_("◀️ Pipeline"), PipelineAction.STAGES)])
    return as_list(*lines), InlineKeyboardMarkup(inline_keyboard=rows)


def back_to(stage_id: int) -> InlineKeyboardMarkup:
    if stage_id:
        return InlineKeyboardMarkup(
            inline_keyboard=[[pl_button(_("◀️ Back"), PipelineAction.STAGE, stage_id)]]
        )
    return InlineKeyboardMarkup(
        inline_keyboard=[[pl_button(_("◀️ Pipeline"), PipelineAction.STAGES)]]
    )


async def stale_prompt(crm: Crm, stage_id: int) -> Screen:
    stage, _stages = await find_stage(crm, stage_id)
    if stage.kind != "open":
        raise InvalidInput(ErrorCode.CLOSED_STAGE)
    text = Text(
        _(
            "After how many days without activity does a deal on {stage} go stale? "
            "Now: {now}. Tap a number or send one from 1 to {limit}."
        ).format(stage=stage_name(stage), now=stale_text(stage.stale_days), limit=MAX_STALE_DAYS)
    )
    choices = [
        pl_button(str(days), PipelineAction.STALE_SET, stage.id, days=days)
        for days in STALE_CHOICES
    ]
    rows = [
        choices,
        [pl_button(_("Never"), PipelineAction.STALE_SET, stage.id)],
        [pl_button(_("◀️ Back"), PipelineAction.STAGE, stage.id)],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def stale_note(days: int | None) -> str:
    if days is None:
        return _("Deals on this stage never go stale now.")
    return _("Saved: stale after {days} without activity.").format(
        days=_("{days} d").format(days=days)
    )


async def delete_dialog(crm: Crm, member: User, data: PipelineCb) -> Screen:
    stage, stages = await find_stage(crm, data.item_id)
    opened = [s for s in stages if s.kind == "open"]
    if stage.kind != "open":
        raise InvalidInput(ErrorCode.CLOSED_STAGE)
    if len(opened) <= 1:
        raise InvalidInput(ErrorCode.LAST_OPEN_STAGE)
    name = stage_name(stage)
    deals = await crm.pipelines.deals_on(stage.id)
    back = pl_button(_("◀️ Back"), PipelineAction.STAGE, stage.id)
    if deals and data.action == PipelineAction.DELETE:
        text = Text(
            _("Deals on the stage {stage}: {count}. Move them to:").format(stage=name, count=deals)
        )
        rows = [
            [pl_button(stage_name(other), PipelineAction.DELETE_TO, stage.id, to_id=other.id)]
            for other in opened
            if other.id != stage.id
        ]
        return text, InlineKeyboardMarkup(inline_keyboard=[*rows, [back]])
    target: StageView | None = None
    if data.action == PipelineAction.DELETE_TO:
        target = next((s for s in opened if s.id == data.to_id and s.id != stage.id), None)
        if target is None:
            raise Conflict(ErrorCode.STAGE_GONE)
    warning = rules_in_use(await crm.automation.using(member, STAGE, stage.id))
    not_set_off = ""
    if deals and target is not None:
        question = _("Move the deals ({count}) to {target} and delete the stage {stage}?").format(
            count=deals, target=stage_name(target), stage=name
        )
        entering = await crm.automation.entering(member, target.id)
        not_set_off = rules_not_set_off(stage_name(target), entering)
    else:
        question = _("Delete the stage {stage}? It has no deals.").format(stage=name)
    question = "\n".join(filter(None, (question, warning, not_set_off)))
    to_id = target.id if target else 0
    yes = pl_button(_("🗑 Yes, delete"), PipelineAction.DELETE_YES, stage.id, to_id=to_id)
    return confirmation(question, yes, back)
