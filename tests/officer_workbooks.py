"""Officer workbooks: the demo plan holding what officers add to a plan and openpyxl would drop
or alter on a load and save (charts, formulas with their saved results, pictures, notes,
defined names, drop-down lists from another sheet, sparklines, macros), and one re-saved by
LibreOffice, a second real producer of xlsx. Built afresh by the tests::

    python tests/officer_workbooks.py OUT_FOLDER
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures_xlsx as fx  # noqa: E402
from conftest import DEMO_PLAN  # noqa: E402


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its worksheet part."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({i: t for t, i in re.findall(r'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    found = {}
    for name, rel in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
        target = targets[rel].lstrip("/")
        found[name] = target if target.startswith("xl/") else f"xl/{target}"
    return found


def _by_openpyxl(target: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(DEMO_PLAN)
    change(book)
    book.save(target)
    return target


def _by_parts(target: Path, change: Callable[[fx.Package, dict[str, str]], None],
              source: Path = DEMO_PLAN) -> Path:
    package = fx.Package(source.read_bytes())
    change(package, sheet_parts(source))
    target.write_bytes(package.to_bytes())
    return target


def dashboard_chart(book: openpyxl.Workbook) -> None:
    """A dashboard sheet with a bar chart of the measures' actuals and targets."""
    measures = book["Measures"]
    dashboard = book.create_sheet("Dashboard", 0)
    dashboard["A1"] = "Key indicators at a glance"
    chart = BarChart()
    chart.title = "Actual and target"
    chart.add_data(Reference(measures, min_col=7, min_row=1, max_row=8), titles_from_data=True)
    chart.add_data(Reference(measures, min_col=17, min_row=1, max_row=8), titles_from_data=True)
    chart.set_categories(Reference(measures, min_col=1, min_row=2, max_row=8))
    dashboard.add_chart(chart, "A3")


def note_and_name(book: openpyxl.Workbook) -> None:
    """A note on a measure, and a defined name over the targets."""
    book["Measures"]["C2"].comment = Comment("Check with public health before Cabinet", "J. Smith")
    book.defined_names["Targets"] = DefinedName("Targets", attr_text="Measures!$G$2:$G$37")


FORMULA_ACTUAL = ("<f>300/419*1000</f>", "<v>715.99045346062047</v>")


def formula_in_actual(package: fx.Package, parts: dict[str, str]) -> None:
    """An Actual typed as a formula, saved by Excel with its result; and a formula in a
    ragbook column (an old nested IF in RAG), which gives way to ragbook's rating."""
    measures = parts["Measures"]

    def change(xml: str) -> str:
        xml, found = re.subn(r'<c r="Q3"( s="\d+")?( t="n")?><v>[^<]*</v></c>',
                             rf'<c r="Q3"\1>{"".join(FORMULA_ACTUAL)}</c>', xml)
        assert found == 1, "no Actual at Measures!Q3"
        xml, found = re.subn(r'<c r="W4"( s="\d+")?( t="\w+")?\s*(?:/>|>.*?</c>)',
                             r'<c r="W4"\1 t="str"><f>IF(Q4&gt;G4,"R","G")</f><v>R</v></c>', xml)
        assert found == 1, "no RAG cell at Measures!W4"
        return xml

    package.edit(measures, change)
    package.put("xl/calcChain.xml", '<calcChain xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main"><c r="Q3" i="6"/><c r="W4"/></calcChain>',
                "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
    package.relate("xl/workbook.xml", "calcChain", "xl/calcChain.xml")


def picture_and_sparklines(package: fx.Package, parts: dict[str, str]) -> None:
    """A picture (the council's logo) on the Actions sheet, and sparklines on Measures."""
    measures, actions = parts["Measures"], parts["Actions"]
    media = "xl/media/image1.png"
    package.put(media, fx.png_bytes())
    package.default("png", "image/png")
    rel_id = package.relate("xl/drawings/drawing1.xml", "image", media)
    fx.add_drawing(package, actions, fx.anchor(fx.picture(rel_id)))
    sparklines = fx.SPARKLINES.replace("Measures!C2:D2", "Measures!Q2:R2").replace(
        "<xm:sqref>F2</xm:sqref>", "<xm:sqref>Z2</xm:sqref>")
    package.sheet_append(measures, f"<extLst>{sparklines}</extLst>")


def list_from_another_sheet(package: fx.Package, parts: dict[str, str]) -> None:
    """Status chosen from a drop-down list kept on another sheet (Excel 2010's form)."""
    lists = fx.CROSS_SHEET_LIST.replace("Actions!$C$2:$C$9", "Lists!$A$1:$A$5").replace(
        "<xm:sqref>B2:B3</xm:sqref>", "<xm:sqref>F2:F83</xm:sqref>")
    package.sheet_append(parts["Actions"], f"<extLst>{lists}</extLst>")


def macro_enabled(target: Path) -> Path:
    """The plan as a macro-enabled workbook carrying a VBA project."""
    vba = b"\xd0\xcf\x11\xe0ragbook-test-vba-project" * 40
    with zipfile.ZipFile(DEMO_PLAN) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                 b'vnd.ms-office.vbaProject"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.'
                                    b'com/office/2006/relationships/vbaProject" '
                                    b'Target="vbaProject.bin"/></Relationships>')
            out.writestr(item, data)
        out.writestr("xl/vbaProject.bin", vba)
    return target


def resaved_by_libreoffice(target: Path) -> Path:
    """The plan with a dashboard chart, opened and saved as xlsx by LibreOffice headless:
    every part, the chart's included, as LibreOffice writes it."""
    with tempfile.TemporaryDirectory() as folder:
        made = _by_openpyxl(Path(folder) / target.name, dashboard_chart)
        out = Path(folder) / "out"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile",
                        "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                        "--outdir", str(out), str(made)],
                       check=True, capture_output=True, timeout=180)
        shutil.copyfile(out / target.name, target)
    return target


def build(folder: Path, *, libreoffice: bool = True) -> dict[str, Path]:
    """Every officer workbook, written into ``folder``: name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "dashboard chart": _by_openpyxl(folder / "dashboard chart.xlsx", dashboard_chart),
        "note and defined name": _by_openpyxl(folder / "note and name.xlsx", note_and_name),
        "formula with its result": _by_parts(folder / "formula.xlsx", formula_in_actual),
        "picture and sparklines": _by_parts(folder / "picture.xlsx", picture_and_sparklines),
        "list from another sheet": _by_parts(folder / "lists.xlsx", list_from_another_sheet),
        "macro-enabled": macro_enabled(folder / "macros.xlsm"),
    }
    if libreoffice:
        made["saved by LibreOffice"] = resaved_by_libreoffice(folder / "libreoffice.xlsx")
    return made


if __name__ == "__main__":
    for name, path in build(Path(sys.argv[1])).items():
        print(f"{name}: {path}")
