"""The plan workbook as a file: can it be read, can it be replaced, what would
openpyxl lose by saving it, and replacing it without ever damaging it.

The promise (docs/workbook.md, "What the tool promises about the workbook"):
a failed run leaves the officer's file exactly as it was, byte for byte; where
openpyxl would drop something the workbook holds, ragbook says what and writes
a new file instead. :func:`open_check` and :func:`write_check` refuse early
with a :class:`PlanFileError` an officer can act on; :func:`scan_losses` lists
what openpyxl 3.1 would drop; :func:`replace_atomically` and :func:`write_new`
write to a temporary file beside the target and rename it into place only once
it is a complete workbook.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

from ragbook.problems import Problem

MAX_PLAN_BYTES = 200 * 1024 * 1024
"""Bigger than this is not a plan workbook (the officer chose the wrong file)."""

CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
"""An OLE compound file: an old .xls, or how Excel stores a password-protected workbook."""

KINDS = {".xlsx": "xlsx", ".xlsm": "xlsm"}
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
SAVE_AS = "open it in Excel and Save As Excel Workbook (.xlsx)"
REPLACING = ("the file has not been changed: close it in any program using it and try "
             "again, or use --out to write a new file")
WRITING_NEW = "close it in any program using it and try again, or choose another file name"


class PlanFileError(Exception):
    """A plan file ragbook cannot read or cannot safely replace.

    ``problem`` holds the code, what was found and what is expected, placed at
    the file name; ``str()`` is one line for the officer.
    """

    def __init__(self, problem: Problem, message: str | None = None) -> None:
        super().__init__(message or problem.message)
        self.problem = problem
        self.message = message or problem.message

    def __str__(self) -> str:
        return self.message


def _refuse(path: Path, code: str, found: str, expected: str, message: str) -> PlanFileError:
    return PlanFileError(Problem(code=code, found=found, expected=expected, place=path.name),
                         message)


# --- reading ---------------------------------------------------------------------------------


def open_check(path: Path) -> str:
    """The kind of workbook at ``path`` ("xlsx" or "xlsm"), or a PlanFileError
    saying why ragbook cannot read it and what to do."""
    size = _size(path)
    kind = _kind_from_name(path)
    if size == 0:
        raise _refuse(path, "empty-file", "an empty file (0 bytes)", "a saved Excel workbook",
                      f"{path} is empty (0 bytes), so it is not a saved workbook: "
                      "open the plan in Excel and save it again, or use a backup copy")
    if size > MAX_PLAN_BYTES:
        raise _refuse(path, "file-too-large", f"a file of {size // 2**20} MB",
                      f"a plan workbook (at most {MAX_PLAN_BYTES // 2**20} MB)",
                      f"{path} is {size // 2**20} MB, too large to be a plan workbook "
                      f"(the limit is {MAX_PLAN_BYTES // 2**20} MB): check it is the right file")
    _check_contents(path)
    return kind


def _size(path: Path) -> int:
    try:
        status = path.stat()
    except FileNotFoundError:
        raise _refuse(path, "no-such-file", "no such file", "an Excel workbook (.xlsx or .xlsm)",
                      f"{path}: no such file; check the file name and the folder it is in"
                      ) from None
    except OSError as error:
        raise _unreadable(path, error) from None
    if stat.S_ISDIR(status.st_mode):
        raise _refuse(path, "is-a-folder", "a folder", "an Excel workbook (.xlsx or .xlsm)",
                      f"{path} is a folder, not a file: give the plan workbook's own file "
                      "(.xlsx or .xlsm)")
    return status.st_size


def _unreadable(path: Path, error: OSError) -> PlanFileError:
    reason = error.strerror or type(error).__name__
    return _refuse(path, "cannot-read-file", f"a file that cannot be read ({reason})",
                   "a workbook ragbook may read",
                   f"{path} cannot be read ({reason}): check you have permission to open it")


def _kind_from_name(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in KINDS:
        return KINDS[suffix]
    if suffix in (".xls", ".xlsb"):
        old = "old Excel format (.xls)" if suffix == ".xls" else "Excel Binary format (.xlsb)"
        raise _refuse(path, "old-excel-format", f"a workbook in the {old}",
                      "an Excel Workbook (.xlsx or .xlsm)",
                      f"{path} is in the {old}, which ragbook cannot read: {SAVE_AS}")
    shown = f"a {suffix} file" if suffix else "a file with no extension"
    raise _refuse(path, "not-an-excel-file", shown, "an Excel workbook (.xlsx or .xlsm)",
                  f"{path} is not an Excel workbook ({shown}): ragbook reads Excel workbooks "
                  f"(.xlsx or .xlsm); if the plan is in another format, {SAVE_AS}")


def _check_contents(path: Path) -> None:
    try:
        with path.open("rb") as file:
            start = file.read(len(CFB_SIGNATURE))
    except OSError as error:
        raise _unreadable(path, error) from None
    if start == CFB_SIGNATURE:
        raise _refuse(path, "password-protected", "a password-protected (encrypted) workbook",
                      "a workbook without a password",
                      f"{path} is password-protected (encrypted): remove the password in Excel "
                      "(File > Info > Protect Workbook) and try again. If it is an old .xls "
                      f"file renamed to {path.suffix}, {SAVE_AS}")
    missing = _missing_parts(path)
    if missing:
        raise _refuse(path, "damaged-workbook", f"a damaged file ({missing})",
                      "an Excel workbook (.xlsx or .xlsm)",
                      f"{path} is damaged or is not an Excel workbook ({missing}): open it in "
                      "Excel and save it again, or use a backup copy")


def _missing_parts(path: Path) -> str:
    """What is wrong with the zip package, or "" if it has the parts of a workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            absent = [part for part in REQUIRED_PARTS if part not in names]
            if absent:
                return "it has no " + " or ".join(absent)
            for part in REQUIRED_PARTS:
                archive.read(part)  # checks the part's CRC
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError):
        return "it is not a complete zip package"
    except OSError as error:
        raise _unreadable(path, error) from None
    return ""


