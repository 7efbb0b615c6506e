"""A message template a rule prepares reads its custom fields as "📨 Send" fills them, in the
words of the member it goes to (through the Dispatcher): money in the team's currency, a
number with the reader's decimal mark, yes/no in their language. (It read them as rules
compare them: "150000.00", "1.5", "да" to an English reader.)"""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from tests.conftest import OWNER_ID, UserFactory
from tests.test_templates_flow import a_deal, a_template, prepared_by_a_rule


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Budget 150,000\u00a0₽, seats 1.5, VIP yes"),
        ("ru", "Budget 150\u00a0000\u00a0₽, seats 1,5, VIP да"),
    ],
)
async def test_a_prepared_message_reads_custom_fields_as_send_fills_them(
    app: App, user: UserFactory, language: str, expected: str
) -> None:
    deal = await a_deal(app)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.members.set_language(me, language)
        card = CardRef(CardKind.CLIENT, deal.client_id)
        made = {}
        for name, kind, value in (
            ("Budget", FieldType.MONEY, "150000"),
            ("Seats", FieldType.NUMBER, "1.5"),
            ("VIP", FieldType.YES_NO, "yes"),
        ):
            made[name] = await crm.fields.define(me, CardKind.CLIENT, name, kind)
            await crm.field_values.set(me, card, made[name].id, value)
    ids = {name: field.id for name, field in made.items()}
    body = "Budget {{custom.{Budget}}}, seats {{custom.{Seats}}}, VIP {{custom.{VIP}}}"
    template_id = await a_template(app, "Terms", body.format(**ids))
    owner: SimulatedUser = user(OWNER_ID, "Olga", language_code=language)
    notice = await prepared_by_a_rule(app, owner, "Terms ready", template_id, deal)
    assert expected in notice.text.splitlines()
    [again] = await owner.press("📨", notice)  # "Fill it again": the same words
    assert again.text == expected
