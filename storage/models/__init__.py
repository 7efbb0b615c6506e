"""All tables. Importing this package registers every model on ``Base.metadata``."""

from storage.models.automation import AutomationFiring, AutomationRule, Template
from storage.models.clients import Client, ClientEmail, ClientPhone, ClientTag, Event
from storage.models.deals import Deal, LostReason, Pipeline, Stage
from storage.models.entities import FieldDef, FieldValue, Link, Record, RecordType
from storage.models.groups import GroupChat
from storage.models.imports import ExportLog, ImportBatch, ImportItem
from storage.models.intake import (
    BusinessChat,
    BusinessConnection,
    BusinessMessage,
    Lead,
    LeadSource,
)
from storage.models.outbox import OutboxMessage
from storage.models.tasks import Task
from storage.models.users import AppSetting, Invite, Role, User

__all__ = [
    "AppSetting",
    "AutomationFiring",
    "AutomationRule",
    "BusinessChat",
    "BusinessConnection",
    "BusinessMessage",
    "Client",
    "ClientEmail",
    "ClientPhone",
    "ClientTag",
    "Deal",
    "Event",
    "ExportLog",
    "FieldDef",
    "FieldValue",
    "GroupChat",
    "ImportBatch",
    "ImportItem",
    "Invite",
    "Lead",
    "LeadSource",
    "Link",
    "LostReason",
    "OutboxMessage",
    "Pipeline",
    "Record",
    "RecordType",
    "Role",
    "Stage",
    "Task",
    "Template",
    "User",
]
