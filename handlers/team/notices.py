"""What a member is told when the owner or an admin changes their role or access (pure)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.labels import role_name
from handlers.kit.screen import clipped
from storage.models import Role, Task

# Of the tasks whose reminders fell due while a member was off: how many are named, and
# how much of each title (ten emoji-laden titles stay well within a message).
MISSED_SHOWN = 10
MISSED_TITLE = 100


def role_meaning(role: str) -> str:
    """What ``role`` may do, in one line."""
    meanings: dict[str, str] = {
        Role.OWNER: _("The owner manages everything, admins included."),
        Role.ADMIN: _(
            "An admin sees the whole base and the reports, invites people and manages managers."
        ),
        Role.MANAGER: _("A manager works with their own clients, deals and tasks."),
    }
    return meanings.get(role, "")


def role_changed(role: str) -> Text:
    return Text(
        _("Your role in the team is now: {role}.").format(role=role_name(role)),
        "\n",
        role_meaning(role),
    )


def access_changed(active: bool, role: str, missed: list[Task] | None = None, tz: str = "") -> Text:
    """Access turned off, or back on, with the tasks whose reminders fell due while it
    was off (still open and still the member's)."""
    if active and missed:
        heading = _("While it was off, the reminders of your tasks fell due ({count}):")
        return Text(_access_changed(True, role), "\n\n", missed_list(heading, missed, tz))
    return _access_changed(active, role)


def reachable_again(missed: list[Task], tz: str, rejoined: bool = False) -> Text:
    """A member who had blocked the bot wrote to it again, or one turned off came back by a
    new invitation (``rejoined``): the tasks whose reminders fell due meanwhile (still open
    and still theirs)."""
    if rejoined:
        heading = _("While you were away, the reminders of your tasks fell due ({count}):")
    else:
        heading = _(
            "While the bot could not write to you, the reminders of your tasks fell due ({count}):"
        )
    return missed_list(heading, missed, tz)


def missed_list(heading: str, missed: list[Task], tz: str) -> Text:
    """``heading`` with the count, and the first of the ``missed`` tasks by due time in
    ``tz``, titles clipped; the rest counted, with where to see them."""
    zone = ZoneInfo(tz)
    lines = [
        f"• {task.due_at.astimezone(zone):%d.%m %H:%M} {clipped(task.title, MISSED_TITLE)}"
        for task in missed[:MISSED_SHOWN]
    ]
    if len(missed) > MISSED_SHOWN:
        lines.append(
            _("…and {count} more: {command}").format(
                count=len(missed) - MISSED_SHOWN, command="/tasks"
            )
        )
    return Text(heading.format(count=len(missed)), "\n", "\n".join(lines))


def _access_changed(active: bool, role: str) -> Text:
    if not active:
        return Text(
            _(
                "Your access to Kartoteka was turned off. What you did stays with the team. "
                "If this is a mistake, ask the owner."
            )
        )
    return Text(
        _("Your access to Kartoteka is back. Your role: {role}.").format(role=role_name(role)),
        "\n",
        role_meaning(role),
    )
