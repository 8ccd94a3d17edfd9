"""The plan workbook as a file: can it be read, can it be replaced, and replacing it
without ever damaging it.

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
import hashlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ragbook.problems import Problem

MAX_PLAN_BYTES = 200 * 1024 * 1024
"""Bigger than this is not a plan workbook (the officer chose the wrong file)."""

CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
"""An OLE compound file: an old .xls, or how Excel stores a password-protected workbook."""

MAX_PART_BYTES = 64 * 1024 * 1024
"""The most one part of the package may unpack to: a plan of 20,000 rows is about 30 MB."""
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
"""The most the whole package may unpack to."""
MAX_RATIO = 100
"""The most a part of over :data:`RATIO_FROM` bytes may be packed (Excel's parts pack 3 to 20
to 1; a zip bomb, thousands to 1)."""
RATIO_FROM = 1024 * 1024
MAX_PARTS = 10_000
"""The most parts a package may have (a plan has a few dozen)."""
LIMITS = (f"a plan's parts unpack to at most {MAX_PART_BYTES // 2**20} MB each and "
          f"{MAX_PACKAGE_BYTES // 2**20} MB in all, packed at most {MAX_RATIO} to 1")

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
            _check_sizes(path, archive)
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


def _check_sizes(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a package that unpacks to more than a plan could need (a zip bomb), before any
    of it is unpacked. The sizes are the ones the package declares, which Python's zip
    reader holds each part to (a part that inflates further fails its check)."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise _too_big(path, f"it has {len(parts):,} parts (a plan has a few dozen)")
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_PART_BYTES:
            raise _too_big(path, f"its part {part.filename} unpacks to "
                                 f"{part.file_size / 2**20:,.0f} MB")
        if part.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise _too_big(path, f"its part {part.filename} unpacks to "
                                 f"{part.file_size / 2**20:,.0f} MB from "
                                 f"{part.compress_size / 2**20:,.1f} MB ({ratio:,.0f} to 1)")
    if total > MAX_PACKAGE_BYTES:
        raise _too_big(path, f"it unpacks to {total / 2**20:,.0f} MB in all")


def _too_big(path: Path, found: str) -> PlanFileError:
    return _refuse(path, "too-big-to-unpack", found, f"a plan workbook ({LIMITS})",
                   f"{path} is not a workbook ragbook will open: {found}, more than a plan "
                   f"could need ({LIMITS}). It may be damaged, or not a plan: open it in Excel "
                   "and save it again, or use a backup copy. The file has not been changed")


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
    if _read_only(folder) or not _can_create_in(folder, path.name):
        raise _refuse(path, "folder-read-only", "a read-only folder",
                      "a folder ragbook may write in",
                      f"{path} is in a read-only folder ({folder}), so ragbook cannot save "
                      "it there: use --out to write a new file in another folder")


def _can_create_in(folder: Path, name: str) -> bool:
    try:
        handle, name = tempfile.mkstemp(prefix=f".~ragbook-{name}-check-", suffix=".tmp",
                                        dir=folder)
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
                       backup: bool = True, unchanged: str | None = None) -> Path | None:
    """Replace ``path`` with what ``write`` writes, or leave it exactly as it was.

    ``write`` is given a new hidden file in the same folder; only when that file
    is a complete workbook is the old one copied to :func:`backup_path` (if
    ``backup``) and the new one renamed over it, with the old permission bits.
    On any failure, even Ctrl+C, the temporary file is removed and the error
    raised. With ``unchanged`` (the file's :func:`fingerprint` when it was read), a file
    that another program has saved since is not replaced: ChangedOnDisk is raised instead.
    Returns the backup's path.
    """
    target = Path(os.path.realpath(path))
    temporary = _new_temporary(target)
    try:
        write(temporary)
        with _saving(target):
            _check_written(temporary, target)
            if unchanged is not None and fingerprint(target) != unchanged:
                raise ChangedOnDisk(Problem(
                    code="changed-on-disk", found="a file saved by another program since "
                    "ragbook read it", expected="a file only ragbook changes while it runs",
                    place=target.name))
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


def temporary_pattern(name: str) -> str:
    """A regular expression for the hidden temporary files ragbook writes beside ``name``
    (``.~ragbook-plan.xlsx-k3j9x_2a.tmp``), for removing what a killed run left."""
    return rf"^\.~ragbook-{re.escape(name)}-(?:check-)?[a-z0-9_]{{8}}\.tmp$"


def fingerprint(path: Path) -> str:
    """What a file is now (its size, time and contents), to tell whether another program
    saved it since."""
    return read_whole(path)[1]


def read_whole(path: Path) -> tuple[bytes, str]:
    """A file's bytes and their :func:`fingerprint`, read as one version of the file (read
    again if another program saved it while it was being read)."""
    for _ in range(5):
        before = path.stat()
        data = path.read_bytes()
        after = path.stat()
        if (before.st_mtime_ns, before.st_size, before.st_ino) == (
                after.st_mtime_ns, after.st_size, after.st_ino) and len(data) == after.st_size:
            break
    digest = hashlib.sha256(data).hexdigest()
    return data, f"{after.st_size}:{after.st_mtime_ns}:{digest}"


class ChangedOnDisk(PlanFileError):
    """The plan was saved by another program after ragbook read it; it was not replaced."""


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