def load_options(kind: str) -> dict[str, Any]:
    """Keyword arguments for ``openpyxl.load_workbook``: an .xlsm keeps its VBA."""
    return {"keep_vba": True} if kind == "xlsm" else {}


# --- replacing: can we? ----------------------------------------------------------------------


def write_check(path: Path) -> None:
    """Refuse, before any work is done, to replace a file that cannot safely be
    replaced: open in Excel or LibreOffice, read-only, or in a read-only folder."""
    for lock, program in lock_files(path):
        if lock.exists():
            raise _open_elsewhere(path, lock, program)
    if path.exists() and _read_only(path):
        raise _refuse(path, "file-read-only", "a read-only file", "a file ragbook may replace",
                      f"{path} is read-only, so ragbook cannot save over it: use --out to "
                      "write a new file, or clear its read-only setting and try again")
    _check_folder(path)


def lock_files(path: Path) -> list[tuple[Path, str]]:
    """The lock files Excel or LibreOffice keep beside ``path`` while it is open.

    Excel's owner file is ``~$`` + the whole name (``~$plan.xlsx``). Word, and by
    some accounts Excel, instead put ``~$`` over the first character (7-character
    names) or first two characters (longer names), so those forms count too,
    unless the folder holds the file the shorter lock would belong to.
    LibreOffice's lock is ``.~lock.plan.xlsx#``.
    """
    name, folder = path.name, path.parent
    locks = [(folder / f"~${name}", "Excel")]
    for dropped, shortest in ((1, 7), (2, 8)):
        owner = name[dropped:]
        if len(path.stem) >= shortest and not (folder / owner).exists():
            locks.append((folder / f"~${owner}", "Excel"))
    locks.append((folder / f".~lock.{name}#", "LibreOffice"))
    return locks


