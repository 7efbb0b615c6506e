"""Parsing the one-line quick add: ``/new Иван Петров +7 999 123-45-67 ivan@mail.ru ООО Ромашка``.

The point is to let someone add a client in one message, in whatever order and format they
naturally type, and to report (not guess) anything that looked like a phone or e-mail but
was not one. The caller decides what to ask next; nothing here talks to the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm.parsing.contacts import without_marks
from crm.parsing.quick_add_items import MARKER, NAME_ENDERS, Item, items_of


@dataclass(frozen=True)
class QuickClient:
    """The result of :func:`parse_quick_add`.

    ``phones`` are E.164 and ``emails`` normalised, both de-duplicated in typed order.
    ``name`` is ``""`` when none was given (the caller asks for one); it is not
    length-checked here. ``problems`` are machine codes in typed order:
    ``bad_phone:<fragment>`` and ``bad_email:<token>``, the fragment as typed with its
    whitespace collapsed. ``tags`` are as typed without the ``#``, de-duplicated in typed
    order (``Clients.create`` cleans them as any tag).
    """

    name: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    company: str | None
    problems: tuple[str, ...]
    tags: tuple[str, ...] = ()


# Stripped from the ends of the name and company only (never from inside them).
_EDGE_JUNK = " ,;:-\u2013\u2014"


def _is_suffix_marker(items: list[Item], index: int) -> bool:
    """True when the marker at ``index`` is used as a suffix: ``Acme Inc``, ``Ромашка ООО``.

    That is a bare marker (no quoted name glued to it) with no word right after it.
    """
    match = MARKER.fullmatch(items[index].text)
    if match is None or match.group("tail") not in (None, "."):
        return False
    after = items[index + 1] if index + 1 < len(items) else None
    before = items[index - 1] if index > 0 else None
    return (after is None or after.kind not in ("word", "marker")) and (
        before is not None and before.kind == "word"
    )


def _join(parts: list[str]) -> str:
    return " ".join(parts).strip(_EDGE_JUNK)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def parse_quick_add(line: str, region: str = "RU") -> QuickClient:
    """Parse the arguments of ``/new`` (the line without the command itself).

    Rules, in order:

    * **E-mails**: any whitespace-separated token containing ``@``. Wrapping ``<>``,
      brackets, quotes and trailing punctuation are ignored; a token that still fails
      :func:`parse_email` (``@username`` included) is reported as ``bad_email:<token>``.
    * **Tags**: any token ``#word`` (a letter after the ``#``; a trailing ``,`` ``;`` or
      ``.`` ignored) is a tag wherever it stands, and is part of neither the name nor the
      company: ``Иван Петров #опт +7...`` is Иван Петров tagged опт.
    * **Phones**: maximal runs of tokens made only of ``+0123456789()-.`` (so a phone may
      contain spaces: ``+7 999 123-45-67``, ``8 (999) 123-45-67``). A trailing ``,`` or
      ``;`` ends a run. Inside a run, the longest leftmost window that
      :func:`parse_phone` accepts is a phone; repeat for the rest, so two numbers typed
      one after another are both found. Leftover fragments with 7+ digits are reported as
      ``bad_phone:<fragment>``.
    * **Short fragments**: leftover digit fragments with fewer than 7 digits
      (``Пётр 123-45``) are reported as ``bad_phone:<fragment>`` and dropped, unless they
      come after the company has started (``ООО Ромашка 2000`` keeps the ``2000``).
      They do not end the name.
    * **Legal forms** (ООО, ОАО, ЗАО, ПАО, АО, ИП, НКО, LLC, Ltd, Inc, GmbH, Corp, and
      OOO/OAO typed in Latin), case-insensitive, as a separate word or glued to a quote
      (``ООО«Ромашка»``). A marker normally starts the company (``ООО Ромашка``); when
      nothing but a phone, e-mail or the end of the line follows it, it is a suffix and
      the one word before it joins the company (``Acme Inc``, ``Ромашка ООО``).
    * **Name**: the words before the first phone, e-mail (valid or not), bad phone or
      company marker, whitespace-collapsed. ``""`` if there are none.
    * **Company**: every remaining word, from the marker (or pulled-in word) or, with no
      marker, from the first word after the name, to the end of the line, with phones and
      e-mails taken out: ``Иван +7... ivan@mail.ru Ромашка`` gives ``Ромашка``. Words
      between a phone and a later marker belong to the company too
      (``John +1... Acme Inc`` → ``Acme Inc``). ``None`` if there are no such words.
    """
    items = items_of(without_marks(line), region)  # a number copied with direction marks

    name_end = next((k for k, it in enumerate(items) if it.kind in NAME_ENDERS), len(items))
    company_start: int | None = None
    if name_end < len(items) and items[name_end].kind == "marker":
        company_start = name_end
        if _is_suffix_marker(items, name_end):
            company_start = name_end = name_end - 1
    if company_start is None:
        company_start = next(
            (k for k in range(name_end, len(items)) if items[k].kind in ("word", "marker")),
            len(items),
        )

    name: list[str] = []
    company: list[str] = []
    phones: list[str] = []
    emails: list[str] = []
    tags: list[str] = []
    problems: list[str] = []
    for k, item in enumerate(items):
        if item.kind == "tag":
            tags.append(item.text)
        elif item.kind == "phone":
            phones.append(item.text)
        elif item.kind == "email":
            emails.append(item.text)
        elif item.kind == "bad_email":
            problems.append(f"bad_email:{item.text}")
        elif item.kind == "bad_phone" or (item.kind == "short" and k < company_start):
            problems.append(f"bad_phone:{item.text}")
        elif k >= company_start:
            company.append(item.text)
        elif k < name_end:
            name.append(item.text)

    return QuickClient(
        name=_join(name),
        phones=_unique(phones),
        emails=_unique(emails),
        company=_join(company) or None,
        problems=tuple(problems),
        tags=_unique(tags),
    )
