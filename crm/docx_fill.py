"""``.docx`` templates: checked and prepared once at upload, filled with ``docxtpl``.

The owner writes ``{client.name}`` in Word (in the body, a table, a text box, a header, a
footer, a footnote or an endnote; not in a comment, a note to the author, which the
filled document leaves without: ``crm.docx_comments``). Word often
splits such a text over several runs of formatting (``{client`` in one, ``.name}`` in the
next), so at upload every paragraph's placeholders are put back together into the run they
start in (keeping that run's formatting), then turned into Jinja tags
(``{{ client.name }}``) for ``docxtpl``. An unknown placeholder is refused by
name; a brace left open ("{client.na" with no "}") is refused with the text
around it, so the owner knows exactly what to retype.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from crm import placeholders
from crm.docx_comments import strip_comments
from crm.errors import ErrorCode, InvalidInput

MAX_BYTES = 5 * 1024 * 1024
_ANY_BRACED = re.compile(r"\{([^{}]*)\}")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Word's paragraph and text elements (python-docx's W_P, W_T). python-docx,
# docxtpl and jinja2 are imported with the first template, not when the bot starts.
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_T = _WORD + "p", _WORD + "t"
_HEADERS_FOOTERS = tuple(
    f"{page}{part}" for page in ("", "first_page_", "even_page_") for part in ("header", "footer")
)
_NOTES = tuple(
    f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    for kind in ("footnotes", "endnotes")
)
"""The footnotes' and endnotes' parts, which python-docx keeps as bytes."""
_JINJA_OPENERS = ("{{", "{%", "{#")
"""What Jinja would read as its own (an expression, a statement, a comment) when filling."""


@dataclass(frozen=True)
class Prepared:
    document: bytes  # with Jinja tags, ready for ``fill``
    placeholders: list[str]


def _notes(document: Any) -> list[tuple[Any, Any]]:
    """Each footnotes' and endnotes' part with its XML, parsed."""
    from docx.oxml.parser import parse_xml

    parts = document.part.package.parts
    return [(part, parse_xml(part.blob)) for part in parts if part.content_type in _NOTES]


def _paragraphs(document: Any, notes: Iterable[tuple[Any, Any]] = ()) -> Iterator[Any]:
    """The body's paragraphs, then each header's and footer's (a first page's and even
    pages' too, which docxtpl fills as well), each once, then the notes'."""
    yield from document.element.body.iter(W_P)
    seen: set[int] = set()
    for section in document.sections:
        for kind in _HEADERS_FOOTERS:
            part = getattr(section, kind)
            if not part.is_linked_to_previous and id(part.part) not in seen:
                seen.add(id(part.part))
                yield from part._element.iter(W_P)
    for _part, root in notes:
        yield from root.iter(W_P)


def _own_texts(paragraph: Any) -> list[Any]:
    """The paragraph's text nodes, without those of a paragraph inside it.

    Word keeps a text box's paragraphs inside the paragraph it is anchored to (twice: the
    drawing and its VML copy for older readers); each text is its own paragraph's alone,
    so it is checked and turned into a Jinja tag once, and a brace is never joined to one
    on the other side of a text box's edge."""
    return [node for node in paragraph.iter(W_T) if next(node.iterancestors(W_P)) is paragraph]


def _join_runs(paragraph: Any) -> str:
    """Put each placeholder split over runs back into the run it starts in; the text."""
    nodes = _own_texts(paragraph)
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


def _check_text(text: str, custom_keys: Iterable[str]) -> list[str]:
    keys = list(custom_keys)
    for inner in _ANY_BRACED.findall(text):
        if inner.strip() and not placeholders.is_known(inner.strip(), keys):
            raise InvalidInput(ErrorCode.UNKNOWN_PLACEHOLDER, name=inner.strip()[:60])
    for broken in placeholders.OPEN_BRACE.finditer(text):
        snippet = text[max(0, broken.start() - 20) : broken.end() + 20]
        raise InvalidInput(ErrorCode.BROKEN_PLACEHOLDER, text=snippet.strip())
    return placeholders.find(text)


