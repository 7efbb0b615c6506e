"""A record's screens stay within what Telegram takes (4096 characters, 100 buttons) with
long names, many fields and many links; what does not fit is paged or shortened."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import member
from tests.conftest import OWNER_ID

TELEGRAM_LIMIT = 4096


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_a_card_with_many_links_pages_them(app: App, owner: SimulatedUser) -> None:
    """40 linked products with long names made one screen of 7,900 characters and 82
    buttons, which Telegram refuses (and past 100 buttons, any count); the links now come
    ten to a page, and unlinking on a page stays on it."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        products = await crm.record_types.take_starter(me, "products")
        supplier = await crm.records.create(me, suppliers.id, "ООО " + "Д" * 190)
        ref = CardRef(CardKind.RECORD, supplier.id)
        for n in range(24):
            product = await crm.records.create(me, products.id, f"Товар {n:02} " + "х" * 180)
            await crm.links.link(me, ref, CardRef(CardKind.RECORD, product.id))
    [links] = await owner.press_data(EntCb(action=Ent.LINKS, kind="record", card=ref.id).pack())
    pages = [(links.text, [text for text, _d, _u in links.buttons])]
    for _page in range(2):  # (a press edits the message: read it before the next)
        [links] = await owner.press("▶️", links)
        pages.append((links.text, [text for text, _d, _u in links.buttons]))
    for text, buttons in pages:
        assert units(text) <= TELEGRAM_LIMIT and len(buttons) < 100
    assert "Связи (1–10 из 24):" in pages[0][0] and "Товар 10" not in pages[0][0]
    assert "Связи (21–24 из 24):" in pages[2][0]
    assert "▶️" not in pages[2][1] and "◀️" in pages[2][1]
    # unlink one on the last page: the screen stays on that page
    [after] = await owner.press("✖️", links)
    assert "Связи (21–23 из 23):" in after.text, after.text
    [back] = await owner.press("◀️", after)
    assert "Связи (11–20 из 23):" in back.text
