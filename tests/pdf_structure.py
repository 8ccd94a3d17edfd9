"""Is this PDF really tagged? Read its structure tree, and run pdfua's PDF/UA-1 checks.

A test utility, on pikepdf and the ``pdfua`` package (a machine-checkable subset of
PDF/UA-1, ISO 14289-1; passing it is not a claim of conformance, veraPDF decides that)::

    tree = structure_tree(path)          # Element("StructTreeRoot", [Element("Document", ...)])
    summary = read_tagged(path)          # Tagged(marked=..., lang=..., headings=..., tables=...)
    assert pdfua_failures(path, ignore=("UA-28-004",)) == []

Text. ``Element.text`` is the text of the page content the element marks: each marked-content
identifier (MCID) the element or its descendants own is looked up in its page's content stream
(and in form XObjects it paints), the glyph codes are decoded through each font's ``/ToUnicode``
CMap, and the pieces are joined in structure order, with a space where a piece continues on a
new line. An ``/ActualText`` on the element replaces its content's text, as the standard says.
``/Alt`` and ``/T`` are kept apart in ``Element.alt`` and ``Element.title``. A font with no
``/ToUnicode`` is decoded as Latin-1 (simple fonts) or as U+FFFD per glyph (composite fonts).

Tags. ``Element.tag`` is the standard structure type (``"H1"``, ``"Table"``, no slash), reached
from ``/S`` through the ``/RoleMap``; ``Element.role`` is ``/S`` as written. A role that maps to
no standard type keeps its own name in both. The tree returned by :func:`structure_tree` is
rooted at a synthetic ``"StructTreeRoot"`` element whose children are ``/StructTreeRoot /K``
(normally one ``Document``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

import pikepdf
from pdfua import Confidence, Finding, PdfDocument, Validator, ValidatorOptions
from pdfua.document import StructElement
from pdfua.rules import ALL_RULES, RuleRegistry
from pdfua.rules.structure import EmptyHeadingRule, TableHeaderRule

PathLike = str | os.PathLike[str]

#: Every check pdfua 0.1.3 runs, by rule id (``pdfua rules`` lists them too). Each is one
#: line of :func:`pdfua_failures` when it finds something, or when it could not run.
PDFUA_RULES: dict[str, str] = {
    "UA-01-005": "Document has a structure tree (/StructTreeRoot)",
    "UA-01-002": "MarkInfo/Marked is true",
    "UA-01-003": "Page content is tagged or marked as artifact",
    "UA-06-001": "Document declares a natural language (/Lang, well-formed BCP 47)",
    "UA-13-004": "Figure elements have alternative text",
    "UA-15-003": "Table structure is determinable (TH cells, associated to data cells)",
    "UA-18-005": "Link annotations have an alternate description",
    "UA-18-001": "Annotations have an alternate description",
    "UA-14-001": "Heading elements are not empty",
    "UA-07-001": "Document has a title (/Info /Title)",
    "UA-07-002": "Viewer is asked to show the document title (DisplayDocTitle)",
    "UA-28-004": "PDF/UA identification present in XMP (pdfuaid:part)",
}

#: The PDF/UA identification rule: ignore it for a PDF that rightly does not claim PDF/UA
#: (WeasyPrint's ``pdf_tags=True`` output writes no XMP packet at all).
PDFUA_IDENTIFICATION = "UA-28-004"

#: Rules run here with a correction, because pdfua 0.1.3 gets them wrong on WeasyPrint's
#: output. The messages, severities and everything else stay pdfua's own.
PATCHED_RULES: dict[str, str] = {
    "UA-14-001": (
        "pdfua's as_integer() asks a pikepdf object for .is_integer, which pikepdf 10 no longer "
        "has: on an Array it raises, so the rule is skipped ('not evaluated') for any heading "
        "whose /K is an array - every heading WeasyPrint writes. Here the content items are "
        "recognised as Python ints, which is what pikepdf returns for a PDF integer."
    ),
    "UA-15-003": (
        "pdfua counts a header cell as associated only if the TH itself carries /Scope or "
        "/Headers. WeasyPrint writes no /Scope (even for scope=\"col\"); it gives each TH an "
        "/ID and each TD a /Headers attribute naming it, which is the Headers/IDs association "
        "ISO 14289-1 section 7.5 allows (and pdfua's own docstring says it accepts). Here a TH "
        "whose /ID some cell's /Headers names also counts as associated."
    ),
}

# Standard structure types: PDF 1.7 (ISO 32000-1, 14.8.4) and PDF 2.0 (ISO 32000-2, 14.8.4).
STANDARD_TAGS = frozenset({
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form",
    # PDF 2.0
    "DocumentFragment", "Aside", "Title", "FENote", "Sub", "Em", "Strong", "Artifact",
})
HEADING_TAGS = ("H1", "H2", "H3", "H4", "H5", "H6")
_TABLE_GROUPS = frozenset({"THead", "TBody", "TFoot"})
_MAX_DEPTH = 256


# ------------------------------------------------------------------------ the model


@dataclass
class Element:
    """One structure element. ``tag`` is the standard type, ``role`` the ``/S`` as written."""

    tag: str
    children: list[Element]
    text: str
    role: str = ""
    alt: str | None = None
    actual_text: str | None = None
    title: str | None = None  # the element's /T
    lang: str | None = None
    id: str | None = None  # /ID, which /Headers of table cells name
    scope: str | None = None  # /Scope attribute of a TH ("Column", "Row", "Both")
    headers: tuple[str, ...] = ()  # /Headers attribute of a table cell
    page: int | None = None  # 1-based, from /Pg (inherited from the parent)

    def iter(self) -> Iterator[Element]:
        """This element and all below it, in document (pre-)order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, *tags: str) -> list[Element]:
        """Elements below (or at) this one whose standard tag is one of ``tags``."""
        return [e for e in self.iter() if e.tag in tags]

    def find(self, tag: str) -> Element | None:
        return next((e for e in self.iter() if e.tag == tag), None)

    def tags(self) -> set[str]:
        return {e.tag for e in self.iter()}


