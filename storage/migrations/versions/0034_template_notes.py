"""template notes: the footnotes and endnotes of .docx templates uploaded before 2752c5e

Since 2752c5e an upload checks a template's footnotes and endnotes and turns their
placeholders into tags, and a send fills each once (the endnotes for the first time).
A template uploaded before kept its notes as the owner wrote them: "{client.name}" in a
footnote was sent as written, and "{{" or "{%" in an endnote, now read as Jinja, failed
every send. Each stored template's notes are made what an upload makes them now:

- a paragraph with no "{{", "{%" or "{#" in it: each known placeholder, put back together
  over runs, becomes a tag, as at upload;
- a paragraph an upload has made so already (its only Jinja the tags an upload writes, each
  in one run, and no known placeholder left in single braces) is left as it is;
- any other paragraph holds Jinja's braces as text (an upload would have refused it): its
  known placeholders become tags, and every other "{" is written as the tag "{{ '{' }}",
  so the paragraph is sent as it reads. A known placeholder in double braces
  ("{{client.name}}", as other CRMs write one) is a tag too, as Jinja filled it before
  this revision: escaping its outer braces sent "{Ivan}".

The names the notes' tags hold are added to the template's placeholders (so the send reads
their values). A name the team does not know ("{client.nmae}", a custom field since
deleted) is left as written, and sent so, as before. A template whose notes change in
nothing is not written, so one uploaded since 2752c5e stays byte for byte as it is.

A template whose file or notes cannot be read (as a .docx, or as XML) is left untouched,
with a warning in the log: it is sent as it was before this revision. Each template is
written by one statement, in the migration's one transaction.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# crm.placeholders and crm.docx_fill as of this revision (a migration imports nothing of ours).
BUILT_IN = (
    "client.name",
    "client.company",
    "client.phone",
    "deal.title",
    "deal.amount",
    "manager.name",
    "manager.phone",
    "today",
)
_NAME = r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)"
_SPACES = r"[^\S\n]*"
_PLACEHOLDER = _SPACES.join((r"\{", _NAME, r"\}"))
# Double braces first: "{{client.name}}" split over runs is put together whole.
_ANY_BRACED = re.compile(r"\{\{[^{}]*\}\}|\{[^{}]*\}")
_BRACE = "{{ '{' }}"
# A tag as an upload writes one, or a brace as this revision does ("" for its name).
_TAG = re.compile(r"\{\{ (?:" + _NAME + r"|'\{') \}\}")
_OPENER = re.compile(r"\{[{%#\x00]")  # Jinja's own; \x00 stands for a tag taken out
_DOUBLED = _SPACES.join((r"\{\{", _NAME, r"\}\}"))
_PLACEHOLDER_OR_BRACE = re.compile(_DOUBLED + "|" + _PLACEHOLDER + r"|\{")
_NOTES = tuple(
    f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    for kind in ("footnotes", "endnotes")
)
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_T = _WORD + "p", _WORD + "t"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _own_texts(paragraph: Any) -> list[Any]:
    """The paragraph's text nodes, without those of a paragraph inside it (a text box)."""
    return [node for node in paragraph.iter(W_T) if next(node.iterancestors(W_P)) is paragraph]


def _join_runs(nodes: list[Any]) -> str:
    """Put each braced text split over runs back into the run it starts in; the text."""
    texts = [node.text or "" for node in nodes]
    full = "".join(texts)
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text)

    def locate(offset: int) -> tuple[int, int]:
        index = max(i for i, start in enumerate(starts) if start <= offset)
        return index, offset - starts[index]

    for match in reversed(list(_ANY_BRACED.finditer(full))):
        first, head = locate(match.start())
        last, tail = locate(match.end() - 1)
        if first == last:
            continue
        nodes[first].text = (nodes[first].text or "")[:head] + match.group(0)
        for middle in range(first + 1, last):
            nodes[middle].text = ""
        nodes[last].text = (nodes[last].text or "")[tail + 1 :]
        for index in (first, last):
            nodes[index].set(_XML_SPACE, "preserve")
    return full


def _paragraph(paragraph: Any, known: set[str]) -> list[str]:
    """Make one note's paragraph what an upload makes it now; the names its tags hold."""
    nodes = _own_texts(paragraph)
    text = _join_runs(nodes)
    escape = _OPENER.search(text) is not None
    whole_tags = [name for node in nodes for name in _TAG.findall(node.text or "")]
    if escape and len(whole_tags) == len(_TAG.findall(text)):
        rest = _TAG.sub("\x00", text)  # an upload leaves no known placeholder but as a tag
        if not _OPENER.search(rest) and not known.intersection(re.findall(_PLACEHOLDER, rest)):
            return [name for name in whole_tags if name in known]  # made so at upload already
    names: list[str] = []

    def tag(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in known:
            names.append(name)
            return "{{ " + name + " }}"
        return match.group(0).replace("{", _BRACE) if escape else match.group(0)

    for node in nodes:
        if node.text and "{" in node.text:
            node.text = _PLACEHOLDER_OR_BRACE.sub(tag, node.text)
    return names


def converted(document: bytes, known: set[str]) -> tuple[bytes | None, list[str]]:
    """The file with its notes made as an upload makes them now (None when that changes
    nothing in it), and the names their tags hold."""
    from docx import Document
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml

    parsed = Document(io.BytesIO(document))
    names: list[str] = []
    changed = False
    for part in parsed.part.package.parts:
        if part.content_type in _NOTES:
            root = parse_xml(part.blob)
            before = [node.text for node in root.iter(W_T)]
            for paragraph in root.iter(W_P):
                names += _paragraph(paragraph, known)
            if [node.text for node in root.iter(W_T)] != before:
                part._blob = serialize_part_xml(root)
                changed = True
    if not changed:
        return None, names
    output = io.BytesIO()
    parsed.save(output)
    return output.getvalue(), names


def upgrade() -> None:
    bind = op.get_bind()
    templates = sa.table(
        "templates",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("document", sa.LargeBinary),
        sa.column("placeholders", sa.JSON),
    )
    fields = "SELECT id FROM field_defs WHERE kind IN ('client', 'deal')"
    known = {*BUILT_IN, *(f"custom.{i}" for i in bind.execute(sa.text(fields)).scalars())}
    ids = bind.execute(
        sa.select(templates.c.id)
        .where(templates.c.kind == "docx", templates.c.document.is_not(None))
        .order_by(templates.c.id)
    ).scalars()
    for template_id in list(ids):
        name, document, placeholders = bind.execute(
            sa.select(templates.c.name, templates.c.document, templates.c.placeholders).where(
                templates.c.id == template_id
            )
        ).one()
        try:
            new_document, names = converted(document, known)
        except Exception:  # a file that cannot be read is left as it is
            log.warning("template %s (%r): notes not read, left as they were", template_id, name)
            continue
        found = list(dict.fromkeys([*(placeholders or []), *names]))
        values: dict[str, Any] = {"placeholders": found} if found != placeholders else {}
        if new_document is not None:
            values["document"] = new_document
        if values:
            bind.execute(
                sa.update(templates).where(templates.c.id == template_id).values(**values)
            )


def downgrade() -> None:
    """Nothing to undo: the older code sends a converted template's notes as well."""
