"""0024: two cards linked more than once (before linking locked the cards) keep one link.

The oldest line of each pair stays (a link with a quantity and a price), else its oldest
link, whichever way round the others were made, with its own quantity and price; a deal
whose amount follows its lines gets the total of the lines that stay. Run on SQLite and,
when TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import upgrade

ROWS = [
    "INSERT INTO users (id, full_name, role, active, language, timezone, created_at,"
    " morning_list) VALUES (1, 'Owner', 'owner', TRUE, 'ru', 'Europe/Moscow', '2026-01-01',"
    " TRUE)",
    *(
        "INSERT INTO clients (id, name, status, manager_id, custom_fields, created_by,"
        f" created_at, last_activity_at, name_folded, search_text) VALUES ({i}, '{name}',"
        f" 'new', 1, '{{}}', 1, '2026-01-01', '2026-01-01', '{name}', '{name}')"
        for i, name in ((10, "acme"), (11, "beta"))
    ),
    "INSERT INTO record_types (id, singular, plural, emoji, position, created_at)"
    " VALUES (1, 'Товар', 'Товары', '📦', 0, '2026-01-01')",
    *(
        "INSERT INTO records (id, type_id, title, title_folded, search_text, created_at,"
        f" last_activity_at) VALUES ({i}, 1, '{t}', '{t}', '{t}', '2026-01-01', '2026-01-01')"
        for i, t in ((20, "лед"), (21, "соль"))
    ),
    "INSERT INTO pipelines (id, position) VALUES (1, 0)",
    "INSERT INTO stages (id, pipeline_id, code, position, kind) VALUES (1, 1, 'new', 0, 'open')",
    *(
        "INSERT INTO deals (id, client_id, pipeline_id, stage_id, title, title_folded,"
        " amount_minor, amount_from_lines, currency, created_at, stage_changed_at,"
        f" last_activity_at) VALUES ({i}, 10, 1, 1, 'd', 'd', 700, {follows}, 'RUB',"
        " '2026-01-01', '2026-01-01', '2026-01-01')"
        for i, follows in ((5, "TRUE"), (6, "FALSE"))
    ),
]
# id: (a side, b side, quantity, price, day made)
LINKS = {
    1: ("a_client_id", 10, "b_client_id", 11, None, None, 2),
    2: ("a_client_id", 11, "b_client_id", 10, None, None, 3),  # the other way round
    3: ("a_client_id", 10, "b_client_id", 11, None, None, 1),  # the oldest of the three
    4: ("a_deal_id", 5, "b_record_id", 20, 2000, 100, 1),
    5: ("a_record_id", 20, "b_deal_id", 5, 5000, 100, 2),  # a line twice: 200 + 500
    6: ("a_deal_id", 6, "b_record_id", 20, 2000, 100, 1),
    7: ("a_deal_id", 6, "b_record_id", 20, 5000, 100, 2),  # a deal not following lines
    8: ("a_client_id", 10, "b_record_id", 20, None, None, 1),
    9: ("a_client_id", 11, "b_record_id", 20, None, None, 1),  # same ids, other cards
    10: ("a_client_id", 11, "b_deal_id", 5, None, None, 1),
    11: ("a_deal_id", 5, "b_record_id", 21, None, None, 1),  # a plain link, the older
    12: ("a_deal_id", 5, "b_record_id", 21, 3000, 100, 2),  # a line: it stays
}


def link_row(link_id: int) -> str:
    a, a_id, b, b_id, quantity, price, day = LINKS[link_id]
    values = f"{link_id}, {a_id}, {b_id}, {quantity or 'NULL'}, {price or 'NULL'}"
    return (
        f"INSERT INTO links (id, {a}, {b}, quantity_milli, price_minor, created_at)"
        f" VALUES ({values}, '2026-01-0{day} 10:00:00')"
    )


async def test_cards_linked_twice_keep_one_link_a_line_first(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine, "0023")
    async with empty_engine.begin() as conn:
        for statement in [*ROWS, *(link_row(i) for i in LINKS)]:
            await conn.execute(text(statement))
    await upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        kept = "SELECT id, quantity_milli, price_minor FROM links ORDER BY id"
        assert [tuple(r) for r in await conn.execute(text(kept))] == [
            (3, None, None),
            (4, 2000, 100),
            (6, 2000, 100),
            (8, None, None),
            (9, None, None),
            (10, None, None),
            (12, 3000, 100),
        ]
        amounts = "SELECT id, amount_minor FROM deals ORDER BY id"
        assert [tuple(r) for r in await conn.execute(text(amounts))] == [(5, 500), (6, 700)]
