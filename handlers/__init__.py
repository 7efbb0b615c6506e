"""Telegram UI, reactive: one package per feature, on the small kit in ``handlers.kit``."""

from __future__ import annotations

from aiogram import Router

from handlers import automation, business, intake, templates
from handlers.clients import card as client_card
from handlers.clients import edit as client_edit
from handlers.clients import listing as clients_list
from handlers.clients import new as client_new
from handlers.clients import notes as client_notes
from handlers.clients import search as client_search
from handlers.deals import card as deal_card
from handlers.deals import field_filters as deal_fields
from handlers.deals import new as deal_new
from handlers.deals import overview as deals_overview
from handlers.groups import chat as groups
from handlers.groups import private as groups_private
from handlers.imports import backup as data_backup
from handlers.imports import batches as import_batches
from handlers.imports import exports as data_exports
from handlers.imports import flow as imports
from handlers.imports import holds as import_holds
from handlers.kit.routes import Routes, flat
from handlers.menu import cancel, fallback, other_bots, start
from handlers.opencard import files as open_card_files
from handlers.opencard import text as open_card
from handlers.records import routes as records
from handlers.reports import digest, report
from handlers.settings import backup as backup_settings
from handlers.settings import day_parts as day_part_settings
from handlers.settings import digest as digest_settings
from handlers.settings import menu as settings
from handlers.settings import pipeline as pipeline_settings
from handlers.settings import reasons as pipeline_reasons
from handlers.tasks import actions as task_actions
from handlers.tasks import edits as task_edits
from handlers.tasks import listing as tasks_list
from handlers.tasks import new as task_new
from handlers.team import invites
from handlers.team import members as team

# The order in which features see an update: group chats first (a member's command
# there is answered in private), plain text and files with no dialog open last
# (notes on the open card, or a search), then what nobody understood.
FEATURES: tuple[Routes, ...] = (
    groups.routes,
    groups_private.routes,  # /bind sent in private: where it goes
    other_bots.routes,  # "/task@other_bot": not ours, in private as in the group
    cancel.routes,
    start.routes,
    invites.routes,
    team.routes,
    settings.routes,
    pipeline_settings.routes,
    pipeline_reasons.routes,
    digest_settings.routes,
    backup_settings.routes,
    day_part_settings.routes,
    records,
    automation.routes,
    business.routes,
    templates.routes,
    client_new.routes,
    clients_list.routes,
    client_search.routes,
    client_card.routes,
    client_edit.routes,
    deal_new.routes,
    deal_card.routes,
    deals_overview.routes,
    deal_fields.routes,
    digest.routes,
    task_new.routes,
    task_actions.routes,
    task_edits.routes,
    tasks_list.routes,
    report.routes,
    open_card_files.routes,  # a spreadsheet with a card open: attach or import?
    imports.routes,
    import_holds.routes,
    import_batches.routes,
    data_exports.routes,
    data_backup.routes,
    intake.routes,
    open_card.routes,
    client_notes.routes,
    fallback.routes,
)


def build_routers() -> list[Router]:
    """A fresh router for one Dispatcher, with every feature's handlers in the order
    they must see updates (one router: see ``handlers.kit.routes.flat``)."""
    return [flat(FEATURES)]