def _open_elsewhere(path: Path, lock: Path, program: str) -> PlanFileError:
    leftover = (" If Excel is not running, the lock file was left behind: delete it"
                if program == "Excel" else "")
    return _refuse(path, "open-in-another-program", f"a file open in {program}",
                   "a closed file",
                   f"{path} is open in {program} (its lock file {lock.name} is beside it): "
                   f"close it in {program} and try again, or use --out to write a new file."
                   + leftover)


def _read_only(path: Path) -> bool:
    """By the permission bits, not os.access: root may write anything, the officer may not."""
    return path.stat().st_mode & WRITE_BITS == 0


def _check_folder(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise _refuse(path, "no-such-folder", f"no folder {folder}", "an existing folder",
                      f"The folder {folder} does not exist: create it or choose another "
                      f"place for {path.name}")
    if _read_only(folder) or not _can_create_in(folder):
        raise _refuse(path, "folder-read-only", "a read-only folder",
                      "a folder ragbook may write in",
                      f"{path} is in a read-only folder ({folder}), so ragbook cannot save "
                      "it there: use --out to write a new file in another folder")


def _can_create_in(folder: Path) -> bool:
    try:
        handle, name = tempfile.mkstemp(prefix=".~ragbook-check-", suffix=".tmp", dir=folder)
    except OSError:
        return False
    os.close(handle)
    with contextlib.suppress(OSError):
        os.remove(name)
    return True


# --- replacing: doing it ---------------------------------------------------------------------


def backup_path(path: Path) -> Path:
    """``plan.xlsx`` -> ``plan.backup.xlsx``, beside it."""
    return path.with_name(f"{path.stem}.backup{path.suffix}")


def replace_atomically(path: Path, write: Callable[[Path], None], *,
                       backup: bool = True) -> Path | None:
    """Replace ``path`` with what ``write`` writes, or leave it exactly as it was.

    ``write`` is given a new hidden file in the same folder; only when that file
    is a complete workbook is the old one copied to :func:`backup_path` (if
    ``backup``) and the new one renamed over it, with the old permission bits.
    On any failure, even Ctrl+C, the temporary file is removed and the error
    raised. Returns the backup's path.
    """
    target = Path(os.path.realpath(path))
    temporary = _new_temporary(target)
    try:
        write(temporary)
        with _saving(target):
            _check_written(temporary, target)
            kept = _copy_backup(target) if backup else None
            _match_permissions(temporary, target.stat())
            _move_into_place(temporary, target)
    except BaseException:
        _remove(temporary)
        raise
    return kept


def write_new(path: Path, write: Callable[[Path], None], *,
              source: Path | None = None) -> None:
    """Write a new workbook at ``path`` (an ``--out`` file) through a temporary
    file, never half-written. Refuses to write over ``source``, the plan itself."""
    if source is not None and _same_file(path, source):
        raise _refuse(path, "out-is-the-plan", "the plan itself", "a new file name",
                      f"{path} is the plan itself: give --out a new file name")
    _check_folder(path)
    temporary = _new_temporary(path, WRITING_NEW)
    try:
        write(temporary)
        with _saving(path, WRITING_NEW):
            _check_written(temporary, path)
            model = path if path.exists() else source
            _match_permissions(temporary, model.stat() if model else None)
            _move_into_place(temporary, path)
    except BaseException:
        _remove(temporary)
        raise


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.realpath(one) == os.path.realpath(other)


def _new_temporary(target: Path, advice: str = REPLACING) -> Path:
    with _saving(target, advice):
        handle, name = tempfile.mkstemp(prefix=f".~ragbook-{target.name}-", suffix=".tmp",
                                        dir=target.parent)
        os.close(handle)
    return Path(name)


@contextlib.contextmanager
def _saving(target: Path, advice: str = REPLACING) -> Iterator[None]:
    """Turn a failure of ragbook's own file handling into a message for the officer."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _refuse(target, "cannot-save", f"a file that could not be saved ({reason})",
                      "a file ragbook may save",
                      f"ragbook could not save {target} ({reason}); {advice}") from error


def _check_written(temporary: Path, target: Path) -> None:
    """The new file is a complete workbook, or nothing is replaced."""
    problem = _missing_parts(temporary) if temporary.stat().st_size else "it is empty"
    if not problem:
        with zipfile.ZipFile(temporary) as archive:
            bad = archive.testzip()
        problem = f"its part {bad} is damaged" if bad else ""
    if problem:
        raise _refuse(target, "write-failed", f"a new file that is not a workbook ({problem})",
                      "a complete workbook",
                      f"ragbook could not write {target}: the new file was not a complete "
                      f"workbook ({problem}); the file has not been changed")


def _copy_backup(target: Path) -> Path:
    """Copy the current file to its backup, itself through a temporary file."""
    backup = backup_path(target)
    temporary = _new_temporary(backup)
    try:
        shutil.copy2(target, temporary)
        os.replace(temporary, backup)
    except BaseException:
        _remove(temporary)
        raise
    return backup


def _match_permissions(temporary: Path, model: os.stat_result | None) -> None:
    """Give the new file the old one's permission bits (and owner, where allowed)."""
    if model is None:
        os.chmod(temporary, 0o644)
        return
    os.chmod(temporary, stat.S_IMODE(model.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(temporary, model.st_uid, model.st_gid)


def _move_into_place(temporary: Path, target: Path) -> None:
    with temporary.open("rb+") as file:
        os.fsync(file.fileno())
    os.replace(temporary, target)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# --- what openpyxl would lose ----------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """Something the workbook holds that openpyxl would drop or damage on saving."""

    what: str
    where: str


SHAPES = "shapes and text boxes"
SMARTART = "SmartArt graphics"
PICTURES_NO_PILLOW = "pictures (Pillow, which openpyxl needs for pictures, is not installed)"
PICTURES_WMF = "WMF and EMF pictures"
SVG_PICTURES = "SVG pictures (only their PNG copies would be kept)"
CHARTS = "charts (their formatting)"
SPARKLINES = "sparklines"
NEW_CONDITIONAL_FORMATS = "newer conditional formatting (data bars, icon sets)"
NEW_DATA_VALIDATION = "newer-style data validation (such as drop-down lists from another sheet)"
FORM_CONTROLS = "form controls (check boxes, buttons, drop-downs)"
ACTIVEX = "ActiveX controls"
CONTROLS = "form controls or ActiveX controls"
EMBEDDED = "embedded objects (files inserted into a sheet)"
HEADER_PICTURES = "pictures in the page header or footer"
SLICERS = "slicers"
TIMELINES = "timelines"
PIVOT_TABLES = "pivot tables (openpyxl keeps them only in part)"
THREADED_COMMENTS = "threaded comments (they would become old-style notes)"
NEWER_CHARTS = "charts of the newer kinds (waterfall, treemap, funnel...)"
DYNAMIC_ARRAYS = "dynamic array formulas and data types (they would become old-style formulas)"
CUSTOM_XML = "custom XML data (such as Power Query queries or SharePoint information)"
SENSITIVITY_LABEL = "the sensitivity label"
OTHER = "other content openpyxl does not read"


def cached_values(count: int) -> str:
    """The saved results of formulas, which openpyxl writes back empty."""
    if count == 1:
        return ("the cached value of 1 formula (Excel recalculates it when the file is next "
                "opened, but other programs will show it empty)")
    return (f"cached values of {count} formulas (Excel recalculates them when the file is next "
            "opened, but other programs will show them empty)")


_EXTENSIONS = {
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}": NEW_CONDITIONAL_FORMATS,
    "{B025F937-C7B1-47D3-B67F-A62EFF666E3E}": NEW_CONDITIONAL_FORMATS,
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}": NEW_DATA_VALIDATION,
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}": SPARKLINES,
    "{A8765BA9-456A-4DAB-B4F3-ACF838C121DE}": SLICERS,
    "{3A4CF648-6AED-40F4-86FF-DC5316D8AED3}": SLICERS,
    "{7E03D99C-DC04-49D9-9315-930204A7B6E9}": TIMELINES,
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}": "protected ranges",
    "{01252117-D84E-4E92-8308-4BE1C098FCBB}": "ignored-error markers",
    "{F7C9EE02-42E1-4005-9D12-6889AFFD525C}": "Office add-in data",
}
"""Worksheet extensions (extLst) by uri: openpyxl 3.1 drops every one of them."""

