"""Client search through the CRM core, on every backend: formats, folding, ranking, visibility."""

from __future__ import annotations

import itertools
import random
import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.app import App
from crm.client_index import query_terms
from crm.clients import ClientDraft, DuplicateFound
from crm.clock import ManualClock
from crm.service import Crm
from crm.visibility import visible_clients
from storage import trigram_counts
from storage.client_search import ranked_select
from storage.client_search_sqlite import SAMPLE_LIMIT
from storage.engine import create_session_factory
from storage.models import Client, User
from storage.search_terms import fts_sample
from tests.conftest import OWNER_ID, Joiner
from tests.test_idle_tick import statements


async def owner_of(crm: Crm) -> User:
    owner = await crm.members.get_active(OWNER_ID)
    assert owner is not None
    return owner


async def add(crm: Crm, actor: User, name: str, **fields: object) -> Client:
    created = await crm.clients.create(actor, ClientDraft(name=name, **fields), force=True)  # type: ignore[arg-type]
    assert isinstance(created, Client)
    return created


@pytest.fixture
async def base(app: App) -> App:
    async with app.crm.open() as crm:
        owner = await owner_of(crm)
        await add(crm, owner, "Иван Петров", phones=("+79991234567",), company="ООО Ромашка")
        await add(crm, owner, "Пётр Иванов", emails=("petr@example.com",), city="Тверь")
        await add(crm, owner, "Алёна Ёлкина", company="Ёлки-Палки", city="Москва")
        await add(crm, owner, "John Smith", phones=("+14155552671",), company="Acme LLC")
        await crm.client_edits.add_tags(owner, 1, ["VIP", "опт"])
    return app


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("иван", ["Иван Петров", "Пётр Иванов"]),  # name prefix first, then contains
        ("ИВАН", ["Иван Петров", "Пётр Иванов"]),
        ("петр", ["Пётр Иванов", "Иван Петров"]),  # ё and е are one letter
        ("елкина", ["Алёна Ёлкина"]),
        ("ёлки", ["Алёна Ёлкина"]),
        ("ромашка", ["Иван Петров"]),
        ("иван ромашка", ["Иван Петров"]),
        ("тверь", ["Пётр Иванов"]),
        ("PETR@EXAMPLE", ["Пётр Иванов"]),
        ("vip", ["Иван Петров"]),
        ("999 123", ["Иван Петров"]),
        ("+7(999)", ["Иван Петров"]),
        ("4567", ["Иван Петров"]),
        ("8 999 123-45-67", ["Иван Петров"]),
        ("9991234567", ["Иван Петров"]),
        ("415 555", ["John Smith"]),
        ("smith", ["John Smith"]),
        ("ac", []),  # short: name prefix only
        ("jo", ["John Smith"]),
        ("100%", []),
        ("_", []),
        ("нет такого", []),
    ],
)
async def test_search(base: App, query: str, expected: list[str]) -> None:
    async with base.crm.open() as crm:
        found = await crm.client_queries.search(await owner_of(crm), query)
    assert [client.name for client in found] == expected


async def test_archived_and_invisible_clients_are_not_found(base: App, join: Joiner) -> None:
    await join(3001, "manager", "Мила")
    async with base.crm.open() as crm:
        owner = await owner_of(crm)
        manager = await crm.members.get_active(3001)
        assert manager is not None
        mine = await add(crm, manager, "Иваненко Мила")
        # Owner's clients belong to the owner: the manager does not see them.
        assert [c.name for c in await crm.client_queries.search(manager, "иван")] == [mine.name]
        await crm.client_edits.set_manager(owner, 1, None)  # unassigned: everyone sees it
        names = [c.name for c in await crm.client_queries.search(manager, "иван")]
        assert sorted(names) == ["Иван Петров", "Иваненко Мила"]
        await crm.settings.set_managers_see_all(owner, True)
        assert len(await crm.client_queries.search(manager, "иван")) == 3
        await crm.client_edits.set_archived(owner, 1, True)
        assert len(await crm.client_queries.search(owner, "иван")) == 2
        # The search index follows renames.
        await crm.client_edits.edit_text(owner, 2, "name", "Пётр Сидоров")
        assert [c.name for c in await crm.client_queries.search(owner, "иван")] == [mine.name]
        assert [c.name for c in await crm.client_queries.search(owner, "сидор")] == ["Пётр Сидоров"]