@dataclass
class Table:
    """A ``Table`` element, counted through THead/TBody/TFoot but not into nested tables."""

    caption: str | None
    header_texts: list[str]
    th_count: int
    td_count: int
    rows: int
    scoped_th: int  # TH cells with a /Scope attribute
    linked_td: int  # TD cells whose /Headers all name the /ID of a TH of this table
    page: int | None = None


@dataclass
class Tagged:
    """What a reader of the catalog, the metadata and the structure tree can tell."""

    marked: bool
    lang: str | None
    title: str | None
    display_doc_title: bool
    claims_pdfua: bool
    headings: list[tuple[str, str]]
    tables: list[Table]
    page_count: int
    pdfua_part: str | None = None
    tree: Element | None = field(default=None, repr=False)

    @property
    def tagged(self) -> bool:
        return self.marked and self.tree is not None


# ------------------------------------------------------------------------ public API


def structure_tree(path: PathLike) -> Element | None:
    """The structure tree of the PDF at ``path``, or None when it has no /StructTreeRoot."""
    with pikepdf.open(os.fspath(path)) as pdf:
        return _Reader(pdf).tree()


def read_tagged(path: PathLike) -> Tagged:
    """Summarise the tagging of the PDF at ``path`` (see :class:`Tagged`)."""
    with pikepdf.open(os.fspath(path)) as pdf:
        root = pdf.Root
        mark_info = root.get("/MarkInfo")
        marked = isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked"))
        prefs = root.get("/ViewerPreferences")
        display = isinstance(prefs, pikepdf.Dictionary) and bool(prefs.get("/DisplayDocTitle"))
        xmp_title = pdfua_part = None
        if "/Metadata" in root:  # open_metadata() invents an empty packet when there is none
            meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
            xmp_title = meta.get("dc:title") or None
            pdfua_part = meta.get("pdfuaid:part") or None
        info_title = pdf.docinfo.get("/Title") if "/Info" in pdf.trailer else None
        tree = _Reader(pdf).tree()
        elements = [] if tree is None else list(tree.iter())
        return Tagged(
            marked=marked,
            lang=_text(root.get("/Lang")),
            title=xmp_title or _text(info_title),
            display_doc_title=display,
            claims_pdfua=pdfua_part is not None,
            headings=[(e.tag, e.text) for e in elements if e.tag in HEADING_TAGS],
            tables=[_table(e) for e in elements if e.tag == "Table"],
            page_count=len(pdf.pages),
            pdfua_part=None if pdfua_part is None else str(pdfua_part),
            tree=tree,
        )