_PART_LOSSES = (
    ("xl/charts/chartEx", NEWER_CHARTS),
    ("xl/charts/chart", CHARTS),
    ("xl/ctrlProps/", FORM_CONTROLS),
    ("xl/activeX/", ACTIVEX),
    ("xl/embeddings/", EMBEDDED),
    ("xl/slicers/", SLICERS),
    ("xl/timelines/", TIMELINES),
    ("xl/pivotTables/", PIVOT_TABLES),
    ("xl/threadedComments/", THREADED_COMMENTS),
    ("xl/queryTables/", "query tables (the links from tables to their data sources)"),
    ("xl/connections.xml", "data connections"),
    ("xl/model/", "the data model (Power Pivot)"),
    ("xl/metadata.xml", DYNAMIC_ARRAYS),
    ("xl/richData/", "pictures in cells and linked data types"),
    ("xl/webextensions/", "Office add-in data"),
    ("customXml/", CUSTOM_XML),
    ("customUI", "custom ribbon buttons"),
    ("docMetadata/", SENSITIVITY_LABEL),
)
"""Parts openpyxl drops (or, for charts and pivot tables, re-writes), by name prefix."""

_KEPT = (
    "[Content_Types].xml", "docProps/app.xml", "docProps/core.xml", "docProps/custom.xml",
    "xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml", "xl/theme/", "xl/worksheets/",
    "xl/chartsheets/", "xl/tables/", "xl/comments", "xl/media/", "xl/charts/",
    "xl/externalLinks/", "xl/pivotCache/", "xl/drawings/", "xl/vbaProject",
    # Not kept, but nothing an officer made: Excel rebuilds the calculation chain,
    # page setup stays in the sheet, a thumbnail is only a preview; the list of
    # comment authors and the slicers' and timelines' caches go with the threaded
    # comments, slicers and timelines reported on their sheets.
    "xl/calcChain.xml", "xl/printerSettings/", "docProps/thumbnail", "xl/persons/",
    "xl/slicerCaches/", "xl/timelineCaches/",
)
"""Parts openpyxl keeps, or whose loss does not matter (xl/drawings/ is looked into)."""

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
SVG_BLIP = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class _Package:
    """The parts of a workbook and how they relate, read from its zip."""

    archive: zipfile.ZipFile
    sheets: dict[str, str] = field(default_factory=dict)
    children: dict[str, dict[str, str]] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)

    def read(self, part: str) -> bytes:
        return self.archive.read(part)

    def where(self, part: str) -> str:
        """The sheet a part belongs to (through drawings, charts...), else the part."""
        seen, todo = {part}, [part]
        while todo:
            current = todo.pop(0)
            if current in self.sheets:
                return self.sheets[current]
            for parent in self.parents.get(current, []):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return part


