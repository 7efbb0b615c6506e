"""The core's words a member reads (a filled template's yes or no for a yes/no field) are in
the gettext catalogs with every other text, translated like them. They were a table of their
own in crm/field_plain.py (ru and en), which the catalogs and translators never saw."""

from __future__ import annotations

import pytest

from bot.catalogs import extract
from bot.i18n import build_i18n, words_of
from crm.config import CrmConfig
from crm.field_plain import Reading, shown_text
from crm.parsing.fields import FieldType
from storage.models import FieldDef

VIP = FieldDef(id=1, kind="client", name="VIP", type=FieldType.YES_NO.value)


def test_the_cores_yes_and_no_are_in_the_catalogs() -> None:
    template = extract()
    for word in ("yes", "no"):
        places = [path for path, _line in template[word].locations]
        assert "crm/field_plain.py" in places, (word, places)


@pytest.mark.parametrize(
    ("language", "value", "said"),
    [
        ("ru", True, "да"),
        ("ru", False, "нет"),
        ("en", True, "yes"),
        ("en", False, "no"),
        ("de", True, "yes"),  # a language the catalogs lack: as written, as before
    ],
)
def test_a_yes_no_value_in_the_readers_words(language: str, value: bool, said: str) -> None:
    words = words_of(build_i18n("ru"))
    assert shown_text(VIP, value, Reading(language, "RUB", words)) == said


def test_the_words_are_the_catalogs_not_a_table() -> None:
    """Whatever the catalogs say is what the template says (here: a translator's own)."""
    catalog = {("yes", "ru"): "ага", ("no", "ru"): "неа"}

    def words(text: str, language: str) -> str:
        return catalog.get((text, language), text)

    assert shown_text(VIP, True, Reading("ru", "RUB", words)) == "ага"
    assert shown_text(VIP, False, Reading("ru", "RUB", words)) == "неа"
    assert CrmConfig().words("yes", "ru") == "yes"  # a core without the bot's catalogs