async def test_duplicates_by_phone_and_email(base: App) -> None:
    async with base.crm.open() as crm:
        owner = await owner_of(crm)
        found = await crm.clients.create(owner, ClientDraft("Другой", phones=("+79991234567",)))
        assert isinstance(found, DuplicateFound)
        assert (found.by, found.name, found.visible) == ("phone", "Иван Петров", True)
        found = await crm.clients.create(owner, ClientDraft("Другой", emails=("PETR@example.com",)))
        assert isinstance(found, DuplicateFound) and found.by == "email"
        forced = await crm.clients.create(
            owner, ClientDraft("Другой", phones=("+79991234567",)), force=True
        )
        assert isinstance(forced, Client)


@pytest.fixture
async def digits_base(app: App, clock: ManualClock) -> App:
    """Names with digits in them, phones, and the newest activity last."""
    async with app.crm.open() as crm:
        owner = await owner_of(crm)
        for name, phone in (
            ("Аптека 36", "+79161234567"),
            ("Склад 7", "+74951112233"),
            ("Иван Петров", "+79997770000"),
            ("7 ветров", None),
            ("Ивлева Анна", "+14155552671"),
            ("Ольга Ли", "+79035556677"),
        ):
            clock.advance(timedelta(minutes=1))
            await add(crm, owner, name, phones=(phone,) if phone else ())
    return app


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A digit in a name ranks that name first (a word starting with it, then inside),
        # then the phones holding it, the most recently active first.
        ("7", ["7 ветров", "Склад 7", "Ольга Ли", "Ивлева Анна", "Иван Петров", "Аптека 36"]),
        ("36", ["Аптека 36"]),
        ("67", ["Ольга Ли", "Ивлева Анна", "Аптека 36"]),
        ("99", ["Иван Петров"]),
        ("+7 9", ["Ольга Ли", "Иван Петров", "Аптека 36"]),  # the start of a +7 9… number
        ("+7", ["7 ветров", "Склад 7", "Ольга Ли", "Ивлева Анна", "Иван Петров", "Аптека 36"]),
        ("+1 4", ["Ивлева Анна"]),
        ("ив", ["Ивлева Анна", "Иван Петров"]),  # two letters: name prefixes only
        ("ли", []),
        ("ив 99", ["Иван Петров"]),
    ],
)
async def test_short_terms(digits_base: App, query: str, expected: list[str]) -> None:
    async with digits_base.crm.open() as crm:
        found = await crm.client_queries.search(await owner_of(crm), query)
    assert [client.name for client in found] == expected


@pytest.mark.parametrize("query", ["7", "36", "67", "+7 9", "+7", "ив", "ив 99", "3 6", "а"])
async def test_short_terms_agree_with_the_one_query_ranking(digits_base: App, query: str) -> None:
    async with digits_base.crm.open() as crm:
        owner = await owner_of(crm)
        found = [client.id for client in await crm.client_queries.search(owner, query)]
        terms = query_terms(query)
        prefix_only = len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit()
        where = [visible_clients(owner, False), Client.archived_at.is_(None)]
        dialect = digits_base.engine.dialect.name
        async with create_session_factory(digits_base.engine)() as session:
            expected = list(
                await session.scalars(
                    ranked_select(dialect, where, terms, 10, prefix_only).with_only_columns(
                        Client.id
                    )
                )
            )
    assert found == expected


