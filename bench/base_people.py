"""Generating people and plans for the base: clients with contacts, how many events each gets,
and row insertion.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Connection, insert

from bench.base_words import (
    CITIES,
    COMMENTS,
    COMPANY_ROOTS,
    COMPANY_SUFFIXES,
    EN_COMPANIES,
    EN_FIRST,
    EN_FORMS,
    EN_LAST,
    FEMALE_NAMES,
    MAIL_DOMAINS,
    MALE_NAMES,
    NOW,
    PATRONYMICS,
    START,
    STATUSES,
    SURNAMES,
    TAGS,
    female_surname,
    translit,
)
from bench.common import log
from storage.base import Base


@dataclass
class Person:
    name: str
    email_local: str
    surname: str


@dataclass
class Counts:
    clients: int = 0
    phones: int = 0
    emails: int = 0
    tags: int = 0
    deals: int = 0
    tasks_open: int = 0
    tasks_done: int = 0
    events: int = 0
    max_client_events: int = 0
    archived: int = 0


class Generator:
    """Realistic rows, the same for the same seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._city_names = [c for c, _ in CITIES]
        self._city_weights = list(accumulate(w for _, w in CITIES))
        self._status_names = [s for s, _ in STATUSES]
        self._status_weights = list(accumulate(w for _, w in STATUSES))
        self._phones: set[str] = set()

    def person(self) -> Person:
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            return Person(f"{first} {last}", translit(f"{first}.{last}"), last)
        female = rng.random() < 0.45
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        surname = rng.choice(SURNAMES)
        if female:
            surname = female_surname(surname)
        local = translit(rng.choice((f"{first}.{surname}", f"{surname}", f"{first[0]}.{surname}")))
        if roll < 0.5:
            name = f"{first} {surname}"
        elif roll < 0.72:
            name = f"{surname} {first}"
        elif roll < 0.9:
            name = f"{surname} {first} {rng.choice(PATRONYMICS)[1 if female else 0]}"
        else:
            name = f"{first} {surname[0]}."
        return Person(name, local, surname)

    def company(self, person: Person) -> str | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return None
        if roll < 0.5:
            return f"ИП {person.surname}" + ("" if rng.random() < 0.5 else " А. В.")
        if roll < 0.6:
            return f"{rng.choice(EN_COMPANIES)} {rng.choice(EN_FORMS)}"
        root = rng.choice(COMPANY_ROOTS)
        if rng.random() < 0.5:
            root = f"{root}-{rng.choice(COMPANY_SUFFIXES)}"
        form = rng.choices(("ООО", "АО", "ЗАО", "ПАО", "ООО ТД"), (70, 10, 8, 2, 10))[0]
        return f"{form} «{root}»"

    def city(self) -> str | None:
        if self.rng.random() < 0.15:
            return None
        return self.rng.choices(self._city_names, cum_weights=self._city_weights)[0]

    def status(self) -> str:
        return self.rng.choices(self._status_names, cum_weights=self._status_weights)[0]

    def phone(self) -> str:
        rng = self.rng
        while True:
            roll = rng.random()
            if roll < 0.85:
                number = f"+79{rng.randrange(10**9):09d}"
            elif roll < 0.97:
                code = rng.choice(("495", "499", "812", "383", "343", "843", "861"))
                number = f"+7{code}{rng.randrange(10**7):07d}"
            elif roll < 0.99:
                number = f"+1415{rng.randrange(10**7):07d}"
            else:
                number = f"+37529{rng.randrange(10**7):07d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def emails(self, person: Person, company: str | None, client_id: int) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return []
        local = person.email_local or "client"
        if rng.random() < 0.5:
            local = f"{local}{client_id % 997}"
        emails = [f"{local}@{rng.choice(MAIL_DOMAINS)}"]
        if roll > 0.88 and company:
            domain = translit(company.split("«")[-1].rstrip("»").split(" ")[-1]) or "firm"
            emails.append(f"info{client_id}@{domain}.ru")
        return emails

    def tags(self) -> list[str]:
        count = self.rng.choices((0, 1, 2, 3), (50, 30, 15, 5))[0]
        return sorted(set(self.rng.sample(TAGS, count)))

    def comment(self, city: str | None) -> str:
        rng = self.rng
        return rng.choice(COMMENTS).format(
            n=rng.randrange(10, 9999),
            d=rng.randrange(1, 28),
            h=rng.randrange(9, 19),
            p=rng.choice((3, 5, 7, 10, 15)),
            city=city or "регион",
        )


@dataclass
class ClientPlan:
    """What the event stream needs to know about a client."""

    manager_id: int | None
    status: str
    city: str | None
    name: str
    phones: list[str]
    emails: list[str]


def event_counts(rng: random.Random, clients: int, events: int) -> list[int]:
    """Events per client beyond ``client_created``: skewed, a few clients get hundreds."""
    extra = max(events - clients, 0)
    weights = [min(rng.paretovariate(1.2), 400.0) for _ in range(clients)]
    total = sum(weights)
    counts = [int(extra * w / total) for w in weights]
    for index in rng.choices(range(clients), weights=weights, k=extra - sum(counts)):
        counts[index] += 1
    return counts


def seconds(moment: datetime) -> int:
    return int((moment - START).total_seconds())


def moment(offset: int) -> datetime:
    return START + timedelta(seconds=offset)


def insert_rows(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(model), rows)
        rows.clear()


@dataclass
class EventPlan:
    """When every client was created and when each of its timeline events happens."""

    extra: list[int]  # events per client beyond ``client_created``
    created_s: list[int]  # seconds after START, ascending with the client index
    last_s: list[int]  # the client's last event
    keys: list[int]  # one sortable int per event, (seconds << shift) | client index
    shift: int

    def last_activity(self, index: int) -> datetime:
        return moment(self.last_s[index])


def plan_events(rng: random.Random, n_clients: int, n_events: int) -> EventPlan:
    """Clients created evenly over the history, their events skewed (see ``event_counts``)."""
    now_s = seconds(NOW)
    extra = event_counts(rng, n_clients, n_events)
    shift = max(17, n_clients.bit_length())
    keys: list[int] = []
    created_s: list[int] = []
    last_s: list[int] = []
    span = now_s - 86_400
    for index in range(n_clients):
        created = int(span * (index + rng.random()) / n_clients)
        created_s.append(created)
        keys.append((created << shift) | index)
        last = created
        window = now_s - created - 1
        for _ in range(extra[index]):
            at = created + 1 + int(rng.random() * window)
            last = max(last, at)
            keys.append((at << shift) | index)
        last_s.append(last)
    keys.sort()
    log(f"  planned {len(keys):,} events")
    return EventPlan(extra, created_s, last_s, keys, shift)
