""".docx templates with a placeholder in a Word text box: Word keeps the text box's paragraphs
inside the paragraph it is anchored to, twice (the drawing, and a VML copy for older readers)."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml import parse_xml

from bot.app import App
from bot.simulator import SimulatedUser
from crm import docx_fill
from crm.errors import InvalidInput
from tests.test_templates_flow import app, sent_from_a_deal

__all__ = ["app"]

_NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}
_DECLARED = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NAMESPACES.items())


def _box_paragraph(runs: list[str]) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs) + "</w:p>"


def text_box_file(before: str, runs: list[str], after: str) -> bytes:
    """A .docx whose one paragraph says ``before``, holds a text box made of ``runs``
    (as Word saves it: the drawing and its VML fallback) and then says ``after``."""
    box = _box_paragraph(runs)
    xml = f"""<w:p {_DECLARED}>
      <w:r><w:t xml:space="preserve">{before}</w:t></w:r>
      <w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>
        <wp:anchor><wp:extent cx="1828800" cy="457200"/><wp:docPr id="1" name="Text Box 1"/>
          <a:graphic><a:graphicData
              uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
            <wps:wsp><wps:txbx><w:txbxContent>{box}</w:txbxContent></wps:txbx>
              <wps:bodyPr/></wps:wsp>
          </a:graphicData></a:graphic>
        </wp:anchor></w:drawing></mc:Choice>
        <mc:Fallback><w:pict><v:shape style="width:144pt;height:36pt">
          <v:textbox><w:txbxContent>{box}</w:txbxContent></v:textbox>
        </v:shape></w:pict></mc:Fallback>
      </mc:AlternateContent></w:r>
      <w:r><w:t xml:space="preserve">{after}</w:t></w:r>
    </w:p>"""
    document = Document()
    body = document.element.body
    body.insert(0, parse_xml(xml))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def box_texts(data: bytes) -> list[str]:
    """The text of each text box copy in the document, in order."""
    body = Document(io.BytesIO(data)).element.body
    boxes = body.iter(f"{{{_NAMESPACES['w']}}}txbxContent")
    return ["".join(t.text or "" for t in box.iter(docx_fill.W_T)) for box in boxes]


def test_a_placeholder_in_a_text_box_is_checked_once_and_filled_in_both_copies() -> None:
    data = text_box_file("Offer {deal.title} ", ["For {cli", "ent.name}"], " {today}")
    prepared = docx_fill.prepare(data)
    assert prepared.placeholders == ["deal.title", "today", "client.name"]
    values = {"client.name": "Ivan", "deal.title": "Kitchen", "today": "02.03.2026"}
    filled = docx_fill.fill(prepared.document, values)
    assert box_texts(filled) == ["For Ivan", "For Ivan"]
    assert docx_fill.text_of(filled).splitlines() == [
        "Offer Kitchen  02.03.2026",
        "For Ivan",
        "For Ivan",
    ]


def test_a_brace_is_not_closed_across_a_text_boxs_edge() -> None:
    """A "{" left open before a text box is not closed by a "}" inside it."""
    data = text_box_file("Dear {client.name", ["For }"], " hi")
    with pytest.raises(InvalidInput) as refused:
        docx_fill.prepare(data)
    assert refused.value.code == "broken_placeholder"


async def test_a_text_box_template_is_uploaded_and_sent_filled(
    app: App, owner_en: SimulatedUser
) -> None:
    """The text box was checked twice, the second time already turned into Jinja's
    "{{ client.name }}", and the file refused as written in double braces."""
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Document (.docx)")
    bad = text_box_file("Offer ", ["For {client.nmae}"], "")
    [refused] = await owner_en.send_document("Letter.docx", data=bad)
    assert "I don't know the placeholder {client.nmae}" in refused.text
    good = text_box_file("Offer ", ["For {client.name}"], "")
    [saved] = await owner_en.send_document("Letter.docx", data=good)
    assert "Placeholders found: {client.name}." in saved.text

    data = await sent_from_a_deal(app, owner_en, "📄 Letter")
    assert box_texts(data) == ["For Ivan Petrov", "For Ivan Petrov"]
