"""No answer ever repeats unbounded input: an over-long text sent to every typed prompt.

Every dialog step of every ``StatesGroup`` under ``handlers/`` is reached the way a
member reaches it (commands and presses through the Dispatcher); the FSM state read
from the storage proves the step was reached. Then a 5,000-character text (and a
4,090-character one, just under Telegram's limit, so an echo plus a few words would
pass it) is sent. The bot must answer; each answer is at most 4,096 characters,
quotes no 200 characters of the text, is not the apology for a failure; and nothing
in the database changed. A step added without a case here fails
``test_every_dialog_step_has_a_case``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendDocument, SendMessage
from sqlalchemy import func, select

import handlers
from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.field_rules import options_of
from crm.parsing.fields import FieldType
from handlers.automation.callbacks import BuildCb, Code, Step
from handlers.business.callbacks import BizAction, BizCb
from handlers.clients.callbacks import ClientCb, ClientListCb, NewClientCb
from handlers.clients.contacts import KINDS as CONTACT_KINDS
from handlers.clients.edit import FIELDS as CLIENT_FIELDS
from handlers.deals.callbacks import (
    DealCb,
    DealField,
    DealFieldsAction,
    DealFieldsCb,
    NewDealCb,
)
from handlers.deals.edit import FIELDS as DEAL_FIELDS
from handlers.intake.callbacks import SourceCb
from handlers.records.callbacks import Ent, EntCb, RecList, RecordListCb
from handlers.records.settings_views import FIELD_TYPES
from handlers.records.states import RENAMES
from handlers.reports.callbacks import ReportCb
from handlers.settings.callbacks import (
    DayPartAction,
    DayPartCb,
    DigestCb,
    PipelineCb,
    SettingsCb,
)
from handlers.tasks.callbacks import NewTaskCb, TaskAction, TaskCb
from handlers.templates.callbacks import TplAction, TplCb
from storage.base import Base
from storage.engine import create_session_factory
from storage.models import Client, Deal, Record, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, UserFactory

TELEGRAM_LIMIT = 4096
SLICE = 200
APOLOGIES = (
    "Something went wrong on my side; nothing was changed. Please try again.",
    "У меня что-то сломалось; ничего не изменено. Попробуйте ещё раз.",
    "Something went wrong. Please try again.",
    # the answer to input no feature took: a dialog step answers about itself
    "I didn't understand that. /help shows what I can do.",
    "Не понял. /help покажет, что я умею.",
)


def long_text(length: int) -> str:
    """Words that never repeat, so any 200 characters of it are found only where it was quoted."""
    words: list[str] = []
    size = -1
    while size < length:
        word = f"{'слово' if len(words) % 2 else 'word'}{len(words)}"
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length]


def all_states() -> set[str]:
    """Every dialog step declared anywhere under ``handlers/``."""
    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        importlib.import_module(module.name)
    found: set[str] = set()
    groups: list[type[StatesGroup]] = list(StatesGroup.__subclasses__())
    while groups:
        group = groups.pop()
        groups.extend(group.__subclasses__())
        if group.__module__.startswith("handlers."):
            found.update(state.state for state in group.__all_states__ if state.state)
    return found


# --- the world every case starts from --------------------------------------------------------


@dataclass
class World:
    app: App
    member: SimulatedUser
    client: Client
    deal: Deal
    task: Task
    products: int  # a record type
    product: Record
    suppliers: int  # a record type with a required field
    fields: dict[FieldType, int]  # one client field of each type
    deal_field: int  # a number field of deals
    record_field: int  # a number field of products
    template: int = 0  # a message template with a place the client has no value for
    business: SimulatedBusiness | None = None  # the member's Telegram Business account
    chat_client: int = 0  # the client who wrote into it

    async def press(self, data: Any) -> None:
        await self.member.press_data(data.pack())

    async def send(self, text: str) -> None:
        await self.member.send(text)


async def make_world(app: App, member: SimulatedUser) -> World:
    client = await make_client(app, OWNER_ID, "Ivan Petrov", phones=("+79991234567",))
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        deal = await crm.deals.create(owner, client.id, 10_000_00, "Supply")
        task = await crm.tasks.create(
            owner, "Call back", crm.clock.now() + timedelta(days=1), client_id=None
        )
        products = await crm.record_types.take_starter(owner, "products")
        product = await crm.records.create(owner, products.id, "Salt")
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers")
        await crm.fields.define(
            owner,
            CardKind.RECORD,
            "INN",
            FieldType.TEXT,
            record_type_id=suppliers.id,
            required=True,
        )
        fields = {}
        for type_ in FieldType:
            options = (
                ["Ice", "Steam"] if type_ in (FieldType.CHOICE, FieldType.MULTI_CHOICE) else None
            )
            field = await crm.fields.define(
                owner, CardKind.CLIENT, f"F {type_.value}", type_, options=options
            )
            fields[type_] = field.id
        deal_field = await crm.fields.define(owner, CardKind.DEAL, "Volume", FieldType.NUMBER)
        record_field = await crm.fields.define(
            owner, CardKind.RECORD, "Weight", FieldType.NUMBER, record_type_id=products.id
        )
    return World(
        app,
        member,
        client,
        deal,
        task,
        products.id,
        product,
        suppliers.id,
        fields,
        deal_field.id,
        record_field.id,
    )


# --- how each step is reached ----------------------------------------------------------------

Reach = Callable[[World], Awaitable[None]]


LENGTHS = ((5000, "en"), (4090, "ru"))  # over the limit; an echo of it would pass it
# A reply into a client's Telegram chat may be as long as Telegram takes: past it, a little.
OVER_TELEGRAM = ((5000, "en"), (4100, "ru"))


@dataclass(frozen=True)
class Case:
    name: str
    state: State
    reach: Reach
    lengths: tuple[tuple[int, str], ...] = LENGTHS


def _new_client(*past: str) -> Reach:
    """/new, then the steps already ``past``: the name typed, the others skipped."""

    async def reach(w: World) -> None:
        await w.send("/new")
        if past:
            await w.send("Anna Smirnova")
            for step in past[1:]:
                await w.press(NewClientCb(action=f"skip_{step}"))

    return reach


async def _duplicate(w: World) -> None:
    await w.send("/new Ivan Petrov +7 999 123-45-67")


async def _forward_query(w: World) -> None:
    await w.member.forward("Please call me back tomorrow", hidden_name="Boris")
    await w.press(NewClientCb(action="fwd_find"))


def _client_field(name: str) -> Reach:
    async def reach(w: World) -> None:
        await w.press(ClientCb(action="edit_field", client_id=w.client.id, code=name))

    return reach


async def _tags(w: World) -> None:
    await w.press(ClientCb(action="tags", client_id=w.client.id))


async def _comment(w: World) -> None:
    await w.press(ClientCb(action="comment", client_id=w.client.id))


async def _call_note(w: World) -> None:
    await w.press(ClientCb(action="call_outcome", client_id=w.client.id, code="reached"))


async def _list_period(w: World) -> None:
    [listing] = await w.member.send("/clients")
    await w.member.press_data(ClientListCb(action="type_period").pack(), listing)


async def _deal_amount(w: World) -> None:
    await w.press(NewDealCb(action="start", client_id=w.client.id))


async def _deal_title(w: World) -> None:
    await _deal_amount(w)
    await w.press(NewDealCb(action="skip_amount", client_id=w.client.id))


async def _lost_reason(w: World) -> None:
    await w.press(DealCb(action="lost", deal_id=w.deal.id))


def _deal_field(field: DealField) -> Reach:
    async def reach(w: World) -> None:
        await w.press(DealCb(action="edit_field", deal_id=w.deal.id, field=field))

    return reach


async def _deal_comment(w: World) -> None:
    await w.press(DealCb(action="comment", deal_id=w.deal.id))


async def _task_text(w: World) -> None:
    await w.send("/task")


async def _task_when(w: World) -> None:
    await w.press(NewTaskCb(client_id=w.client.id))
    await w.send("send the offer")  # no date: the text is kept, the when is asked


async def _task_time(w: World) -> None:
    await w.send("/task today call the bank")  # 12:00: today's default hour has passed


async def _task_title(w: World) -> None:
    await w.send("/task tomorrow 10:00")


async def _task_new_time(w: World) -> None:
    await w.press(TaskCb(action="time", task_id=w.task.id))


async def _timezone(w: World) -> None:
    await w.press(SettingsCb(action="tz"))


async def _status_name(w: World) -> None:
    async with w.app.crm.open() as crm:
        status = (await crm.settings.statuses())[0]
    await w.press(SettingsCb(action="rename", status=status.code))


async def _new_status(w: World) -> None:
    await w.press(SettingsCb(action="add"))


async def _digest_time(w: World) -> None:
    await w.press(DigestCb(action="time"))


async def _first_stage(w: World) -> int:
    async with w.app.crm.open() as crm:
        return (await crm.pipelines.stages())[0].id


async def _stage_name(w: World) -> None:
    await w.press(PipelineCb(action="rename", item_id=await _first_stage(w)))


async def _new_stage(w: World) -> None:
    await w.press(PipelineCb(action="add"))


async def _stale_days(w: World) -> None:
    await w.press(PipelineCb(action="stale", item_id=await _first_stage(w)))


async def _reason_text(w: World) -> None:
    async with w.app.crm.open() as crm:
        reason = (await crm.pipelines.lost_reasons())[0]
    await w.press(PipelineCb(action="reason_rename", item_id=reason.id))


async def _new_reason(w: World) -> None:
    await w.press(PipelineCb(action="reason_add"))


async def _invite_role(w: World) -> None:
    await w.send("/invite")


async def _import_mapping(w: World) -> None:
    data = b"Name,Phone\nAnna,+79990000001\n"
    await w.member.send_document("clients.csv", "text/csv", data=data)


async def _report_period(w: World) -> None:
    await w.press(ReportCb(action="type"))


async def _source_name(w: World) -> None:
    await w.press(SourceCb(action="add"))


def _field_value(type_: FieldType) -> Reach:
    async def reach(w: World) -> None:
        item = w.fields[type_]
        await w.press(EntCb(action=Ent.EDIT_VALUE, kind="client", card=w.client.id, item=item))

    return reach


async def _link_search(w: World) -> None:
    await w.press(EntCb(action=Ent.LINK_TYPE, kind="client", card=w.client.id, type_id=w.products))


async def _link_quantity(w: World) -> None:
    pick = EntCb(action=Ent.LINK_PICK, kind="deal", card=w.deal.id, type_id=3, item=w.product.id)
    await w.press(pick)


async def _record_search(w: World) -> None:
    await w.press(EntCb(action=Ent.SEARCH, type_id=w.products))


async def _record_comment(w: World) -> None:
    await w.press(EntCb(action=Ent.COMMENT, kind="record", card=w.product.id))


async def _record_title(w: World) -> None:
    await w.press(EntCb(action=Ent.NEW_RECORD, type_id=w.products))


async def _record_rename(w: World) -> None:
    await w.press(EntCb(action=Ent.RECORD, kind="record", card=w.product.id, item=1))


async def _record_value(w: World) -> None:
    await w.press(EntCb(action=Ent.NEW_RECORD, type_id=w.suppliers))
    await w.send("IceWorks")


async def _field_name(w: World) -> None:
    await w.press(EntCb(action=Ent.ADD_FIELD, kind="client"))


async def _field_options(w: World) -> None:
    await _field_name(w)
    await w.send("Colour")
    await w.press(
        EntCb(action=Ent.FIELD_TYPE, kind="client", item=FIELD_TYPES.index(FieldType.CHOICE))
    )


async def _type_names(w: World) -> None:
    await w.press(EntCb(action=Ent.NEW_TYPE))


async def _type_plural(w: World) -> None:
    await _type_names(w)
    await w.send("Vendor")  # "Supplier" is the world's type already


async def _new_client_field(w: World) -> None:
    async with w.app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.fields.set_required(owner, w.fields[FieldType.NUMBER], True)
    await w.send("/new Vera Kim")  # the required number field is asked


def _contact(kind: str) -> Reach:
    async def reach(w: World) -> None:
        await w.press(ClientCb(action="contact_add", client_id=w.client.id, code=kind))

    return reach


async def _list_field_range(w: World) -> None:
    [listing] = await w.member.send("/clients")
    code = str(w.fields[FieldType.NUMBER])
    await w.member.press_data(ClientListCb(action="field_range", code=code).pack(), listing)


async def _deals_field_range(w: World) -> None:
    await w.press(DealFieldsCb(action=DealFieldsAction.RANGE, field_id=w.deal_field))


async def _records_field_range(w: World) -> None:
    range_ = RecordListCb(action=RecList.RANGE, type_id=w.products, field_id=w.record_field)
    await w.press(range_)


async def _deal_required(w: World) -> None:
    async with w.app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.fields.set_required(owner, w.deal_field, True)
    await _deal_title(w)
    await w.send("Ice supply")  # the required number field is asked


async def _deal_client(w: World) -> None:
    await w.press(DealCb(action="client", deal_id=w.deal.id))


def _task_edit(action: TaskAction) -> Reach:
    async def reach(w: World) -> None:
        await w.press(TaskCb(action=action, task_id=w.task.id))

    return reach


async def _day_part(w: World) -> None:
    await w.press(DayPartCb(action=DayPartAction.ASK, part="morning"))


def _renaming(what: str) -> Reach:
    async def reach(w: World) -> None:
        choice = w.fields[FieldType.CHOICE]
        if what in ("type", "emoji"):
            action = Ent.TYPE_RENAME if what == "type" else Ent.TYPE_EMOJI
            await w.press(EntCb(action=action, kind="record", type_id=w.products))
            return
        async with w.app.crm.open() as crm:
            option = options_of(await crm.fields.get(choice))[0].id
        actions = {"field": Ent.FIELD_RENAME, "option": Ent.OPTION_RENAME}
        action = actions.get(what, Ent.OPTION_ADD)
        await w.press(EntCb(action=action, kind="client", item=choice, page=option))

    return reach


async def _business_reply(w: World) -> None:
    if w.business is None:
        w.business = SimulatedBusiness(
            w.app.dispatcher, w.app.bot, w.member.user, connection_id="conn-o"
        )
        await w.business.connect()
        await w.business.writes(customer(900_002, "Olga", username="olga_k"), "Hi!")
        async with w.app.crm.open() as crm:
            session = crm.clients._session
            w.chat_client = await session.scalar(select(func.max(Client.id))) or 0
    await w.press(BizCb(action=BizAction.REPLY, client_id=w.chat_client))


RuleStep = BuildCb | str | Callable[[World], BuildCb]  # a press, a text typed, a field's press


def _text_field(w: World) -> BuildCb:
    return BuildCb(step=Step.FIELD, value=w.fields[FieldType.TEXT])


RULE_START: list[RuleStep] = [
    BuildCb(step=Step.NEW),
    BuildCb(step=Step.TRIGGER, code=Code.CLIENT_CREATED),  # asks the source
]
RULE_ACTIONS = [*RULE_START, BuildCb(step=Step.ANY), BuildCb(step=Step.ACTIONS)]
RULE_TEXT = [
    *RULE_ACTIONS,
    BuildCb(step=Step.ACTION, code=Code.NOTIFY),
    BuildCb(step=Step.WHO, code=Code.OWNER),
]
RULE_ASKS: dict[str, list[RuleStep]] = {
    "source": RULE_START,
    "tag": [*RULE_START, BuildCb(step=Step.ANY), BuildCb(step=Step.CONDITION, code=Code.TAG)],
    "title": [*RULE_ACTIONS, BuildCb(step=Step.ACTION, code=Code.CREATE_TASK)],
    "add_tag": [*RULE_ACTIONS, BuildCb(step=Step.ACTION, code=Code.ADD_TAG)],
    "cond_custom": [
        *RULE_START,
        BuildCb(step=Step.ANY),
        BuildCb(step=Step.CONDITION, code=Code.CUSTOM),
        _text_field,
    ],
    "changed_value": [
        BuildCb(step=Step.NEW),
        BuildCb(step=Step.TRIGGER, code=Code.CUSTOM_CHANGED),
        _text_field,
    ],
    "field_value": [*RULE_ACTIONS, BuildCb(step=Step.ACTION, code=Code.SET_FIELD), _text_field],
    "text": RULE_TEXT,
    "name": [
        *RULE_TEXT,
        "A new client",
        BuildCb(step=Step.DELAY_STEP),
        BuildCb(step=Step.DELAY, code=Code.NOW),
    ],
}


async def _rule_start(w: World) -> None:
    await w.press(BuildCb(step=Step.NEW))


def _rule_asking(asking: str) -> Reach:
    async def reach(w: World) -> None:
        for step in RULE_ASKS[asking]:
            if isinstance(step, str):
                await w.send(step)
            else:
                await w.press(step if isinstance(step, BuildCb) else step(w))
        data = await fsm_data(w.app)
        assert data.get("asking") == asking, f"the builder asks {data.get('asking')!r}"

    return reach


async def _template_name(w: World) -> None:
    await w.press(TplCb(action=TplAction.ADD_TEXT))


async def _template_body(w: World) -> None:
    await _template_name(w)
    await w.send("Offer")


async def _template_document(w: World) -> None:
    await w.press(TplCb(action=TplAction.ADD_DOC))


async def _template_fill(w: World) -> None:
    if not w.template:
        async with w.app.crm.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
            assert owner is not None
            body = "Dear {client.name} ({client.company})"
            w.template = (await crm.templates.add_text(owner, "Offer", body)).id
    await w.press(TplCb(action=TplAction.FILL, template_id=w.template, client_id=w.client.id))


def _cases() -> list[Case]:
    from handlers.automation.states import RuleFlow
    from handlers.business.states import ReplyFlow
    from handlers.clients.states import (
        ClientListFlow,
        DuplicateFlow,
        EditFlow,
        ForwardFlow,
        NewClientFlow,
        NoteFlow,
    )
    from handlers.deals.list_states import DealsListFlow
    from handlers.deals.states import DealEditFlow, LostFlow, NewDealFlow
    from handlers.imports.states import ImportDialog
    from handlers.intake.states import SourceFlow
    from handlers.records.states import EntFlow
    from handlers.reports.states import ReportFlow
    from handlers.settings.states import DayPartFlow, DigestFlow, PipelineFlow, SettingsFlow
    from handlers.tasks.states import TaskEditFlow, TaskFlow
    from handlers.team.invites import InviteFlow
    from handlers.templates.states import TemplateFlow

    cases = [
        Case("new client: name", NewClientFlow.name, _new_client()),
        Case("new client: source", NewClientFlow.source, _new_client("name")),
        Case("new client: phone", NewClientFlow.phone, _new_client("name", "source")),
        Case("new client: email", NewClientFlow.email, _new_client("name", "source", "phone")),
        Case(
            "new client: company",
            NewClientFlow.company,
            _new_client("name", "source", "phone", "email"),
        ),
        Case(
            "new client: city",
            NewClientFlow.city,
            _new_client("name", "source", "phone", "email", "company"),
        ),
        Case("new client: required field", NewClientFlow.field, _new_client_field),
        Case("new client: duplicate", DuplicateFlow.prompt, _duplicate),
        Case("forward: which client", ForwardFlow.query, _forward_query),
        *(
            Case(f"client edit: {f}", EditFlow.value, _client_field(f))
            for f in CLIENT_FIELDS
            if f not in CONTACT_KINDS  # phones and emails: one at a time (EditFlow.contact)
        ),
        Case("client: one phone", EditFlow.contact, _contact("phones")),
        Case("client: one email", EditFlow.contact, _contact("emails")),
        Case("client tags", EditFlow.tags, _tags),
        Case("client comment", NoteFlow.comment, _comment),
        Case("call note", NoteFlow.call_note, _call_note),
        Case("client list: period", ClientListFlow.period, _list_period),
        Case("client list: field range", ClientListFlow.field_range, _list_field_range),
        Case("deal list: field range", DealsListFlow.field_range, _deals_field_range),
        Case("record list: field range", EntFlow.record_range, _records_field_range),
        Case("record list: search", EntFlow.record_search, _record_search),
        Case("record: comment", EntFlow.record_comment, _record_comment),
        Case("new deal: amount", NewDealFlow.amount, _deal_amount),
        Case("new deal: title", NewDealFlow.title, _deal_title),
        Case("new deal: required field", NewDealFlow.field, _deal_required),
        Case("deal lost: reason", LostFlow.reason, _lost_reason),
        *(Case(f"deal edit: {f.value}", DealEditFlow.value, _deal_field(f)) for f in DEAL_FIELDS),
        Case("deal comment", DealEditFlow.comment, _deal_comment),
        Case("deal: another client", DealEditFlow.client, _deal_client),
        Case("new task: when and what", TaskFlow.text, _task_text),
        Case("new task: when", TaskFlow.when, _task_when),
        Case("new task: time", TaskFlow.time, _task_time),
        Case("new task: what", TaskFlow.title, _task_title),
        Case("task: new time", TaskEditFlow.when, _task_new_time),
        Case("task: new text", TaskEditFlow.title, _task_edit(TaskAction.TITLE)),
        Case("task: which client", TaskEditFlow.link, _task_edit(TaskAction.LINK)),
        Case("settings: time zone", SettingsFlow.timezone, _timezone),
        Case("settings: status name", SettingsFlow.status_name, _status_name),
        Case("settings: new status", SettingsFlow.new_status, _new_status),
        Case("settings: summary time", DigestFlow.time, _digest_time),
        Case("settings: day part time", DayPartFlow.time, _day_part),
        Case("pipeline: stage name", PipelineFlow.stage_name, _stage_name),
        Case("pipeline: new stage", PipelineFlow.new_stage, _new_stage),
        Case("pipeline: stale days", PipelineFlow.stale_days, _stale_days),
        Case("pipeline: reason text", PipelineFlow.reason_text, _reason_text),
        Case("pipeline: new reason", PipelineFlow.new_reason, _new_reason),
        Case("invite: role", InviteFlow.role, _invite_role),
        Case("import: mapping", ImportDialog.mapping, _import_mapping),
        Case("report: days", ReportFlow.period, _report_period),
        Case("lead source: name", SourceFlow.name, _source_name),
        *(Case(f"field value: {t.value}", EntFlow.value, _field_value(t)) for t in FieldType),
        Case("link: search", EntFlow.link_search, _link_search),
        Case("link: quantity", EntFlow.link_quantity, _link_quantity),
        Case("new record: name", EntFlow.record_title, _record_title),
        Case("record: rename", EntFlow.record_title, _record_rename),
        Case("new record: required field", EntFlow.record_value, _record_value),
        Case("new field: name", EntFlow.field_name, _field_name),
        Case("new field: options", EntFlow.field_options, _field_options),
        Case("new record type: names", EntFlow.type_names, _type_names),
        Case("new record type: plural", EntFlow.type_plural, _type_plural),
        *(Case(f"settings rename: {what}", EntFlow.renaming, _renaming(what)) for what in RENAMES),
        Case("business: reply", ReplyFlow.text, _business_reply, OVER_TELEGRAM),
        Case("rule builder: a press expected", RuleFlow.building, _rule_start),
        *(Case(f"rule builder: {a}", RuleFlow.building, _rule_asking(a)) for a in RULE_ASKS),
        Case("template: name", TemplateFlow.name, _template_name),
        Case("template: text", TemplateFlow.body, _template_body),
        Case("template: document", TemplateFlow.document, _template_document),
        Case("template: a missing value", TemplateFlow.fill, _template_fill),
    ]
    return cases


CASES = _cases()


def test_every_dialog_step_has_a_case() -> None:
    visited = {case.state.state for case in CASES}
    missing = all_states() - visited
    assert not missing, f"dialog steps no long-input case reaches: {sorted(missing)}"


# --- the checks ------------------------------------------------------------------------------


async def fsm_state(app: App, user_id: int = OWNER_ID) -> str | None:
    key = StorageKey(bot_id=app.bot.id, chat_id=user_id, user_id=user_id)
    return await app.dispatcher.storage.get_state(key)


async def fsm_data(app: App, user_id: int = OWNER_ID) -> dict[str, Any]:
    key = StorageKey(bot_id=app.bot.id, chat_id=user_id, user_id=user_id)
    return await app.dispatcher.storage.get_data(key)


async def database(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to see that a refused answer wrote nothing."""
    rows = {}
    async with create_session_factory(app.engine)() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(row) for row in result), key=repr)
    return rows


