"""The CRM as one object per database session, handed to every handler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
from crm.intake.leads import LeadIntake
from crm.intake.queue import IncomingQueue
from crm.intake.sources import LeadSources
from crm.invites import Invites
from crm.links import Links
from crm.member_cache import MemberCache
from crm.members import Members
from crm.new_cards import NewCards
from crm.outbox import Outbox
from crm.pace import Pace
from crm.pipeline import Pipelines
from crm.record_queries import RecordQueries
from crm.record_types import RecordTypes
from crm.records import Records
from crm.reminders import Reminders
from crm.reports import Reports
from crm.task_edits import TaskEdits
from crm.tasks import Tasks
from crm.team_settings import SettingsCache, TeamSettings
from crm.template_fields import TemplateFields
from crm.templates import Templates
from crm.timeline import Timeline


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
    ) -> None:
        self.clock = clock
        self.config = config
        self.pace = pace or Pace()
        self.members = Members(session, clock, config, member_cache)
        self.invites = Invites(session, clock, config)
        self.outbox = Outbox(session, clock)
        self.settings = TeamSettings(session, settings_cache)
        self.clients = Clients(session, clock, self.settings)
        self.client_edits = ClientEdits(session, clock, self.settings, self.clients)
        self.client_queries = ClientQueries(session, clock, self.settings, self.clients)
        self.handoff = Handoff(session, clock, self.clients)
        self.timeline = Timeline(session, clock, self.clients)
        self.pipelines = Pipelines(session, clock)
        self.deals = Deals(session, clock, config, self.clients, self.pipelines)
        self.deal_edits = DealEdits(session, clock, self.deals)
        self.deal_queries = DealQueries(session, clock, self.settings, self.deals, self.pipelines)
        self.tasks = Tasks(session, clock, config, self.clients, self.deals)
        self.task_edits = TaskEdits(session, clock, self.tasks, self.clients, self.deals)
        self.reminders = Reminders(session, clock, config)
        self.reports = Reports(session, self.pipelines)
        self.groups = Groups(session, clock)
        self.digests = Digests(session, clock, self.deal_queries, self.pipelines, self.settings)
        self.import_undo = ImportUndo(session, clock)
        self.backups = Backups(session, clock, config, self.settings)
        # Entities: custom fields, the team's own record types, links between any two cards.
        self.cards = Cards(session, self.settings)
        # Without the factory's copy, one that is never reused (max_age 0).
        defs = defs_cache if defs_cache is not None else DefsCache(max_age=0)
        defs.watch(session)
        self.fields = FieldDefs(session, clock, defs)
        self.field_values = FieldValues(session, clock, config, self.cards, self.fields)
        self.imports = Imports(
            session, clock, config, self.settings, self.pipelines, self.fields, self.pace
        )
        self.record_imports = RecordImports(
            session, clock, config, self.settings, self.fields, self.pace
        )
        self.record_types = RecordTypes(session, clock, self.fields, defs)
        self.records = Records(
            session, clock, self.cards, self.record_types, self.fields, self.field_values
        )
        self.links = Links(session, clock, self.settings, self.cards)
        self.card_extras = CardExtras(session, self.settings, self.fields, self.record_types)
        self.new_cards = NewCards(self.fields, self.field_values, self.clients, self.deals)
        self.record_queries = RecordQueries(
            session, self.settings, self.record_types, self.records, self.card_extras
        )
        self.exports = Exports(
            session,
            clock,
            self.settings,
            self.client_queries,
            self.deal_queries,
            self.record_queries,
        )
        self.card_search = CardSearch(
            session, self.settings, self.client_queries, self.record_queries
        )
        self.automation = Automation(session, clock, config, self.pace)
        self.clock_work = ClockWork(
            session, clock, self.reminders, self.groups, self.automation, self.outbox, clock_read
        )
        self.templates = Templates(session, clock, config, self.clients, self.deals)
        self.template_fields = TemplateFields(
            session, self.client_edits, self.deals, self.field_values
        )
        self.lead_sources = LeadSources(session, clock)
        self.intake = LeadIntake(session, clock, config)
        self.incoming = IncomingQueue(session, clock)
        # The Telegram Business inbox: connected accounts, their chats, replies from the card.
        self.business = BusinessConnections(session, clock, self.settings)
        self.business_inbox = BusinessInbox(session, clock, config, self.business)
        self.business_replies = BusinessReplies(
            session, clock, self.clients, self.business, self.templates
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

    @asynccontextmanager
    async def open(self, *, background: bool = False) -> AsyncIterator[Crm]:
        """A session and the CRM on it: a member's (counted by ``pace``) or background work's."""
        async with self._sessions() as session:
            crm = Crm(
                session,
                self.clock,
                self.config,
                self.settings_cache,
                self.pace,
                self.defs_cache,
                self.clock_read,
                self.member_cache,
            )
            if background:
                yield crm
            else:
                with self.pace.member():
                    yield crm
