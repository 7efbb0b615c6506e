"""Upgrading a SQLite base that holds data: tables rebuilt by a migration keep every row.

A migration that changes a table on SQLite copies it and drops the old one. With
foreign keys enforced, dropping ``users`` while clients point to it failed (and a
table whose children cascade would have lost them), so a team's existing base could
not be upgraded. Tests otherwise migrate empty databases, which never showed it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import alembic_config, current_revision, sqlite_foreign_keys, upgrade

ROWS = [
    "INSERT INTO users (id, full_name, role, active, language, timezone, created_at,"
    " morning_list) VALUES (1, 'Owner', 'owner', 1, 'ru', 'Europe/Moscow', '2026-01-01', 1),"
    " (2, 'Manager', 'manager', 1, 'ru', 'Europe/Moscow', '2026-01-01', 1)",
    "INSERT INTO clients (id, name, status, manager_id, custom_fields, created_by, created_at,"
    " last_activity_at, name_folded, search_text) VALUES (10, 'Acme', 'new', 2, '{}', 1,"
    " '2026-01-01', '2026-01-01', 'acme', 'acme')",
    "UPDATE users SET open_client_id = 10 WHERE id = 2",
    "INSERT INTO business_connections (id, user_id, user_chat_id, rights, enabled,"
    " connected_at, updated_at) VALUES ('bc1', 2, 2, '{}', 1, '2026-01-01', '2026-01-01')",
    "INSERT INTO business_chats (connection_id, chat_id, client_id, excluded)"
    " VALUES ('bc1', 77, 10, 0)",
]
COUNTS = {"users": 2, "clients": 1, "business_connections": 1, "business_chats": 1}


async def test_a_base_with_data_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(engine, "0013")  # the last release before this round's tables changed
        async with engine.begin() as conn:
            for statement in ROWS:
                await conn.execute(text(statement))
        await upgrade(engine)
        assert await current_revision(engine) != "0013"
        async with engine.connect() as conn:
            for table, count in COUNTS.items():
                assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar() == count
            opened = "SELECT open_client_id FROM users WHERE id = 2"
            assert (await conn.execute(text(opened))).scalar() == 10
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_deals_there_before_get_their_folded_title(tmp_path: Path) -> None:
    """0021 keeps deals' titles folded (an import's link column finds deals by it)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'deals.db'}")
    try:
        await upgrade(engine, "0020")
        async with engine.begin() as conn:
            for statement in [
                *ROWS[:2],
                "INSERT INTO pipelines (id, position) VALUES (1, 0)",
                "INSERT INTO stages (id, pipeline_id, code, position, kind)"
                " VALUES (1, 1, 'new', 0, 'open')",
                "INSERT INTO deals (id, client_id, pipeline_id, stage_id, title, amount_minor,"
                " amount_from_lines, currency, created_at, stage_changed_at, last_activity_at)"
                " VALUES (5, 10, 1, 1, 'Лёд  на ЛЕТО', 0, 0, 'RUB', '2026-01-01', '2026-01-01',"
                " '2026-01-01')",
            ]:
                await conn.execute(text(statement))
        await upgrade(engine)
        async with engine.connect() as conn:
            folded = "SELECT title_folded FROM deals WHERE id = 5"
            assert (await conn.execute(text(folded))).scalar() == "лед на лето"
    finally:
        await engine.dispose()


def _deal_5(title: str, folded: str) -> list[str]:
    """Deal 5 of client 10, on the one stage of the one pipeline (schema of 0021 on)."""
    return [
        "INSERT INTO pipelines (id, position) VALUES (1, 0)",
        "INSERT INTO stages (id, pipeline_id, code, position, kind)"
        " VALUES (1, 1, 'new', 0, 'open')",
        "INSERT INTO deals (id, client_id, pipeline_id, stage_id, title, title_folded,"
        " amount_minor, amount_from_lines, currency, created_at, stage_changed_at,"
        f" last_activity_at) VALUES (5, 10, 1, 1, '{title}', '{folded}', 0, 0, 'RUB',"
        " '2026-01-01', '2026-01-01', '2026-01-01')",
    ]


