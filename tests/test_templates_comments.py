"""A .docx template's Word comments (the owner's notes to himself) never reach the client.

They were neither checked nor filled, and went out as they were: ``word/comments.xml``
(with Word's companion parts) and the markers anchoring each comment in the text. The
filled document now has none of them, and is still a whole package."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm import docx_fill
from storage.engine import create_session_factory
from storage.models import Template
from tests.test_templates_flow import app, sent_from_a_deal

__all__ = ["app"]

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
# Word's companion parts of comments.xml: (file, content type, relationship, root element).
_COMPANIONS = [
    ("commentsExtended", "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
     f'<w15:commentsEx xmlns:w15="{_W15}"><w15:commentEx w15:paraId="1A2B3C4D" w15:done="0"/>'
     "</w15:commentsEx>"),
    ("commentsIds", "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
     '<w16cid:commentsIds xmlns:w16cid="http://schemas.microsoft.com/office/word/2016/wordml/cid">'
     '<w16cid:commentId w16cid:paraId="1A2B3C4D" w16cid:durableId="5E6F7A8B"/>'
     "</w16cid:commentsIds>"),
    ("commentsExtensible",
     "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible",
     '<w16cex:commentsExtensible xmlns:w16cex="http://schemas.microsoft.com/office/word/2018/'
     'wordml/cex"><w16cex:commentExtensible w16cex:durableId="5E6F7A8B" '
     'w16cex:dateUtc="2026-12-01T10:00:00Z"/></w16cex:commentsExtensible>'),
    ("people", "http://schemas.microsoft.com/office/2011/relationships/people",
     f'<w15:people xmlns:w15="{_W15}"><w15:person w15:author="Owner"/></w15:people>'),
]  # fmt: skip
NOTE = "Check the price with Oleg before sending"


def commented_file() -> bytes:
    """A .docx as Word writes one with a comment on the placeholder in its body: the
    comments part, its companions, and the markers around and after the commented run."""
    document = Document()
    paragraph = document.add_paragraph("Dear ")
    name = paragraph.add_run("{client.name}")
    paragraph.add_run(", here is our offer.")
    document.add_comment(name, text=NOTE, author="Owner", initials="O")
    document.add_paragraph("Deal: {deal.title}")
    package = document.part.package
    for file, relationship, xml in _COMPANIONS:
        declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        part = Part(
            PackURI(f"/word/{file}.xml"), f"{_WML}{file}+xml", (declaration + xml).encode(), package
        )
        document.part.relate_to(part, relationship)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def comment_parts(data: bytes) -> list[str]:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    return [name for name in names if "comment" in name.lower() or "people" in name.lower()]


def assert_whole(data: bytes) -> None:
    """Every relationship leads to a part in the file, every part named in the content
    types is there, and python-docx opens it."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    types = archive.read("[Content_Types].xml").decode()
    for part_name in re.findall(r'PartName="/([^"]+)"', types):
        assert part_name in names
    for rels in (name for name in names if name.endswith(".rels")):
        base = posixpath.dirname(posixpath.dirname(rels))
        xml = archive.read(rels).decode()
        for target, mode in re.findall(r'Target="([^"]+)"(?: TargetMode="(\w+)")?', xml):
            if mode != "External":
                assert posixpath.normpath(posixpath.join(base, target)).lstrip("/") in names
    Document(io.BytesIO(data))


async def test_a_templates_comments_are_not_sent_to_the_client(
    app: App, owner_en: SimulatedUser
) -> None:
    template = commented_file()
    assert len(comment_parts(template)) == 5  # comments.xml and its four companions
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Document (.docx)")
    [saved] = await owner_en.send_document("Offer.docx", data=template)
    assert "Placeholders found: {client.name}, {deal.title}." in saved.text
    async with create_session_factory(app.engine)() as db:
        [stored] = list(await db.scalars(select(Template)))
    assert stored.document is not None
    assert comment_parts(stored.document)  # as stored: taken out when filled, so older too

    data = await sent_from_a_deal(app, owner_en, "📄 Offer")
    assert comment_parts(data) == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    body = archive.read("word/document.xml").decode()
    for marker in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        assert marker not in body
    for listing in ("[Content_Types].xml", "word/_rels/document.xml.rels"):
        said = archive.read(listing).decode().lower()
        assert "comment" not in said and "people" not in said
    assert NOTE not in b"".join(archive.read(name) for name in archive.namelist()).decode(
        errors="replace"
    )
    assert_whole(data)
    assert docx_fill.text_of(data) == "Dear Ivan Petrov, here is our offer.\nDeal: Kitchen"


def test_a_comment_on_a_footnote_goes_too() -> None:
    """Word lets a comment be anchored in a footnote: its markers there go as well."""
    document = Document()
    paragraph = document.add_paragraph("Offer")
    paragraph._p.append(parse_xml(f'<w:r {_W}><w:footnoteReference w:id="1"/></w:r>'))
    document.add_comment(paragraph.runs[0], text=NOTE, author="Owner", initials="O")
    marked = (
        '<w:commentRangeStart w:id="1"/><w:r><w:t>Per {client.name}</w:t></w:r>'
        '<w:commentRangeEnd w:id="1"/><w:r><w:commentReference w:id="1"/></w:r>'
    )
    notes = (
        f'<w:footnotes {_W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/>'
        f'</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p>{marked}</w:p></w:footnote>'
        "</w:footnotes>"
    )
    package = document.part.package
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, notes.encode(), package)
    document.part.relate_to(part, RT.FOOTNOTES)
    output = io.BytesIO()
    document.save(output)

    filled = docx_fill.fill(docx_fill.prepare(output.getvalue()).document, {"client.name": "Ivan"})
    footnotes = zipfile.ZipFile(io.BytesIO(filled)).read("word/footnotes.xml").decode()
    assert "comment" not in footnotes and "Per Ivan" in footnotes
    assert comment_parts(filled) == []
    assert_whole(filled)
