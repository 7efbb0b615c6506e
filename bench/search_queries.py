"""The seeded search query mix: names, fragments, yo-swapped spellings, phones, e-mails, and
the short kinds (1–2 digits, ``+7 9``, 2 letters).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from crm.client_index import query_terms


@dataclass(frozen=True)
class Sample:
    id: int
    name: str
    company: str | None
    city: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def read_samples(db: sqlite3.Connection, rng: random.Random, size: int) -> list[Sample]:
    ids = [row[0] for row in db.execute("SELECT id FROM clients ORDER BY id")]
    chosen = sorted(rng.sample(ids, min(size, len(ids))))
    samples = []
    for client_id in chosen:
        name, company, city = db.execute(
            "SELECT name, company, city FROM clients WHERE id = ?", (client_id,)
        ).fetchone()
        emails = tuple(
            r[0]
            for r in db.execute(
                "SELECT email FROM client_emails WHERE client_id = ? ORDER BY id", (client_id,)
            )
        )
        phones = tuple(
            r[0]
            for r in db.execute(
                "SELECT e164 FROM client_phones WHERE client_id = ? ORDER BY id", (client_id,)
            )
        )
        samples.append(Sample(client_id, name, company, city, emails, phones))
    return samples


def swap_yo(text: str) -> str:
    """``Пётр`` → ``Петр`` and ``Петров`` → ``Пётров``: people type either."""
    if "ё" in text or "Ё" in text:
        return text.replace("ё", "е").replace("Ё", "Е")
    return text.replace("е", "ё", 1)


def fragment(rng: random.Random, word: str) -> str:
    size = min(len(word), rng.randrange(3, 7))
    start = 0 if rng.random() < 0.5 else rng.randrange(0, len(word) - size + 1)
    return word[start : start + size]


def make_queries(
    rng: random.Random, samples: Sequence[Sample], count: int
) -> list[tuple[str, str]]:
    """``count`` (kind, text) pairs, shaped like what people type into the search."""
    kinds = (
        ("name_fragment", 20),
        ("full_name", 12),
        ("surname_case", 8),
        ("yo_swapped", 8),
        ("company", 10),
        ("email", 8),
        ("phone", 16),
        ("city", 6),
        ("short", 4),
        ("miss", 8),
    )
    names = [k for k, _ in kinds]
    weights = [w for _, w in kinds]
    queries: list[tuple[str, str]] = []
    while len(queries) < count:
        kind = rng.choices(names, weights)[0]
        sample = rng.choice(samples)
        name_words = sample.name.replace(".", "").split()
        text: str | None = None
        if kind == "name_fragment":
            text = fragment(
                rng, rng.choice([w for w in name_words if len(w) >= 3] or name_words)
            ).lower()
        elif kind == "full_name":
            text = sample.name if rng.random() < 0.6 else " ".join(reversed(name_words[:2]))
        elif kind == "surname_case":
            word = max(name_words, key=len)
            text = word.upper() if rng.random() < 0.5 else word.lower()
        elif kind == "yo_swapped":
            with_e = [w for w in name_words if any(ch in w.lower() for ch in "её")]
            if with_e:
                text = swap_yo(rng.choice(with_e)).lower()
        elif kind == "company" and sample.company:
            parts = [p.strip("«»") for p in sample.company.replace("«", " «").split()]
            parts = [p for p in parts if len(p) >= 3 and p not in ("ООО", "ЗАО", "ПАО")]
            if parts:
                text = rng.choice(parts).lower() if rng.random() < 0.7 else sample.company
        elif kind == "email" and sample.emails:
            email = rng.choice(sample.emails)
            local, _, domain = email.partition("@")
            text = rng.choice((local[:6], f"{local}@", email, f"{local[:4]}@{domain[:4]}"))
        elif kind == "phone" and sample.phones:
            text = phone_query(rng, rng.choice(sample.phones))
        elif kind == "city" and sample.city:
            text = sample.city if rng.random() < 0.5 else sample.city.lower()
        elif kind == "short":
            text = name_words[0][:2].lower()
        elif kind == "miss":
            text = rng.choice(
                (
                    "зюзюка",
                    "qwxz",
                    "нет такого клиента",
                    "ООО «Небывальщина»",
                    "777 000 111",
                    "zzz@nowhere",
                    "Хрюндель",
                )
            )
        if text and query_terms(text):
            queries.append((kind, text))
    return queries


SHORT_KINDS = ("digit_1", "digit_2", "plus_prefix", "prefix_2")


def short_queries(
    rng: random.Random, samples: Sequence[Sample], each: int
) -> list[tuple[str, str]]:
    """``each`` queries of every kind too short for trigrams: one or two digits (part of a
    phone), the start of an international number (``+7 9``), two letters of a name."""
    queries: list[tuple[str, str]] = []
    for _ in range(each):
        queries.append(("digit_1", str(rng.randrange(10))))
        queries.append(("digit_2", f"{rng.randrange(100):02d}"))
        queries.append(("plus_prefix", f"+7 {rng.randrange(3, 10)}"))
        name = rng.choice(samples).name.replace(".", "").split()
        queries.append(("prefix_2", rng.choice(name)[:2].lower()))
    return queries


def phone_query(rng: random.Random, e164: str) -> str:
    if not e164.startswith("+7"):
        national = e164[-10:]
        return f"{national[:3]} {national[3:6]}"
    n = e164[2:]
    return rng.choice(
        (
            f"{n[:3]} {n[3:6]}",
            f"+7({n[:3]})",
            n[-4:],
            f"8 {n[:3]} {n[3:6]} {n[6:8]} {n[8:]}",
            f"+7 {n[:3]} {n[3:6]}-{n[6:8]}-{n[8:]}",
            f"8{n}",
        )
    )
