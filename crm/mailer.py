"""Sending a filled template by email over the team's SMTP server (``aiosmtplib``).

Off unless the team set ``SMTP_HOST`` and ``SMTP_FROM``. A refusal by the
server (a bad recipient, a login error, a timeout) becomes ``MailFailed`` with
the server's words, for the member to read: nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from crm.errors import CrmError, ErrorCode

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    tls: Literal["starttls", "tls", "none"] = "starttls"
    timeout: float = 20.0


class MailFailed(CrmError):
    def __init__(self, reason: str) -> None:
        super().__init__(ErrorCode.MAIL_FAILED, reason=reason[:300])


async def send(
    config: MailConfig,
    to: str,
    subject: str,
    body: str,
    attachment: tuple[str, bytes] | None = None,
) -> None:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1], filename=name)
    try:
        await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.user or None,
            password=config.password or None,
            use_tls=config.tls == "tls",
            start_tls=config.tls == "starttls",
            timeout=config.timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(f"{r.recipient}: {r.message}" for r in exc.recipients)
        raise MailFailed(reasons) from exc
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        raise MailFailed(str(exc) or type(exc).__name__) from exc