def prepare(data: bytes, custom_keys: Iterable[str] = ()) -> Prepared:
    """Check an uploaded ``.docx`` and make it a template; InvalidInput says what is wrong."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(ErrorCode.FILE_TOO_BIG, limit=MAX_BYTES // (1024 * 1024))
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
        notes = _notes(document)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        # SyntaxError: lxml's XMLSyntaxError, a zip of Word's parts whose XML is broken
        raise InvalidInput(ErrorCode.NOT_DOCX) from exc
    keys = list(custom_keys)
    found: list[str] = []
    for paragraph in _paragraphs(document, notes):
        text = _join_runs(paragraph)
        placeholders.single_braces(text)
        if any(jinja in text for jinja in _JINJA_OPENERS):
            raise InvalidInput(ErrorCode.BROKEN_PLACEHOLDER, text=text[:60])
        found += _check_text(text, keys)
        for node in _own_texts(paragraph):
            if node.text and "{" in node.text:
                node.text = placeholders.PATTERN.sub(r"{{ \1 }}", node.text)
    from docx.opc.oxml import serialize_part_xml

    for part, root in notes:
        part._blob = serialize_part_xml(root)
    output = io.BytesIO()
    document.save(output)
    return Prepared(output.getvalue(), list(dict.fromkeys(found)))


def _context(values: Mapping[str, str | None]) -> dict[str, Any]:
    """``{"client.name": "Ivan"}`` as ``{"client": {"name": "Ivan"}}`` for Jinja.

    Jinja reads ``custom.5`` as ``custom[5]``, a number: a key of digits is there as a
    number too. ``custom`` is there even with no value, so that a template naming a
    custom field deleted since its upload fills it empty, as a value-less field."""
    context: dict[str, Any] = {placeholders.CUSTOM_PREFIX.rstrip("."): {}}
    for name, value in values.items():
        head, _, rest = name.partition(".")
        if rest:
            group = context.setdefault(head, {})
            group[rest] = value or ""
            if rest.isascii() and rest.isdigit():
                group[int(rest)] = value or ""
        else:
            context[head] = value or ""
    return context


def fill(document: bytes, values: Mapping[str, str | None]) -> bytes:
    """The prepared template with every placeholder filled (XML-escaped), and no Word
    comments."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    class Template(DocxTemplate):  # type: ignore[misc]
        def render_footnotes(self, context: Any, jinja_env: Any = None) -> None:
            """The footnotes and the endnotes, each once: docxtpl reads no endnotes, and
            renders the footnotes once a section, so that a value holding "{{" (a client's
            name) would be read as Jinja by the second section's pass."""
            for part in self.docx.part.package.parts:
                if part.content_type in _NOTES:
                    xml = self.patch_xml(part.blob.decode("utf-8"))
                    part._blob = self.render_xml_part(xml, part, context, jinja_env).encode()

        def render_properties(self, context: Any, jinja_env: Any = None) -> None:
            """The file's title, subject, author etc. stay as written: docxtpl read them as
            Jinja, unchecked at upload, so a title with "{%" failed every send."""

    template = Template(io.BytesIO(document))
    try:
        template.render(_context(values), autoescape=True)
    except TemplateError as exc:
        raise InvalidInput(ErrorCode.BROKEN_TEMPLATE) from exc
    strip_comments(template.docx)  # the owner's notes to himself never reach the client
    output = io.BytesIO()
    template.save(output)
    return output.getvalue()


def text_of(document: bytes) -> str:
    """The document's paragraphs as plain text (for checks and previews); a text box's
    paragraphs after the one it is anchored to."""
    from docx import Document

    parsed = Document(io.BytesIO(document))
    paragraphs = _paragraphs(parsed, _notes(parsed))
    return "\n".join("".join(t.text or "" for t in _own_texts(p)) for p in paragraphs)