SCHEMA = (
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('clients', 'deals', 'records')"
    " AND type != 'table' ORDER BY name"
)


async def test_folded_names_become_text_and_search_keeps_its_triggers(tmp_path: Path) -> None:
    """0022 rebuilds the tables with the folded names as text (folding can lengthen a name):
    the indexes and the triggers of the clients' search index are there as before, and a
    deal title 0021 cut at 200 is folded whole."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'folded.db'}")
    title = "ß" * 150
    try:
        await upgrade(engine, "0021")
        async with engine.begin() as conn:
            for statement in [
                *ROWS[:2],
                *_deal_5(title, "s" * 200),
            ]:
                await conn.execute(text(statement))
            before = (await conn.execute(text(SCHEMA))).all()
        await upgrade(engine)
        async with engine.begin() as conn:
            assert (await conn.execute(text(SCHEMA))).all() == before
            folded = "SELECT title_folded FROM deals WHERE id = 5"
            assert (await conn.execute(text(folded))).scalar() == "s" * 300
            types = "SELECT type FROM pragma_table_info('clients') WHERE name = 'name_folded'"
            assert (await conn.execute(text(types))).scalar() == "TEXT"
            renamed = "UPDATE clients SET name_folded = 'zebra', search_text = 'zebra' WHERE id=10"
            await conn.execute(text(renamed))
            for fts in ("clients_fts", "clients_name_fts"):
                found = f"SELECT rowid FROM {fts} WHERE {fts} MATCH 'ebr'"
                assert (await conn.execute(text(found))).scalars().all() == [10]
    finally:
        await engine.dispose()


REBUILT = (
    "clients",
    "deals",
    "tasks",
    "records",
    "record_types",
    "field_defs",
    "templates",
    "stages",
    "lost_reasons",
    "links",
)
REBUILT_SCHEMA = (
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN"
    f" ({', '.join(repr(t) for t in (*REBUILT, 'automation_rules'))}) AND type != 'table'"
    " ORDER BY name"
)


def _event(kind: str, data: str, link: str = "", link_id: int = 0) -> str:
    column, value = (f", {link}", f", {link_id}") if link else ("", "")
    return (
        f"INSERT INTO events (occurred_at, actor_id, kind, data{column})"
        f" VALUES ('2026-01-02', 1, '{kind}', '{data}'{value})"
    )


async def test_ids_of_deleted_cards_are_not_given_again(tmp_path: Path) -> None:
    """0026: on SQLite the tables whose ids are in buttons count their ids on from the
    highest ever used (the rows', and the deleted cards' the event log names), so an
    old button for a deleted card never reaches a new one; indexes and the search
    triggers are there as before, and the rows keep their ids."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ids.db'}")
    try:
        await upgrade(engine, "0025")
        async with engine.begin() as conn:
            for statement in [
                *ROWS[:2],
                *_deal_5("Sofa", "sofa"),
                "INSERT INTO tasks (id, title, due_at, priority, assignee_id, client_id,"
                " created_at) VALUES (3, 'Call', '2026-01-03', 'normal', 1, 10, '2026-01-01')",
                # the newest of each was deleted; only the event log still names them
                _event("client_deleted", '{"client_id": 12, "name": "Gone"}'),
                _event("deal_deleted", '{"deal": 9, "amount": 0, "currency": "RUB", "tasks": 0}'),
                _event("task_cancelled", '{"task": 7}'),
                _event("record_deleted", '{"record_id": 40, "title": "X", "type_id": 6}'),
                _event("field_deleted", '{"field_id": 8, "name": "F", "kind": "text"}'),
                _event("comment", "{}", "task_id", 3),
                _event("comment", "not json"),  # a broken row stops nothing
                # stage 3's deals moved to stage 4 when 3 was deleted; 4 was deleted empty
                _event("stage_changed", '{"from": 3, "to": 4, "stage_deleted": true}'),
                "INSERT INTO lost_reasons (id, text, position) VALUES (2, 'Price', 1)",
                "INSERT INTO links (id, a_client_id, b_deal_id, created_at)"
                " VALUES (20, 10, 5, '2026-01-01')",
                _event("link_removed", '{"link_id": 21, "title": "Sofa"}'),
            ]:
                await conn.execute(text(statement))
            before = (await conn.execute(text(REBUILT_SCHEMA))).all()
        await upgrade(engine, "0029")  # (0030 gives tasks an index more: its own test)
        async with engine.begin() as conn:
            assert (await conn.execute(text(REBUILT_SCHEMA))).all() == before
            sequence = dict((await conn.execute(text("SELECT * FROM sqlite_sequence"))).all())
            assert {t: sequence.get(t) for t in REBUILT} == {
                "clients": 12,
                "deals": 9,
                "tasks": 7,
                "records": 40,
                "record_types": 6,
                "field_defs": 8,
                "templates": None,  # none ever made: the first is 1
                "stages": 4,
                "lost_reasons": 2,  # no event names a reason: the rows' highest
                "links": 21,
            }
            assert (await conn.execute(text("SELECT id FROM deals"))).scalars().all() == [5]
            new = (
                "INSERT INTO clients (name, status, custom_fields, created_at, last_activity_at,"
                " name_folded, search_text) VALUES ('Zebra', 'new', '{}', '2026-01-03',"
                " '2026-01-03', 'zebra', 'zebra') RETURNING id"
            )
            assert (await conn.execute(text(new))).scalar() == 13
            for fts in ("clients_fts", "clients_name_fts"):
                found = f"SELECT rowid FROM {fts} WHERE {fts} MATCH 'ebr'"
                assert (await conn.execute(text(found))).scalars().all() == [13]
            await conn.execute(text("DELETE FROM clients WHERE id = 13"))
            again = (await conn.execute(text(new))).scalar()
            assert again == 14
            for table, values, first in (
                ("lost_reasons", "(text, position) VALUES ('Late', 2)", 3),
                ("links", "(a_client_id, b_deal_id, created_at) VALUES (10, 5, '2026-01-03')", 22),
            ):
                made = f"INSERT INTO {table} {values} RETURNING id"
                assert (await conn.execute(text(made))).scalar() == first, table
                await conn.execute(text(f"DELETE FROM {table} WHERE id = {first}"))
                assert (await conn.execute(text(made))).scalar() == first + 1, table
    finally:
        await engine.dispose()


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    """Alembic's downgrade as ``storage.migrate.upgrade`` runs an upgrade on SQLite:
    foreign keys off meanwhile, and checked before it is kept."""
    async with engine.connect() as conn:
        await conn.run_sync(sqlite_foreign_keys, False)
        await conn.run_sync(
            lambda sync: command.downgrade(alembic_config(sync), revision)  # type: ignore[arg-type]
        )
        assert (await conn.execute(text("PRAGMA foreign_key_check"))).all() == []
        await conn.commit()
        await conn.run_sync(sqlite_foreign_keys, True)