def scan_losses(path: Path) -> list[Loss]:
    """What openpyxl 3.1 would drop or damage if it loaded and saved this workbook,
    sheet by sheet. Reads the zip's parts as text; never builds giant sheet trees."""
    with zipfile.ZipFile(path) as archive:
        package = _read_package(archive)
        losses = [*_sheet_losses(package), *_part_losses(package)]
        order = {name: index for index, name in enumerate(package.sheets.values())}
    unique = list(dict.fromkeys(losses))
    named = {(loss.where, loss.what) for loss in unique}
    unique = [loss for loss in unique if not (
        loss.what == CONTROLS and {(loss.where, FORM_CONTROLS), (loss.where, ACTIVEX)} & named)]
    return sorted(unique, key=lambda loss: order.get(loss.where, len(order)))


def describe_losses(losses: Iterable[Loss]) -> str:
    """``sparklines in Measures and Actions; shapes and text boxes in Dashboard``."""
    places: dict[str, list[str]] = {}
    for loss in losses:
        places.setdefault(loss.what, []).append(loss.where)
    return "; ".join(f"{what} in {_and(where)}" for what, where in places.items())


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _read_package(archive: zipfile.ZipFile) -> _Package:
    package = _Package(archive)
    for name in archive.namelist():
        source = _rels_source(name)
        if source is not None:
            package.children[source] = _relationships(archive.read(name), source)
    for source, targets in package.children.items():
        for target in targets.values():
            package.parents.setdefault(target, []).append(source)
    package.sheets = _sheet_names(archive, package.children.get("xl/workbook.xml", {}))
    return package


