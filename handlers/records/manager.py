"""Who is responsible for a record: the same choices and rules as a client's.

Owners and admins change it (``crm.records.set_manager`` checks again on each press);
the card shows the button only to them.
"""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import NotAllowed, NotFound
from crm.service import Crm
from crm.visibility import can_reassign
from handlers.kit.responsible import responsible_question, responsible_rows
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.records.callbacks import Ent, EntCb, RecordManagerCb
from handlers.records.cards import record_of
from handlers.records.common import put, ref_of
from handlers.records.views import button, cb
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(EntCb.filter(F.action == Ent.MANAGER))
async def choose_manager(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User
) -> None:
    ref = ref_of(callback_data)
    if ref.kind != CardKind.RECORD:
        raise NotFound()
    if not can_reassign(member):  # an old card's button, the member no longer staff
        raise NotAllowed()
    record = await crm.records.visible(member, ref.id)
    team = await crm.members.team(member)

    def to(manager_id: int) -> RecordManagerCb:
        return RecordManagerCb(record_id=record.id, member_id=manager_id)

    def to_page(team_page: int) -> EntCb:
        return EntCb(action=Ent.MANAGER, kind=ref.kind.value, card=ref.id, page=team_page)

    rows = responsible_rows(team, record.manager_id, to, callback_data.page, to_page)
    rows.append([button(_("◀️ Back to the card"), cb(Ent.RECORD, ref))])
    await put(
        callback, (responsible_question(record.title), InlineKeyboardMarkup(inline_keyboard=rows))
    )


@routes.callback_query(RecordManagerCb.filter())
async def set_manager(
    callback: CallbackQuery, callback_data: RecordManagerCb, crm: Crm, member: User
) -> None:
    manager_id = callback_data.member_id or None  # 0: nobody
    await crm.records.set_manager(member, callback_data.record_id, manager_id)
    text, markup = await record_of(crm, member, callback_data.record_id)
    await show(callback, text, markup)
    await callback.answer(_("Responsible changed."))
