"""A .docx sent under the name of a document template: "🔁 Replace" its file (the same
template, so the rules that prepare it keep working), or Cancel. The file waits by its
Telegram file id in the dialog until the owner answers."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.docx_fill import prepare
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.keyboards import button, cancel_row, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.templates.callbacks import TplAction, TplCb
from handlers.templates.states import NewFile, TemplateFlow
from handlers.templates.views import placeholder_names, templates_screen
from storage.models import Template, User

routes = Routes(__name__)


async def downloaded(bot: Bot, file_id: str) -> bytes:
    got = await bot.download(file_id)
    return got.read() if got is not None else b""


async def owned_template(crm: Crm, member: User, template_id: int) -> Template | None:
    """The template ``template_id`` as the owner's screens list it, or None (deleted since);
    a manager is refused (``Templates.owned``)."""
    templates = await crm.templates.owned(member)
    return next((t for t in templates if t.id == template_id), None)


async def replace_target(crm: Crm, state: FSMContext, name: str) -> Template | None:
    """The document template a file sent would replace: the one whose screen asked for it,
    or the one called ``name`` (a message template is not a file's to replace)."""
    asked = (await NewFile.load(state)).replace_asked
    taken = await crm.templates.get(asked) if asked else await crm.templates.taken(name)
    return taken if taken is not None and taken.kind == "docx" else None


@routes.callback_query(TplCb.filter(F.action == TplAction.NEW_FILE))
async def ask_new_file(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm, state: FSMContext
) -> None:
    template = await owned_template(crm, member, callback_data.template_id)
    if template is None or template.kind != "docx":
        await alert(callback, _("This template no longer exists."))
        return
    await state.set_state(TemplateFlow.document)
    await NewFile(replace_asked=template.id).save(state)
    text = _("Send the new .docx file of «{name}» (up to 5 MB).").format(name=template.name)
    await show(callback, Text(text), keyboard(cancel_row()))


async def offer_replace(
    message: Message, crm: Crm, state: FSMContext, taken: Template, data: bytes, file_id: str
) -> None:
    """Checked as an upload is (a file that is no .docx, or names an unknown placeholder,
    is refused now), then kept until the owner answers."""
    found = prepare(data, await crm.templates.custom_keys()).placeholders
    asked = (await NewFile.load(state)).replace_asked
    await NewFile(replace_asked=asked, replace_template=taken.id, replace_file=file_id).save(state)
    text = _(
        "There is a document template «{name}» already. Replace its file with this one? "
        "The rules that prepare it will use the new file. Placeholders found: {names}."
    ).format(name=taken.name, names=placeholder_names(found))
    replace = TplCb(action=TplAction.REPLACE, template_id=taken.id)
    label = _("🔁 Replace «{name}» with this file").format(name=taken.name)
    await message.answer(text, reply_markup=keyboard([button(label, replace)], cancel_row()))


@routes.callback_query(TplCb.filter(F.action == TplAction.REPLACE))
async def replace(
    callback: CallbackQuery,
    callback_data: TplCb,
    member: User,
    crm: Crm,
    state: FSMContext,
    bot: Bot,
) -> None:
    template = await owned_template(crm, member, callback_data.template_id)
    waiting = await NewFile.load(state)
    if template is None or waiting.replace_template != template.id or not waiting.replace_file:
        await alert(callback, _("Nothing to replace: send the file again."))
        return
    if template.file_id == waiting.replace_file:
        await alert(callback, _("«{name}» has this file already.").format(name=template.name))
        return
    data = await downloaded(bot, waiting.replace_file)
    template = await crm.templates.replace_docx(
        member, template.id, data, file_id=waiting.replace_file
    )
    await state.set_state(None)  # the file is kept: pressed again, it is said done
    note = _("Replaced: «{name}» has the new file. Placeholders found: {names}.").format(
        name=template.name, names=placeholder_names(template.placeholders)
    )
    await show(callback, templates_screen(await crm.templates.owned(member), note))
    await alert(callback, note, toast=True)