def _sheet_names(archive: zipfile.ZipFile, workbook_rels: dict[str, str]) -> dict[str, str]:
    """Sheet part -> sheet name, in the workbook's order."""
    try:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError):
        return {}
    names = {}
    for sheet in root.iter():
        part = workbook_rels.get(sheet.get(f"{RELATIONSHIPS}id", ""))
        if sheet.tag.endswith("}sheet") and part:
            names[part] = sheet.get("name", part)
    return names


def _rels_source(name: str) -> str | None:
    """``xl/worksheets/_rels/sheet1.xml.rels`` -> ``xl/worksheets/sheet1.xml``."""
    folder, _, file = name.rpartition("_rels/")
    if not file.endswith(".rels") or (folder and not folder.endswith("/")):
        return None
    return folder + file[: -len(".rels")]


def _relationships(xml: bytes, source: str) -> dict[str, str]:
    """Relationship id -> the part it points to (external links left out)."""
    found: dict[str, str] = {}
    try:
        rels = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return found
    for rel in rels.iter():
        target = rel.get("Target")
        if rel.tag.endswith("Relationship") and target and rel.get("TargetMode") != "External":
            found[rel.get("Id", "")] = _resolve(source, unquote(target))
    return found


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _part_losses(package: _Package) -> Iterator[Loss]:
    for part in package.archive.namelist():
        if part.endswith("/") or "_rels/" in part:
            continue
        if part.startswith("xl/drawings/"):
            yield from _drawing_losses(package, part)
            continue
        what = next((what for prefix, what in _PART_LOSSES if part.startswith(prefix)), None)
        if what is None and not part.startswith(_KEPT):
            what = OTHER
        if what is not None:
            yield Loss(what, _where(package, part))


def _where(package: _Package, part: str) -> str:
    """The owning sheet, or for a workbook-wide part its folder (``customXml``)."""
    owner = package.where(part)
    if owner != part:
        return owner
    folder = part.rpartition("/")[0]
    return part if folder in ("", "xl") else folder


def _drawing_losses(package: _Package, part: str) -> Iterator[Loss]:
    if part.endswith(".vml"):
        if _vml_has_controls(package.read(part)):
            yield Loss(FORM_CONTROLS, package.where(part))
        return
    if not part.endswith(".xml"):
        return
    try:
        root = ElementTree.fromstring(package.read(part))
    except ElementTree.ParseError:
        return  # openpyxl cannot read it either: the reader reports the workbook as damaged
    if root.tag != f"{XDR}wsDr":
        return  # shapes drawn on a chart: they go with the chart, reported as such
    where = package.where(part)
    media = package.children.get(part, {})
    for what in dict.fromkeys(_drawn_losses(root, media)):
        yield Loss(what, where)


