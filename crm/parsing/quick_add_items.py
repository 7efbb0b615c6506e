"""The quick-add line cut into items: words, legal-form markers, phones, e-mails, fragments.

``crm.parsing.quick_add`` makes a name and a company of the items; its docstring has the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from crm.parsing.contacts import DASHES, EmailError, PhoneError, parse_phone, parse_typed_email

# A phone run needs this many digits to count as an attempt at a phone number.
_MIN_PHONE_DIGITS = 7
# No window with more digits than this is tried: E.164 allows 15, plus a trunk or
# international prefix (8, 810). It also bounds the work on a line full of digits.
_MAX_PHONE_DIGITS = 17

_TOKEN = re.compile(r"\S+")
_PHONE_TOKEN = re.compile(rf"[0-9+().\-{DASHES}]+")  # a dash of any kind: parse_phone reads it
_DIGIT = re.compile(r"[0-9]")
# Separators people put after a phone or word ("Иван, 8999..., ivan@mail.ru"). They end a
# phone run and are not part of a phone or e-mail.
_TRAILING_SEPARATORS = ",;"

_QUOTES = "\"'«»“”„"
# A tag as the card shows it and the search takes it: ``#опт``, ``#vip,`` (a letter or digit
# right after the ``#``; a lone ``#`` or ``#5`` in a company's name stays a word).
_TAG = re.compile(r"#(?P<tag>[^\W_][\w\-]*)[,;.]?")
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
MARKER = re.compile(
    rf"[{_QUOTES}]*(?:{'|'.join(_LEGAL_FORMS)})(?P<tail>\.|[{_QUOTES}].*)?[,;]?",
    re.IGNORECASE,
)

Kind = Literal["word", "marker", "phone", "bad_phone", "short", "email", "bad_email", "tag"]
# Kinds that end the name: anything that was an attempt at contact data, or a legal form.
# Short digit fragments ("123-45") deliberately do not.
NAME_ENDERS: frozenset[Kind] = frozenset({"marker", "phone", "bad_phone", "email", "bad_email"})


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
class Item:
    kind: Kind
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


def _split_run(line: str, run: list[_Token], region: str) -> list[Item]:
    """Split a run of phone-looking tokens into phones and leftover fragments.

    Phones may contain spaces, so several numbers typed one after another form a single
    run. Greedily, from the left, the longest window of tokens that parses as a valid phone
    is taken; tokens that start no valid window are gathered into fragments (a token
    starting with ``+`` starts a new one), which become ``bad_phone`` (7+ digits: an
    attempt at a phone) or ``short`` (fewer digits).
    Punctuation-only fragments inside a run are dropped.
    """
    items: list[Item] = []
    pending: list[_Token] = []

    def flush() -> None:
        if not pending:
            return
        fragment = _collapse(line[pending[0].start : pending[-1].core_end])
        digits = _digit_count(fragment)
        if digits >= _MIN_PHONE_DIGITS:
            items.append(Item("bad_phone", fragment))
        elif digits:
            items.append(Item("short", fragment))
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
        items.append(Item("phone", best[1]))
        i = best[0] + 1
    flush()
    return items


def _email_item(token: _Token) -> Item:
    try:
        return Item("email", parse_typed_email(token.core))
    except EmailError:
        return Item("bad_email", token.core)


def items_of(line: str, region: str) -> list[Item]:
    """Classify the line into words, legal-form markers, phones, e-mails, tags and fragments."""
    tokens = _tokens(line)
    items: list[Item] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if "@" in token.core:
            items.append(_email_item(token))
            i += 1
            continue
        tag = _TAG.fullmatch(token.text)
        if tag is not None and not tag.group("tag").isdigit():
            items.append(Item("tag", tag.group("tag")))
            i += 1
            continue
        if not _is_phone_token(token) or not _digit_count(token.core):
            # Words, and punctuation such as a lone "-" (which cannot start a phone run).
            kind: Kind = "marker" if MARKER.fullmatch(token.text) else "word"
            items.append(Item(kind, token.text))
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
