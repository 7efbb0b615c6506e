"""A website form's fields, as builders name them, sorted into what a card needs.

Pure: no I/O. Tilda, WordPress plugins and hand-written forms all post the
same few things under different names (``Name``, ``имя``, ``ФИО``…); anything
we do not recognise is kept as-is for the timeline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

NAME_KEYS = frozenset({"name", "имя", "фио", "fio", "fullname", "full_name", "your-name"})
PHONE_KEYS = frozenset({"phone", "телефон", "tel", "phone_number", "your-phone"})
EMAIL_KEYS = frozenset({"email", "e-mail", "почта", "mail", "your-email"})
COMMENT_KEYS = frozenset(
    {"comment", "message", "сообщение", "комментарий", "text", "your-message", "вопрос"}
)
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Tilda's own bookkeeping: the submission id (used against retries) and the form id.
SERVICE_KEYS = frozenset({"tranid", "formid"})
MAX_FIELDS = 60
MAX_KEY = 100
MAX_VALUE = 4000


class LeadFormError(ValueError):
    """The body cannot be a form submission; ``args[0]`` is the reason, in English."""


@dataclass(frozen=True)
class LeadForm:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    comment: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    tranid: str | None = None
    is_test: bool = False

    def fingerprint(self, phone: str | None = None, email: str | None = None) -> str:
        """The same submission posted again hashes the same (Tilda's retries, double clicks).

        ``phone`` and ``email``: the form's, parsed (E.164, lower-cased), so the same
        submission with "8 999 123-45-67" for "+79991234567" is one lead; a form whose
        phone was written in E.164 already hashes as it did before they were passed."""
        body = {
            "n": self.name,
            "p": phone or self.phone,
            "e": email or self.email,
            "c": self.comment,
            "u": self.utm,
            "x": self.extra,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _key(raw: str) -> str:
    return " ".join(raw.split()).lower()


MAX_LIST_DEPTH = 4
"""Lists inside lists a field may hold (a form builder's grid answers are two deep);
following a body's nesting further would let it run the stack out."""


def _value(raw: object) -> str:
    """A field's text; a list (checkboxes, a multi-select, a grid's rows) is its items,
    those of lists inside it too, joined by commas."""
    if isinstance(raw, list | tuple):
        return ", ".join(_items(raw, 1))
    return _scalar(raw)


def _items(raw: list[object] | tuple[object, ...], depth: int) -> Iterator[str]:
    if depth > MAX_LIST_DEPTH:
        raise LeadFormError("lists nested too deeply")
    for item in raw:
        if isinstance(item, list | tuple):
            yield from _items(item, depth + 1)
        elif item is not None:
            yield _scalar(item)


def _scalar(raw: object) -> str:
    if isinstance(raw, dict):
        raise LeadFormError("nested objects are not form fields")
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return " ".join(str(raw).split()) if not isinstance(raw, str) else raw.strip()


def read_form(pairs: Iterable[tuple[str, object]]) -> LeadForm:
    """Sort the posted ``(name, value)`` pairs; repeated names are joined with commas."""
    values: dict[str, str] = {}
    original: dict[str, str] = {}
    for raw_key, raw_value in pairs:
        if not isinstance(raw_key, str) or not raw_key.strip():
            raise LeadFormError("a field without a name")
        if len(raw_key) > MAX_KEY:
            raise LeadFormError(f"field name longer than {MAX_KEY} characters")
        key = _key(raw_key)
        value = _value(raw_value)[:MAX_VALUE]
        if key in values:
            joined = f"{values[key]}, {value}" if value else values[key]
            values[key] = joined[:MAX_VALUE]
        else:
            values[key] = value
            original[key] = raw_key.strip()
        if len(values) > MAX_FIELDS:
            raise LeadFormError(f"more than {MAX_FIELDS} fields")
    if values.get("test") == "test":
        return LeadForm(is_test=True)

    aside: dict[str, str] = {}

    def take(keys: frozenset[str]) -> str | None:
        """The first filled of ``keys``; another filled one ("Комментарий" and "Вопрос",
        two phones) is kept among the other fields, not lost."""
        found = None
        for key in list(values):
            if key in keys:
                value = values.pop(key)
                if not found:
                    found = value or None
                elif value and value != found:
                    aside[original[key]] = value
        return found

    name, phone, email, comment = (
        take(k) for k in (NAME_KEYS, PHONE_KEYS, EMAIL_KEYS, COMMENT_KEYS)
    )
    utm = {key: values.pop(key) for key in UTM_KEYS if values.get(key)}
    for key in UTM_KEYS:
        values.pop(key, None)
    tranid = values.pop("tranid", None) or None
    for key in SERVICE_KEYS:
        values.pop(key, None)
    extra = {original[key]: value for key, value in values.items() if value} | aside
    if not (name or phone or email or comment or extra):
        raise LeadFormError("no fields with values")
    return LeadForm(name, phone, email, comment, utm, extra, tranid[:64] if tranid else None)
