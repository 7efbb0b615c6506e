"""The CRM as one object per database session, handed to every handler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.automation.manage import Automation
from crm.backups import Backups
from crm.business.connections import BusinessConnections
from crm.business.inbox import BusinessInbox
from crm.business.replies import BusinessReplies
from crm.card_extras import CardExtras
from crm.card_search import CardSearch
from crm.cards import Cards
from crm.client_edits import ClientEdits
from crm.client_queries import ClientQueries
from crm.clients import Clients
from crm.clock import Clock
from crm.clock_work import ClockRead, ClockWork
from crm.config import CrmConfig
from crm.deal_edits import DealEdits
from crm.deal_queries import DealQueries
from crm.deals import Deals
from crm.defs_cache import DefsCache
from crm.digest import Digests
from crm.exports.service import Exports
from crm.field_defs import FieldDefs
from crm.field_values import FieldValues
from crm.groups import Groups
from crm.handoff import Handoff
from crm.imports.records import RecordImports
from crm.imports.service import Imports
from crm.imports.undo import ImportUndo
from crm.intake.issued import IssuedTokens
from crm.intake.leads import LeadIntake
from crm.intake.queue import IncomingQueue
from crm.intake.sources import LeadSources
from crm.invites import Invites
from crm.links import Links
from crm.member_cache import MemberCache
from crm.members import Members
from crm.missed_reminders import MissedReminders
from crm.new_cards import NewCards
from crm.outbox import Outbox
from crm.pace import Pace
from crm.pipeline import Pipelines
from crm.record_queries import RecordQueries
from crm.record_types import RecordTypes
from crm.records import Records
from crm.reminders import Reminders
from crm.reports import Reports
from crm.setup_codes import SetupCodes
from crm.task_edits import TaskEdits
from crm.task_lists import TaskLists
from crm.task_view import TaskViews
from crm.tasks import Tasks
from crm.team_settings import SettingsCache, TeamSettings
from crm.template_fields import TemplateFields
from crm.templates import Templates
from crm.timeline import Timeline

T = TypeVar("T")


class Part(Generic[T]):
    """A part of ``Crm`` (a use case), built from the others the first time it is used
    and then kept on that ``Crm``. An update uses a handful of the 44: building them
    all for every update was ~30 µs of a menu command's ~450."""

    def __init__(self, build: Callable[[Crm], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type[Crm], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, crm: None, owner: type[Crm]) -> Part[T]: ...
    @overload
    def __get__(self, crm: Crm, owner: type[Crm]) -> T: ...
    def __get__(self, crm: Crm | None, owner: type[Crm]) -> Part[T] | T:
        if crm is None:
            return self
        built = crm.__dict__[self._name] = self._build(crm)  # found there from now on
        return built


class Crm:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        settings_cache: SettingsCache | None = None,
        pace: Pace | None = None,
        defs_cache: DefsCache | None = None,
        clock_read: ClockRead | None = None,
        member_cache: MemberCache | None = None,
        issued_tokens: IssuedTokens | None = None,
    ) -> None:
        self._session = session
        self._issued_tokens = issued_tokens
        self.clock = clock
        self.config = config
        self.pace = pace or Pace()
        self._settings_cache = settings_cache
        self._clock_read = clock_read
        self._member_cache = member_cache if member_cache is not None else MemberCache()  # off
        self._member_cache.open_cards.watch(session)  # (nothing when off)
        # Removals of clients or deals so far: a card opened in this update is kept
        # closed if any happens before it is kept (``OpenCards.keep``).
        self._removals = self._member_cache.open_cards.removals
        # Without the factory's copy, one that is never reused (max_age 0).
        self._defs = defs_cache if defs_cache is not None else DefsCache(max_age=0)
        self._defs.watch(session)

    async def after_answer(self) -> None:
        """What an update leaves until its answer is out: remembering the card it opened
        (``Timeline.open_card``). The bot runs it once the answer (and a press's spinner)
        is out and the session closed (``handlers.kit.middlewares.AfterAnswer``)."""
        timeline = self.__dict__.get("timeline")  # built only if the update used it
        if isinstance(timeline, Timeline):
            await timeline.remember_open()

    @property
    def opened_a_card(self) -> bool:
        """Whether this update made a card the member's open card (``Timeline.open_card``):
        a client's, a deal's or a record's."""
        timeline = self.__dict__.get("timeline")  # built only if the update used it
        return isinstance(timeline, Timeline) and (
            timeline.opened is not None or timeline.opened_record is not None
        )

    members = Part(lambda c: Members(c._session, c.clock, c.config, c._member_cache))
    invites = Part(lambda c: Invites(c._session, c.clock, c.config))
    setup_codes = Part(lambda c: SetupCodes(c._session, c.clock, c.config))
    outbox = Part(lambda c: Outbox(c._session, c.clock))
    settings = Part(lambda c: TeamSettings(c._session, c._settings_cache))
    clients = Part(lambda c: Clients(c._session, c.clock, c.settings))
    client_edits = Part(lambda c: ClientEdits(c._session, c.clock, c.settings, c.clients))
    client_queries = Part(lambda c: ClientQueries(c._session, c.clock, c.settings, c.clients))
    handoff = Part(lambda c: Handoff(c._session, c.clock, c.clients, c.settings))
    timeline = Part(
        lambda c: Timeline(c._session, c.clock, c.clients, c._member_cache.open_cards, c._removals)
    )
    pipelines = Part(lambda c: Pipelines(c._session, c.clock))
    deals = Part(lambda c: Deals(c._session, c.clock, c.config, c.clients, c.pipelines))
    deal_edits = Part(lambda c: DealEdits(c._session, c.clock, c.deals, c.settings))
    deal_queries = Part(
        lambda c: DealQueries(c._session, c.clock, c.settings, c.deals, c.pipelines)
    )
    tasks = Part(lambda c: Tasks(c._session, c.clock, c.config, c.settings, c.clients, c.deals))
    task_edits = Part(lambda c: TaskEdits(c._session, c.clock, c.tasks, c.clients, c.deals))
    task_lists = Part(lambda c: TaskLists(c._session, c.clock))
    reminders = Part(lambda c: Reminders(c._session, c.clock, c.config))
    task_views = Part(lambda c: TaskViews(c._session, c.settings))
    missed_reminders = Part(lambda c: MissedReminders(c._session))
    reports = Part(lambda c: Reports(c._session, c.pipelines))
    groups = Part(lambda c: Groups(c._session, c.clock))
    digests = Part(lambda c: Digests(c._session, c.clock, c.deal_queries, c.pipelines, c.settings))
    import_undo = Part(lambda c: ImportUndo(c._session, c.clock, c._defs, c.settings))
    backups = Part(lambda c: Backups(c._session, c.clock, c.config, c.settings))
    # Entities: custom fields, the team's own record types, links between any two cards.
    cards = Part(lambda c: Cards(c._session, c.settings))
    fields = Part(lambda c: FieldDefs(c._session, c.clock, c._defs))
    field_values = Part(lambda c: FieldValues(c._session, c.clock, c.config, c.cards, c.fields))
    imports = Part(
        lambda c: Imports(c._session, c.clock, c.config, c.settings, c.pipelines, c.fields, c.pace)
    )
    record_imports = Part(
        lambda c: RecordImports(c._session, c.clock, c.config, c.settings, c.fields, c.pace)
    )
    record_types = Part(lambda c: RecordTypes(c._session, c.clock, c.fields, c._defs))
    records = Part(
        lambda c: Records(c._session, c.clock, c.cards, c.record_types, c.fields, c.field_values)
    )
    links = Part(lambda c: Links(c._session, c.clock, c.settings, c.cards))
    card_extras = Part(lambda c: CardExtras(c._session, c.settings, c.fields, c.record_types))
    new_cards = Part(lambda c: NewCards(c.fields, c.field_values, c.clients, c.deals))
    record_queries = Part(
        lambda c: RecordQueries(c._session, c.settings, c.record_types, c.records, c.card_extras)
    )
    exports = Part(
        lambda c: Exports(
            c._session,
            c.clock,
            c.settings,
            c.client_queries,
            c.deal_queries,
            c.record_queries,
            c.config.words,
        )
    )
    card_search = Part(
        lambda c: CardSearch(c._session, c.settings, c.client_queries, c.record_queries)
    )
    automation = Part(lambda c: Automation(c._session, c.clock, c.config, c.pace))
    clock_work = Part(
        lambda c: ClockWork(
            c._session, c.clock, c.reminders, c.groups, c.automation, c.outbox, c._clock_read
        )
    )
    templates = Part(lambda c: Templates(c._session, c.clock, c.config, c.clients, c.deals))
    template_fields = Part(
        lambda c: TemplateFields(
            c._session, c.client_edits, c.deals, c.field_values, c.config.default_phone_region
        )
    )
    lead_sources = Part(lambda c: LeadSources(c._session, c.clock, c._issued_tokens))
    intake = Part(lambda c: LeadIntake(c._session, c.clock, c.config))
    incoming = Part(lambda c: IncomingQueue(c._session, c.clock, c.settings))
    # The Telegram Business inbox: connected accounts, their chats, replies from the card.
    business = Part(lambda c: BusinessConnections(c._session, c.clock, c.settings))
    business_inbox = Part(lambda c: BusinessInbox(c._session, c.clock, c.config, c.business))
    business_replies = Part(
        lambda c: BusinessReplies(c._session, c.clock, c.clients, c.business, c.templates)
    )


