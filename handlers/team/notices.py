"""What a member is told when the owner or an admin changes their role or access (pure)."""

from __future__ import annotations

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.labels import role_name
from storage.models import Role


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


def access_changed(active: bool, role: str) -> Text:
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
