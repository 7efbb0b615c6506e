"""A filled ``.docx`` leaves with no Word comments.

A comment is the owner's note to himself on the template ("check the price with Oleg"):
never checked or filled, and never meant for the client. It is kept in its own parts
(``word/comments.xml``, and Word's ``commentsExtended``, ``commentsIds``,
``commentsExtensible`` and ``people`` — the comments' authors) and anchored in the text
by three markers. All of them are taken out of the document being sent, at fill time, so
templates stored before this are covered too. A part no relationship leads to is not
saved, and the content types are written from the parts saved, so the package stays
consistent.
"""

from __future__ import annotations

from typing import Any

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
COMMENT_PARTS = frozenset(
    f"{_WML}{kind}+xml"
    for kind in ("comments", "commentsExtended", "commentsIds", "commentsExtensible", "people")
)
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MARKERS = tuple(_WORD + tag for tag in ("commentRangeStart", "commentRangeEnd"))
_REFERENCE = _WORD + "commentReference"
_RUN, _RUN_PROPERTIES = _WORD + "r", _WORD + "rPr"


def strip_comments(document: Any) -> None:
    """Take every comment out of a python-docx ``document``: the parts, the relationships
    to them, and the markers in the text (the body, headers, footers and notes)."""
    for part in list(document.part.package.iter_parts()):
        for rid, relationship in list(part.rels.items()):
            if not relationship.is_external and (
                relationship.target_part.content_type in COMMENT_PARTS
            ):
                del part.rels[rid]
                part.rels.related_parts.pop(rid, None)
    for part in document.part.package.iter_parts():
        if not part.content_type.startswith(_WML) or part.content_type in COMMENT_PARTS:
            continue
        element = getattr(part, "_element", None)
        if element is not None:
            _unmark(element)
        elif b"comment" in part.blob:  # the notes, which python-docx keeps as bytes
            from docx.opc.oxml import serialize_part_xml
            from docx.oxml.parser import parse_xml

            root = parse_xml(part.blob)
            _unmark(root)
            part._blob = serialize_part_xml(root)


def _unmark(root: Any) -> None:
    """Remove the comment markers under ``root``; a run that held only a comment's
    reference (and its formatting) goes with it."""
    for marker in list(root.iter(*_MARKERS, _REFERENCE)):
        parent = marker.getparent()
        parent.remove(marker)
        if (
            marker.tag == _REFERENCE
            and parent.tag == _RUN
            and all(child.tag == _RUN_PROPERTIES for child in parent)
        ):
            parent.getparent().remove(parent)
