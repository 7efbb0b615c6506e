"""groups hear leads: a switch of its own for the leads nobody has taken yet

A lead that no member got (a source that queues its leads) went to the owners and
to every bound group chat, whatever the group's switches. It is a switch now,
``lead_queue``; the groups bound before it hear such leads as they did.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

LEADS = "lead_queue"  # crm.groups.LEADS as of this revision (a migration imports nothing of ours)

GROUPS = sa.table(
    "group_chats", sa.column("chat_id", sa.BigInteger), sa.column("subscriptions", sa.JSON)
)


def _switch(keep: bool) -> None:
    bind = op.get_bind()
    for chat_id, subscriptions in bind.execute(sa.select(GROUPS.c.chat_id, GROUPS.c.subscriptions)):
        topics = [topic for topic in subscriptions or [] if topic != LEADS]
        bind.execute(
            GROUPS.update()
            .where(GROUPS.c.chat_id == chat_id)
            .values(subscriptions=[*topics, LEADS] if keep else topics)
        )


def upgrade() -> None:
    _switch(keep=True)


def downgrade() -> None:
    _switch(keep=False)
