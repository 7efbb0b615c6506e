"""A .docx sent under a document template's name offers "🔁 Replace" its file: pressed, the
same template (its id, so a rule that prepares it still does) gets the new file; pressed
again, it is said done; Cancel drops the file; a manager is refused; a file an upload would
refuse is refused here too; a message template's name is still refused for a file."""

from __future__ import annotations

import io

from docx import Document

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.templates.callbacks import TplAction, TplCb
from tests.conftest import OWNER_ID, Joiner
from tests.test_templates_core import word_file
from tests.test_templates_flow import templates
from tests.test_templates_same_name import TAKEN

OFFER = "There is a document template «Kitchen» already. Replace its file with this one?"
REPLACE = "🔁 Replace «Kitchen» with this file"


def text_of(document: bytes | None) -> str:
    assert document is not None
    return "\n".join(p.text for p in Document(io.BytesIO(document)).paragraphs)


async def kitchen(owner: SimulatedUser, *paragraphs: str) -> None:
    """The document template «Kitchen» uploaded, the templates' list shown."""
    await owner.send("/settings")
    await owner.press("Templates")
    await owner.press("Document (.docx)")
    await owner.send_document("Kitchen.docx", data=word_file(list(paragraphs)))


async def test_a_document_sent_again_replaces_the_old_file_of_the_same_template(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await kitchen(owner_en, "Ofer for {client.name}")
    [old] = await templates(app)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        prepare = {"type": "prepare_template", "template_id": old.id, "to": "responsible"}
        await crm.automation.add(me, "Offer on new", "client_created", {}, [prepare])

    await owner_en.press("Document (.docx)")
    [refused] = await owner_en.send_document("kitchen.pdf", "application/pdf", data=b"%PDF-1.4")
    assert "This is not a Word .docx file" in refused.text  # checked as an upload is
    fixed = word_file(["Offer for {client.name}"], ["Total {deal.amount}"])
    [offer] = await owner_en.send_document("kitchen.docx", data=fixed)
    assert OFFER in offer.text and "{client.name}, {deal.amount}" in offer.text
    assert [label for label, _d, _u in offer.buttons] == [REPLACE, "✖️ Cancel"]
    [done] = await owner_en.press(REPLACE, offer)
    assert "Replaced: «Kitchen» has the new file." in done.text
    [new] = await templates(app)
    assert (new.id, new.name) == (old.id, "Kitchen")
    assert new.placeholders == ["client.name", "deal.amount"]
    assert text_of(new.document).startswith("Offer for")  # the fixed text
    replace = TplCb(action=TplAction.REPLACE, template_id=old.id).pack()
    assert await owner_en.press_data(replace, offer) == []
    assert owner_en.alert == "«Kitchen» has this file already."

    await owner_en.press("Document (.docx)")
    [offer] = await owner_en.send_document("Kitchen.docx", data=word_file(["Other"]))
    await owner_en.press("✖️ Cancel", offer)
    await owner_en.press_data(replace, offer)
    assert owner_en.alert == "Nothing to replace: send the file again."
    [kept] = await templates(app)
    assert kept.placeholders == ["client.name", "deal.amount"]

    manager = await join(777, language_code="en")
    await manager.press_data(replace)
    assert manager.alert == "You don't have access to this."


async def test_a_message_templates_name_is_still_refused_for_a_file(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Message")
    await owner_en.send("Kitchen")
    await owner_en.send("Dear {client.name}")
    await owner_en.press("Document (.docx)")
    [refused] = await owner_en.send_document("Kitchen.docx", data=word_file(["Hi"]))
    assert TAKEN.format(name="Kitchen") in refused.text
    assert REPLACE not in [label for label, _d, _u in refused.buttons]
    [kept] = await templates(app)
    assert kept.kind == "text"


async def test_a_file_sent_from_the_templates_screen_replaces_it_whatever_its_name(
    app: App, owner_en: SimulatedUser
) -> None:
    await kitchen(owner_en, "Ofer")
    await owner_en.press("📄 Kitchen")
    [asked] = await owner_en.press("🔁 Replace the file")
    assert "Send the new .docx file of «Kitchen»" in asked.text
    [offer] = await owner_en.send_document("Kitchen (fixed).docx", data=word_file(["Offer"]))
    assert OFFER in offer.text
    await owner_en.press(REPLACE, offer)
    [template] = await templates(app)
    assert template.name == "Kitchen" and text_of(template.document) == "Offer"
