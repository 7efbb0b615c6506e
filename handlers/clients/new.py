"""Adding a client: the /new dialog, quick add in one line, a shared contact.

The draft being built lives in the FSM data; every typed value is checked when it
arrives, with a second chance, and the card opens as soon as the client exists.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from aiogram import F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.clients import clean_tags, clean_text
from crm.errors import CrmError, ErrorCode, InvalidInput
from crm.parsing.contacts import EmailError, PhoneError, parse_phone, parse_typed_email
from crm.parsing.search_text import shows, unseen
from crm.service import Crm
from handlers.clients import create as client_create
from handlers.clients import forward as client_forward
from handlers.clients.callbacks import SKIPS, NewClientAction, NewClientCb
from handlers.clients.create import create_and_open, put, quick_add, shorten
from handlers.clients.edit import CLEAR
from handlers.clients.new_texts import contact_phone, problems_text, question
from handlers.clients.screen import send_card
from handlers.clients.states import DuplicateFlow, NewClientData, NewClientFlow
from handlers.kit.alerts import alert
from handlers.kit.errors import error_text
from handlers.kit.keyboards import MENU_NEW_CLIENT, cancel_button
from handlers.kit.routes import Routes
from storage.models import User

routes = Routes(__name__)
# Their own small features, seen right after this one (so no separate registration).
routes.include(client_create.routes)
routes.include(client_forward.routes)

# The source right after the name: the report's "by source" needs it, and its question
# offers the team's usual sources as buttons (and "Save as is" for a name-only client).
STEPS = ("name", "source", "phone", "email", "company", "city")
MAX_SOURCES_OFFERED = 6
MAX_CONTACTS = 10
PRIVATE = F.chat.type == "private"


STATE_OF: dict[str, State] = {step: getattr(NewClientFlow, step) for step in STEPS}
STEP_OF = {state.state: step for step, state in STATE_OF.items()}


class BadValue(ValueError):
    """A typed value that cannot be stored; the message says why, for the user."""


# --- starting ------------------------------------------------------------------------------------


@routes.message(Command("new"), PRIVATE)
@routes.message(F.text == MENU_NEW_CLIENT, PRIVATE)
async def start(
    message: Message,
    crm: Crm,
    member: User,
    state: FSMContext,
    command: CommandObject | None = None,
) -> None:
    await state.clear()
    if command is None or not (command.args or "").strip():
        await NewClientData().save(state)
        await ask(message, state, "name", edit=False, intro=_("New client."))
        return
    parsed, custom = await quick_add(crm, command.args or "")
    if parsed.problems:
        await message.answer(**problems_text(parsed.problems).as_kwargs())
        return
    tags = clean_tags(parsed.tags)  # a tag too long is refused now, not after the questions
    await NewClientData(
        name=parsed.name or "",
        company=parsed.company,
        phones=list(parsed.phones),
        emails=list(parsed.emails),
        tags=tags,
        quick=True,
        custom=custom,
    ).save(state)
    if not parsed.name:
        await ask(message, state, "name", edit=False)
        return
    await finish(message, crm, member, state, edit=False)


# --- the steps -----------------------------------------------------------------------------------


async def ask(
    target: Message, state: FSMContext, step: str, *, edit: bool, intro: str = ""
) -> None:
    await state.set_state(STATE_OF[step])
    rows = [[cancel_button()]]
    if step != "name":
        skip = NewClientCb(action=f"skip_{step}").pack()  # one of NewClientAction.SKIP_*
        save = NewClientCb(action=NewClientAction.SAVE).pack()
        rows[:0] = [
            [InlineKeyboardButton(text=_("⏭ Skip"), callback_data=skip)],
            [InlineKeyboardButton(text=_("✅ Save as is"), callback_data=save)],
        ]
    if step == "source":
        offered = (await NewClientData.load(state)).offered
        picks = [
            InlineKeyboardButton(
                text=shorten(source, 30),
                callback_data=NewClientCb(action=NewClientAction.SOURCE, n=index).pack(),
            )
            for index, source in enumerate(offered)
        ]
        rows[:0] = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    text = f"{intro}\n{question(step)}" if intro else question(step)
    await put(target, Text(text), InlineKeyboardMarkup(inline_keyboard=rows), edit=edit)


def read_value(step: str, raw: str, region: str) -> object:
    """The step's value from what was typed, or BadValue / CrmError saying what is wrong."""
    if unseen(raw):  # a paste of marks is no "none" (that is the Skip button), nor a value
        raise InvalidInput(ErrorCode.EMPTY, field=step)
    if step in ("name", "source", "company", "city"):
        return clean_text(raw, step, required=step == "name")
    parts = [part.strip() for part in re.split(r"[,;\n]", raw) if shows(part)] or [raw.strip()]
    if len(parts) > MAX_CONTACTS:
        raise BadValue(_("At most {n} at once, please.").format(n=MAX_CONTACTS))
    values = []
    for part in parts:
        try:
            values.append(
                parse_phone(part, region).e164 if step == "phone" else parse_typed_email(part)
            )
        except (PhoneError, EmailError):
            why = _("“{value}” is not an email address. Try name@example.com.")
            if step == "phone":
                why = _(
                    "“{value}” is not a phone number I can read. "
                    "Try +7 999 123-45-67 or 8 999 123 45 67."
                )
            raise BadValue(why.format(value=part[:50])) from None
    return values


