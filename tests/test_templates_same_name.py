"""Two templates never share a name (as either case or ё writes it): under "📨 Send" they
would be two buttons alike. A name taken is refused when it is typed, and a document sent
again under its old file name offers to replace the old one's file (the file stays asked for)."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from tests.test_templates_core import word_file
from tests.test_templates_flow import templates

TAKEN = "There is already a template «{name}»"


async def test_a_second_template_of_the_same_name_is_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Message")
    await owner_en.send("Ёлка offer")
    await owner_en.send("Dear {client.name}")
    await owner_en.press("Message")
    [refused] = await owner_en.send("ЕЛКА OFFER")
    assert TAKEN.format(name="ЕЛКА OFFER") in refused.text
    [asked] = await owner_en.send("Second offer")  # the name is asked again
    assert "{client.name}" in asked.text
    await owner_en.send("Hello {client.name}")

    await owner_en.press("Document (.docx)")
    document = word_file(["Offer for {client.name}"])
    [saved] = await owner_en.send_document("Kitchen.docx", data=document)
    assert "Saved: «Kitchen»" in saved.text
    await owner_en.press("Document (.docx)")
    [offered] = await owner_en.send_document("kitchen.docx", data=document)
    assert "Replace its file with this one?" in offered.text  # not a second «Kitchen»
    [saved] = await owner_en.send_document("kitchen.docx", caption="Kitchen v2", data=document)
    assert "Saved: «Kitchen v2»" in saved.text
    names = sorted(t.name for t in await templates(app))
    assert names == ["Kitchen", "Kitchen v2", "Second offer", "Ёлка offer"]
