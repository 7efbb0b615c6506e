"""/settings → Lead sources: add one, who gets its leads, deal or not, its address, a new token."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import ErrorCode
from crm.intake.sources import MAX_SOURCE_NAME
from crm.service import Crm
from handlers.intake.callbacks import SourceAction, SourceCb, SourceTeamCb
from handlers.intake.states import SourceFlow
from handlers.intake.views import source_screen, sources_screen
from handlers.kit.alerts import alert
from handlers.kit.keyboards import cancel_row, keyboard
from handlers.kit.labels import already_so, responsible_name
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, send, show
from storage.models import LeadSource, User

routes = Routes(__name__)


async def _source(
    crm: Crm, member: User, source: LeadSource, token: str | None = None, page: int = 0
) -> Screen:
    everyone = await crm.members.team(member)
    names = {m.id: responsible_name(m) for m in everyone}  # one deactivated since: marked
    team = [m for m in everyone if m.active]
    return Screen(*source_screen(source, team, names, crm.config.public_url, token, page))


def _page(callback_data: SourceCb | SourceTeamCb) -> int:
    """The page of members a press came from (a ``SourceCb`` has none: the first)."""
    return callback_data.page if isinstance(callback_data, SourceTeamCb) else 0


@routes.callback_query(SourceCb.filter(F.action == SourceAction.LIST))
async def list_sources(callback: CallbackQuery, crm: Crm, member: User, state: FSMContext) -> None:
    await state.clear()
    await show(callback, Screen(*sources_screen(await crm.lead_sources.all(member))))


@routes.callback_query(SourceCb.filter(F.action == SourceAction.ADD))
async def ask_name(callback: CallbackQuery, crm: Crm, member: User, state: FSMContext) -> None:
    await crm.lead_sources.all(member)  # the owner's only: refused here, before the question
    await state.set_state(SourceFlow.name)
    question = _(
        "Send the source's name, up to {limit} characters: it becomes the source of "
        "the clients it brings (for example “Site” or “Spring landing”)."
    ).format(limit=MAX_SOURCE_NAME)
    await show(callback, Text(question), keyboard(cancel_row()))


@routes.message(SourceFlow.name, F.text)
async def add_source(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """A name too long or empty is asked for again; any other refusal (as many sources as
    there may be, no longer the owner) ends the question."""
    async with keep_asking(state, again={ErrorCode.EMPTY, ErrorCode.TOO_LONG}):
        issued = await crm.lead_sources.create(member, message.text or "")
    await state.clear()
    screen = await _source(crm, member, issued.source, issued.token)
    await send(message, screen.text, screen.keyboard)


@routes.callback_query(SourceCb.filter(F.action == SourceAction.SHOW))
@routes.callback_query(SourceTeamCb.filter(F.action == SourceAction.SHOW))
async def show_source(
    callback: CallbackQuery, callback_data: SourceCb | SourceTeamCb, crm: Crm, member: User
) -> None:
    source = await crm.lead_sources.get(member, callback_data.source_id)
    await show(callback, await _source(crm, member, source, page=_page(callback_data)))


@routes.callback_query(SourceCb.filter(F.action.in_({SourceAction.QUEUE, SourceAction.MEMBER})))
@routes.callback_query(SourceTeamCb.filter(F.action == SourceAction.MEMBER))
async def assign(
    callback: CallbackQuery, callback_data: SourceCb | SourceTeamCb, crm: Crm, member: User
) -> None:
    source_id = callback_data.source_id
    if callback_data.action == SourceAction.QUEUE:
        source = await crm.lead_sources.set_assignment(member, source_id, "queue")
    else:
        chosen = (callback_data.member_id,)
        source = await crm.lead_sources.set_assignment(member, source_id, "member", chosen)
    await show(callback, await _source(crm, member, source, page=_page(callback_data)))


# The switches say which way they go: pressed twice, or on an older message, they find
# the source so already, and say so.


SWITCHES = {
    SourceAction.TURN_IN,
    SourceAction.TURN_OUT,
    SourceAction.DEAL_ON,
    SourceAction.DEAL_OFF,
}


@routes.callback_query(SourceCb.filter(F.action.in_(SWITCHES)))
@routes.callback_query(
    SourceTeamCb.filter(F.action.in_({SourceAction.TURN_IN, SourceAction.TURN_OUT}))
)
async def switch(
    callback: CallbackQuery, callback_data: SourceCb | SourceTeamCb, crm: Crm, member: User
) -> None:
    """A member in turn or out of it, a deal for each lead or not."""
    action, source_id = callback_data.action, callback_data.source_id
    if action in (SourceAction.DEAL_ON, SourceAction.DEAL_OFF):
        on = action == SourceAction.DEAL_ON
        source, changed = await crm.lead_sources.set_open_deal(member, source_id, on)
    else:
        on = action == SourceAction.TURN_IN
        chosen = callback_data.member_id
        source, changed = await crm.lead_sources.set_in_turn(member, source_id, chosen, on)
    if not changed:
        await callback.answer(already_so())
    await show(callback, await _source(crm, member, source, page=_page(callback_data)))


@routes.callback_query(SourceCb.filter(F.action.in_({SourceAction.TURN, SourceAction.DEAL})))
async def old_switch(
    callback: CallbackQuery, callback_data: SourceCb, crm: Crm, member: User
) -> None:
    """An older message's switch does not say which way: nothing is changed, and the
    source is shown as it is now, to be pressed again."""
    source = await crm.lead_sources.get(member, callback_data.source_id)
    await alert(callback, _("This button is no longer active."))
    await show(callback, await _source(crm, member, source))


@routes.callback_query(SourceCb.filter(F.action == SourceAction.TOKEN))
async def replace_token(
    callback: CallbackQuery, callback_data: SourceCb, crm: Crm, member: User
) -> None:
    issued = await crm.lead_sources.replace_token(member, callback_data.source_id)
    await callback.answer(_("New token: the old address stopped working."))
    await show(callback, await _source(crm, member, issued.source, issued.token))


@routes.callback_query(SourceCb.filter(F.action == SourceAction.REMOVE))
async def remove(callback: CallbackQuery, callback_data: SourceCb, crm: Crm, member: User) -> None:
    await crm.lead_sources.remove(member, callback_data.source_id)
    await callback.answer(_("Removed: its address no longer takes leads."))
    await show(callback, Screen(*sources_screen(await crm.lead_sources.all(member))))