async def one_query_ids(app: App, actor: User, query: str, archived: bool, limit: int) -> list[int]:
    terms = query_terms(query)
    prefix_only = len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit()
    state = Client.archived_at.is_not(None) if archived else Client.archived_at.is_(None)
    where = [visible_clients(actor, False), state]
    query_ = ranked_select(app.engine.dialect.name, where, terms, limit, prefix_only)
    async with create_session_factory(app.engine)() as session:
        return list(await session.scalars(query_.with_only_columns(Client.id)))


@pytest.fixture
async def half_archived(base: App) -> App:
    async with base.crm.open() as crm:
        owner = await owner_of(crm)
        for number in range(6):
            client = await add(crm, owner, f"Иванова {number}", city="Тверь")
            if number % 2:
                await crm.client_edits.set_archived(owner, client.id, True)
    return base


@pytest.mark.parametrize("sort_limit", [0, 2, 3_000])  # walk, mixed, sort every rank
@pytest.mark.parametrize("query", ["иван", "ивано", "тверь", "иван тверь", "петр", "ив", "4"])
async def test_the_active_and_the_archived_search_agree_with_the_one_query_ranking(
    half_archived: App, monkeypatch: pytest.MonkeyPatch, sort_limit: int, query: str
) -> None:
    monkeypatch.setattr("storage.client_search_sqlite.SORT_LIMIT", sort_limit)
    async with half_archived.crm.open() as crm:
        owner = await owner_of(crm)
        found, archived = await crm.client_queries.search_with_archive(owner, query, 10)
    # Up to 11 active ones (the 11th says "there are more"), the archived ones to fill 10.
    assert [client.id for client in found] == await one_query_ids(
        half_archived, owner, query, archived=False, limit=11
    )
    expected = await one_query_ids(half_archived, owner, query, archived=True, limit=10)
    assert [client.id for client in archived] == expected[: 10 - len(found)]


async def test_the_archive_search_reads_the_text_index_no_second_time(half_archived: App) -> None:
    """/find searches the active clients, then the archive: the text index (or, for a
    short term, the scan of the names) gives its candidates once, and the queries
    that sort them read the ids it gave."""
    if half_archived.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL answers each search in one statement")
    async with half_archived.crm.open() as crm:
        owner = await owner_of(crm)
        with statements(half_archived) as seen:
            found, archived = await crm.client_queries.search_with_archive(owner, "иванова", 10)
    assert [c.name for c in found] == ["Иванова 4", "Иванова 2", "Иванова 0"]
    assert [c.name for c in archived] == ["Иванова 5", "Иванова 3", "Иванова 1"]
    assert sum("MATCH" in statement for statement in seen) == 1
    async with half_archived.crm.open() as crm:
        owner = await owner_of(crm)
        with statements(half_archived) as seen:  # a digit: too short for the text index,
            found, archived = await crm.client_queries.search_with_archive(owner, "4", 10)
    assert [c.name for c in found][:1] == ["Иванова 4"]  # then the phones holding a 4
    assert archived == []
    assert sum("INDEXED BY" in statement for statement in seen) == 1  # the names scanned once


