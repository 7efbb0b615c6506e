"""/settings → Templates: the list, a new message or document template, deleting one."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.automation.parts import TEMPLATE
from crm.docx_fill import MAX_BYTES
from crm.errors import ErrorCode, InvalidInput, NotFound
from crm.service import Crm
from crm.templates import MAX_NAME, clean_name
from handlers.kit.alerts import alert
from handlers.kit.keyboards import cancel_row, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.templates.callbacks import TplAction, TplCb
from handlers.templates.replace import downloaded, offer_replace, owned_template, replace_target
from handlers.templates.states import NewFile, NewTemplate, TemplateFlow
from handlers.templates.views import (
    ask_body_text,
    ask_document_text,
    ask_name_text,
    delete_screen,
    placeholder_names,
    template_screen,
    templates_screen,
)
from storage.models import Template, User

routes = Routes(__name__)


async def _owned(crm: Crm, member: User, template_id: int) -> Template:
    template = await owned_template(crm, member, template_id)
    if template is None:
        raise NotFound()
    return template


@routes.callback_query(TplCb.filter(F.action == TplAction.LIST))
async def templates_list(callback: CallbackQuery, member: User, crm: Crm) -> None:
    await show(callback, templates_screen(await crm.templates.owned(member)))


@routes.callback_query(TplCb.filter(F.action == TplAction.OPEN))
async def one_template(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm
) -> None:
    await show(callback, template_screen(await _owned(crm, member, callback_data.template_id)))


@routes.callback_query(TplCb.filter(F.action == TplAction.DELETE))
async def ask_delete(callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm) -> None:
    template = await _owned(crm, member, callback_data.template_id)
    rules = await crm.automation.using(member, TEMPLATE, template.id)
    await show(callback, delete_screen(template, rules))


@routes.callback_query(TplCb.filter(F.action == TplAction.DELETE_YES))
async def delete(callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm) -> None:
    template = await _owned(crm, member, callback_data.template_id)
    name = template.name
    await crm.templates.delete(member, template.id)
    note = _("Deleted: «{name}».").format(name=name)
    await show(callback, templates_screen(await crm.templates.owned(member), note))
    await alert(callback, note, toast=True)


@routes.callback_query(TplCb.filter(F.action == TplAction.ADD_TEXT))
async def add_text(callback: CallbackQuery, member: User, crm: Crm, state: FSMContext) -> None:
    await crm.templates.room_for_one(member)  # the owner's, and not past the limit
    await state.set_state(TemplateFlow.name)
    await show(callback, Text(ask_name_text()), keyboard(cancel_row()))


@routes.message(TemplateFlow.name, F.text)
async def typed_name(message: Message, crm: Crm, state: FSMContext) -> None:
    name = clean_name(message.text or "")  # refused now, not after the text is typed
    await crm.templates.refuse_taken(name)
    await NewTemplate(template_name=name).save(state)
    await state.set_state(TemplateFlow.body)
    custom = await crm.templates.custom_names()
    await message.answer(ask_body_text(custom), reply_markup=keyboard(cancel_row()))


@routes.message(TemplateFlow.body, F.text)
async def typed_body(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    draft = await NewTemplate.load(state)
    template = await crm.templates.add_text(member, draft.template_name, message.text or "")
    await NewTemplate.drop(state)
    await state.set_state(None)
    note = _("Saved: «{name}».").format(name=template.name)
    await show(message, templates_screen(await crm.templates.owned(member), note))


@routes.message(TemplateFlow.name)
@routes.message(TemplateFlow.body)
async def not_text(message: Message) -> None:
    await message.answer(_("Send it as text, or /cancel."))


@routes.callback_query(TplCb.filter(F.action == TplAction.ADD_DOC))
async def add_document(callback: CallbackQuery, member: User, crm: Crm, state: FSMContext) -> None:
    await crm.templates.room_for_one(member)  # the owner's, and not past the limit
    await state.set_state(TemplateFlow.document)
    await NewFile.drop(state)  # a new template: no other one's file to replace
    custom = await crm.templates.custom_names()
    await show(callback, Text(ask_document_text(custom)), keyboard(cancel_row()))


@routes.message(TemplateFlow.document, F.document)
async def document_sent(
    message: Message, member: User, crm: Crm, state: FSMContext, bot: Bot
) -> None:
    document = message.document
    assert document is not None
    if (document.file_size or 0) > MAX_BYTES:
        raise InvalidInput(ErrorCode.FILE_TOO_BIG, limit=MAX_BYTES // (1024 * 1024))
    stem = (document.file_name or "").rsplit(".", 1)[0] if document.file_name else ""
    name = (message.caption or stem or _("Document"))[:MAX_NAME]
    data = await downloaded(bot, document.file_id)
    taken = await replace_target(crm, state, name)
    if taken is not None:  # a message template's name is refused: not a file's to replace
        await offer_replace(message, crm, state, taken, data, document.file_id)
        return
    template = await crm.templates.add_docx(member, name, data, file_id=document.file_id)
    await state.set_state(None)
    note = _("Saved: «{name}». Placeholders found: {names}.").format(
        name=template.name, names=placeholder_names(template.placeholders)
    )
    await show(message, templates_screen(await crm.templates.owned(member), note))


@routes.message(TemplateFlow.document)
async def not_a_document(message: Message) -> None:
    await message.answer(_("Send the .docx as a file (not a photo or text), or /cancel."))
