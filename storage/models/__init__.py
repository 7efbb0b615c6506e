"""All tables. Importing this package registers every model on ``Base.metadata``."""

from storage.models.clients import Client, ClientEmail, ClientPhone, ClientTag, Event
from storage.models.deals import Deal, LostReason, Pipeline, Stage
from storage.models.groups import GroupChat
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
    "BusinessChat",
    "BusinessConnection",
    "BusinessMessage",
    "Client",
    "ClientEmail",
    "ClientPhone",
    "ClientTag",
    "Deal",
    "Event",
    "GroupChat",
    "Invite",
    "Lead",
    "LeadSource",
    "LostReason",
    "OutboxMessage",
    "Pipeline",
    "Role",
    "Stage",
    "Task",
    "User",
]