def quoted(answer: str, text: str) -> bool:
    """Does ``answer`` repeat any ``SLICE`` characters of ``text``?"""
    pieces = {text[i : i + SLICE] for i in range(len(text) - SLICE + 1)}
    return any(answer[i : i + SLICE] in pieces for i in range(len(answer) - SLICE + 1))


def kept_texts(value: Any) -> list[str]:
    """Every text in the dialog's data, also inside the JSON some dialogs keep as a string."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in kept_texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in kept_texts(item)]
    if not isinstance(value, str):
        return [str(value)]
    try:
        inner = json.loads(value)
    except ValueError:
        return [value]
    return [value, *kept_texts(inner)]


def said(requests: list[Any]) -> list[str]:
    """What the bot sent, edited or answered a press with: each one's text (or caption)."""
    answers = []
    for request in requests:
        if isinstance(request, AnswerCallbackQuery) and not request.text:
            continue  # a press answered silently says nothing
        if isinstance(request, AnswerCallbackQuery | SendMessage | EditMessageText | SendDocument):
            answers.append(
                getattr(request, "text", None) or getattr(request, "caption", None) or ""
            )
    return answers


async def as_member(app: App, user: UserFactory, language: str, world: World | None) -> World:
    """The owner, reading the bot in ``language``, in ``world`` (made the first time)."""
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_language(owner, language)
    member = user(OWNER_ID, "Olga", language_code=language)
    await member.send("/help")  # the member's name is taken from Telegram now, not later
    if world is None:
        return await make_world(app, member)
    world.member = member
    return world