def pdfua_failures(path: PathLike, *, ignore: Iterable[str] = ()) -> list[str]:
    """Run pdfua's checks on ``path``: one line per finding, and one per check that could
    not run ("not evaluated"), each starting with the rule id; rules in ``ignore`` left out.

    Rule ids are in :data:`PDFUA_RULES`; the two in :data:`PATCHED_RULES` run corrected.
    Every severity is reported (error, warning, info), heuristic findings marked as such.
    An id in ``ignore`` that is no rule is an error, so a typo cannot hide a failure.
    """
    ignored = set(ignore)
    registry = _registry()
    unknown = ignored - set(registry.ids())
    if unknown:
        raise ValueError(f"no pdfua rule {sorted(unknown)}; the rules are {list(registry.ids())}")
    report = Validator(ValidatorOptions(registry=registry)).validate(os.fspath(path))
    lines = []
    for outcome in report.outcomes:
        if outcome.rule_id in ignored:
            continue
        if outcome.skipped_reason is not None:
            lines.append(f"{outcome.rule_id} not evaluated: {outcome.skipped_reason}")
        for f in outcome.findings:
            kind = f.severity.name.lower()
            if f.confidence is Confidence.HEURISTIC:
                kind += ", heuristic"
            lines.append(f"{f.rule_id} ({kind}, {f.location.describe()}): {f.message}")
    return lines


# ------------------------------------------------------------------------ pdfua, corrected


def _registry() -> RuleRegistry:
    patched = {"UA-14-001": _EmptyHeadingRule(), "UA-15-003": _TableHeaderRule()}
    return RuleRegistry([patched.get(rule.id, rule) for rule in ALL_RULES])


def _marks_content(node: object, depth: int = 0) -> bool:
    """True when the /K chain under ``node`` reaches a content item (MCID or MCR)."""
    if not isinstance(node, pikepdf.Dictionary) or depth > _MAX_DEPTH:
        return False
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if _is_int(kid):
            return True
        if isinstance(kid, pikepdf.Dictionary) and (
            kid.get("/Type") == pikepdf.Name.MCR or _marks_content(kid, depth + 1)
        ):
            return True
    return False


class _EmptyHeadingRule(EmptyHeadingRule):
    @staticmethod
    def _has_text(element: StructElement) -> bool:
        return _marks_content(element.obj)


class _HeadersAwareDocument:
    """A PdfDocument whose TH cells count as having /Headers when a cell's /Headers names
    their /ID; everything else is the document's own."""

    def __init__(self, doc: PdfDocument) -> None:
        self._doc = doc
        self._named = {h for e in doc.struct_elements for h in _attribute(e.obj, "/Headers")}

    def __getattr__(self, name: str) -> object:
        return getattr(self._doc, name)

    def table_cells(self, row: StructElement) -> tuple[StructElement, ...]:
        return tuple(
            dataclasses.replace(cell, has_headers=True)
            if cell.role == "/TH" and _text(cell.obj.get("/ID")) in self._named
            else cell
            for cell in self._doc.table_cells(row)
        )


class _TableHeaderRule(TableHeaderRule):
    def check(self, doc: PdfDocument) -> Iterable[Finding]:
        return super().check(cast(PdfDocument, _HeadersAwareDocument(doc)))


# ------------------------------------------------------------------------ the structure tree


