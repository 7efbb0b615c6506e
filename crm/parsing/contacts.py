"""Phone and e-mail parsing for client cards.

Everything here is pure: no I/O, no database, no Telegram. Phones are stored in E.164 so
that the same number typed as ``8 (999) 123-45-67`` or ``+7 999 1234567`` is one number,
and duplicates can be found by plain string comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers


class PhoneError(ValueError):
    """The text is not a valid phone number; the message says why (for logs, not users)."""


class EmailError(ValueError):
    """The text is not a plausible e-mail address."""


@dataclass(frozen=True)
class Phone:
    """A validated phone number.

    ``digits`` is ``e164`` without the leading ``+``; it is what digit-only search matches.
    """

    e164: str
    digits: str


# Only what people really put into a phone number. The whitelist matters: phonenumbers
# happily turns letters into digits (``1-800-FLOWERS``) and drops extensions (``ext 5``),
# and we would rather refuse than silently store something the user did not type.
_PHONE_TEXT = re.compile(r"[0-9+().\-\s]+")
# Long enough for any real number with separators; stops pathological inputs early.
_MAX_PHONE_TEXT = 64
# Dashes and minus signs a phone copied from a page or a document is written with.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_DASHES = dict.fromkeys(map(ord, DASHES), "-")


def without_marks(text: str) -> str:
    """``text`` without the marks that show nothing: a number copied from a phone's
    contacts comes wrapped in direction marks (U+202A … U+202C), a web page's may hold
    zero-width spaces; refused, it was quoted back looking right."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _phone_typed(text: str) -> str:
    """A phone as it was meant: no invisible marks; any dash a "-", any space a space."""
    plain = without_marks(text).translate(_DASHES)
    return "".join(" " if unicodedata.category(char) == "Zs" else char for char in plain)


def _ru_canonical(raw: str, digits: str) -> str:
    """Spell a Russian number written without ``+`` in international form.

    libphonenumber already understands these with region RU, but being explicit keeps
    the Russian habits documented and independent of the library's metadata:
    ``8XXXXXXXXXX`` (trunk prefix 8) and ``7XXXXXXXXXX`` are +7, and ten digits starting
    with 9 are a +7 mobile number written without any prefix.
    """
    if raw.startswith("+"):
        return raw
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits.startswith("9"):
        return "+7" + digits
    return raw


def parse_phone(text: str, region: str = "RU") -> Phone:
    """Parse a phone number typed in any common format and return it in E.164.

    ``region`` is the country assumed for numbers written without ``+``. With ``RU``,
    ``8 (999) 123-45-67``, ``89991234567``, ``7 999 1234567`` and ``9991234567`` all mean
    ``+79991234567``. International numbers must start with ``+`` (or the Russian
    international prefix ``810``, which libphonenumber handles).

    Raises :class:`PhoneError` for empty text, letters or other unexpected characters,
    a ``+`` anywhere but at the start, and numbers that libphonenumber does not consider
    valid (too short, too long, unassigned ranges).
    """
    raw = _phone_typed(text).strip()
    if not raw:
        raise PhoneError("empty phone")
    if len(raw) > _MAX_PHONE_TEXT:
        raise PhoneError("phone text too long")
    if not _PHONE_TEXT.fullmatch(raw):
        raise PhoneError("unexpected characters in phone")
    if "+" in raw[1:]:
        raise PhoneError("'+' is only allowed at the start")
    digits = re.sub(r"\D", "", raw)
    if not digits:
        raise PhoneError("no digits in phone")
    if region.upper() == "RU":
        raw = _ru_canonical(raw, digits)
    try:
        number = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"unparseable phone: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, digits=e164.lstrip("+"))


_MAX_EMAIL = 254  # RFC 5321 limit on a forward path
_MAX_LOCAL = 64  # RFC 5321 limit on the local part
# Deliberately "sensible", not RFC 5322: one @, no spaces, no characters that only appear
# in quoted local parts, and a domain of dot-separated labels ending in an alphabetic TLD
# (or a punycode one). ``\w`` is Unicode-aware, so ``иван@почта.рф`` is accepted.
_EMAIL = re.compile(
    r"""
    (?P<local>[^\s@"(),:;<>\[\]\\]+)
    @
    (?P<domain>
        (?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+     # labels: no leading/trailing hyphen
        (?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})  # TLD: letters, or punycode
    )
    """,
    re.VERBOSE,
)


def parse_email(text: str) -> str:
    """Return the trimmed, lower-cased e-mail, or raise :class:`EmailError`.

    Lower-casing the whole address (including the local part, which RFC says is case
    sensitive) is what every real mail provider does in practice, and it makes duplicate
    detection a plain comparison.
    """
    email = without_marks(text).strip().lower()
    if not email:
        raise EmailError("empty e-mail")
    if len(email) > _MAX_EMAIL:
        raise EmailError("e-mail too long")
    match = _EMAIL.fullmatch(email)
    if match is None:
        raise EmailError("not an e-mail address")
    local = match.group("local")
    if len(local) > _MAX_LOCAL:
        raise EmailError("local part too long")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise EmailError("misplaced dot in local part")
    return email


# Wrappers around an e-mail as it is copied or written: <ivan@mail.ru> (a mail program's
# "To:"), (ivan@mail.ru), "ivan@mail.ru", «ivan@mail.ru», a sentence's stop after it.
EMAIL_LEAD = "<(\"'«"
EMAIL_TRAIL = ">)\"'».,;:"


def parse_typed_email(text: str) -> str:
    """:func:`parse_email` of an address typed alone, its wrappers and a stop after it
    dropped, as quick add reads one (``/new Ivan <ivan@mail.ru>``)."""
    return parse_email(without_marks(text).strip().lstrip(EMAIL_LEAD).rstrip(EMAIL_TRAIL))


_SEARCH_PHONE = re.compile(r"[0-9+().\-\s]+")
_MIN_SEARCH_DIGITS = 3


def phone_digits_query(text: str, min_digits: int = _MIN_SEARCH_DIGITS) -> str | None:
    """Return the digits of ``text`` if it looks like a (partial) phone typed as a search.

    A query made only of digits and phone punctuation (spaces, ``+ ( ) - .``) with at least
    ``min_digits`` (three) digits is matched against stored phone digits; anything else
    (names, or one or two digits that would match almost every number) returns ``None`` so
    the caller falls back to text search. Trunk prefixes are not rewritten: ``8 999``
    searches for ``8999``.
    """
    text = _phone_typed(text)
    if not _SEARCH_PHONE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < min_digits:
        return None
    return digits
