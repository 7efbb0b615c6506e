"""What a handler does when its use case refuses, besides telling: ``Refusals`` tells.

A handler body stays the happy path. Where a refusal must change more than the
member's screen of words (a dialog step that ends, a screen about a record that is
gone), the handler wraps the use case in one of these: the extra step runs, then
the refusal goes on to the ``Refusals`` middleware, which tells the member why.

    async with keep_asking(state, again={"empty", "too_long"}):
        stage = await crm.pipelines.add_stage(member, message.text or "")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from aiogram.fsm.context import FSMContext

from crm.errors import CrmError, NotFound
from crm.service import Crm
from storage.models import User


@asynccontextmanager
async def on_refusal(then: Callable[[CrmError], Awaitable[None]]) -> AsyncIterator[None]:
    """Run ``then`` when the use case inside refuses; the refusal is told after it."""
    try:
        yield
    except CrmError as error:
        await then(error)
        raise


def keep_asking(
    state: FSMContext, again: Collection[str], *, forget: bool = False
) -> AbstractAsyncContextManager[None]:
    """A dialog's step that asked for a text: refused with a code in ``again`` (a name
    too long, a number out of range), the member is told why and the step stays, so
    the next message is taken as the answer again; refused otherwise (the record is
    gone, no access), the member is told why and the step ends. ``forget``: ending,
    the storage is cleared too (else other dialogs' keys, a list's filters, stay)."""

    async def leave_unless_again(error: CrmError) -> None:
        if error.code in again:
            return
        if forget:
            await state.clear()
        else:
            await state.set_state(None)

    return on_refusal(leave_unless_again)


def ends_when(state: FSMContext, gone: Collection[str]) -> AbstractAsyncContextManager[None]:
    """A dialog's step about a thing that may go meanwhile (a field, a record type):
    refused with a code in ``gone``, the member is told why and the step ends (its storage
    cleared), so the next message is not refused again; refused otherwise (a name taken,
    too long), the step stays for another answer. ``keep_asking`` the other way round, for
    steps whose wrong answers are many and the ends few."""

    async def leave_if_gone(error: CrmError) -> None:
        if error.code in gone:
            await state.clear()

    return on_refusal(leave_if_gone)


def closes_card_when_gone(crm: Crm, member: User) -> AbstractAsyncContextManager[None]:
    """What was sent to the member's open card, refused as gone (deleted, or given to a
    colleague meanwhile): the card is no longer the open one, so what comes next is a
    search again, not "no longer exists" until the card's window runs out."""

    async def close(error: CrmError) -> None:
        if isinstance(error, NotFound):
            await crm.timeline.close_card(member)

    return on_refusal(close)
