"""``python -m bot.catalogs``: keep the ``.po`` catalogs in step with the code.

Extracts every ``_()``/``__()`` string from the packages, adds new ones to each
catalog, marks vanished ones obsolete, and lists what Russian still lacks.
The tests fail while anything is untranslated.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "reminders", "crm")
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
KEYWORDS = {
    "_": None,
    "__": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
}


def extract() -> Catalog:
    # A fixed date and project keep the catalogs' headers out of every diff.
    template = Catalog(domain=DOMAIN, project="Kartoteka", creation_date=_EPOCH)
    for package in PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=(),
            strip_comment_tags=True,
        ):
            template.add(message, locations=[(f"{package}/{filename}", lineno)])
    return template


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    with po_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language)


def untranslated(catalog: Catalog, template: Catalog) -> list[str]:
    missing = []
    for message in template:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        translated = catalog.get(key)
        strings = translated.string if translated is not None else ""
        forms = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or translated.fuzzy or not all(forms):
            missing.append(str(key))
    return missing


def update() -> dict[str, list[str]]:
    template = extract()
    report = {}
    for language in LANGUAGES:
        path = po_path(language)
        catalog = load(language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
        catalog.project = "Kartoteka"
        catalog.revision_date = _EPOCH
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po_file:
            write_po(
                po_file, catalog, width=0, no_location=True, omit_header=False, sort_output=True
            )
        report[language] = untranslated(catalog, template)
    return report


def main() -> int:
    report = update()
    missing = report.get("ru", [])
    for message in missing:
        print(f"ru: untranslated: {message!r}")
    print(f"catalogs updated; {len(missing)} Russian strings untranslated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