class _Reader:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.page_numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        self.texts = _ContentTexts(pdf)
        root = pdf.Root.get("/StructTreeRoot")
        self.root = root if isinstance(root, pikepdf.Dictionary) else None
        role_map = self.root.get("/RoleMap") if self.root is not None else None
        self.role_map: dict[str, str] = {}
        if isinstance(role_map, pikepdf.Dictionary):
            self.role_map = {str(k)[1:]: str(v)[1:] for k, v in role_map.items()
                             if isinstance(v, pikepdf.Name)}

    def tree(self) -> Element | None:
        if self.root is None:
            return None
        seen: set[tuple[int, int]] = set()
        children = []
        for kid in _kids(self.root):
            built = self._element(kid, None, 0, seen)
            if built is not None:
                children.append(built[0])
        return Element("StructTreeRoot", children, "", role="StructTreeRoot")

    def standard(self, role: str) -> str:
        """Follow the /RoleMap from ``role`` to a standard type; ``role`` itself if none."""
        mapped, seen = role, {role}
        while mapped not in STANDARD_TAGS and mapped in self.role_map:
            mapped = self.role_map[mapped]
            if mapped in seen:  # a cycle
                break
            seen.add(mapped)
        return mapped if mapped in STANDARD_TAGS else role

    def _element(
        self, node: pikepdf.Object, page: pikepdf.Object | None, depth: int,
        seen: set[tuple[int, int]],
    ) -> tuple[Element, list[_Piece]] | None:
        if not isinstance(node, pikepdf.Dictionary) or depth > _MAX_DEPTH:
            return None
        if node.is_indirect:
            if node.objgen in seen:
                return None
            seen.add(node.objgen)
        kind = node.get("/Type")
        if kind in (pikepdf.Name.MCR, pikepdf.Name.OBJR) or "/S" not in node:
            return None
        page = node.get("/Pg", page)
        children: list[Element] = []
        pieces: list[_Piece] = []
        for kid in _kids(node):
            if _is_int(kid):
                pieces.extend(self.texts.piece(page, None, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
                pieces.extend(self.texts.piece(kid.get("/Pg", page), kid.get("/Stm"),
                                               kid.get("/MCID")))
            else:
                built = self._element(kid, page, depth + 1, seen)
                if built is not None:
                    children.append(built[0])
                    pieces.extend(built[1])
        actual = _text(node.get("/ActualText"))
        if actual is not None:
            pieces = [_Piece(actual, None, None)]
        role = str(node.S)[1:]
        scope = next(iter(_attribute(node, "/Scope")), None)
        element = Element(
            tag=self.standard(role),
            children=children,
            text=" ".join(_join(pieces).split()),
            role=role,
            alt=_text(node.get("/Alt")),
            actual_text=actual,
            title=_text(node.get("/T")),
            lang=_text(node.get("/Lang")),
            id=_text(node.get("/ID")),
            scope=scope,
            headers=_attribute(node, "/Headers"),
            page=None if page is None else self.page_numbers.get(page.objgen),
        )
        return element, pieces


def _table(table: Element) -> Table:
    caption = next((c.text for c in table.children if c.tag == "Caption"), None)
    rows = []
    todo = list(table.children)
    while todo:
        child = todo.pop(0)
        if child.tag == "TR":
            rows.append(child)
        elif child.tag in _TABLE_GROUPS:
            todo[:0] = child.children
    cells = [c for row in rows for c in row.children if c.tag in ("TH", "TD")]
    th = [c for c in cells if c.tag == "TH"]
    td = [c for c in cells if c.tag == "TD"]
    th_ids = {c.id for c in th if c.id is not None}
    return Table(
        caption=caption,
        header_texts=[c.text for c in th],
        th_count=len(th),
        td_count=len(td),
        rows=len(rows),
        scoped_th=sum(c.scope is not None for c in th),
        linked_td=sum(bool(c.headers) and set(c.headers) <= th_ids for c in td),
        page=table.page,
    )


def _kids(node: pikepdf.Dictionary) -> list[pikepdf.Object]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _attribute(node: pikepdf.Dictionary, key: str) -> tuple[str, ...]:
    """The values of attribute ``key`` (``/Scope``, ``/Headers``) in the element's /A
    dictionaries (a dictionary, or an array of them with revision numbers), or on itself."""
    found = node.get("/A")
    owners = list(found) if isinstance(found, pikepdf.Array) else [found]
    values: list[str] = []
    for owner in [node, *owners]:
        if not isinstance(owner, pikepdf.Dictionary) or key not in owner:
            continue
        value = owner[key]
        for item in value if isinstance(value, pikepdf.Array) else [value]:
            text = str(item)[1:] if isinstance(item, pikepdf.Name) else _text(item)
            if text is not None:
                values.append(text)
    return tuple(values)


def _number(value: object) -> float:
    try:
        return float(cast(float, value))
    except (TypeError, ValueError):
        return 0.0


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, pikepdf.String):
        return str(value)
    if isinstance(value, pikepdf.Name):
        return str(value)[1:]
    return str(value) if isinstance(value, str) else None


# ------------------------------------------------------------------------ page content


@dataclass
class _Piece:
    """Text of one marked-content sequence, with the lines (page, y) it starts and ends on."""

    text: str
    first: tuple[int, float] | None
    last: tuple[int, float] | None


def _join(pieces: list[_Piece]) -> str:
    out = ""
    previous: _Piece | None = None
    for piece in pieces:
        if (
            previous is not None and out and piece.text
            and not out[-1].isspace() and not piece.text[0].isspace()
            and (previous.last != piece.first or previous.last is None)
        ):
            out += " "
        out += piece.text
        previous = piece
    return out


class _ContentTexts:
    """MCID -> text, per content stream (a page, or a form XObject with its own MCIDs),
    each stream parsed the first time one of its MCIDs is asked for."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.streams: dict[tuple[int, int], dict[int, _Piece]] = {}
        self.fonts: dict[tuple[int, int], _Font] = {}

    def piece(self, page: object, stream: object, mcid: object) -> list[_Piece]:
        owner = stream if isinstance(stream, pikepdf.Stream) else page
        if not isinstance(owner, (pikepdf.Dictionary, pikepdf.Stream)) or not _is_int(mcid):
            return []
        key = owner.objgen
        if key not in self.streams:
            self.streams[key] = self._parse(owner, page)
        found = self.streams[key].get(cast(int, mcid))
        return [] if found is None else [found]

    def _parse(self, owner: pikepdf.Object, page: object) -> dict[int, _Piece]:
        pieces: dict[int, _Piece] = {}
        number = page.objgen[0] if isinstance(page, pikepdf.Dictionary) else 0
        if isinstance(owner, pikepdf.Stream):
            resources = owner.get("/Resources")
        else:
            try:  # a page's /Resources may be inherited from the page tree
                resources = pikepdf.Page(owner).resources
            except (pikepdf.PdfError, TypeError, ValueError):
                resources = owner.get("/Resources")
        _Interpreter(self, pieces, number).run(owner, resources, (1, 0, 0, 1, 0, 0), [], 0)
        return pieces

    def font(self, font: object) -> _Font:
        if not isinstance(font, pikepdf.Dictionary):
            return _Font(None)
        key = font.objgen
        if key == (0, 0):
            return _Font(font)
        if key not in self.fonts:
            self.fonts[key] = _Font(font)
        return self.fonts[key]


Matrix = tuple[float, float, float, float, float, float]


def _mul(a: Matrix, b: Matrix) -> Matrix:
    return (
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    )


class _Interpreter:
    """Just enough of a content-stream interpreter to attribute text to MCIDs."""

    def __init__(self, texts: _ContentTexts, pieces: dict[int, _Piece], page: int) -> None:
        self.texts = texts
        self.pieces = pieces
        self.page = page

    def run(self, content: pikepdf.Object, resources: object, ctm: Matrix, marks: list[int | None],
            depth: int) -> None:
        resources = resources if isinstance(resources, pikepdf.Dictionary) else pikepdf.Dictionary()
        fonts = resources.get("/Font", pikepdf.Dictionary())
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        properties = resources.get("/Properties", pikepdf.Dictionary())
        stack: list[tuple[Matrix, _Font, float]] = []
        font = _Font(None)
        leading = 0.0
        tm = tlm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        base = len(marks)
        try:
            instructions = pikepdf.parse_content_stream(content)
        except pikepdf.PdfError:
            return
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                continue
            operands, op = instruction.operands, str(instruction.operator)
            if op in ("BDC", "BMC"):
                props = operands[-1] if op == "BDC" else None
                if isinstance(props, pikepdf.Name):
                    props = properties.get(props)
                if operands and operands[0] == pikepdf.Name.Artifact:
                    marks.append(-1)
                elif isinstance(props, pikepdf.Dictionary) and _is_int(props.get("/MCID")):
                    marks.append(int(props.MCID))
                else:
                    marks.append(None)
            elif op == "EMC":
                if len(marks) > base:
                    marks.pop()
            elif op == "q":
                stack.append((ctm, font, leading))
            elif op == "Q":
                if stack:
                    ctm, font, leading = stack.pop()
            elif op == "cm":
                ctm = _mul(cast(Matrix, tuple(float(x) for x in operands)), ctm)
            elif op == "BT":
                tm = tlm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            elif op == "Tf":
                font = self.texts.font(fonts.get(str(operands[0])))
            elif op == "TL":
                leading = float(operands[0])
            elif op == "Tm":
                tm = tlm = cast(Matrix, tuple(float(x) for x in operands))
            elif op in ("Td", "TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if op == "TD":
                    leading = -ty
                tm = tlm = _mul((1, 0, 0, 1, tx, ty), tlm)
            elif op in ("T*", "'", '"'):
                tm = tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
            if op in ("Tj", "'", '"', "TJ"):
                strings = operands[-1] if op == "TJ" else [operands[-1]]
                self.show(marks, font, strings, _mul(tm, ctm))
            elif op == "Do" and depth < 8:
                xobject = xobjects.get(str(operands[0]))
                if (
                    isinstance(xobject, pikepdf.Stream)
                    and xobject.get("/Subtype") == pikepdf.Name.Form
                    and "/StructParents" not in xobject  # its own MCIDs, reached through /Stm
                ):
                    form = cast(Matrix, tuple(float(x) for x in xobject.get("/Matrix",
                                                                           [1, 0, 0, 1, 0, 0])))
                    inner = xobject.get("/Resources", resources)
                    self.run(xobject, inner, _mul(form, ctm), marks, depth + 1)
        del marks[base:]

    def show(self, marks: list[int | None], font: _Font, strings: Iterable[object],
             matrix: Matrix) -> None:
        owner = next((m for m in reversed(marks) if m is not None), None)
        if owner is None or owner < 0:  # unmarked, or an artifact
            return
        text = ""
        for item in strings:
            if isinstance(item, pikepdf.String):
                text += font.decode(bytes(item))
            elif _number(item) < -250 and text[-1:] != " ":
                text += " "  # a wide adjustment in TJ (thousandths of an em) is a word space
        line = (self.page, round(matrix[5], 1))
        piece = self.pieces.get(owner)
        if piece is None:
            self.pieces[owner] = _Piece(text, line, line)
            return
        if piece.last != line and piece.text and text and not (
            piece.text[-1].isspace() or text[0].isspace()
        ):
            piece.text += " "
        piece.text += text
        piece.last = line


_HEX = r"<([0-9A-Fa-f\s]*)>"


class _Font:
    """Decodes a font's glyph codes to Unicode through its /ToUnicode CMap."""

    def __init__(self, font: pikepdf.Dictionary | None) -> None:
        self.composite = font is not None and font.get("/Subtype") == pikepdf.Name.Type0
        self.widths: list[int] = [2] if self.composite else [1]
        self.ranges: list[tuple[int, int, int]] = []  # (width, low, high)
        self.map: dict[bytes, str] = {}
        unicode = font.get("/ToUnicode") if font is not None else None
        if isinstance(unicode, pikepdf.Stream):
            with contextlib.suppress(pikepdf.PdfError):
                self._read_cmap(unicode.read_bytes().decode("latin-1"))

    def _read_cmap(self, cmap: str) -> None:
        for block in re.findall(r"begincodespacerange(.*?)endcodespacerange", cmap, re.S):
            for low, high in re.findall(_HEX + r"\s*" + _HEX, block):
                low, high = _hex(low), _hex(high)
                self.ranges.append((len(low), int.from_bytes(low), int.from_bytes(high)))
        if self.ranges:
            self.widths = sorted({width for width, _, _ in self.ranges})
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, target in re.findall(_HEX + r"\s*" + _HEX, block):
                self.map[_hex(code)] = _utf16(_hex(target))
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            pattern = _HEX + r"\s*" + _HEX + r"\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])"
            for low_hex, high_hex, target in re.findall(pattern, block):
                low, high = _hex(low_hex), _hex(high_hex)
                start, end = int.from_bytes(low), int.from_bytes(high)
                if end - start > 65535:
                    continue
                if target.startswith("["):
                    targets = [_hex(t) for t in re.findall(_HEX, target)]
                    for offset, value in enumerate(targets[: end - start + 1]):
                        self.map[(start + offset).to_bytes(len(low))] = _utf16(value)
                    continue
                first = _hex(target)
                head, last = first[:-2], int.from_bytes(first[-2:])
                for offset in range(end - start + 1):
                    unit = (last + offset) & 0xFFFF
                    self.map[(start + offset).to_bytes(len(low))] = _utf16(head + unit.to_bytes(2))

    def decode(self, data: bytes) -> str:
        if not self.map:
            if self.composite:
                return "\ufffd" * (len(data) // 2)
            return data.decode("latin-1")
        out = []
        i = 0
        while i < len(data):
            width = self._width(data, i)
            code = data[i : i + width]
            unmapped = "\ufffd" if self.composite else code.decode("latin-1")
            out.append(self.map.get(code) or unmapped)
            i += width
        return "".join(out)

    def _width(self, data: bytes, at: int) -> int:
        for width in self.widths:
            code = int.from_bytes(data[at : at + width])
            if not self.ranges or any(
                w == width and low <= code <= high for w, low, high in self.ranges
            ):
                return width
        return self.widths[0]


def _hex(digits: str) -> bytes:
    digits = "".join(digits.split())
    return bytes.fromhex(digits + "0" * (len(digits) % 2))


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", errors="replace") if len(data) >= 2 else data.decode("latin-1")
