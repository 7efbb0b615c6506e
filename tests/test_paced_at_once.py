"""An import's chunk that waits for a row another member holds keeps the next chunk's size.

The chunks of an import are sized from the time the last one took (``crm.pace.Chunks``).
On PostgreSQL a chunk waiting for a card a member had locked counted the wait as its own
time, so the next chunk shrank to a few rows however little work they were. The member
is played by a second connection that has changed the card without committing: on
PostgreSQL the chunk waits for it when it locks the card, on SQLite before it begins
(for the write lock); neither wait is the chunk's time.
"""

from __future__ import annotations

from sqlalchemy import update

from bot.app import App
from crm.imports.paced import in_chunks
from crm.pace import Pace
from crm.row_locks import all_locked
from storage.engine import create_session_factory
from storage.models import Client
from tests.at_once import once_other_commits
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def test_a_chunk_waiting_for_a_locked_card_does_not_shrink_the_next(app: App) -> None:
    acme = await make_client(app, OWNER_ID, "Acme")
    sizes: list[int] = []
    async with create_session_factory(app.engine)() as session:

        async def write(rows: range) -> None:
            sizes.append(len(rows))
            if len(sizes) == 1:
                await all_locked(session, Client, [acme.id])  # Acme, as an import's update

        async with app.engine.connect() as other:
            await other.execute(update(Client).where(Client.id == acme.id).values(city="Тверь"))
            await once_other_commits(other, in_chunks(session, Pace(), 2200, write))
    # The first chunk (200 rows) waited 0.2 s: counted, the next would be 250 rows at most
    # (0.25 s at 1 ms a row); its work took next to nothing, so the rest go at once.
    assert sizes == [200, 2000]