class CrmFactory:
    """Opens a database session and the CRM on it; one per update or per job."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, config: CrmConfig
    ) -> None:
        self._sessions = sessions
        self.clock = clock
        self.config = config
        # The team's settings, kept for every update of this process (see SettingsCache).
        self.settings_cache = SettingsCache()
        # Members first: background work gives way while a member's session is open.
        self.pace = Pace()
        # The field definitions and record types the cards show, likewise (see DefsCache).
        self.defs_cache = DefsCache()
        # The clock's "is anything due?" statement, built by the first tick (see ClockRead).
        self.clock_read = ClockRead()
        # The members' rows, kept for the next update (off unless enabled: see MemberCache).
        self.member_cache = MemberCache()
        # Lead source tokens issued here, told to this process's web route (see IssuedTokens).
        self.issued_tokens = IssuedTokens()

    def open(self, *, background: bool = False) -> Opened:
        """A session and the CRM on it: a member's (counted by ``pace``) or background work's."""
        return Opened(self, self._sessions, background)


class Opened:
    """``CrmFactory.open`` for ``async with``: a class rather than a generator, as it runs
    for every update (the generator's machinery cost about as much as the rest of it)."""

    def __init__(
        self, factory: CrmFactory, sessions: async_sessionmaker[AsyncSession], background: bool
    ) -> None:
        self._factory = factory
        self._sessions = sessions
        self._background = background
        self._task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> Crm:
        factory = self._factory
        self._session = self._sessions()
        crm = Crm(
            self._session,
            factory.clock,
            factory.config,
            factory.settings_cache,
            factory.pace,
            factory.defs_cache,
            factory.clock_read,
            factory.member_cache,
            factory.issued_tokens,
        )
        if not self._background:
            self._task = factory.pace.arrive()
        return crm

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        try:
            if not self._background:
                self._factory.pace.leave(self._task)
        finally:
            await self._session.__aexit__(type_, value, traceback)
