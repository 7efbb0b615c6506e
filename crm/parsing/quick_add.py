"""Parsing the one-line quick add: ``/new Иван Петров +7 999 123-45-67 ivan@mail.ru ООО Ромашка``.

The point is to let someone add a client in one message, in whatever order and format they
naturally type, and to report (not guess) anything that looked like a phone or e-mail but
was not one. The caller decides what to ask next; nothing here talks to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from crm.parsing.contacts import EmailError, PhoneError, parse_email, parse_phone


@dataclass(frozen=True)
class QuickClient:
    """The result of :func:`parse_quick_add`.

    ``phones`` are E.164 and ``emails`` normalised, both de-duplicated in typed order.
    ``name`` is ``""`` when none was given (the caller asks for one); it is not
    length-checked here. ``problems`` are machine codes in typed order:
    ``bad_phone:<fragment>`` and ``bad_email:<token>``, the fragment as typed with its
    whitespace collapsed.
    """

    name: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    company: str | None
    problems: tuple[str, ...]


# A phone run needs this many digits to count as an attempt at a phone number.
_MIN_PHONE_DIGITS = 7
# No window with more digits than this is tried: E.164 allows 15, plus a trunk or
# international prefix (8, 810). It also bounds the work on a line full of digits.
_MAX_PHONE_DIGITS = 17

_TOKEN = re.compile(r"\S+")
_PHONE_TOKEN = re.compile(r"[0-9+().\-]+")
_DIGIT = re.compile(r"[0-9]")
# Separators people put after a phone or word ("Иван, 8999..., ivan@mail.ru"). They end a
# phone run and are not part of a phone or e-mail.
_TRAILING_SEPARATORS = ",;"
# Stripped from the ends of the name and company only (never from inside them).
_EDGE_JUNK = " ,;:-\u2013\u2014"
# Wrappers around an e-mail: <ivan@mail.ru>, (ivan@mail.ru), "ivan@mail.ru", sentence dots.
_EMAIL_LEAD = "<(\"'«"
_EMAIL_TRAIL = ">)\"'».,;:"

_QUOTES = "\"'«»“”„"
# Legal forms, matched case-insensitively as a whole word, optionally wrapped in or
# immediately followed by quotes (ООО«Ромашка», "ООО Ромашка"), optionally with a dot
# (Inc., Ltd.). OOO/OAO in Latin letters are included because people type them that way.
_LEGAL_FORMS = (
    "ООО",
    "ОАО",
    "ЗАО",
    "ПАО",
    "АО",
    "ИП",
    "НКО",
    "OOO",
    "OAO",
    "LLC",
    "Ltd",
    "Inc",
    "GmbH",
    "Corp",
)
_MARKER = re.compile(
    rf"[{_QUOTES}]*(?:{'|'.join(_LEGAL_FORMS)})(?P<tail>\.|[{_QUOTES}].*)?[,;]?",
    re.IGNORECASE,
)

_Kind = Literal["word", "marker", "phone", "bad_phone", "short", "email", "bad_email"]
# Kinds that end the name: anything that was an attempt at contact data, or a legal form.
# Short digit fragments ("123-45") deliberately do not.
_NAME_ENDERS: frozenset[_Kind] = frozenset({"marker", "phone", "bad_phone", "email", "bad_email"})


@dataclass(frozen=True)
class _Token:
    text: str  # as typed, including any trailing separator
    core: str  # without trailing separators
    start: int
    core_end: int  # end offset of ``core`` in the line

    @property
    def separated(self) -> bool:
        """A trailing comma/semicolon: the user ended this item explicitly."""
        return len(self.core) != len(self.text)


@dataclass(frozen=True)
class _Item:
    kind: _Kind
    text: str  # for phone/email: the normalised value; otherwise as typed


def _tokens(line: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN.finditer(line):
        text = match.group()
        core = text.rstrip(_TRAILING_SEPARATORS)
        out.append(_Token(text, core, match.start(), match.start() + len(core)))
    return out


def _digit_count(text: str) -> int:
    return len(_DIGIT.findall(text))


def _is_phone_token(token: _Token) -> bool:
    return bool(token.core) and _PHONE_TOKEN.fullmatch(token.core) is not None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _split_run(line: str, run: list[_Token], region: str) -> list[_Item]:
    """Split a run of phone-looking tokens into phones and leftover fragments.

    Phones may contain spaces, so several numbers typed one after another form a single
    run. Greedily, from the left, the longest window of tokens that parses as a valid phone
    is taken; tokens that start no valid window are gathered into fragments (a token
    starting with ``+`` starts a new one), which become ``bad_phone`` (7+ digits: an
    attempt at a phone) or ``short`` (fewer digits).
    Punctuation-only fragments inside a run are dropped.
    """
    items: list[_Item] = []
    pending: list[_Token] = []

    def flush() -> None:
        if not pending:
            return
        fragment = _collapse(line[pending[0].start : pending[-1].core_end])
        digits = _digit_count(fragment)
        if digits >= _MIN_PHONE_DIGITS:
            items.append(_Item("bad_phone", fragment))
        elif digits:
            items.append(_Item("short", fragment))
        pending.clear()

    counts = [_digit_count(token.core) for token in run]
    i = 0
    while i < len(run):
        best: tuple[int, str] | None = None
        total = 0
        for j in range(i, len(run)):
            total += counts[j]
            if total > _MAX_PHONE_DIGITS:
                break
            if total < _MIN_PHONE_DIGITS or counts[j] == 0:
                continue
            try:
                phone = parse_phone(line[run[i].start : run[j].core_end], region)
            except PhoneError:
                continue
            best = (j, phone.e164)
        if best is None:
            if run[i].core.startswith("+"):
                flush()  # a "+" always starts a new number, so a new fragment
            pending.append(run[i])
            i += 1
            continue
        flush()
        items.append(_Item("phone", best[1]))
        i = best[0] + 1
    flush()
    return items


def _email_item(token: _Token) -> _Item:
    candidate = token.core.lstrip(_EMAIL_LEAD).rstrip(_EMAIL_TRAIL)
    try:
        return _Item("email", parse_email(candidate))
    except EmailError:
        return _Item("bad_email", token.core)


def _items(line: str, region: str) -> list[_Item]:
    """Classify the line into words, legal-form markers, phones, e-mails and fragments."""
    tokens = _tokens(line)
    items: list[_Item] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if "@" in token.core:
            items.append(_email_item(token))
            i += 1
            continue
        if not _is_phone_token(token) or not _digit_count(token.core):
            # Words, and punctuation such as a lone "-" (which cannot start a phone run).
            kind: _Kind = "marker" if _MARKER.fullmatch(token.text) else "word"
            items.append(_Item(kind, token.text))
            i += 1
            continue
        j = i
        while j < len(tokens) and _is_phone_token(tokens[j]):
            j += 1
            if tokens[j - 1].separated:
                break
        # A run never ends with punctuation-only tokens ("8999... -"); give them back.
        while not _digit_count(tokens[j - 1].core):
            j -= 1
        items.extend(_split_run(line, tokens[i:j], region))
        i = j
    return items


def _is_suffix_marker(items: list[_Item], index: int) -> bool:
    """True when the marker at ``index`` is used as a suffix: ``Acme Inc``, ``Ромашка ООО``.

    That is a bare marker (no quoted name glued to it) with no word right after it.
    """
    match = _MARKER.fullmatch(items[index].text)
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
    items = _items(line, region)

    name_end = next((k for k, it in enumerate(items) if it.kind in _NAME_ENDERS), len(items))
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
    problems: list[str] = []
    for k, item in enumerate(items):
        if item.kind == "phone":
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
    )
