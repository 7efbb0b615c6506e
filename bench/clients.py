"""Client search and the client card on a large generated base (SQLite).

``python -m bench.clients`` builds a fresh database (100,000 clients, 1,000,000
timeline events by default) through the real migrations, then times

* ``search``: ``ClientQueries.search`` as the owner (and as a manager, who only
  sees their own and unassigned clients) over a fixed, seeded mix of queries;
* ``naive_search``: the same queries as a full scan that folds every client's
  fields with a Python function at query time: what the index saves;
* ``card``: ``ClientQueries.card`` (client, contacts, 10 newest events, deals,
  open tasks) for a sample of clients that includes the busiest ones.

Progress goes to stderr; the last line of stdout is one JSON object with the
figures. See ``bench/README.md`` for how to read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.client_index import query_terms, search_text
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.parsing.search_text import fold
from crm.service import Crm, CrmFactory
from crm.timeline import CALL_OUTCOMES
from crm.visibility import visible_clients
from storage.base import Base
from storage.client_search import ranked_select
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    Event,
    LostReason,
    Pipeline,
    Stage,
    Task,
    User,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
HISTORY = timedelta(days=3 * 365)
START = NOW - HISTORY
OWNER_ID = 100_001
MANAGER_IDS = tuple(range(200_001, 200_021))
BATCH = 20_000
CARD_HEAVY = 10  # the busiest clients always get their card timed


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- what the data is made of ------------------------------------------------------------

MALE_NAMES = words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Василий Виктор Владимир Дмитрий "
    "Евгений Егор Иван Игорь Илья Кирилл Константин Максим Михаил Никита Николай Олег "
    "Павел Пётр Роман Семён Сергей Станислав Степан Фёдор Юрий Ярослав Глеб Тимур"
)
FEMALE_NAMES = words(
    "Алёна Алла Анастасия Анна Валентина Вера Виктория Галина Дарья Екатерина Елена Ирина "
    "Ксения Лариса Людмила Марина Мария Наталья Надежда Ольга Полина Светлана Софья "
    "Татьяна Юлия Яна Дарина Жанна Зоя Лидия"
)
SURNAMES = words(
    "Иванов Петров Сидоров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков "
    "Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов "
    "Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев "
    "Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв "
    "Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев "
    "Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов "
    "Осипов Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
    "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов "
    "Мартынов Ефимов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов "
    "Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров "
    "Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников "
    "Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов "
    "Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин "
    "Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев "
    "Харитонов Князев Цветков Левин Воронов Аксёнов Мальцев Логинов Горшков Савин "
    "Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Дёмин Хохлов Жданов "
    "Ёлкин Ершов Шевченко Бондаренко Ткаченко Лёвкин Пестов Сёмин Толстой Островский"
)
PATRONYMICS = (
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Петрович", "Петровна"),
    ("Иванович", "Ивановна"),
    ("Владимирович", "Владимировна"),
    ("Андреевич", "Андреевна"),
    ("Николаевич", "Николаевна"),
    ("Алексеевич", "Алексеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Фёдорович", "Фёдоровна"),
    ("Семёнович", "Семёновна"),
    ("Юрьевич", "Юрьевна"),
    ("Викторович", "Викторовна"),
    ("Олегович", "Олеговна"),
)
EN_FIRST = words(
    "John James Michael David Robert Emma Olivia Sophia Anna Peter Thomas Daniel Laura "
    "Kate Mark Paul Steven George Alice Helen Jürgen Klaus"
)
EN_LAST = words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Anderson Moore Martin "
    "Jackson White Harris Clark Lewis Walker Young Müller Schmidt Weber Fischer Strauß"
)
COMPANY_ROOTS = words(
    "Ромашка Альфа Вектор Гранит Меридиан Техносфера Лидер Прогресс Восток Континент "
    "Импульс Орион Сфера Фаворит Энергия Ёлки-Палки Берёзка Полёт Сибирь Волга Урал "
    "Кристалл Атлант Галактика Дельта Престиж Стандарт Комфорт Мастер Гарант Профи Заря "
    "Север Южный двор Магистраль Монолит Эталон Фортуна Бриз Янтарь Самоцвет Светоч"
)
COMPANY_SUFFIXES = words(
    "Строй Торг Снаб Пром Инвест Медиа Софт Фарм Авто Агро Металл Трейд Логистик Сервис "
    "Групп Плюс Электро Мебель"
)
EN_COMPANIES = words(
    "Acme Northwind Globex Initech Umbrella Contoso Fabrikam Hooli Vandelay Stark Wayne "
    "Blue Ocean Green Field Silverline"
)
EN_FORMS = ("LLC", "Ltd", "Inc.", "GmbH")
CITIES = (
    ("Москва", 30),
    ("Санкт-Петербург", 12),
    ("Новосибирск", 4),
    ("Екатеринбург", 4),
    ("Казань", 4),
    ("Нижний Новгород", 3),
    ("Челябинск", 3),
    ("Самара", 3),
    ("Ростов-на-Дону", 3),
    ("Краснодар", 3),
    ("Омск", 2),
    ("Уфа", 2),
    ("Красноярск", 2),
    ("Воронеж", 2),
    ("Пермь", 2),
    ("Волгоград", 2),
    ("Тверь", 1),
    ("Орёл", 1),
    ("Королёв", 1),
    ("Ярославль", 1),
    ("Тула", 1),
    ("Калининград", 1),
    ("Сочи", 1),
    ("Владивосток", 1),
    ("Иркутск", 1),
    ("Тюмень", 1),
    ("Барнаул", 1),
    ("Хабаровск", 1),
    ("Архангельск", 1),
    ("Мурманск", 1),
    ("Череповец", 1),
    ("Пятигорск", 1),
    ("Минск", 1),
    ("Алматы", 1),
)
MAIL_DOMAINS = words(
    "mail.ru yandex.ru gmail.com bk.ru inbox.ru list.ru rambler.ru ya.ru outlook.com"
)
TAGS = words(
    "vip опт розница партнёр b2b b2c тендер дилер повторный рекомендация сайт выставка "
    "ключевой должник регионы"
)
STATUSES = (("new", 25), ("cold", 20), ("warm", 20), ("hot", 10), ("vip", 5), ("regular", 20))
SOURCES = (
    "сайт",
    "звонок",
    "рекомендация",
    "выставка",
    "avito",
    "instagram",
    "холодный звонок",
    None,
    None,
)
STREETS = words("Ленина Мира Советская Садовая Гагарина Пушкина Лесная Заводская Набережная")
COMMENTS = (
    "Позвонил, обсудили условия поставки",
    "Клиент просит КП до пятницы",
    "Отправил счёт №{n}",
    "Перезвонить после {d} числа, сейчас в отпуске",
    "Договорились о встрече в офисе в {h}:00",
    "Прислали реквизиты, передал в бухгалтерию",
    "Ждёт скидку {p}% на объём от {n} шт.",
    "Сравнивает с конкурентами, цена выше на {p}%",
    "Попросил образцы продукции",
    "Оплата задерживается, обещают до конца месяца",
    "Sent the proposal, waiting for feedback",
    "Asked for a discount of {p}%",
    "Встреча прошла хорошо, ЛПР — директор по закупкам",
    "Доставка в {city} — уточнить сроки у логистов",
    "Новый контакт: бухгалтер, почта в карточке",
)
CALL_NOTES = (
    None,
    None,
    "Не дозвонился",
    "Обсудили спецификацию",
    "Попросили перезвонить завтра",
    "Согласовали отгрузку",
    "Called back, all fine",
)
DEAL_TITLES = (
    "Поставка оборудования",
    "Договор №{n}",
    "Годовой контракт",
    "Пробная партия",
    "Сервисное обслуживание",
    "Оптовый заказ {n} шт.",
    "Annual licence",
)
TASK_TITLES = (
    "Перезвонить",
    "Отправить КП",
    "Выставить счёт",
    "Уточнить реквизиты",
    "Встреча в офисе",
    "Напомнить об оплате",
    "Follow up",
)
PIPELINES = (
    (
        "Продажи",
        (
            ("Новая заявка", "open", 3),
            ("Квалификация", "open", 5),
            ("КП отправлено", "open", 7),
            ("Переговоры", "open", 10),
            ("Счёт выставлен", "open", 7),
            ("Оплачено", "won", None),
            ("Отказ", "lost", None),
        ),
    ),
    (
        "Опт",
        (
            ("Заявка", "open", 5),
            ("Согласование", "open", 14),
            ("Отгрузка", "open", 7),
            ("Закрыта", "won", None),
            ("Сорвалась", "lost", None),
        ),
    ),
)
LOST_REASONS = ("Дорого", "Выбрали конкурента", "Не вышел на связь", "Нет бюджета")
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"),
        strict=True,
    )
)


def translit(text: str) -> str:
    out = "".join(TRANSLIT.get(ch, ch) for ch in text.lower()).replace("-", "")
    return "".join(ch for ch in out if ch.isascii() and (ch.isalnum() or ch in "._"))


def female_surname(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ой"):
        return surname[:-2] + "ая"
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname


# --- generating ---------------------------------------------------------------------------


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


def load_team(conn: Connection, gen: Generator, manager_ids: Sequence[int] = MANAGER_IDS) -> None:
    """The owner and the managers, all active, in Moscow."""
    team_created = START - timedelta(days=30)
    users: list[dict[str, Any]] = [
        dict(id=OWNER_ID, full_name="Ольга Владелица", role="owner", username="owner")
    ]
    for index, user_id in enumerate(manager_ids):
        users.append(
            dict(id=user_id, full_name=gen.person().name, role="manager", username=f"m{index}")
        )
    for user in users:
        user.update(
            active=True,
            language="ru",
            timezone="Europe/Moscow",
            created_at=team_created,
            invited_by=None if user["id"] == OWNER_ID else OWNER_ID,
        )
    insert_rows(conn, User, users)


def load_pipelines(conn: Connection) -> list[tuple[int, int, str]]:
    """``PIPELINES`` and ``LOST_REASONS``; returns (pipeline id, stage id, kind) per stage."""
    stages: list[tuple[int, int, str]] = []
    stage_id = 0
    for pipeline_id, (pipeline_name, pipeline_stages) in enumerate(PIPELINES, start=1):
        insert_rows(
            conn,
            Pipeline,
            [dict(id=pipeline_id, name=pipeline_name, position=pipeline_id)],
        )
        rows = []
        for position, (stage_name, kind, stale_days) in enumerate(pipeline_stages):
            stage_id += 1
            stages.append((pipeline_id, stage_id, kind))
            rows.append(
                dict(
                    id=stage_id,
                    pipeline_id=pipeline_id,
                    name=stage_name,
                    position=position,
                    kind=kind,
                    stale_days=stale_days,
                )
            )
        insert_rows(conn, Stage, rows)
    insert_rows(
        conn,
        LostReason,
        [dict(id=i, text=t, position=i) for i, t in enumerate(LOST_REASONS, start=1)],
    )
    return stages


def load_clients(
    conn: Connection,
    rng: random.Random,
    gen: Generator,
    plan: EventPlan,
    counts: Counts,
    manager_ids: Sequence[int] = MANAGER_IDS,
) -> list[ClientPlan]:
    """Clients with their phones, emails and tags; ids are 1.. in the order of ``plan``."""
    n_clients = len(plan.created_s)
    plans: list[ClientPlan] = []
    client_rows: list[dict[str, Any]] = []
    phone_rows: list[dict[str, Any]] = []
    email_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    for index in range(n_clients):
        client_id = index + 1
        person = gen.person()
        company = gen.company(person)
        city = gen.city()
        phones = [gen.phone() for _ in range(rng.choices((0, 1, 2, 3), (5, 75, 17, 3))[0])]
        emails = gen.emails(person, company, client_id)
        tags = gen.tags()
        manager_id = None if rng.random() < 0.08 else rng.choice(manager_ids)
        archived = rng.random() < 0.02
        status = gen.status()
        plans.append(ClientPlan(manager_id, status, city, person.name, phones, emails))
        client_rows.append(
            dict(
                id=client_id,
                name=person.name,
                name_folded=fold(person.name),
                search_text=search_text(person.name, company, city, emails, tags, phones),
                company=company,
                city=city,
                address=(
                    f"ул. {rng.choice(STREETS)}, д. {rng.randrange(1, 120)}"
                    if rng.random() < 0.3
                    else None
                ),
                status=status,
                source=rng.choice(SOURCES),
                manager_id=manager_id,
                custom_fields={},
                created_by=manager_id or OWNER_ID,
                created_at=moment(plan.created_s[index]),
                last_activity_at=plan.last_activity(index),
                archived_at=plan.last_activity(index) if archived else None,
            )
        )
        phone_rows.extend(dict(client_id=client_id, e164=p, digits=p[1:]) for p in phones)
        email_rows.extend(dict(client_id=client_id, email=e) for e in emails)
        tag_rows.extend(dict(client_id=client_id, tag=t) for t in tags)
        counts.phones += len(phones)
        counts.emails += len(emails)
        counts.tags += len(tags)
        counts.archived += archived
        if len(client_rows) >= BATCH:
            insert_rows(conn, Client, client_rows)
            insert_rows(conn, ClientPhone, phone_rows)
            insert_rows(conn, ClientEmail, email_rows)
            insert_rows(conn, ClientTag, tag_rows)
    insert_rows(conn, Client, client_rows)
    insert_rows(conn, ClientPhone, phone_rows)
    insert_rows(conn, ClientEmail, email_rows)
    insert_rows(conn, ClientTag, tag_rows)
    conn.commit()
    counts.clients = n_clients
    log(f"  inserted {n_clients:,} clients")
    return plans


def client_tasks(
    rng: random.Random,
    plan: ClientPlan,
    client_id: int,
    busy: int,
    open_deals: Sequence[int],
    counts: Counts,
) -> list[dict[str, Any]]:
    """A client's tasks, due within 30 days either side of NOW: more for busier clients.

    Open ones may hang off one of ``open_deals``.
    """
    rows: list[dict[str, Any]] = []
    n_open = rng.randrange(1, 4) if busy > 100 else (1 if rng.random() < 0.25 else 0)
    n_done = rng.randrange(0, 3) if rng.random() < 0.4 else 0
    for number in range(n_open + n_done):
        done = number >= n_open
        due = NOW + timedelta(hours=rng.randrange(-24 * 30, 24 * 30))
        rows.append(
            dict(
                title=rng.choice(TASK_TITLES),
                due_at=due,
                remind_at=due - timedelta(minutes=15),
                reminded_at=due - timedelta(minutes=15) if due < NOW else None,
                nudged_at=None,
                priority=rng.choice(("normal", "normal", "high", "low")),
                repeat=None,
                assignee_id=plan.manager_id or OWNER_ID,
                client_id=client_id,
                deal_id=rng.choice(open_deals) if open_deals and not done else None,
                created_by=plan.manager_id or OWNER_ID,
                created_at=due - timedelta(days=rng.randrange(1, 20)),
                done_at=due if done else None,
            )
        )
    counts.tasks_open += n_open
    counts.tasks_done += n_done
    return rows


def load_deals_and_tasks(
    conn: Connection,
    rng: random.Random,
    plans: Sequence[ClientPlan],
    plan: EventPlan,
    stages: Sequence[tuple[int, int, str]],
    counts: Counts,
) -> None:
    """Deals (each on one stage, without a history) and tasks: more for busier clients."""
    now_s = seconds(NOW)
    deal_rows: list[dict[str, Any]] = []
    task_rows: list[dict[str, Any]] = []
    deal_id = 0
    for index, client in enumerate(plans):
        client_id = index + 1
        busy = plan.extra[index]
        created_s = plan.created_s[index]
        n_deals = (
            rng.randrange(2, 6) if busy > 100 else (1 if rng.random() < 0.3 + busy / 200 else 0)
        )
        client_deals: list[int] = []
        for _ in range(n_deals):
            deal_id += 1
            pipeline_id = 1 if rng.random() < 0.8 else 2
            choices = [s for s in stages if s[0] == pipeline_id]
            _, stage, kind = rng.choice(choices)
            created = created_s + int(rng.random() * (now_s - created_s))
            changed = created + int(rng.random() * (now_s - created))
            closed = moment(changed) if kind != "open" else None
            if kind == "open":
                client_deals.append(deal_id)
            deal_rows.append(
                dict(
                    id=deal_id,
                    client_id=client_id,
                    pipeline_id=pipeline_id,
                    stage_id=stage,
                    title=rng.choice(DEAL_TITLES).format(n=rng.randrange(10, 9999)),
                    amount_minor=rng.randrange(5_000, 5_000_000) * 100,
                    currency="RUB",
                    manager_id=client.manager_id,
                    lost_reason=rng.choice(LOST_REASONS) if kind == "lost" else None,
                    expected_close=None,
                    created_by=client.manager_id or OWNER_ID,
                    created_at=moment(created),
                    stage_changed_at=moment(changed),
                    last_activity_at=moment(changed),
                    closed_at=closed,
                )
            )
        counts.deals += n_deals
        task_rows.extend(client_tasks(rng, client, client_id, busy, client_deals, counts))
        if len(deal_rows) >= BATCH or len(task_rows) >= BATCH:
            insert_rows(conn, Deal, deal_rows)  # first: tasks refer to deals
            insert_rows(conn, Task, task_rows)
    insert_rows(conn, Deal, deal_rows)
    insert_rows(conn, Task, task_rows)
    conn.commit()
    log(f"  inserted {counts.deals:,} deals, {counts.tasks_open + counts.tasks_done:,} tasks")


def load_events(
    conn: Connection,
    rng: random.Random,
    gen: Generator,
    plans: Sequence[ClientPlan],
    plan: EventPlan,
    counts: Counts,
    merged: Iterable[tuple[int, dict[str, Any]]] = (),
    manager_ids: Sequence[int] = MANAGER_IDS,
) -> None:
    """The timeline, oldest first, so event ids follow time as they do in production.

    ``merged``: more events as (seconds after START, row), oldest first; each goes in
    before the first client event that is later than it.
    """
    mask = (1 << plan.shift) - 1
    others = iter(merged)
    pending = next(others, None)
    created_seen = bytearray(len(plans))
    event_rows: list[dict[str, Any]] = []

    def add(row: dict[str, Any]) -> None:
        event_rows.append(row)
        if len(event_rows) >= BATCH * 2:
            counts.events += len(event_rows)
            insert_rows(conn, Event, event_rows)
            if counts.events % 200_000 == 0:
                conn.commit()
                log(f"  inserted {counts.events:,} events")

    for key in plan.keys:
        index = key & mask
        at = key >> plan.shift
        while pending is not None and pending[0] <= at:
            add(pending[1])
            pending = next(others, None)
        client = plans[index]
        actor = client.manager_id or OWNER_ID
        row: dict[str, Any] = dict(
            occurred_at=moment(at),
            actor_id=actor if rng.random() < 0.9 else OWNER_ID,
            client_id=index + 1,
            deal_id=None,
            task_id=None,
            text=None,
        )
        if not created_seen[index]:
            created_seen[index] = 1
            row.update(
                kind="client_created",
                data={"name": client.name, "phones": client.phones, "emails": client.emails},
            )
        else:
            roll = rng.random()
            if roll < 0.45:
                row.update(kind="comment", text=gen.comment(client.city), data={})
            elif roll < 0.75:
                row.update(
                    kind="call",
                    text=rng.choice(CALL_NOTES),
                    data={"outcome": rng.choice(CALL_OUTCOMES)},
                )
            elif roll < 0.87:
                name = rng.choice(("city", "company", "source", "address"))
                row.update(
                    kind="field_changed",
                    data={"field": name, "old": gen.city(), "new": gen.city()},
                )
            elif roll < 0.97:
                row.update(kind="status_changed", data={"old": gen.status(), "new": gen.status()})
            else:
                row.update(
                    kind="manager_changed",
                    data={"old": rng.choice(manager_ids), "new": client.manager_id},
                )
        add(row)
    while pending is not None:
        add(pending[1])
        pending = next(others, None)
    counts.events += len(event_rows)
    insert_rows(conn, Event, event_rows)
    conn.commit()
    log(f"  {counts.events:,} events in all")
    counts.max_client_events = max(plan.extra) + 1 if plan.extra else 0


def load(conn: Connection, rng: random.Random, n_clients: int, n_events: int) -> Counts:
    """Fill an empty, migrated database. Runs on one connection, committing as it goes."""
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    gen = Generator(rng)
    counts = Counts()
    load_team(conn, gen)
    stages = load_pipelines(conn)
    conn.commit()
    plan = plan_events(rng, n_clients, n_events)
    plans = load_clients(conn, rng, gen, plan, counts)
    load_deals_and_tasks(conn, rng, plans, plan, stages, counts)
    load_events(conn, rng, gen, plans, plan, counts)
    # No ANALYZE: the app never runs it, so the planner works without statistics here too.
    return counts


async def generate(url: str, seed: int, n_clients: int, n_events: int) -> Counts:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            return await conn.run_sync(load, random.Random(seed), n_clients, n_events)
    finally:
        await engine.dispose()


# --- the queries --------------------------------------------------------------------------


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


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Timings:
    values: list[float] = field(default_factory=list)
    empty: int = 0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.values)
        if not ordered:
            return math.nan
        return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], 2)


NAIVE_SQL = """
SELECT c.id FROM clients AS c
WHERE c.archived_at IS NULL AND {match}
ORDER BY c.last_activity_at DESC, c.id DESC
LIMIT ?
"""
NAIVE_HAYSTACK = (
    "fold_py(c.name || ' ' || coalesce(c.company, '') || ' ' || coalesce(c.city, '') || ' ' "
    "|| coalesce((SELECT group_concat(e.email, ' ') FROM client_emails AS e "
    "WHERE e.client_id = c.id), '') || ' ' "
    "|| coalesce((SELECT group_concat(t.tag, ' ') FROM client_tags AS t "
    "WHERE t.client_id = c.id), '') || ' ' "
    "|| coalesce((SELECT group_concat(p.digits, ' ') FROM client_phones AS p "
    "WHERE p.client_id = c.id), ''))"
)


def naive_search(db: sqlite3.Connection, text: str, limit: int = 10) -> list[int]:
    """The same question as ``ClientQueries.search``, answered by folding every row."""
    terms = query_terms(text)
    escaped = [t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for t in terms]
    if len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit():
        match = "fold_py(c.name) LIKE ? ESCAPE '\\'"
        params: list[Any] = [escaped[0] + "%"]
    else:
        match = " AND ".join(f"{NAIVE_HAYSTACK} LIKE ? ESCAPE '\\'" for _ in terms)
        params = [f"%{t}%" for t in escaped]
    rows = db.execute(NAIVE_SQL.format(match=match), [*params, limit]).fetchall()
    return [row[0] for row in rows]


async def timed_each(
    factory: CrmFactory,
    items: Sequence[Any],
    call: Callable[[Crm, Any], Awaitable[Sequence[Any] | Any]],
) -> Timings:
    timings = Timings()
    for item in items:
        async with factory.open() as crm:
            started = time.perf_counter()
            result = await call(crm, item)
            timings.values.append((time.perf_counter() - started) * 1000)
        if isinstance(result, Sequence) and not result:
            timings.empty += 1
    return timings


async def check(
    factory: CrmFactory,
    sessions: async_sessionmaker[AsyncSession],
    actors: Sequence[User],
    texts: Sequence[str],
) -> int:
    """Compare every search with ``client_search.ranked_select`` (the whole ranking as one
    query, what PostgreSQL runs); returns how many differ."""
    mismatches = 0
    for actor in actors:
        log(f"checking {len(texts)} searches as {actor.role}")
        for text in texts:
            async with factory.open() as crm:
                found = [c.id for c in await crm.client_queries.search(actor, text)]
                see_all = await crm.settings.managers_see_all()
            terms = query_terms(text)
            prefix_only = len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit()
            where = [visible_clients(actor, see_all), Client.archived_at.is_(None)]
            async with sessions() as session:
                expected = list(
                    await session.scalars(
                        ranked_select("sqlite", where, terms, 10, prefix_only).with_only_columns(
                            Client.id
                        )
                    )
                )
            if found != expected:
                mismatches += 1
                log(f"  MISMATCH {actor.role} {text!r}: {found} != {expected}")
    return mismatches


async def measure(
    url: str,
    path: Path,
    seed: int,
    n_queries: int,
    n_cards: int,
    naive_limit: int | None,
    check_results: bool,
    n_short: int = 0,
) -> dict[str, Any]:
    rng = random.Random(seed + 1)
    db = sqlite3.connect(path)
    samples = read_samples(db, rng, 2_000)
    queries = make_queries(rng, samples, n_queries)
    # Drawn after the main mix, so that mix stays the one earlier runs measured.
    queries += short_queries(random.Random(seed + 2), samples, n_short)
    heavy = [
        row[0]
        for row in db.execute(
            "SELECT client_id FROM events GROUP BY client_id ORDER BY count(*) DESC LIMIT ?",
            (CARD_HEAVY,),
        )
    ]
    all_ids = [row[0] for row in db.execute("SELECT id FROM clients")]
    card_ids = heavy + rng.sample(all_ids, max(n_cards - len(heavy), 0))
    rng.shuffle(card_ids)

    engine = create_engine(url)
    sessions = create_session_factory(engine)
    factory = CrmFactory(sessions, ManualClock(NOW), CrmConfig())
    try:
        async with factory.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
            manager = await crm.members.get_active(MANAGER_IDS[0])
        assert owner is not None and manager is not None
        texts = [text for _, text in queries]

        def search_as(actor: User) -> Callable[[Crm, str], Awaitable[list[Client]]]:
            async def run(crm: Crm, text: str) -> list[Client]:
                return await crm.client_queries.search(actor, text)

            return run

        async def card(crm: Crm, client_id: int) -> object:
            return await crm.client_queries.card(owner, client_id)

        owner_search = search_as(owner)
        manager_search = search_as(manager)
        await timed_each(factory, texts[:20], owner_search)  # warm-up
        await timed_each(factory, card_ids[:20], card)
        log(f"timing {len(texts)} searches as the owner")
        search = await timed_each(factory, texts, owner_search)
        log(f"timing {len(texts)} searches as a manager")
        manager_timings = await timed_each(factory, texts, manager_search)
        log(f"timing {len(card_ids)} cards")
        cards = await timed_each(factory, card_ids, card)
        mismatches = (
            await check(factory, sessions, [owner, manager], texts) if check_results else None
        )
        slowest = sorted(zip(search.values, queries, strict=True), reverse=True)[:5]
        log("slowest searches: " + "; ".join(f"{k}:{t!r} {ms:.1f} ms" for ms, (k, t) in slowest))
    finally:
        await engine.dispose()

    if mismatches is not None:
        log(f"checked against the one-query ranking: {mismatches} mismatches")
    naive_texts = texts if naive_limit is None else texts[:naive_limit]
    log(f"timing {len(naive_texts)} naive searches (a full scan each)")
    db.create_function("fold_py", 1, fold, deterministic=True)
    naive = Timings()
    for text in naive_texts[:3]:
        naive_search(db, text)
    for text in naive_texts:
        started = time.perf_counter()
        found = naive_search(db, text)
        naive.values.append((time.perf_counter() - started) * 1000)
        naive.empty += not found
    db.close()

    return {
        "queries": len(texts),
        "search_p50_ms": search.quantile(0.5),
        "search_p95_ms": search.quantile(0.95),
        "search_max_ms": search.quantile(1.0),
        "search_empty": search.empty,
        "search_manager_p50_ms": manager_timings.quantile(0.5),
        "search_manager_p95_ms": manager_timings.quantile(0.95),
        "naive_queries": len(naive_texts),
        "naive_search_p50_ms": naive.quantile(0.5),
        "naive_search_p95_ms": naive.quantile(0.95),
        "naive_search_empty": naive.empty,
        "cards": len(card_ids),
        "card_p50_ms": cards.quantile(0.5),
        "card_p95_ms": cards.quantile(0.95),
        "card_max_ms": cards.quantile(1.0),
        **({} if mismatches is None else {"check_mismatches": mismatches}),
        "query_mix": {kind: sum(k == kind for k, _ in queries) for kind, _ in queries},
        "search_p95_ms_by_kind": by_kind(search, queries),
        "search_manager_p95_ms_by_kind": by_kind(manager_timings, queries),
    }


def by_kind(timings: Timings, queries: Sequence[tuple[str, str]]) -> dict[str, float]:
    return {
        kind: Timings(
            [ms for ms, (k, _) in zip(timings.values, queries, strict=True) if k == kind]
        ).quantile(0.95)
        for kind, _ in queries
    }


# --- running ------------------------------------------------------------------------------


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop, timed: how fast this machine is right now, to compare runs."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10**7))
        runs.append((time.perf_counter() - started) * 1000)
    return round(sorted(runs)[2], 1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.clients", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument(
        "--short-each",
        type=int,
        default=10,
        help="queries of each short kind (1 or 2 digits, '+7 9', 2 letters) added to the mix",
    )
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=None,
        help="time only the first N queries as a full scan (default: all of them)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="also compare every search with the whole ranking done as one query",
    )
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument(
        "--reuse", action="store_true", help="measure an existing --db without generating"
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace, path: Path, generate_first: bool) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{path}"
    result: dict[str, Any] = {"clients": args.clients, "events": args.events}
    if generate_first:
        log(f"generating {args.clients:,} clients and {args.events:,} events into {path}")
        started = time.perf_counter()
        counts = await generate(url, args.seed, args.clients, args.events)
        result["generate_s"] = round(time.perf_counter() - started, 1)
        result.update({f"n_{k}": v for k, v in vars(counts).items()})
        log(f"generated in {result['generate_s']} s")
    result.update(
        await measure(
            url,
            path,
            args.seed,
            args.queries,
            args.cards,
            args.naive_queries,
            args.check,
            args.short_each,
        )
    )
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews times
    result["cpu_ref_ms"] = cpu_reference_ms()
    result["cpus"] = os.cpu_count()
    result["sqlite"] = sqlite3.sqlite_version
    result["python"] = platform.python_version()
    return result


def run_on(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    exists = path.exists()
    if exists and not args.reuse:
        raise SystemExit(f"{path} exists; remove it or pass --reuse")
    result = asyncio.run(run(args, path, generate_first=not exists))
    result["db_mb"] = round(path.stat().st_size / 2**20, 1)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.db is not None:
        result = run_on(args, args.db)
    else:
        with tempfile.TemporaryDirectory(prefix="kartoteka-bench-") as tmp:
            result = run_on(args, Path(tmp) / "bench.db")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