async def test_a_search_that_found_every_candidate_leaves_the_archive_alone(
    half_archived: App, join: Joiner
) -> None:
    """A full name mostly has one candidate in the text index: once the active search
    found it, the archive's search cannot find anyone and does not run. A candidate
    the searcher does not see, or one in the archive, keeps it running."""
    if half_archived.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL answers each search in one statement, without candidates")
    async with half_archived.crm.open() as crm:
        owner = await owner_of(crm)
        await add(crm, owner, "Шереметьева Анна")
        archived_twin = await add(crm, owner, "Шереметьева Анна Ивановна")
        await crm.client_edits.set_archived(owner, archived_twin.id, True)
        await add(crm, owner, "Воронцова Елена")
    async with half_archived.crm.open() as crm:
        owner = await owner_of(crm)
        with statements(half_archived) as seen:
            found, archived = await crm.client_queries.search_with_archive(
                owner, "воронцова елена", 10
            )
        assert [c.name for c in found] == ["Воронцова Елена"] and archived == []
        assert not [s for s in seen if "archived_at IS NOT NULL" in s]  # no archive search
        found, archived = await crm.client_queries.search_with_archive(owner, "шереметьева", 10)
        assert [c.name for c in found] == ["Шереметьева Анна"]
        assert [c.name for c in archived] == ["Шереметьева Анна Ивановна"]

    # A manager who sees only their own clients: the owner's Воронцова is a candidate
    # the manager's search does not find, so the archive is still searched (and is empty).
    await join(501, "manager", "Mila")
    async with half_archived.crm.open() as crm:
        mila = await crm.members.get_active(501)
        assert mila is not None
        with statements(half_archived) as seen:
            found, archived = await crm.client_queries.search_with_archive(
                mila, "воронцова елена", 10
            )
        assert found == [] and archived == []
        assert [s for s in seen if "archived_at IS NOT NULL" in s]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # One term, each level of the name's rank: a whole first word, the name's start,
        # a later word, inside a word; % and _ are themselves, not wildcards.
        # The last of each is found by its company only, and is the newest: were % or _
        # a wildcard in the name's tests, it would come first.
        ("50%", ["50% Студия", "50%Бар", "Студия 50% скидки", "Студия50%", "50 лет"]),
        ("a_b", ["a_b Трейд", "axb Трейд"]),
        # Two terms: the first ranks, both must be found.
        ("студия 50%", ["Студия 50% скидки", "Студия50%", "50% Студия"]),
    ],
)
async def test_the_usual_search_binds_the_terms_as_they_are(
    app: App, clock: ManualClock, query: str, expected: list[str]
) -> None:
    async with app.crm.open() as crm:
        owner = await owner_of(crm)
        for name in ("50% Студия", "Студия 50% скидки", "50 процентов", "Студия50%", "50%Бар"):
            clock.advance(timedelta(minutes=1))  # the newest last: the rank comes first
            await add(crm, owner, name)
        await add(crm, owner, "a_b Трейд")
        clock.advance(timedelta(minutes=1))
        await add(crm, owner, "axb Трейд", company="a_b")
        await add(crm, owner, "50 лет", company="скидка 50%")
    async with app.crm.open() as crm:
        owner = await owner_of(crm)
        found = await crm.client_queries.search(owner, query)
    assert [client.name for client in found] == expected
    assert [client.id for client in found] == await one_query_ids(
        app, owner, query, archived=False, limit=10
    )


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["ива"], '"ива"'),
        (["иван"], '"ива" AND "ван"'),
        (["ивано"], '"ива" AND "ано"'),
        (["иванов"], '"ива" AND "нов"'),
        (["александрович"], '"але" AND "кса"'),
        (["петров", "иван"], '"пет" AND "ров" AND "ива" AND "ван"'),
        (['ab"cd'], '"ab""" AND """cd"'),  # a quote is doubled inside the token
        (["a*b(c)"], '"a*b" AND "(c)"'),  # FTS5's operators are text inside quotes
    ],
)
def test_the_text_index_is_asked_for_a_sample_of_each_term(terms: list[str], expected: str) -> None:
    assert fts_sample(terms) == expected


COUNTS = {"пет": 900, "етр": 40, "тро": 700, "ров": 5000, "ива": 3000, "ван": 800, "ан ": 1}


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["петров", "иван"], '"етр" AND "ван"'),  # each word's rarest trigram
        (["иван", "петров"], '"ван" AND "етр"'),
        (["ива"], '"ива"'),
        (["абв", "иван"], '"абв" AND "ван"'),  # in no row: the index answers at once
        (["иван", "иван"], '"ван"'),  # once
        (['ab"cd'], '"ab"""'),  # equals (none counted): the first
    ],
)
def test_with_counts_the_sample_is_each_terms_rarest_trigram(
    terms: list[str], expected: str
) -> None:
    assert fts_sample(terms, COUNTS) == expected


