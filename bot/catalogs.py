"""``python -m bot.catalogs``: keep the ``.po`` catalogs in step with the code.

Extracts every ``_()``/``__()`` string from the packages, adds new ones to each
catalog, marks vanished ones obsolete, and lists what Russian still lacks.
The tests fail while anything is untranslated.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
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
    "N_": None,  # the core's words (crm.words), translated by CrmConfig.words
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


def catalog_dir(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES"


def po_path(language: str, area: str = DOMAIN) -> Path:
    return catalog_dir(language) / f"{area}.po"


def area_of(locations: Sequence[tuple[str, int]]) -> str:
    """The catalog file a new message goes to: its feature package's, else the common one.

    One file per feature keeps work on different features from touching the same
    catalog file; a message already in a file stays there.
    """
    for path, _line in locations:
        parts = path.split("/")
        if parts[0] == "handlers" and len(parts) > 2 and parts[1] != "kit":
            return parts[1]
    return DOMAIN


def read(path: Path, language: str) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language)


def load(language: str) -> Catalog:
    """Every catalog file of one language, merged into one catalog."""
    merged = Catalog(locale=language, domain=DOMAIN)
    for path in sorted(catalog_dir(language).glob("*.po")):
        for message in read(path, language):
            if message.id:
                merged[message.id] = message
    return merged


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


def _split(template: Catalog, existing: dict[str, Catalog]) -> dict[str, Catalog]:
    """The template cut into one template per catalog file."""
    home: dict[object, str] = {}
    for area, catalog in existing.items():
        for message in catalog:
            if message.id:
                home.setdefault(message.id, area)
    parts: dict[str, Catalog] = {}
    for message in template:
        if not message.id:
            continue
        area = home.get(message.id) or area_of(message.locations)
        part = parts.setdefault(
            area, Catalog(domain=DOMAIN, project="Kartoteka", creation_date=_EPOCH)
        )
        part[message.id] = message
    return parts


def update() -> dict[str, list[str]]:
    template = extract()
    report = {}
    for language in LANGUAGES:
        directory = catalog_dir(language)
        directory.mkdir(parents=True, exist_ok=True)
        existing = {path.stem: read(path, language) for path in sorted(directory.glob("*.po"))}
        parts = _split(template, existing)
        for area in set(existing) - set(parts):
            po_path(language, area).unlink()
        for area, part in parts.items():
            catalog = existing.get(area) or Catalog(locale=language, domain=DOMAIN)
            catalog.project = "Kartoteka"
            catalog.revision_date = _EPOCH
            catalog.update(part, update_header_comment=False, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            with po_path(language, area).open("wb") as po_file:
                write_po(
                    po_file, catalog, width=0, no_location=True, omit_header=False, sort_output=True
                )
        report[language] = untranslated(load(language), template)
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