@routes.message(NewClientFlow.field, F.text)
async def typed_field(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """A required custom field's value, checked now: a refusal is told and the question
    stays. A field no longer required (or deleted) meanwhile is simply not asked again."""
    data = await NewClientData.load(state)
    required = await crm.new_cards.required(CardKind.CLIENT)
    field = next((f for f in required if f.id == data.asking), None)
    if field is not None:
        crm.field_values.parse(field, message.text or "")
        custom = {**data.custom, str(field.id): message.text or ""}
        await replace(data, custom=custom).save(state)
    await finish(message, crm, member, state, edit=False)


@routes.message(StateFilter(NewClientFlow), F.text)
async def typed_value(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    step = STEP_OF[str(await state.get_state())]
    if step != "name" and (message.text or "").strip() in CLEAR:
        # "-" is "none" here as when editing the card (was stored: "🏢 -"); Skip does the same
        await next_step(message, crm, member, state, step, edit=False)
        return
    try:  # a value refused is asked again (with why), not just told
        value = read_value(step, message.text or "", crm.config.default_phone_region)
    except (BadValue, CrmError) as problem:
        why = error_text(problem) if isinstance(problem, CrmError) else str(problem)
        await ask(message, state, step, edit=False, intro=why)
        return
    key = {"phone": "phones", "email": "emails"}.get(step, step)
    changes: dict[str, Any] = {key: value}
    await replace(await NewClientData.load(state), **changes).save(state)
    await next_step(message, crm, member, state, step, edit=False)


@routes.callback_query(NewClientCb.filter(F.action.in_(SKIPS)))
async def skip(
    callback: CallbackQuery, callback_data: NewClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    step = SKIPS[callback_data.action]
    live = step in STEPS[1:] and await state.get_state() == STATE_OF[step].state
    if not live or not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    await callback.answer()
    await next_step(callback.message, crm, member, state, step, edit=True)


async def next_step(
    target: Message, crm: Crm, member: User, state: FSMContext, step: str, *, edit: bool
) -> None:
    """Quick add asks only what it lacked; the dialog goes through every step."""
    if step == STEPS[-1] or (await NewClientData.load(state)).quick:
        await finish(target, crm, member, state, edit=edit)
        return
    following = STEPS[STEPS.index(step) + 1]
    if following == "source":
        offered = await crm.client_queries.usual_sources(MAX_SOURCES_OFFERED)
        await replace(await NewClientData.load(state), offered=offered).save(state)
    await ask(target, state, following, edit=edit)


async def _step_now(state: FSMContext) -> str | None:
    """The dialog's step now (None: no new-client dialog is open)."""
    return STEP_OF.get(str(await state.get_state()))


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.SOURCE))
async def pick_source(
    callback: CallbackQuery, callback_data: NewClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    data = await NewClientData.load(state)
    live = await _step_now(state) == "source" and callback_data.n < len(data.offered)
    if not live or not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    await replace(data, source=data.offered[callback_data.n]).save(state)
    await next_step(callback.message, crm, member, state, "source", edit=True)


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.SAVE))
async def save_as_is(callback: CallbackQuery, crm: Crm, member: User, state: FSMContext) -> None:
    """One tap after the name: the client as it is, the remaining steps skipped."""
    if await _step_now(state) in (None, "name") or not isinstance(callback.message, Message):
        await alert(callback, _("This button is no longer active."))
        return
    await finish(callback.message, crm, member, state, edit=True)


@routes.message(StateFilter(NewClientFlow), ~F.text, ~F.contact)
async def not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


async def finish(target: Message, crm: Crm, member: User, state: FSMContext, *, edit: bool) -> None:
    """Create the client (see client_create); a refused name or company is asked again."""
    error = await create_and_open(target, crm, member, state, edit=edit)
    if error is None:
        return
    field = str(error.params.get("field", ""))
    if field in STATE_OF:  # a name or company from quick add: a second chance
        draft = await NewClientData.load(state)
        if hasattr(draft, field):  # the refused value is not kept in the draft
            refused: dict[str, Any] = {field: "" if field == "name" else None}
            await replace(draft, **refused).save(state)
        await ask(target, state, field, edit=edit, intro=error_text(error))
    else:
        await state.clear()
        await put(target, Text(error_text(error)), None, edit=edit)


# --- a shared contact ----------------------------------------------------------------------------


@routes.message(StateFilter(None, NewClientFlow, DuplicateFlow), F.contact, PRIVATE)
async def shared_contact(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """A contact card makes a client, or opens the one that already has its phone."""
    contact = message.contact
    assert contact is not None
    await state.clear()
    try:
        phone = contact_phone(contact.phone_number, crm.config.default_phone_region)
    except PhoneError:
        await message.answer(
            _(
                "I could not read the phone number “{value}” of this contact, so nothing "
                "was saved. Add the client with /new."
            ).format(value=contact.phone_number[:50])
        )
        return
    found = await crm.clients.find_duplicate(member, (phone,), ())
    if found is not None and found.visible:
        await message.answer(_("This phone is already in the base; here is the card."))
        await send_card(message, crm, member, found.client_id)
        return
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    await NewClientData(name=name, phones=[phone], quick=True).save(state)
    await finish(message, crm, member, state, edit=False)