async def at_step(app: App, user: UserFactory, case: Case) -> SimulatedUser:
    """The owner, reading English, at the step ``case`` reaches (checked in the storage)."""
    world = await as_member(app, user, "en", None)
    await case.reach(world)
    assert await fsm_state(app) == case.state.state, "the step was not reached"
    return world.member


async def assert_refused_without_an_echo(
    app: App, member: SimulatedUser, text: str, send: Callable[[str], Awaitable[Any]]
) -> None:
    """``send`` the text: an answer, short enough, no quote of it, nothing stored or kept."""
    before = await database(app)
    session = member.session
    start = len(session.requests)
    await send(text)
    answers = said(session.requests[start:])
    assert answers, "the bot said nothing"
    for answer in answers:
        assert len(answer) <= TELEGRAM_LIMIT, f"{len(answer)} characters: {answer[:300]}"
        assert not quoted(answer, text), f"the text is echoed: {answer[:300]}"
        assert answer not in APOLOGIES
    after = await database(app)
    changed = {name: after[name] for name in after if after[name] != before.get(name)}
    assert not changed, f"something was stored: {str(changed)[:500]}"
    kept = kept_texts(await fsm_data(app))
    assert not any(quoted(one, text) for one in kept), "the dialog kept the text for a later step"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_an_over_long_answer_is_refused_without_an_echo(
    app: App, user: UserFactory, case: Case
) -> None:
    world = None
    for length, language in case.lengths:  # the step reached again for each (it may have ended)
        world = await as_member(app, user, language, world)
        await case.reach(world)
        assert await fsm_state(app) == case.state.state, "the step was not reached"
        member = world.member
        await assert_refused_without_an_echo(app, member, long_text(length), member.send)


