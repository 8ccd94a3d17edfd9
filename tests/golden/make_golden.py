"""Regenerate the reference appendix, ``tests/golden/demo_appendix.xlsx``.

The reference is the appendix of the committed demo plan
(``workbook_templates/demo_plan_2018-19_Q1.xlsx``) exactly as the library makes it
(``ragbook.workbook.operations.make_appendix``, what ``ragbook appendix`` runs), with the
document's timestamps and the zip entries' dates fixed so that regenerating an unchanged
appendix gives the same bytes. ``tests/test_appendix.py`` regenerates it into a temporary
folder and compares the two workbooks cell by cell.

Run it only after a deliberate change to the appendix's layout or look::

    make golden        # or: .venv/bin/python tests/golden/make_golden.py

then look at the change (``git diff --stat``; open the workbook, or ``make picture``) and
commit the new reference with the change that caused it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from ragbook.workbook.operations import make_appendix

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEMO_PLAN = ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx"
GOLDEN = HERE / "demo_appendix.xlsx"

FIXED_TIME = "2018-07-01T09:00:00Z"
"""The document's created and modified times (the demo quarter's report date)."""
FIXED_ZIP_DATE = (2018, 7, 1, 9, 0, 0)
_TIMESTAMP = re.compile(
    r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def make_golden(target: Path, plan: Path = DEMO_PLAN) -> Path:
    """Write the demo plan's appendix to ``target``, made deterministic; returns ``target``.

    The plan is copied first, so the committed demo plan is never touched.
    """
    with tempfile.TemporaryDirectory(prefix="ragbook-golden-") as folder:
        copy = Path(folder) / plan.name
        shutil.copyfile(plan, copy)
        made = make_appendix(copy, out=Path(folder) / "appendix.xlsx")
        if made.written_to is None:
            problems = "; ".join(str(problem) for problem in made.problems)
            raise SystemExit(f"{plan.name} gave no appendix: {problems}")
        _deterministic_copy(made.written_to, target)
    return target


def _deterministic_copy(source: Path, target: Path) -> None:
    """Copy an .xlsx with fixed document timestamps and zip dates, entries in their order."""
    with zipfile.ZipFile(source) as original, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _TIMESTAMP.sub(rf"\g<1>{FIXED_TIME}\g<2>", data.decode("utf-8")).encode()
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            copy.writestr(info, data)


def main() -> None:
    make_golden(GOLDEN)
    print(f"Wrote {GOLDEN.relative_to(ROOT)}: check the change, then commit it with the "
          "layout change that caused it.")


if __name__ == "__main__":
    main()
