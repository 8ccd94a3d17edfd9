"""tests/pdf_structure.py reads what WeasyPrint tags, and notices what is missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pdfua
import pikepdf
import pytest
import weasyprint

from pdf_structure import (
    PATCHED_RULES,
    PDFUA_IDENTIFICATION,
    PDFUA_RULES,
    Element,
    pdfua_failures,
    read_tagged,
    structure_tree,
)

TITLE = "Quarterly RAG report"
HEADER_TEXTS = ["Measure", "Status"]
ROWS = [("Bins collected", "Green"), ("Potholes fixed", "Amber")]  # "fi": a ligature glyph


def report_html(rows: list[tuple[str, str]] = ROWS, *, header: bool = True,
                heading: str = "Measures") -> str:
    head = "".join(f'<th scope="col">{text}</th>' for text in HEADER_TEXTS)
    body = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
<h1>Performance summary</h1>
<p>How the council's measures stood at the end of the quarter.</p>
<h2>{heading}</h2>
<table>
<caption>Measures by status</caption>
{f"<thead><tr>{head}</tr></thead>" if header else ""}
<tbody>{body}</tbody>
</table>
</body></html>"""


def write(path: Path, html: str, **options: object) -> Path:
    weasyprint.HTML(string=html).write_pdf(path, **options)
    return path


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report three ways: tagged, tagged as PDF/UA-1, and plain (untagged)."""
    folder = tmp_path_factory.mktemp("pdfs")
    html = report_html()
    return {
        "tags": write(folder / "tags.pdf", html, pdf_tags=True),
        "ua": write(folder / "ua.pdf", html, pdf_variant="pdf/ua-1"),
        "plain": write(folder / "plain.pdf", html),
    }


def edited(source: Path, target: Path, change: Callable[[pikepdf.Pdf], None]) -> Path:
    """A copy of ``source`` with ``change`` made to it, to break one thing at a time."""
    with pikepdf.open(source) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def struct_elems(pdf: pikepdf.Pdf, role: str) -> list[pikepdf.Dictionary]:
    """The structure element dictionaries whose /S is ``role``, in document order."""
    found: list[pikepdf.Dictionary] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Array):
            for item in node:
                walk(item)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if str(node.S) == role:
                found.append(node)
            walk(node.get("/K"))

    walk(pdf.Root.StructTreeRoot.get("/K"))
    return found


def rule_ids(lines: list[str]) -> list[str]:
    return [line.split()[0] for line in lines]


# ------------------------------------------------------------------ the structure tree


@pytest.mark.parametrize("variant", ["tags", "ua"])
def test_a_tagged_report_has_its_headings_table_and_text_in_the_tree(
    pdfs: dict[str, Path], variant: str
) -> None:
    tree = structure_tree(pdfs[variant])

    assert tree is not None
    assert tree.tag == "StructTreeRoot"
    assert [child.tag for child in tree.children] == ["Document"]
    assert {"H1", "H2", "P", "Table", "Caption", "THead", "TBody", "TR", "TH", "TD"} <= tree.tags()
    assert [h.text for h in tree.find_all("H1", "H2")] == ["Performance summary", "Measures"]
    assert [e.text for e in tree.find_all("Caption")] == ["Measures by status"]
    assert [e.text for e in tree.find_all("TH")] == HEADER_TEXTS
    assert [e.text for e in tree.find_all("TD")] == [text for row in ROWS for text in row]
    assert tree.find("P") == Element(
        "P", tree.find("P").children, "How the council's measures stood at the end of the quarter.",
        role="P", page=1,
    )
    # WeasyPrint ties each data cell to its column header by /Headers naming the TH's /ID.
    th_ids = [th.id for th in tree.find_all("TH")]
    assert all(th_ids)
    assert [td.headers for td in tree.find_all("TD")] == [(th_ids[0],), (th_ids[1],)] * len(ROWS)


@pytest.mark.parametrize("variant", ["tags", "ua"])
def test_read_tagged_summarises_a_tagged_report(pdfs: dict[str, Path], variant: str) -> None:
    summary = read_tagged(pdfs[variant])

    assert summary.tagged
    assert summary.marked is True
    assert summary.lang == "en-GB"
    assert summary.title == TITLE
    assert summary.display_doc_title is True
    assert summary.page_count == 1
    assert summary.headings == [("H1", "Performance summary"), ("H2", "Measures")]
    [table] = summary.tables
    assert table.caption == "Measures by status"
    assert table.header_texts == HEADER_TEXTS
    assert (table.th_count, table.td_count, table.rows) == (2, 4, 3)
    assert table.linked_td == 4
    assert table.scoped_th == 0  # WeasyPrint 70 writes no /Scope, even for scope="col"
    # Only the PDF/UA variant claims PDF/UA, in XMP; pdf_tags=True writes no XMP at all.
    assert summary.claims_pdfua is (variant == "ua")
    assert summary.pdfua_part == ("1" if variant == "ua" else None)


def test_an_untagged_pdf_has_no_tree_and_is_not_marked(pdfs: dict[str, Path]) -> None:
    summary = read_tagged(pdfs["plain"])

    assert structure_tree(pdfs["plain"]) is None
    assert summary.marked is False
    assert summary.tree is None
    assert not summary.tagged
    assert (summary.headings, summary.tables) == ([], [])
    assert summary.claims_pdfua is False
    assert summary.display_doc_title is False
    # What WeasyPrint writes whether or not it tags: the catalog /Lang and the /Info /Title.
    assert (summary.lang, summary.title, summary.page_count) == ("en-GB", TITLE, 1)


def test_role_map_names_resolve_to_standard_tags(pdfs: dict[str, Path], tmp_path: Path) -> None:
    def rename(pdf: pikepdf.Pdf) -> None:
        [h1] = struct_elems(pdf, "/H1")
        h1.S = pikepdf.Name("/Heading1")
        [caption] = struct_elems(pdf, "/Caption")
        caption.S = pikepdf.Name("/TableTitle")  # mapped to a non-standard name: unresolved
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(
            Heading1=pikepdf.Name("/Title2"), Title2=pikepdf.Name("/H1"),
            TableTitle=pikepdf.Name("/Nowhere"),
        )

    path = edited(pdfs["ua"], tmp_path / "rolemap.pdf", rename)
    tree = structure_tree(path)

    assert tree is not None
    [h1] = tree.find_all("H1")
    assert (h1.tag, h1.role, h1.text) == ("H1", "Heading1", "Performance summary")
    assert read_tagged(path).headings[0] == ("H1", "Performance summary")
    assert [(e.tag, e.role) for e in tree.iter() if e.role == "TableTitle"] == [
        ("TableTitle", "TableTitle")
    ]
    assert read_tagged(path).tables[0].caption is None


def test_actual_text_replaces_the_content_text_and_alt_is_kept(
    pdfs: dict[str, Path], tmp_path: Path
) -> None:
    def describe(pdf: pikepdf.Pdf) -> None:
        [h2] = struct_elems(pdf, "/H2")
        h2.ActualText = pikepdf.String("Measures, spoken")
        h2.Alt = pikepdf.String("A heading")
        h2.T = pikepdf.String("measures-heading")

    path = edited(pdfs["ua"], tmp_path / "actualtext.pdf", describe)
    h2 = structure_tree(path).find("H2")

    assert (h2.text, h2.actual_text, h2.alt, h2.title) == (
        "Measures, spoken", "Measures, spoken", "A heading", "measures-heading"
    )


def test_text_that_wraps_onto_a_new_line_is_joined_with_a_space(tmp_path: Path) -> None:
    heading = "Measures that have been red for three quarters in a row and need a plan"
    html = report_html(heading=heading).replace("<head>", "<head><style>h2{width:6cm}</style>")
    path = write(tmp_path / "wrap.pdf", html, pdf_variant="pdf/ua-1")

    h2 = structure_tree(path).find("H2")
    assert len(h2.children) > 2  # one marked-content sequence per line
    assert h2.text == heading


def test_a_table_over_several_pages_keeps_its_text_and_pages(tmp_path: Path) -> None:
    rows = [(f"Measure {n}", "Green" if n % 3 else "Red") for n in range(120)]
    path = write(tmp_path / "long.pdf", report_html(rows), pdf_tags=True)

    summary = read_tagged(path)
    tree = summary.tree
    assert summary.page_count >= 3
    assert [e.text for e in tree.find_all("TD")] == [text for row in rows for text in row]
    last = tree.find_all("TD")[-1]
    assert (last.text, last.page) == ("Red" if 119 % 3 == 0 else "Green", summary.page_count)
    # WeasyPrint 70 tags each page's part of the table as a Table of its own, repeating the
    # header row; the counts add up either way.
    assert sum(t.td_count for t in summary.tables) == 2 * len(rows)
    assert sum(t.linked_td for t in summary.tables) == 2 * len(rows)
    assert all(t.header_texts == HEADER_TEXTS for t in summary.tables)
    assert [t.caption for t in summary.tables if t.caption] == ["Measures by status"]
    assert pdfua_failures(path, ignore=[PDFUA_IDENTIFICATION]) == []


# ------------------------------------------------------------------ pdfua


def test_pdfua_finds_nothing_wrong_with_the_pdf_ua_variant(pdfs: dict[str, Path]) -> None:
    assert pdfua_failures(pdfs["ua"]) == []


def test_pdf_tags_only_lacks_the_pdf_ua_identification(pdfs: dict[str, Path]) -> None:
    failures = pdfua_failures(pdfs["tags"])

    assert rule_ids(failures) == [PDFUA_IDENTIFICATION]
    assert "XMP" in failures[0]
    assert pdfua_failures(pdfs["tags"], ignore=[PDFUA_IDENTIFICATION]) == []


def test_pdfua_fails_an_untagged_pdf(pdfs: dict[str, Path]) -> None:
    failures = pdfua_failures(pdfs["plain"], ignore=[PDFUA_IDENTIFICATION])

    assert failures
    assert rule_ids(failures) == ["UA-01-005", "UA-01-002", "UA-07-002"]
    assert "no /StructTreeRoot" in failures[0]


def test_pdfua_fails_a_missing_language(pdfs: dict[str, Path], tmp_path: Path) -> None:
    def forget(pdf: pikepdf.Pdf) -> None:
        del pdf.Root.Lang

    path = edited(pdfs["ua"], tmp_path / "nolang.pdf", forget)

    assert read_tagged(path).lang is None
    assert rule_ids(pdfua_failures(path)) == ["UA-06-001"]


def test_pdfua_fails_an_empty_heading(pdfs: dict[str, Path], tmp_path: Path) -> None:
    def empty(pdf: pikepdf.Pdf) -> None:
        [h2] = struct_elems(pdf, "/H2")
        h2.K = pikepdf.Array()

    path = edited(pdfs["ua"], tmp_path / "emptyheading.pdf", empty)

    assert read_tagged(path).headings == [("H1", "Performance summary"), ("H2", "")]
    [failure] = pdfua_failures(path)
    assert failure.startswith("UA-14-001 (warning, page 1 /H2): Empty heading element /H2")


def test_pdfua_fails_a_table_without_header_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "noheader.pdf", report_html(header=False), pdf_variant="pdf/ua-1")

    [table] = read_tagged(path).tables
    assert (table.th_count, table.td_count, table.header_texts) == (0, 4, [])
    [failure] = pdfua_failures(path)
    assert failure.startswith("UA-15-003 (error, page 1 /Table): Table has 4 data cell(s) and no")


def test_pdfua_warns_of_header_cells_nothing_refers_to(
    pdfs: dict[str, Path], tmp_path: Path
) -> None:
    def unlink(pdf: pikepdf.Pdf) -> None:
        for td in struct_elems(pdf, "/TD"):
            del td.A

    path = edited(pdfs["ua"], tmp_path / "unlinked.pdf", unlink)

    assert read_tagged(path).tables[0].linked_td == 0
    [failure] = pdfua_failures(path)
    assert failure.startswith("UA-15-003 (warning, heuristic, page 1 /Table): Table has 2 header")


def test_ignore_names_only_real_rules(pdfs: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match="UA-28-04"):
        pdfua_failures(pdfs["tags"], ignore=["UA-28-04"])


def test_the_documented_rule_ids_are_pdfuas() -> None:
    assert list(PDFUA_RULES) == list(pdfua.default_registry().ids())
    assert {PDFUA_IDENTIFICATION, *PATCHED_RULES} <= set(PDFUA_RULES)


def test_the_corrected_rules_are_still_wrong_upstream(pdfs: dict[str, Path]) -> None:
    """If this fails, pdfua has fixed a rule: drop its correction from PATCHED_RULES."""
    report = pdfua.validate(str(pdfs["ua"]))

    skipped = {o.rule_id: o.skipped_reason for o in report.skipped}
    assert "is_integer" in skipped.get("UA-14-001", ""), PATCHED_RULES["UA-14-001"]
    found = [f.rule_id for f in report.findings]
    assert found == ["UA-15-003"], PATCHED_RULES["UA-15-003"]
