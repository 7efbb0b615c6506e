""".docx templates with placeholders outside the body: a footer, a footnote and an endnote,
in a document of two sections (docxtpl rendered the footnotes once a section), and the
file's title, which docxtpl read as Jinja."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

from bot.app import App
from bot.simulator import SimulatedUser
from crm import docx_fill
from crm.errors import InvalidInput
from tests.test_templates_flow import app, sent_from_a_deal

__all__ = ["app"]

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _runs(runs: list[str]) -> str:
    return "".join(f'<w:r><w:t xml:space="preserve">{run}</w:t></w:r>' for run in runs)


def _notes(kind: str, runs: list[str]) -> bytes:
    """A footnotes' or endnotes' part as Word writes it: two separators, then note 1."""
    separators = "".join(
        f'<w:{kind} w:type="{sort}" w:id="{number}"><w:p><w:r><w:{sort}/></w:r></w:p></w:{kind}>'
        for number, sort in ((-1, "separator"), (0, "continuationSeparator"))
    )
    note = f'<w:{kind} w:id="1"><w:p>{_runs(runs)}</w:p></w:{kind}>'
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f"{declaration}<w:{kind}s {_W}>{separators}{note}</w:{kind}s>".encode()


def noted_file(footer: str, footnote: list[str], endnote: list[str]) -> bytes:
    """A .docx of two sections: its footer says ``footer``, and its first paragraph has a
    footnote made of the runs ``footnote`` and an endnote of ``endnote``."""
    document = Document()
    paragraph = document.add_paragraph("Offer")
    for kind in ("footnote", "endnote"):
        reference = f'<w:r {_W}><w:{kind}Reference w:id="1"/></w:r>'
        paragraph._p.append(parse_xml(reference))
    document.add_section()
    document.sections[0].footer.paragraphs[0].text = footer
    package = document.part.package
    for kind, runs, content_type, relation in (
        ("footnote", footnote, CT.WML_FOOTNOTES, RT.FOOTNOTES),
        ("endnote", endnote, CT.WML_ENDNOTES, RT.ENDNOTES),
    ):
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, _notes(kind, runs), package)
        document.part.relate_to(part, relation)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


@pytest.mark.parametrize(
    ("footer", "footnote", "endnote", "unknown"),
    [
        ("By {client.nmae}", ["Note"], ["End"], "client.nmae"),
        ("By me", ["Per {client", ".nmae}"], ["End"], "client.nmae"),
        ("By me", ["Note"], ["For {deal.titel}"], "deal.titel"),
    ],
)
def test_an_unknown_placeholder_outside_the_body_is_refused(
    footer: str, footnote: list[str], endnote: list[str], unknown: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_fill.prepare(noted_file(footer, footnote, endnote))
    assert refused.value.code == "unknown_placeholder"
    assert refused.value.params["name"] == unknown


def test_a_footnotes_part_whose_xml_is_broken_is_no_word_file() -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_fill.prepare(noted_file("By me", ["a <b"], ["End"]))
    assert refused.value.code == "not_docx"


def test_a_value_holding_jinja_is_written_as_it_is_in_a_footnote() -> None:
    """docxtpl rendered the footnotes once a section: in a document of two sections, a
    client named "{{ 7*7 }}" came out as "49" in a footnote (Jinja ran what the value held)."""
    prepared = docx_fill.prepare(noted_file("By {client.name}", ["Per {client.name}"], ["E"]))
    filled = docx_fill.fill(prepared.document, {"client.name": "{{ 7*7 }}"})
    assert docx_fill.text_of(filled).splitlines() == [
        "Offer",
        "",
        "By {{ 7*7 }}",
        "",
        "",
        "Per {{ 7*7 }}",
        "",
        "",
        "E",
    ]


async def test_a_footer_footnote_and_endnote_are_checked_and_filled(
    app: App, owner_en: SimulatedUser
) -> None:
    """A placeholder in a footnote or an endnote was let in however it was named and came
    out as "{client.name}" in the document sent to the client."""
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Document (.docx)")
    bad = noted_file("By {client.name}", ["Per {client.nmae}"], ["End"])
    [refused] = await owner_en.send_document("Letter.docx", data=bad)
    assert "I don't know the placeholder {client.nmae}" in refused.text
    good = noted_file("By {client.name}", ["Per {client", ".name}"], ["For {deal.title}"])
    [saved] = await owner_en.send_document("Letter.docx", data=good)
    assert "Placeholders found: {client.name}, {deal.title}." in saved.text

    data = await sent_from_a_deal(app, owner_en, "📄 Letter")
    assert docx_fill.text_of(data).splitlines() == [
        "Offer",
        "",
        "By Ivan Petrov",
        "",
        "",
        "Per Ivan Petrov",
        "",
        "",
        "For Kitchen",
    ]


async def test_the_files_title_is_sent_as_written(app: App, owner_en: SimulatedUser) -> None:
    """docxtpl read the file's title and subject as Jinja: a title with "{%" was let in at
    upload and failed every send as a broken template; "{{ 6*7 }}" was sent as "42"."""
    document = Document()
    document.add_paragraph("For {client.name}")
    document.core_properties.title = "Offer {% if"
    document.core_properties.subject = "{{ 6*7 }}"
    output = io.BytesIO()
    document.save(output)
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Document (.docx)")
    [saved] = await owner_en.send_document("Letter.docx", data=output.getvalue())
    assert "Placeholders found: {client.name}." in saved.text

    data = await sent_from_a_deal(app, owner_en, "📄 Letter")
    assert docx_fill.text_of(data) == "For Ivan Petrov"
    properties = Document(io.BytesIO(data)).core_properties
    assert (properties.title, properties.subject) == ("Offer {% if", "{{ 6*7 }}")
