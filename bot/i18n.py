"""Gettext catalogs for ``ru`` and ``en``, compiled from the ``.po`` files when loaded.

Compiling in memory means a fresh ``pip install`` is ready to speak both
languages with no build step, and a catalog can never be stale against its
``.po`` source.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"
LANGUAGES = ("ru", "en")


# Compiled catalogs by their sources: what each ``.po`` file of a language was (path, size,
# modification time) when it was compiled. Building the app compiles both languages from
# some thirty ``.po`` files, most of the cost of a build; a process that builds it again
# (the tests build one per test) takes the compiled bytes from here while no file changed.
_compiled: dict[tuple[tuple[str, int, int], ...], bytes] = {}


def _compile(language: str, domain: str, po_paths: list[Path]) -> bytes:
    stats = [(str(p), p.stat()) for p in po_paths]
    sources = tuple((path, st.st_size, st.st_mtime_ns) for path, st in stats)
    mo = _compiled.get(sources)
    if mo is None:
        merged = Catalog(locale=language, domain=domain)
        for po_path in po_paths:
            with po_path.open("rb") as po_file:
                for message in read_po(po_file, locale=language):
                    if message.id:
                        merged[message.id] = message
        buffer = io.BytesIO()
        write_mo(buffer, merged)
        mo = _compiled[sources] = buffer.getvalue()
    return mo


class PoCatalogI18n(I18n):
    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        """Each language's catalog files (one per feature) merged and compiled in memory."""
        translations: dict[str, gettext.GNUTranslations] = {}
        for language_dir in sorted(self.path.iterdir()):
            po_paths = sorted((language_dir / "LC_MESSAGES").glob("*.po"))
            if not po_paths:
                continue
            mo = _compile(language_dir.name, self.domain, po_paths)
            translations[language_dir.name] = gettext.GNUTranslations(io.BytesIO(mo))
        return translations


def build_i18n(default_language: str) -> I18n:
    return PoCatalogI18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)


def words_of(i18n: I18n) -> Callable[[str, str], str]:
    """``CrmConfig.words``: a text the core marked (``crm.words.N_``) in a language, from
    these catalogs (a language they lack: as written, in English)."""

    def words(text: str, language: str) -> str:
        return i18n.gettext(text, locale=language)

    return words


# aiogram's ``gettext`` looks the current catalog up through ``I18n``'s own context
# variable, and every subclass would get a separate one; share the base class's.
PoCatalogI18n._ContextInstanceMixin__context_instance = I18n._ContextInstanceMixin__context_instance  # type: ignore[attr-defined]
