"""What the new-client dialog says and reads besides its steps: the questions, what quick add
could not read, a shared contact's phone.
"""

from __future__ import annotations

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.parsing.contacts import PhoneError, parse_phone
from handlers.clients.create import shorten

MAX_PROBLEMS_SHOWN = 10


def problems_text(problems: tuple[str, ...]) -> Text:
    """What quick add could not read: nothing is created with a silently dropped part."""
    lines = [_("I could not understand part of that, so nothing was saved:")]
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        kind, _sep, fragment = problem.partition(":")
        what = _("“{value}” is not an email address.") if kind == "bad_email" else None
        what = what or _("“{value}” is not a phone number I can read.")
        lines.append("• " + what.format(value=shorten(fragment, 50)))
    lines += ["• …"] if len(problems) > MAX_PROBLEMS_SHOWN else []
    lines.append(
        _(
            "Fix it and send /new again, for example: "
            "/new Ivan Petrov +7 999 123-45-67 ivan@mail.ru LLC Romashka"
        )
    )
    return Text("\n".join(lines))


def question(step: str) -> str:
    questions = {
        "name": _("What is the client's name?"),
        "source": _("Where did the client come from? Pick a source or type one."),
        "phone": _(
            "Phone number? For example +7 999 123-45-67. Several can go separated by commas."
        ),
        "email": _("Email? For example ivan@mail.ru."),
        "company": _("Company?"),
        "city": _("City?"),
    }
    return questions[step]


def contact_phone(raw: str, region: str) -> str:
    """Telegram gives a contact's number in international form, often without the ``+``."""
    try:
        return parse_phone(raw, region).e164
    except PhoneError:
        if raw.strip().startswith("+"):
            raise
        return parse_phone("+" + raw.strip(), region).e164