def test_the_sample_finds_every_row_that_holds_all_the_terms() -> None:
    """On SQLite's own trigram index, with few letters so that the sampled trigrams
    often meet in rows that do not hold the term: never fewer rows than the terms."""
    rng = random.Random(16)
    texts = ["".join(rng.choice('абв "*') for _ in range(rng.randint(0, 40))) for _ in range(300)]
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    connection.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(texts))
    trigrams = list(itertools.product('абв "*', repeat=3))
    wider = 0
    for _ in range(300):
        terms = [
            "".join(rng.choice('абв "*') for _ in range(rng.randint(3, 8)))
            for _ in range(rng.randint(1, 2))
        ]
        holding = {i for i, text in enumerate(texts) if all(term in text for term in terms)}
        counts = {"".join(trigram): rng.randint(0, 99) for trigram in trigrams}
        for sample in (fts_sample(terms), fts_sample(terms, counts)):
            matched = {row for (row,) in connection.execute("SELECT rowid FROM t(?)", (sample,))}
            assert holding <= matched, terms
            wider += matched != holding
    assert wider  # it is a sample: some rows matched it without the terms


async def test_two_words_ask_the_text_index_for_their_sample_first(app: App) -> None:
    """The words "ивасик иванов" sample "ива", "сик", "нов": "Ивасик Новиков" holds them and
    is a candidate, not a match. Past ``SAMPLE_LIMIT`` candidates the words' phrases are
    counted too. One word asks for its phrase alone."""
    if app.engine.dialect.name != "sqlite":
        pytest.skip("the text index is SQLite's")
    asked: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_args: Any) -> None:
        if " MATCH " in statement:
            asked.append(params[0])

    async with app.crm.open() as crm:
        owner = await owner_of(crm)
        await add(crm, owner, "Ивасик Новиков")
        await add(crm, owner, "Пётр Иванов")
        await add(crm, owner, "Новикова Ива", company="Ивановка")
    cases = [
        ("иванов", ["Пётр Иванов", "Новикова Ива"], ['"иванов"']),
        ("новиков ивасик", ["Ивасик Новиков"], ['"нов" AND "ико" AND "ива" AND "сик"']),
        ("ивасик иванов", [], ['"ива" AND "сик" AND "нов"']),
    ]
    event.listen(app.engine.sync_engine, "before_cursor_execute", record)
    try:
        for query, expected, expressions in cases:
            asked.clear()
            async with app.crm.open() as crm:
                owner = await owner_of(crm)
                found, archived = await crm.client_queries.search_with_archive(owner, query, 10)
                assert asked == expressions
                assert [client.name for client in found] == expected and archived == []
                assert [client.id for client in found] == await one_query_ids(
                    app, owner, query, archived=False, limit=10
                )
        async with app.crm.open() as crm:
            owner = await owner_of(crm)
            for number in range(SAMPLE_LIMIT):
                await add(crm, owner, f"Ивасик Новиков {number}")
        asked.clear()
        async with app.crm.open() as crm:
            found = await crm.client_queries.search(await owner_of(crm), "ивасик иванов")
        assert found == []
        assert asked == ['"ива" AND "сик" AND "нов"', '"ивасик" AND "иванов"']

        # With the index's counts (read at startup; this one's was empty then), each
        # word's rarest trigram, the first of equals: "вас" (in the Ивасики only, like
        # "аси" and "сик") and "ван" (in Пётр Иванов's name and Ивановка only).
        await trigram_counts.load(app.engine)
        asked.clear()
        async with app.crm.open() as crm:
            owner = await owner_of(crm)
            found, _archived = await crm.client_queries.search_with_archive(
                owner, "ивасик иванов", 10
            )
        assert found == []
        assert asked[0] == '"вас" AND "ван"'
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", record)
