""" "📨 Send" on a client's or a deal's card: pick a template, hear what it misses, fill the
field now or send anyway, get the ready text or the filled .docx, or send it by email."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import ErrorCode
from crm.service import Crm
from crm.templates import Check
from handlers.kit.alerts import alert
from handlers.kit.keyboards import cancel_row, keyboard
from handlers.kit.once import forget_screen, once
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from handlers.templates.callbacks import TplAction, TplCb
from handlers.templates.states import Sending, TemplateFlow
from handlers.templates.views import (
    ask_fill_text,
    document_caption,
    email_body,
    emailed_text,
    filled_meanwhile,
    missing_screen,
    pick_screen,
    ready_buttons,
    ready_screens,
)
from storage.models import User

routes = Routes(__name__)

WRONG_VALUE = frozenset(
    {
        ErrorCode.FILL_BAD_PHONE,
        ErrorCode.FILL_BAD_AMOUNT,
        ErrorCode.AMOUNT_TOO_PRECISE,
        ErrorCode.NEGATIVE_AMOUNT,
        ErrorCode.BAD_FIELD_VALUE,
        ErrorCode.EMPTY,
        ErrorCode.TOO_LONG,
        ErrorCode.DUPLICATE_PHONE,
    }
)
"""A value typed to fill a template that is asked again; any other refusal ends the question."""


def _record(data: TplCb) -> dict[str, int | None]:
    return {"client_id": data.client_id or None, "deal_id": data.deal_id or None}


def _sends(data: TplCb) -> str:
    """What a send button sends, for ``once``: ``choose:<template>``."""
    return f"{data.action.value}:{data.template_id}"


async def _check(crm: Crm, member: User, data: TplCb) -> Check:
    return await crm.templates.check(member, data.template_id, **_record(data))


async def _deliver(
    event: CallbackQuery | Message, crm: Crm, member: User, bot: Bot, check: Check,
    note: str | None = None,
) -> None:  # fmt: skip
    """Fill the template and hand it over: the text as a screen, a document as a file;
    ``note``: said on the press first."""
    if note is not None and isinstance(event, CallbackQuery):
        await alert(event, note, toast=True)
    ids = {"client_id": check.client.id, "deal_id": check.deal.id if check.deal else None}
    filled = await crm.templates.prepare(member, check.template.id, **ids)
    if filled.document is None or filled.file_name is None:
        first, *more = ready_screens(check, filled, crm.templates.mail_on)
        await show(event, first)
        for screen in more:
            await bot.send_message(
                member.id, **screen.text.as_kwargs(), reply_markup=screen.keyboard
            )
        return
    await bot.send_document(
        member.id,
        BufferedInputFile(filled.document, filled.file_name),
        caption=document_caption(filled),
        reply_markup=keyboard(*ready_buttons(check, crm.templates.mail_on)),
    )


async def _missing(crm: Crm, check: Check) -> Screen:
    fields = await crm.template_fields.fillable(check.missing, check.deal is not None)
    return missing_screen(check, fields, await crm.templates.custom_names())


@routes.callback_query(TplCb.filter(F.action == TplAction.PICK))
async def pick(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm, state: FSMContext
) -> None:
    if callback_data.deal_id:
        deal = await crm.deals.visible(member, callback_data.deal_id)
        client_id, deal_id = deal.client_id, deal.id
    else:
        client = await crm.clients.visible(member, callback_data.client_id)
        client_id, deal_id = client.id, 0
    templates = await crm.templates.all()
    await show(callback, pick_screen(templates, client_id if not deal_id else 0, deal_id))
    await forget_screen(callback, state)


@routes.callback_query(TplCb.filter(F.action == TplAction.CHOOSE))
async def choose(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm, bot: Bot,
    state: FSMContext,
) -> None:  # fmt: skip
    check = await _check(crm, member, callback_data)
    if check.missing:
        await show(callback, await _missing(crm, check))
        return
    await once(
        callback, state, _sends(callback_data), lambda: _deliver(callback, crm, member, bot, check)
    )


@routes.callback_query(TplCb.filter(F.action == TplAction.READY))
async def send_anyway(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm, bot: Bot,
    state: FSMContext,
) -> None:  # fmt: skip
    check = await _check(crm, member, callback_data)
    await once(
        callback, state, _sends(callback_data), lambda: _deliver(callback, crm, member, bot, check)
    )


@routes.callback_query(TplCb.filter(F.action == TplAction.FILL))
async def ask_fill(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm, state: FSMContext,
    bot: Bot,
) -> None:  # fmt: skip
    check = await _check(crm, member, callback_data)
    if not check.missing:  # filled meanwhile: ready as the card is now, once
        note = _("Filled meanwhile: here it is with what the card has now.")
        await once(
            callback,
            state,
            _sends(callback_data),
            lambda: _deliver(callback, crm, member, bot, check, note),
        )
        return
    fields = await crm.template_fields.fillable(check.missing, check.deal is not None)
    if not fields:  # what could be filled here was, meanwhile; the rest only on the card
        await show(callback, await _missing(crm, check))
        await callback.answer(_("Filled meanwhile. This is what is still missing."))
        return
    await Sending(
        send_template=check.template.id,
        send_client=callback_data.client_id,
        send_deal=callback_data.deal_id,
        send_field=fields[0],
    ).save(state)
    await state.set_state(TemplateFlow.fill)
    custom = await crm.templates.custom_names()
    await show(callback, Text(ask_fill_text(fields[0], custom)), keyboard(cancel_row()))


@routes.message(TemplateFlow.fill, F.text)
async def typed_value(
    message: Message, member: User, crm: Crm, state: FSMContext, bot: Bot
) -> None:
    sending = await Sending.load(state)
    data = TplCb(action=TplAction.CHOOSE, template_id=sending.send_template, **_ids(sending))
    # A wrong value is asked again; a template, client or deal gone meanwhile ends it.
    async with keep_asking(state, again=WRONG_VALUE):
        check = await _check(crm, member, data)
        # Filled by someone meanwhile: before the value came, or just before it is written
        # (``fill`` writes it only into an empty field, under the card's lock).
        taken = sending.send_field not in check.missing or not await crm.template_fields.fill(
            member,
            sending.send_field,
            message.text or "",
            client_id=check.client.id,
            deal_id=check.deal.id if check.deal else None,
        )
    await Sending.drop(state)
    await state.set_state(None)
    check = await _check(crm, member, data)
    if taken:  # theirs stays: told, and the template filled with it
        custom = await crm.templates.custom_names()
        value = check.values.get(sending.send_field) or ""
        await message.answer(
            **Text(filled_meanwhile(sending.send_field, value, custom)).as_kwargs()
        )
    if check.missing:
        await show(message, await _missing(crm, check))
        return
    await _deliver(message, crm, member, bot, check)


def _ids(sending: Sending) -> dict[str, int]:
    return {"client_id": sending.send_client, "deal_id": sending.send_deal}


@routes.message(TemplateFlow.fill)
async def fill_not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


@routes.callback_query(TplCb.filter(F.action == TplAction.EMAIL))
async def email(
    callback: CallbackQuery, callback_data: TplCb, member: User, crm: Crm, bot: Bot,
    state: FSMContext,
) -> None:  # fmt: skip
    template = await crm.templates.get(callback_data.template_id)

    async def send() -> None:
        ids = _record(callback_data)
        address = await crm.templates.email(member, template.id, email_body(), **ids)
        await callback.answer()
        await bot.send_message(member.id, emailed_text(template.name, address))

    await once(callback, state, _sends(callback_data), send)