# --- typed input outside the dialogs: a command's words, a text, a forward, a caption --------

COMMANDS = sorted(
    {
        "backup",
        "cancel",
        "clients",
        "deal",
        "deals",
        "digest",
        "export",
        "find",
        "help",
        "import",
        "imports",
        "incoming",
        "invite",
        "new",
        "records",
        "report",
        "settings",
        "start",
        "task",
        "tasks",
        "team",
    }
)  # fmt: skip  (/bind and /unbind are read in a group only)


async def _open_card(w: World) -> None:
    await w.press(ClientCb(action="open", client_id=w.client.id))


async def _open_deal(w: World) -> None:
    await w.press(DealCb(action="open", deal_id=w.deal.id))


async def _nothing(w: World) -> None:
    return None


def _stranger(w: World, command: str = "") -> Callable[[str], Awaitable[Any]]:
    """Someone not in the team (an invite link's token is the words after /start)."""
    stranger = SimulatedUser(w.member.dispatcher, w.member.bot, 424_242, "Stranger")
    return lambda text: stranger.send(f"{command}{text}")


Outside = tuple[str, Reach, Callable[[World], Callable[[str], Awaitable[Any]]]]
OUTSIDE: list[Outside] = [
    *(
        (f"/{command} …", _nothing, lambda w, c=command: lambda t: w.send(f"/{c} {t}"))
        for command in COMMANDS
    ),
    ("a text: a search", _nothing, lambda w: w.member.send),
    ("a text with a client card open", _open_card, lambda w: w.member.send),
    ("a text with a deal card open", _open_deal, lambda w: w.member.send),
    ("/deal … with a card open", _open_card, lambda w: lambda t: w.send(f"/deal {t}")),
    ("/task … with a card open", _open_card, lambda w: lambda t: w.send(f"/task {t}")),
    ("a forwarded text", _nothing, lambda w: lambda t: w.member.forward(t, hidden_name="Bo")),
    ("a stranger's text", _nothing, _stranger),
    ("a stranger's /start …", _nothing, lambda w: _stranger(w, "/start ")),
    (
        "a caption with a card open",
        _open_card,
        lambda w: lambda t: w.member.send_document("scan.pdf", "application/pdf", caption=t),
    ),
]


@pytest.mark.parametrize("case", OUTSIDE, ids=[case[0] for case in OUTSIDE])
async def test_over_long_words_outside_a_dialog_are_not_echoed(
    app: App, user: UserFactory, case: Outside
) -> None:
    _name, reach, sender = case
    world = None
    for length, language in LENGTHS:
        world = await as_member(app, user, language, world)
        await reach(world)
        await assert_refused_without_an_echo(app, world.member, long_text(length), sender(world))
