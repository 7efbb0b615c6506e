"""leads deal: an index of the leads by their deal

A lost deal is told from one lost as spam by its lead (``crm.lost_reasons.not_spam``: a
lead of the deal whose ``spam_at`` is the deal's ``closed_at``), asked for every lost deal
the reports, /deals and the digest count; and deleting a deal sets its leads' ``deal_id``
to NULL. Without an index both went through every lead.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 17:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_leads_deal", "leads", ["deal_id", "spam_at"])


def downgrade() -> None:
    op.drop_index("ix_leads_deal", table_name="leads")
