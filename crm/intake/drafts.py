"""A form submission made ready to store: contacts parsed, its dedupe key worked out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from crm.parsing.contacts import EmailError, PhoneError, parse_email, parse_phone
from crm.parsing.lead_fields import LeadForm
from crm.tokens import token_hash

# The same body posted again within this window is a retry, not a new lead.
BODY_DEDUPE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class LeadDraft:
    token_hash: str
    dedupe_key: str  # t:<tranid> or b:<hash of the fields>
    name: str | None
    phone: str | None = None  # E.164
    email: str | None = None  # lower-cased
    comment: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    tranid: str | None = None


def lead_draft(token: str, form: LeadForm, region: str) -> LeadDraft:
    """Pure. A phone or e-mail that does not parse is kept as written among the fields."""
    extra = dict(form.extra)
    phone = email = None
    if form.phone:
        try:
            phone = parse_phone(form.phone, region).e164
        except PhoneError:
            extra["phone"] = form.phone
    if form.email:
        try:
            email = parse_email(form.email)
        except EmailError:
            extra["email"] = form.email
    return LeadDraft(
        token_hash=token_hash(token),
        dedupe_key=f"t:{form.tranid}" if form.tranid else f"b:{form.fingerprint(phone, email)}",
        name=form.name,
        phone=phone,
        email=email,
        comment=form.comment[:4000] if form.comment else None,
        utm=dict(form.utm),
        fields=extra,
        tranid=form.tranid,
    )
