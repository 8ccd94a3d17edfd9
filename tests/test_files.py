"""The plan file: refused with a message an officer can act on, never damaged
by a failed run, and what openpyxl would lose said out loud (docs/workbook.md,
"What the tool promises about the workbook")."""

from __future__ import annotations

import io
import os
import stat
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

import fixtures_xlsx as fx
from ragbook.problems import Problem
from ragbook.workbook import files, losses
from ragbook.workbook.files import (
    PlanFileError,
    backup_path,
    load_options,
    open_check,
    replace_atomically,
    write_check,
    write_new,
)
from ragbook.workbook.losses import Loss, describe_losses, scan_losses


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(fx.plain_xlsx())
    return path


def saved(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def refusal(action: Callable[[], object]) -> PlanFileError:
    with pytest.raises(PlanFileError) as caught:
        action()
    return caught.value


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~ragbook"))


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """chmod a file or folder read-only for one test, and back afterwards."""
    changed: list[tuple[Path, int]] = []

    def make(path: Path) -> None:
        changed.append((path, stat.S_IMODE(path.stat().st_mode)))
        path.chmod(0o555 if path.is_dir() else 0o444)

    yield make
    for path, mode in reversed(changed):
        path.chmod(mode)


# --- open_check: files ragbook cannot read ---------------------------------------------------


def test_a_workbook_opens_as_its_kind(tmp_path: Path) -> None:
    assert open_check(saved(tmp_path / "plan.xlsx", fx.plain_xlsx())) == "xlsx"
    assert open_check(saved(tmp_path / "plan.xlsm", fx.plain_xlsx())) == "xlsm"
    assert open_check(saved(tmp_path / "PLAN.XLSX", fx.plain_xlsx())) == "xlsx"


def test_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    error = refusal(lambda: open_check(tmp_path / "plann.xlsx"))
    assert error.problem.code == "no-such-file"
    assert "plann.xlsx" in str(error) and "no such file" in str(error)


def test_folder_is_refused_even_when_named_like_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "plan.xlsx"
    folder.mkdir()
    error = refusal(lambda: open_check(folder))
    assert error.problem.code == "is-a-folder"
    assert "is a folder" in str(error)


def test_old_xls_workbook_is_refused_with_how_to_save_as_xlsx(tmp_path: Path) -> None:
    error = refusal(lambda: open_check(saved(tmp_path / "plan.xls", fx.CFB_HEADER)))
    assert error.problem.code == "old-excel-format"
    assert "Save As Excel Workbook (.xlsx)" in str(error)


@pytest.mark.parametrize("name", ["plan.csv", "plan.txt", "plan.ods", "plan.docx", "plan"])
def test_other_formats_are_refused_saying_what_ragbook_reads(tmp_path: Path, name: str) -> None:
    error = refusal(lambda: open_check(saved(tmp_path / name, b"Ref,Measure\nM1,Homes\n")))
    assert error.problem.code == "not-an-excel-file"
    assert "ragbook reads Excel workbooks (.xlsx or .xlsm)" in str(error)


def encrypted(data: bytes, password: str = "secret") -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def test_password_protected_workbook_is_refused_with_how_to_fix(tmp_path: Path) -> None:
    path = saved(tmp_path / "plan.xlsx", encrypted(fx.plain_xlsx()))
    error = refusal(lambda: open_check(path))
    assert error.problem.code == "password-protected"
    assert "is password-protected (encrypted)" in str(error)
    assert "File > Info > Protect Workbook" in str(error)
    assert ".xls file renamed" in str(error)


def test_old_xls_renamed_to_xlsx_gets_the_same_advice(tmp_path: Path) -> None:
    error = refusal(lambda: open_check(saved(tmp_path / "plan.xlsx", fx.CFB_HEADER)))
    assert error.problem.code == "password-protected"


def zip_of(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def corrupted_member() -> bytes:
    """A stored (uncompressed) workbook whose xl/workbook.xml bytes were damaged."""
    package = fx.Package(fx.plain_xlsx())
    data = bytearray(zip_of(package.parts, zipfile.ZIP_STORED))
    at = data.find(b"<workbook") + 20
    data[at:at + 5] = b"XXXXX"
    return bytes(data)


DAMAGED = {
    "text": b"this is not a workbook",
    "truncated": fx.plain_xlsx()[:1500],
    "zip of other things": zip_of({"notes.txt": b"hello"}),
    "zip without workbook": zip_of({"[Content_Types].xml": b"<Types/>"}),
    "damaged part": corrupted_member(),
}


@pytest.mark.parametrize("data", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_or_foreign_file_is_refused(tmp_path: Path, data: bytes) -> None:
    error = refusal(lambda: open_check(saved(tmp_path / "plan.xlsx", data)))
    assert error.problem.code == "damaged-workbook"
    assert "is damaged or is not an Excel workbook" in str(error)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    error = refusal(lambda: open_check(saved(tmp_path / "plan.xlsx", b"")))
    assert error.problem.code == "empty-file"
    assert "is empty" in str(error)


def test_file_too_large_to_be_a_plan_is_refused(plan: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_PLAN_BYTES", 1000)
    error = refusal(lambda: open_check(plan))
    assert error.problem.code == "file-too-large"
    assert "too large to be a plan workbook" in str(error)


def all_refusals(tmp_path: Path) -> list[PlanFileError]:
    cases = [tmp_path / "missing.xlsx", saved(tmp_path / "a.xls", b"x"),
             saved(tmp_path / "a.csv", b"x"), saved(tmp_path / "e.xlsx", b""),
             saved(tmp_path / "p.xlsx", fx.CFB_HEADER), saved(tmp_path / "d.xlsx", b"junk")]
    return [refusal(partial(open_check, path)) for path in cases]


def test_every_refusal_is_one_line_naming_the_file_with_its_problem(tmp_path: Path) -> None:
    for error in all_refusals(tmp_path):
        assert "\n" not in str(error)
        assert error.problem.place in str(error)
        assert error.problem.place.endswith((".xlsx", ".xls", ".csv"))
        assert error.problem.found and error.problem.expected and error.problem.code
        assert "Traceback" not in str(error) and "Error" not in str(error)


def test_a_problem_alone_makes_a_plan_file_error() -> None:
    item = Problem(code="no-room-for-row", found='"x"', expected="an empty row", place="A!B2")
    error = PlanFileError(item)
    assert error.problem is item
    assert str(error) == item.message


def test_xlsm_is_loaded_keeping_its_vba() -> None:
    assert load_options("xlsm") == {"keep_vba": True}
    assert load_options("xlsx") == {}


# --- write_check: files ragbook must not replace ---------------------------------------------


def test_workbook_open_in_excel_is_refused_suggesting_out(plan: Path) -> None:
    (plan.parent / "~$plan.xlsx").write_bytes(b"\x07Officer")
    error = refusal(lambda: write_check(plan))
    assert error.problem.code == "open-in-another-program"
    assert "is open in Excel (its lock file ~$plan.xlsx is beside it)" in str(error)
    assert "close it in Excel and try again, or use --out to write a new file" in str(error)


@pytest.mark.parametrize(("name", "lock"), [
    ("demo_plan.xlsx", "~$mo_plan.xlsx"),  # 8 or more characters: first two replaced
    ("budget1.xlsx", "~$udget1.xlsx"),  # 7 characters: first one replaced
    ("demo_plan.xlsx", "~$demo_plan.xlsx"),
])
def test_excel_lock_with_shortened_name_counts_too(tmp_path: Path, name: str, lock: str) -> None:
    path = saved(tmp_path / name, fx.plain_xlsx())
    (tmp_path / lock).write_bytes(b"\x07Officer")
    assert lock in str(refusal(lambda: write_check(path)))


def test_short_names_are_never_shortened_in_a_lock(tmp_path: Path) -> None:
    path = saved(tmp_path / "plan.xlsx", fx.plain_xlsx())
    (tmp_path / "~$an.xlsx").write_bytes(b"\x07Officer")
    write_check(path)


def test_shortened_lock_of_another_open_workbook_is_not_ours(tmp_path: Path) -> None:
    ours = saved(tmp_path / "demo_plan.xlsx", fx.plain_xlsx())
    saved(tmp_path / "mo_plan.xlsx", fx.plain_xlsx())
    (tmp_path / "~$mo_plan.xlsx").write_bytes(b"\x07Officer")  # mo_plan.xlsx is open
    write_check(ours)


def test_workbook_open_in_libreoffice_is_refused(plan: Path) -> None:
    (plan.parent / ".~lock.plan.xlsx#").write_text(",Officer,PC,01.05.2024 10:00,;")
    error = refusal(lambda: write_check(plan))
    assert "is open in LibreOffice (its lock file .~lock.plan.xlsx# is beside it)" in str(error)


def test_read_only_file_is_refused_even_for_root(plan: Path, read_only) -> None:
    read_only(plan)
    error = refusal(lambda: write_check(plan))
    assert error.problem.code == "file-read-only"
    assert "is read-only" in str(error) and "--out" in str(error)


def test_file_in_read_only_folder_is_refused(plan: Path, read_only) -> None:
    read_only(plan.parent)
    error = refusal(lambda: write_check(plan))
    assert error.problem.code == "folder-read-only"
    assert "read-only folder" in str(error) and "--out" in str(error)


def test_folder_where_no_file_can_be_made_is_refused(plan: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    assert refusal(lambda: write_check(plan)).problem.code == "folder-read-only"


def test_writable_file_and_folder_pass_and_leave_nothing_behind(plan: Path) -> None:
    write_check(plan)
    write_check(plan.parent / "new.xlsx")
    assert sorted(p.name for p in plan.parent.iterdir()) == ["plan.xlsx"]


# --- replace_atomically: all or nothing ------------------------------------------------------


def save_workbook(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def test_replacing_writes_the_new_workbook_and_keeps_a_backup(plan: Path) -> None:
    before = plan.read_bytes()
    os.utime(plan, (1_600_000_000, 1_600_000_000))
    new = fx.rich_openpyxl_xlsx()
    backup = replace_atomically(plan, save_workbook(new))
    assert plan.read_bytes() == new
    assert backup == plan.parent / "plan.backup.xlsx" == backup_path(plan)
    assert backup.read_bytes() == before
    assert backup.stat().st_mtime == 1_600_000_000
    assert leftovers(plan.parent) == []


def test_an_older_backup_is_overwritten(plan: Path) -> None:
    backup_path(plan).write_bytes(b"last month's plan")
    before = plan.read_bytes()
    replace_atomically(plan, save_workbook(fx.rich_openpyxl_xlsx()))
    assert backup_path(plan).read_bytes() == before


def test_no_backup_when_not_asked(plan: Path) -> None:
    assert replace_atomically(plan, save_workbook(fx.rich_openpyxl_xlsx()), backup=False) is None
    assert not backup_path(plan).exists()


def test_workbook_is_written_to_a_hidden_temporary_file_beside_it(plan: Path) -> None:
    seen: list[Path] = []

    def write(path: Path) -> None:
        seen.append(path)
        path.write_bytes(fx.plain_xlsx())

    replace_atomically(plan, write)
    assert seen[0].parent == plan.parent
    assert seen[0].name.startswith(".~ragbook-plan.xlsx-") and seen[0].name.endswith(".tmp")
    assert not seen[0].exists()


@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_halfway_through_writing_leaves_the_original_byte_for_byte(
        plan: Path, interruption: BaseException) -> None:
    before = plan.read_bytes()
    backup_path(plan).write_bytes(b"last month's plan")

    def write(path: Path) -> None:
        path.write_bytes(fx.plain_xlsx()[:700])
        raise interruption

    with pytest.raises(type(interruption)):
        replace_atomically(plan, write)
    assert plan.read_bytes() == before
    assert backup_path(plan).read_bytes() == b"last month's plan"
    assert leftovers(plan.parent) == []


NOT_WORKBOOKS = {
    "garbage": b"not a workbook at all",
    "empty": b"",
    "half a workbook": fx.plain_xlsx()[:1500],
    "zip without xl/workbook.xml": zip_of({"[Content_Types].xml": b"<Types/>"}),
}


@pytest.mark.parametrize("written", NOT_WORKBOOKS.values(), ids=NOT_WORKBOOKS.keys())
def test_written_file_that_is_not_a_workbook_never_replaces_the_original(
        plan: Path, written: bytes) -> None:
    before = plan.read_bytes()
    error = refusal(lambda: replace_atomically(plan, save_workbook(written)))
    assert error.problem.code == "write-failed"
    assert "has not been changed" in str(error)
    assert plan.read_bytes() == before
    assert not backup_path(plan).exists()
    assert leftovers(plan.parent) == []


def test_failure_to_rename_leaves_the_original_and_says_so(
        plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = plan.read_bytes()

    def locked(source: object, target: object) -> None:
        raise PermissionError(13, "The file is in use by another program")

    monkeypatch.setattr(files.os, "replace", locked)
    error = refusal(lambda: replace_atomically(plan, save_workbook(fx.rich_openpyxl_xlsx())))
    monkeypatch.undo()
    assert error.problem.code == "cannot-save"
    assert "in use by another program" in str(error) and "has not been changed" in str(error)
    assert plan.read_bytes() == before
    assert leftovers(plan.parent) == []


def test_replacing_keeps_the_permission_bits(plan: Path) -> None:
    plan.chmod(0o640)
    replace_atomically(plan, save_workbook(fx.rich_openpyxl_xlsx()))
    assert stat.S_IMODE(plan.stat().st_mode) == 0o640


def test_replacing_through_a_shortcut_link_keeps_the_link(plan: Path) -> None:
    link = plan.parent / "current.xlsx"
    link.symlink_to(plan)
    replace_atomically(link, save_workbook(fx.rich_openpyxl_xlsx()))
    assert link.is_symlink()
    assert plan.read_bytes() == fx.rich_openpyxl_xlsx()


# --- write_new: --out files ------------------------------------------------------------------


def test_new_file_is_written_whole(plan: Path) -> None:
    out = plan.parent / "results.xlsx"
    write_new(out, save_workbook(fx.rich_openpyxl_xlsx()), source=plan)
    assert out.read_bytes() == fx.rich_openpyxl_xlsx()
    assert leftovers(plan.parent) == []


def test_new_file_replaces_an_older_one_of_the_same_name(plan: Path) -> None:
    out = saved(plan.parent / "results.xlsx", b"old results")
    write_new(out, save_workbook(fx.plain_xlsx()))
    assert out.read_bytes() == fx.plain_xlsx()


def test_new_file_never_overwrites_the_plan_itself(plan: Path) -> None:
    before = plan.read_bytes()
    same = plan.parent / "." / "plan.xlsx"
    error = refusal(lambda: write_new(same, save_workbook(fx.rich_openpyxl_xlsx()), source=plan))
    assert error.problem.code == "out-is-the-plan"
    assert plan.read_bytes() == before


def test_failed_new_file_leaves_nothing_behind(plan: Path) -> None:
    out = plan.parent / "results.xlsx"

    def write(path: Path) -> None:
        path.write_bytes(b"PK\x03\x04 partial")
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_new(out, write)
    assert not out.exists()
    assert leftovers(plan.parent) == []


def test_new_file_in_a_missing_folder_is_refused(plan: Path) -> None:
    out = plan.parent / "no such folder" / "results.xlsx"
    error = refusal(lambda: write_new(out, save_workbook(fx.plain_xlsx())))
    assert error.problem.code == "no-such-folder"


# --- scan_losses: what openpyxl would drop ---------------------------------------------------


def losses_of(tmp_path: Path, data: bytes, name: str = "plan.xlsx") -> list[Loss]:
    return scan_losses(saved(tmp_path / name, data))


def test_plain_openpyxl_workbooks_lose_nothing(tmp_path: Path) -> None:
    assert losses_of(tmp_path, fx.plain_xlsx()) == []
    assert losses_of(tmp_path, fx.formulas_xlsx()) == []  # formulas but no saved values


def test_comments_tables_validation_formatting_pictures_and_names_are_kept(
        tmp_path: Path) -> None:
    assert losses_of(tmp_path, fx.rich_openpyxl_xlsx()) == []


def test_excel_style_picture_is_kept_when_pillow_is_present(tmp_path: Path) -> None:
    assert losses_of(tmp_path, fx.with_picture()) == []


FOUND = {
    "text box": (fx.with_text_box(), Loss(losses.SHAPES, "Measures")),
    "text box on the second sheet": (fx.with_text_box(sheet=fx.SHEET2),
                                     Loss(losses.SHAPES, "Actions")),
    "SmartArt": (fx.with_smartart(), Loss(losses.SMARTART, "Measures")),
    "SVG picture": (fx.with_svg_picture(), Loss(losses.SVG_PICTURES, "Measures")),
    "EMF picture": (fx.with_picture(extension="emf"), Loss(losses.PICTURES_WMF, "Measures")),
    "chart": (fx.with_chart(), Loss(losses.CHARTS, "Measures")),
    "sparklines": (fx.with_extensions(fx.SPARKLINES), Loss(losses.SPARKLINES, "Measures")),
    "data bars": (fx.with_extensions(fx.DATA_BARS, sheet=fx.SHEET2),
                  Loss(losses.NEW_CONDITIONAL_FORMATS, "Actions")),
    "cross-sheet drop-down": (fx.with_extensions(fx.CROSS_SHEET_LIST),
                              Loss(losses.NEW_DATA_VALIDATION, "Measures")),
    "form control": (fx.with_form_control(), Loss(losses.FORM_CONTROLS, "Measures")),
    "threaded comment": (fx.with_threaded_comment(), Loss(losses.THREADED_COMMENTS, "Measures")),
    "cached values": (fx.with_cached_formulas(2), Loss(losses.cached_values(2), "Measures")),
    "cached values, x: prefix": (fx.with_cached_formulas(3, x_prefix=True),
                                 Loss(losses.cached_values(3), "Measures")),
    "header picture": (fx.with_sheet_tail('<legacyDrawingHF xmlns:r="x" r:id="rId9"/>'),
                       Loss(losses.HEADER_PICTURES, "Measures")),
    "controls": (fx.with_sheet_tail("<controls/>"), Loss(losses.CONTROLS, "Measures")),
    "embedded object": (fx.with_sheet_tail("<oleObjects/>"), Loss(losses.EMBEDDED, "Measures")),
    "pivot table": (fx.with_part("xl/pivotTables/pivotTable1.xml", "<pivotTableDefinition/>",
                                 "application/xml", rel_type="pivotTable", source=fx.SHEET2),
                    Loss(losses.PIVOT_TABLES, "Actions")),
    "slicer": (fx.with_part("xl/slicers/slicer1.xml", "<slicers/>", "application/xml",
                            rel_type="slicer"), Loss(losses.SLICERS, "Measures")),
    "timeline": (fx.with_part("xl/timelines/timeline1.xml", "<timelines/>", "application/xml",
                              rel_type="timeline"), Loss(losses.TIMELINES, "Measures")),
    "ActiveX": (fx.with_part("xl/activeX/activeX1.xml", "<ax:ocx/>", "application/xml",
                             rel_type="control"), Loss(losses.ACTIVEX, "Measures")),
    "newer chart": (fx.with_part("xl/charts/chartEx1.xml", "<cx:chartSpace/>",
                                 "application/xml"),
                    Loss(losses.NEWER_CHARTS, "xl/charts")),
    "Power Query": (fx.with_part("customXml/item1.xml", "<DataMashup/>", "application/xml"),
                    Loss(losses.CUSTOM_XML, "customXml")),
    "sensitivity label": (fx.with_part("docMetadata/LabelInfo.xml", "<labelList/>",
                                       "application/xml"),
                          Loss(losses.SENSITIVITY_LABEL, "docMetadata")),
    "dynamic arrays": (fx.with_part("xl/metadata.xml", "<metadata/>", "application/xml"),
                       Loss(losses.DYNAMIC_ARRAYS, "xl/metadata.xml")),
    "something new": (fx.with_part("xl/futureThing/thing1.xml", "<thing/>", "application/xml"),
                      Loss(losses.OTHER, "xl/futureThing")),
}


@pytest.mark.parametrize(("data", "loss"), FOUND.values(), ids=FOUND.keys())
def test_scan_finds_what_openpyxl_would_lose(tmp_path: Path, data: bytes, loss: Loss) -> None:
    assert losses_of(tmp_path, data) == [loss]


def test_pictures_are_lost_without_pillow(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("openpyxl.reader.drawings.PILImage", False)
    data = fx.with_picture()
    assert losses_of(tmp_path, data) == [Loss(losses.PICTURES_NO_PILLOW, "Measures")]
    assert not any(name.startswith("xl/media/") for name in parts_of(round_trip(data)))


def test_form_control_parts_are_reported_once_not_twice(tmp_path: Path) -> None:
    assert [loss.what for loss in losses_of(tmp_path, fx.with_form_control())] == [
        losses.FORM_CONTROLS]


def test_vba_in_xlsm_and_external_links_are_kept(tmp_path: Path) -> None:
    package = fx.Package(fx.plain_xlsx())
    package.put("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    package.put("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    assert losses_of(tmp_path, package.to_bytes(), "plan.xlsm") == []


def test_losses_follow_the_sheet_order(tmp_path: Path) -> None:
    data = fx.with_text_box(fx.with_extensions(fx.SPARKLINES, sheet=fx.SHEET2))
    assert [loss.where for loss in losses_of(tmp_path, data)] == ["Measures", "Actions"]


def test_scanning_a_10000_row_workbook_is_quick(tmp_path: Path) -> None:
    path = saved(tmp_path / "big.xlsx", fx.big_xlsx(10_000))
    fastest = min(timed(lambda: scan_losses(path)) for _ in range(3))
    assert scan_losses(path) == [Loss(losses.cached_values(20_000), "Measures")]
    assert fastest < 0.1


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def test_losses_are_described_by_what_and_where() -> None:
    losses = [Loss("sparklines", "Measures"), Loss("shapes and text boxes", "Dashboard"),
              Loss("sparklines", "Actions")]
    assert describe_losses(losses) == (
        "sparklines in Measures and Actions; shapes and text boxes in Dashboard")
    assert describe_losses([]) == ""


# --- keeping the scanner honest: openpyxl really drops these ----------------------------------


def round_trip(data: bytes) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_openpyxl_really_drops_sparklines(tmp_path: Path) -> None:
    after = round_trip(fx.with_extensions(fx.SPARKLINES))
    assert b"sparkline" not in parts_of(after)[fx.SHEET1]
    assert losses_of(tmp_path, after) == []


def test_openpyxl_really_drops_shapes_but_keeps_pictures(tmp_path: Path) -> None:
    after = parts_of(round_trip(fx.with_picture(text_box=True)))
    drawings = b"".join(data for name, data in after.items() if name.startswith("xl/drawings/"))
    assert b"Figures are provisional" not in drawings and b"<sp>" not in drawings
    assert b"<pic>" in drawings
    assert any(name.startswith("xl/media/") for name in after)


def test_openpyxl_really_drops_form_controls_and_threaded_comments() -> None:
    assert not any("ctrlProps" in name for name in parts_of(round_trip(fx.with_form_control())))
    assert not any("threadedComments" in name
                   for name in parts_of(round_trip(fx.with_threaded_comment())))


def test_openpyxl_really_drops_cached_formula_values(tmp_path: Path) -> None:
    assert losses_of(tmp_path, round_trip(fx.with_cached_formulas(2))) == []
    assert b"<v>10</v>" not in parts_of(round_trip(fx.with_cached_formulas(2)))[fx.SHEET1]


def test_openpyxl_keeps_what_the_scanner_lets_through(tmp_path: Path) -> None:
    before = fx.rich_openpyxl_xlsx()
    after = parts_of(round_trip(before))
    assert set(after) == set(parts_of(before))
    book = openpyxl.load_workbook(io.BytesIO(round_trip(before)))
    measures = book["Measures"]
    assert measures["B2"].comment is not None
    assert "tblMeasures" in measures.tables
    assert measures.data_validations.dataValidation
    assert measures.conditional_formatting
    assert len(measures._images) == 1
    assert "Targets" in book.defined_names
