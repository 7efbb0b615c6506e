"""Gettext catalogs for ``ru`` and ``en``, compiled from the ``.po`` files when loaded.

Compiling in memory means a fresh ``pip install`` is ready to speak both
languages with no build step, and a catalog can never be stale against its
``.po`` source.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"
LANGUAGES = ("ru", "en")


class PoCatalogI18n(I18n):
    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        """Each language's catalog files (one per feature) merged and compiled in memory."""
        translations: dict[str, gettext.GNUTranslations] = {}
        for language_dir in sorted(self.path.iterdir()):
            po_paths = sorted((language_dir / "LC_MESSAGES").glob("*.po"))
            if not po_paths:
                continue
            merged = Catalog(locale=language_dir.name, domain=self.domain)
            for po_path in po_paths:
                with po_path.open("rb") as po_file:
                    for message in read_po(po_file, locale=language_dir.name):
                        if message.id:
                            merged[message.id] = message
            buffer = io.BytesIO()
            write_mo(buffer, merged)
            buffer.seek(0)
            translations[language_dir.name] = gettext.GNUTranslations(buffer)
        return translations


def build_i18n(default_language: str) -> I18n:
    return PoCatalogI18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)


# aiogram's ``gettext`` looks the current catalog up through ``I18n``'s own context
# variable, and every subclass would get a separate one; share the base class's.
PoCatalogI18n._ContextInstanceMixin__context_instance = I18n._ContextInstanceMixin__context_instance  # type: ignore[attr-defined]
