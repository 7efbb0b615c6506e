"""The undo's answer counts cards and deals in the right plural form, English and Russian
(it said "1 cards removed")."""

from __future__ import annotations

import pytest

from bot.i18n import build_i18n
from crm.imports.undo import Undone
from handlers.imports.batch_views import undone_text

CASES = [
    ("en", 1, 1, 1, "Import undone: 1 card removed, 1 restored, 1 deal removed."),
    ("en", 2, 0, 5, "Import undone: 2 cards removed, 0 restored, 5 deals removed."),
    ("ru", 1, 21, 1, "Импорт отменён: удалена 1 карточка, восстановлена 21, удалена 1 сделка."),
    ("ru", 3, 2, 22, "Импорт отменён: удалены 3 карточки, восстановлены 2, удалены 22 сделки."),
    ("ru", 11, 5, 0, "Импорт отменён: удалено 11 карточек, восстановлено 5, удалено 0 сделок."),
]


@pytest.mark.parametrize(
    ("language", "removed", "restored", "deals", "said"),
    CASES,
    ids=[f"{case[0]}-{case[1]}-{case[2]}-{case[3]}" for case in CASES],
)
def test_undone_counts_take_their_plural_form(
    language: str, removed: int, restored: int, deals: int, said: str
) -> None:
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale(language):
        assert undone_text(Undone(1, removed, restored, deals)) == said


@pytest.mark.parametrize("count", [1, 2, 5, 21])
def test_the_fields_sentence_is_singular_only_for_one_field(count: int) -> None:
    """The fields' sentence names them, with no number: Russian's plural form for 21 is its
    "one" form, which read «Созданное им поле «1», … «21» тоже удалено»."""
    names = tuple(str(n) for n in range(1, count + 1))
    i18n = build_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        said = undone_text(Undone(1, 0, 0, 0, fields=names, kept=names))
    one = count == 1
    assert ("Созданное им поле" in said) is one and ("Созданные им поля" in said) is not one
    assert ("осталось:" in said) is one and ("остались:" in said) is not one
