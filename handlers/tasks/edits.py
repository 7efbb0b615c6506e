"""Fixing a task: its text, the client or deal it hangs off, and cancelling it (issue 10, 12).

Every press is checked again by the CRM (a forged or stale button names a task the member
may not change, or one already cancelled); each edits the task's own message.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.parsing.search_text import shows
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.keyboards import button, keyboard, pick
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import stage_name
from handlers.kit.timeline import shorten
from handlers.tasks.actions import open_task
from handlers.tasks.callbacks import Attach, TaskAction, TaskCb
from handlers.tasks.states import OneTask, TaskEditFlow
from handlers.tasks.views import back_button, opened_heading, task_screen
from storage.models import Task, User

routes = Routes(__name__)
FOUND_SHOWN = 8
DEALS_SHOWN = 8
SECOND_CHANCE = ("empty", "too_long")


def only_back(task: Task) -> InlineKeyboardMarkup:
    return keyboard([back_button(task.id)])


@routes.callback_query(TaskCb.filter(F.action == TaskAction.OPEN))
async def open_from_card(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if await state.get_state() in TaskEditFlow.__all_states_names__:
        await state.clear()
    screen = await task_screen(crm, member, callback_data.task_id, heading=opened_heading())
    await show(callback, *screen)


# --- the text ------------------------------------------------------------------------------------


@routes.callback_query(TaskCb.filter(F.action == TaskAction.TITLE))
async def ask_title(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    task = await open_task(crm, member, callback_data.task_id)
    question = _("Send the new text of the task.")
    screen = await task_screen(crm, member, task.id, question, only_back, opened_heading())
    await state.set_state(TaskEditFlow.title)
    await OneTask(task_id=task.id).save(state)
    await show(callback, *screen)


@routes.message(TaskEditFlow.title, F.text)
async def typed_title(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    task_id = (await OneTask.load(state)).task_id
    # An empty or too long text gets a second try; any other refusal ends the question.
    async with keep_asking(state, again=SECOND_CHANCE, forget=True):
        await crm.task_edits.set_title(member, task_id, message.text or "")
    await state.clear()
    text, markup = await task_screen(crm, member, task_id)
    await message.answer(**text.as_kwargs(), reply_markup=markup)


@routes.message(TaskEditFlow.title)
async def title_not_text(message: Message) -> None:
    await message.answer(_("Send the text of the task as text, or /cancel."))


# --- the client or deal -------------------------------------------------------------------------


def attach_data(task_id: int, how: Attach, item: int = 0) -> TaskCb:
    return TaskCb(action=TaskAction.ATTACH, task_id=task_id, choice=how, item=item)


def link_question() -> str:
    return _("Send a client's name (or phone, company) to tie the task to them or their deal.")


@routes.callback_query(TaskCb.filter(F.action == TaskAction.LINK))
async def ask_link(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    task = await open_task(crm, member, callback_data.task_id)
    question = link_question()

    def choices(task: Task) -> InlineKeyboardMarkup:
        rows: list[list[InlineKeyboardButton]] = []
        if task.client_id is not None:
            data = TaskCb(action=TaskAction.LINK_CLIENT, task_id=task.id, item=task.client_id)
            rows.append([button(_("💼 This client's deals"), data)])
        if task.client_id is not None or task.record_id is not None:
            rows.append([button(_("✂️ Untie it"), attach_data(task.id, Attach.NOTHING))])
        return keyboard(*rows, [back_button(task.id)])

    screen = await task_screen(crm, member, task.id, question, choices, opened_heading())
    await state.set_state(TaskEditFlow.link)
    await OneTask(task_id=task.id).save(state)
    await show(callback, *screen)


@routes.message(TaskEditFlow.link, F.text)
async def typed_search(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    async with keep_asking(state, again=(), forget=True):  # gone or done: the question ends
        task = await open_task(crm, member, (await OneTask.load(state)).task_id)
    if not shows(message.text or ""):  # nothing to look for: the question again
        await message.answer(link_question())
        return
    found = await crm.client_queries.search(member, message.text or "", limit=FOUND_SHOWN)
    if not found:
        await message.answer(
            _("Nobody found by “{query}”. Send another name, or /cancel.").format(
                query=shorten(" ".join((message.text or "").split()), 50)
            )
        )
        return
    choices = [
        (
            "👤 " + shorten(client.name, 50),
            TaskCb(action=TaskAction.LINK_CLIENT, task_id=task.id, item=client.id),
        )
        for client in found
    ]
    markup = keyboard(*pick(choices), [back_button(task.id)])
    await message.answer(_("Which client?"), reply_markup=markup)


@routes.message(TaskEditFlow.link)
async def search_not_text(message: Message) -> None:
    await message.answer(_("Send it as text, or /cancel."))


@routes.callback_query(TaskCb.filter(F.action == TaskAction.LINK_CLIENT))
async def client_or_deal(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User
) -> None:
    task = await open_task(crm, member, callback_data.task_id)
    client = await crm.clients.visible(member, callback_data.item)
    deals = await crm.deal_queries.of_client(member, client.id)
    choices = [("👤 " + shorten(client.name, 50), attach_data(task.id, Attach.CLIENT, client.id))]
    choices += [
        (
            f"💼 {shorten(deal.title, 40)} · {shorten(stage_name(stage), 20)}",
            attach_data(task.id, Attach.DEAL, deal.id),
        )
        for deal, stage in deals[:DEALS_SHOWN]
    ]
    question = _("Tie the task to {name} or to one of their deals:").format(name=client.name)
    markup = keyboard(*pick(choices), [back_button(task.id)])
    await show(callback, Text(as_line(shorten(task.title, 200)), "\n", question), markup)


@routes.callback_query(TaskCb.filter(F.action == TaskAction.ATTACH))
async def attach(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    how, item, task_id = callback_data.choice, callback_data.item, callback_data.task_id
    await open_task(crm, member, task_id)  # a forged task first: "no longer exists"
    if how == Attach.CLIENT:
        await crm.task_edits.attach(member, task_id, client_id=item, deal_id=None)
    elif how == Attach.DEAL:
        await crm.task_edits.attach(member, task_id, client_id=None, deal_id=item)
    elif how == Attach.NOTHING:
        await crm.task_edits.attach(member, task_id, client_id=None, deal_id=None)
    else:
        await alert(callback, _("This button is no longer active."))
        return
    if await state.get_state() == TaskEditFlow.link.state:
        await state.clear()
    await show(callback, *await task_screen(crm, member, task_id))
    await callback.answer(_("Saved."))


# --- cancelling --------------------------------------------------------------------------------


@routes.callback_query(TaskCb.filter(F.action == TaskAction.CANCEL))
async def ask_cancel(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User
) -> None:
    task = await open_task(crm, member, callback_data.task_id)
    question = _("Cancel this task? It will not remind anyone; the history keeps a line about it.")

    def confirm(task: Task) -> InlineKeyboardMarkup:
        yes = TaskCb(action=TaskAction.CANCEL_YES, task_id=task.id)
        return keyboard([button(_("🗑 Yes, cancel it"), yes), back_button(task.id)])

    screen = await task_screen(crm, member, task.id, question, confirm, opened_heading())
    await show(callback, *screen)


@routes.callback_query(TaskCb.filter(F.action == TaskAction.CANCEL_YES))
async def cancel(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    task = await open_task(crm, member, callback_data.task_id)
    title = task.title
    await crm.task_edits.cancel(member, task.id)
    await show(callback, Text(_("🗑 The task “{title}” is cancelled.").format(title=title)), None)