def _drawn_losses(root: ElementTree.Element, media: dict[str, str]) -> Iterator[str]:
    pillow = _pillow_available()
    for element in root.iter():
        tag = element.tag
        if tag in (f"{XDR}sp", f"{XDR}grpSp", f"{XDR}cxnSp"):
            yield SHAPES
        elif tag == f"{DRAWINGML}graphicData" and element.get("uri") == DIAGRAM_URI:
            yield SMARTART
        elif tag == SVG_BLIP:
            yield SVG_PICTURES
        elif tag == f"{XDR}pic" and not pillow:
            yield PICTURES_NO_PILLOW
        elif tag == f"{DRAWINGML}blip" and pillow:
            target = media.get(element.get(f"{RELATIONSHIPS}embed", ""), "")
            if target.lower().endswith((".wmf", ".emf")):
                yield PICTURES_WMF


def _vml_has_controls(vml: bytes) -> bool:
    """Old-style drawings hold comments' note boxes (rebuilt by openpyxl) and form
    controls (lost)."""
    kinds = set(re.findall(rb'ObjectType\s*=\s*"(\w+)"', vml))
    return bool(kinds - {b"Note"})


def _pillow_available() -> bool:
    """Whether openpyxl can keep pictures: it drops them all without Pillow (it asks
    the very name looked at here)."""
    from openpyxl.reader import drawings

    return bool(getattr(drawings, "PILImage", False))


# --- inside a sheet's XML: searched as bytes, never parsed whole ---


_ROOT = re.compile(rb"<(\w+:)?(?:worksheet|chartsheet|dialogsheet)[\s>]")
_EXTENSION_URI = re.compile(rb'<(?:\w+:)?ext\s[^>]*?uri\s*=\s*"([^"]+)"')
_TAIL_LOSSES = (
    (re.compile(rb"<(?:\w+:)?controls[\s>/]"), CONTROLS),
    (re.compile(rb"<(?:\w+:)?oleObjects[\s>/]"), EMBEDDED),
    (re.compile(rb"<(?:\w+:)?legacyDrawingHF[\s>/]"), HEADER_PICTURES),
)


def _sheet_losses(package: _Package) -> Iterator[Loss]:
    for part, name in package.sheets.items():
        try:
            xml = package.read(part)
        except KeyError:
            continue
        for what in _in_sheet(xml):
            yield Loss(what, name)


def _in_sheet(xml: bytes) -> Iterator[str]:
    root = _ROOT.search(xml, 0, 4096)
    prefix = (root.group(1) or b"") if root else b""
    count = _cached_formulas(xml, prefix)
    if count:
        yield cached_values(count)
    tail = _after_cells(xml)
    for uri in _EXTENSION_URI.findall(tail):
        yield _EXTENSIONS.get(uri.decode("ascii", "replace").upper(),
                              f"Excel extension data ({uri.decode('ascii', 'replace')})")
    for pattern, what in _TAIL_LOSSES:
        if pattern.search(tail):
            yield what


def _after_cells(xml: bytes) -> bytes:
    """What follows ``</sheetData>``: the sheet's settings, drawings and extensions."""
    end = xml.rfind(b"sheetData")
    return xml[xml.find(b">", end) + 1:] if end >= 0 else xml


def _cached_formulas(xml: bytes, prefix: bytes) -> int:
    """Formula cells that carry the value Excel last calculated (``<f>..</f><v>3</v>``)."""
    if b"<" + prefix + b"f" not in xml:
        return 0
    return len(_formula_with_value(prefix).findall(xml))


def _formula_with_value(prefix: bytes) -> re.Pattern[bytes]:
    p = re.escape(prefix)
    return re.compile(rb"<" + p + rb"f(?:\s[^>]*)?(?:/>|>[^<]*</" + p + rb"f>)\s*<" + p
                      + rb"v(?:\s[^>/]*)?>[^<]")
