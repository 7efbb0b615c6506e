"""Words the core writes into what a member reads (a filled template's yes or no), kept in
the gettext catalogs (bot/locales) with every other text: marked here with ``N_`` so that
``python -m bot.catalogs`` extracts them, translated by ``CrmConfig.words`` (the core has
no catalogs of its own: it knows nothing of the bot)."""

from __future__ import annotations


def N_(text: str) -> str:
    """``text`` as it is: marked for the catalogs, translated where it is read."""
    return text