EVENTS_SCHEMA = (
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'events' AND type != 'table'"
    " ORDER BY name"
)


async def test_event_ids_are_not_given_again(tmp_path: Path) -> None:
    """0029: on SQLite the event log counts its ids on from its highest, so an undone
    newest event's id does not go to the next one; every event keeps its id, its
    indexes are there as before, and the business chat message pointing to an event
    (deleted with it, by cascade) is not lost when the table is made again."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    try:
        await upgrade(engine, "0028")
        async with engine.begin() as conn:
            for statement in [
                *ROWS,
                _event("comment", "{}", "client_id", 10),
                _event("comment", '{"n": 2}', "client_id", 10),
                _event("comment", "{}"),
                "DELETE FROM events WHERE id = 3",  # undone; plain: 3 is given again
                "INSERT INTO business_messages (connection_id, chat_id, message_id, event_id)"
                " VALUES ('bc1', 77, 5, 2)",
            ]:
                await conn.execute(text(statement))
            before = (await conn.execute(text(EVENTS_SCHEMA))).all()
            assert {name for _type, name, _sql in before} >= {
                "ix_events_client_timeline",
                "ix_events_deal_timeline",
                "ix_events_record_timeline",
                "ix_events_occurred_at",
            }
        await upgrade(engine)
        async with engine.begin() as conn:
            assert (await conn.execute(text(EVENTS_SCHEMA))).all() == before
            table = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'"
            assert "AUTOINCREMENT" in (await conn.execute(text(table))).scalar()
            rows = "SELECT id, client_id, data FROM events ORDER BY id"
            assert (await conn.execute(text(rows))).all() == [(1, 10, "{}"), (2, 10, '{"n": 2}')]
            kept = "SELECT event_id FROM business_messages WHERE message_id = 5"
            assert (await conn.execute(text(kept))).scalar() == 2
            seq = "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
            assert (await conn.execute(text(seq))).scalar() == 2
            new = _event("comment", "{}") + " RETURNING id"
            assert (await conn.execute(text(new))).scalar() == 3
            await conn.execute(text("DELETE FROM events WHERE id = 3"))
            assert (await conn.execute(text(new))).scalar() == 4
        await downgrade_to(engine, "0028")  # and back: plain again, every event kept
        async with engine.begin() as conn:
            table = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'"
            assert "AUTOINCREMENT" not in (await conn.execute(text(table))).scalar()
            assert (await conn.execute(text(EVENTS_SCHEMA))).all() == before
            assert (await conn.execute(text("SELECT count(*) FROM events"))).scalar() == 3
            kept = "SELECT event_id FROM business_messages WHERE message_id = 5"
            assert (await conn.execute(text(kept))).scalar() == 2
    finally:
        await engine.dispose()


TASKS_SCHEMA = (
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'tasks' AND type != 'table'"
    " ORDER BY name"
)


def _task(task_id: int) -> str:
    return (
        "INSERT INTO tasks (id, title, due_at, priority, assignee_id, client_id, created_at,"
        f" remind_before) VALUES ({task_id}, 'Call', '2026-01-02', 'normal', 2, 10,"
        " '2026-01-01', 0)"
    )


async def test_tasks_may_name_a_record_and_keep_their_ids(tmp_path: Path) -> None:
    """0030: a task may name a record of the team's own type (deleted with it); on SQLite
    the table is made again with its tasks, indexes, AUTOINCREMENT and counter (the
    highest id given: a deleted newest task's id is not given again), and back."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'tasks.db'}")
    try:
        await upgrade(engine, "0029")
        async with engine.begin() as conn:
            for statement in [
                *ROWS,
                _task(1),
                _task(2),
                _task(3),
                "DELETE FROM tasks WHERE id = 3",
            ]:
                await conn.execute(text(statement))
            before = (await conn.execute(text(TASKS_SCHEMA))).all()
        await upgrade(engine)
        async with engine.begin() as conn:
            after = (await conn.execute(text(TASKS_SCHEMA))).all()
            assert [name for _t, name, _s in after] == sorted(
                [name for _t, name, _s in before] + ["ix_tasks_record"]
            )
            table = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tasks'"
            assert "AUTOINCREMENT" in (await conn.execute(text(table))).scalar()
            rows = "SELECT id, client_id, record_id FROM tasks ORDER BY id"
            assert (await conn.execute(text(rows))).all() == [(1, 10, None), (2, 10, None)]
            seq = "SELECT seq FROM sqlite_sequence WHERE name = 'tasks'"
            assert (await conn.execute(text(seq))).scalar() == 3
        await downgrade_to(engine, "0029")
        async with engine.begin() as conn:
            assert (await conn.execute(text(TASKS_SCHEMA))).all() == before
            rows = "SELECT id, client_id FROM tasks ORDER BY id"
            assert (await conn.execute(text(rows))).all() == [(1, 10), (2, 10)]
            table = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tasks'"
            assert "AUTOINCREMENT" in (await conn.execute(text(table))).scalar()
            seq = "SELECT seq FROM sqlite_sequence WHERE name = 'tasks'"
            assert (await conn.execute(text(seq))).scalar() == 3
    finally:
        await engine.dispose()


async def test_the_outbox_is_indexed_by_chat_and_kind(tmp_path: Path) -> None:
    """0031: the newest digest of a reader is read along an index (chat, kind, time), not
    through every row the outbox kept; its rows stay, and back down the index goes."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    indexes = "SELECT name FROM sqlite_master WHERE tbl_name = 'outbox' AND type = 'index'"
    newest = (
        "SELECT max(created_at) FROM outbox WHERE chat_id = 2 AND kind IN ('digest', 'morning')"
    )
    try:
        await upgrade(engine, "0030")
        async with engine.begin() as conn:
            for n, kind in enumerate(["digest", "reminder", "digest"], start=1):
                await conn.execute(
                    text(
                        "INSERT INTO outbox (dedupe_key, chat_id, kind, payload, created_at,"
                        f" next_attempt_at, attempts) VALUES ('k{n}', 2, '{kind}', '{{}}',"
                        f" '2026-03-0{n} 09:00:00', '2026-03-0{n} 09:00:00', 0)"
                    )
                )
            assert "ix_outbox_chat_kind" not in set((await conn.execute(text(indexes))).scalars())
        await upgrade(engine)
        async with engine.begin() as conn:
            assert "ix_outbox_chat_kind" in set((await conn.execute(text(indexes))).scalars())
            plan = " ".join(
                str(row[-1]) for row in await conn.execute(text(f"EXPLAIN QUERY PLAN {newest}"))
            )
            assert "ix_outbox_chat_kind" in plan
            assert (await conn.execute(text(newest))).scalar() == "2026-03-03 09:00:00"
        await downgrade_to(engine, "0030")
        async with engine.begin() as conn:
            assert "ix_outbox_chat_kind" not in set((await conn.execute(text(indexes))).scalars())
            assert (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar() == 3
    finally:
        await engine.dispose()


async def index_added(path: Path, before: str, table: str, index: str, query: str) -> None:
    """The migration after ``before`` adds ``index`` to ``table``, ``query`` is planned along
    it, and back down it goes."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    indexes = f"SELECT name FROM sqlite_master WHERE tbl_name = '{table}' AND type = 'index'"
    try:
        await upgrade(engine, before)
        async with engine.begin() as conn:
            assert index not in set((await conn.execute(text(indexes))).scalars())
        await upgrade(engine)
        async with engine.begin() as conn:
            assert index in set((await conn.execute(text(indexes))).scalars())
            plan = " ".join(
                str(row[-1]) for row in await conn.execute(text(f"EXPLAIN QUERY PLAN {query}"))
            )
            assert index in plan, plan
        await downgrade_to(engine, before)
        async with engine.begin() as conn:
            assert index not in set((await conn.execute(text(indexes))).scalars())
    finally:
        await engine.dispose()


async def test_the_leads_are_indexed_by_their_deal(tmp_path: Path) -> None:
    """0032: whether a lost deal was lost as spam is read along an index of the leads by
    deal (crm.lost_reasons.not_spam), not through every lead; and back down it goes."""
    lost = (
        "SELECT count(*) FROM deals WHERE NOT EXISTS (SELECT 1 FROM leads"
        " WHERE leads.deal_id = deals.id AND leads.spam_at = deals.closed_at)"
    )
    await index_added(tmp_path / "leads.db", "0031", "leads", "ix_leads_deal", lost)


async def test_the_import_items_are_indexed_by_what_they_name(tmp_path: Path) -> None:
    """0033: which links an undone import made (crm.imports.link_events.undone_links, asked
    by an undo) is read along an index of the import items, not through every one of them;
    and back down it goes."""
    undone = (
        "SELECT import_items.record_id FROM import_items JOIN import_batches"
        " ON import_batches.id = import_items.batch_id WHERE import_items.entity = 'link'"
        " AND import_items.record_id IN (1, 2, 3) AND import_batches.undone_at IS NOT NULL"
    )
    await index_added(
        tmp_path / "items.db", "0032", "import_items", "ix_import_items_record", undone
    )
