"""The ``ragbook`` command line: a thin layer over the library.

Each command has a one-line summary (for ``ragbook --help``) and its docstring is its
``ragbook COMMAND --help``. Exit status: 0 when all is well (warnings alone included, in
every command), 1 when the plan has an error (or a file could not be used), 2 for a
mistake in the command itself (a plan or folder that does not exist included).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from ragbook import __version__
from ragbook.plan import counts_text
from ragbook.problems import Problem
from ragbook.ratings import COUNTED
from ragbook.workbook.files import PlanFileError
from ragbook.workbook.operations import BadRequest
from ragbook.workbook.time_limit import DEFAULT_SECONDS

OK, PROBLEMS, USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in the command line itself (exit status 2)."""


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise UsageError(f"--as-of expects a date such as 2018-06-30, not {text!r}")


def _existing(path: str) -> Path:
    found = Path(path)
    if not found.exists():
        raise UsageError(f"{path}: no such file")
    return found


def _print_problems(problems: list[Problem], *, limit: int = 200) -> None:
    if not problems:
        print("No problems found.")
        return
    errors = sum(p.severity == "error" for p in problems)
    print(f"{len(problems)} problem(s), {errors} error(s):")
    for item in problems[:limit]:
        print(f"  {item.message}" + ("  (warning)" if item.severity == "warning" else ""))
    if len(problems) > limit:
        print(f"  ... and {len(problems) - limit} more (use --json for all)")


def _status(problems: list[Problem]) -> int:
    """The exit status for a plan's problems: 1 when any is an error; warnings are listed,
    but stop nothing."""
    return PROBLEMS if any(p.severity == "error" for p in problems) else OK


def cmd_new(args: argparse.Namespace) -> int:
    """Write a blank plan workbook to fill in.

    Example: ragbook new "Delivery plan 2019-20.xlsx" --year 2019/20 --quarter Q1
    """
    from ragbook.calendar import FinancialYear, parse_quarter
    from ragbook.workbook.template import new_plan, save

    path = Path(args.plan)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"{path.name}: a new plan is an .xlsx workbook")
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists (use --force to replace it)")
    settings: dict[str, object] = {}
    if args.organisation:
        settings["Organisation"] = args.organisation
    if args.year:
        try:
            settings["Plan year"] = str(FinancialYear.parse(args.year.strip()))
        except ValueError:
            raise UsageError(f"--year: found {args.year!r}; expected a financial year such as "
                             "2019/20 (April 2019 to March 2020)") from None
    if args.quarter:
        try:
            settings["Reporting quarter"] = f"Q{parse_quarter(args.quarter)}"
        except ValueError:
            raise UsageError(f"--quarter: found {args.quarter!r}; expected Q1, Q2, Q3 or Q4 "
                             "(Q1 is April to June)") from None
    save(new_plan(settings), path)
    print(f"Wrote a blank plan to {path}. Fill in the Settings, Outcomes, Actions and "
          "Measures sheets, then run: ragbook recalc " + _quoted(path))
    return OK


def _quoted(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if " " in text else text


def cmd_recalc(args: argparse.Namespace) -> int:
    """Rate every action and measure, and write RAG, Direction, Milestone due,
    Milestone check and Why into the plan's tables.

    The plan is replaced safely (the previous version is kept as PLAN.backup.xlsx);
    with --out the results go to a new file and the plan is not touched.

    Example: ragbook recalc plan.xlsx --as-of 2018-06-30
    """
    from ragbook.workbook.operations import recalculate, saved_elsewhere_message

    plan = _existing(args.plan)
    done = recalculate(plan, out=Path(args.out) if args.out else None, as_of=_as_of(args.as_of),
                       backup=not args.no_backup, seconds=args.time_limit, force=args.force)
    if done.result is None:
        print(f"{plan.name} could not be rated; nothing was written.")
        _print_problems(done.problems)
        return PROBLEMS
    print(f"Rated {plan.name} for {done.result.plan.settings.period.label} "
          f"(as of {done.result.plan.settings.period.as_of:%d/%m/%Y}): "
          f"{counts_text(done.result.counts())}")
    if done.changed_on_disk:
        print(saved_elsewhere_message(done))
    else:
        print(f"Wrote the results to {done.written_to}"
              + (f" (previous version kept as {done.backup.name})" if done.backup else ""))
    _print_problems(done.problems)
    return _status(done.problems)


def cmd_check(args: argparse.Namespace) -> int:
    """List the plan's problems, its milestone report, the red, amber or declining
    items that the commentary does not mention, and the measures whose variation is a
    concern (Making Data Count). Changes nothing.

    Example: ragbook check plan.xlsx --json > report.json
    """
    from ragbook.workbook.operations import check

    plan = _existing(args.plan)
    try:
        checked = check(plan, as_of=_as_of(args.as_of), seconds=args.time_limit)
    except PlanFileError as error:
        if not args.json:
            raise
        print(json.dumps({"file": str(plan), "problems": [error.problem.as_dict()]}, indent=2,
                         ensure_ascii=False))
        return PROBLEMS
    result = checked.result
    if args.json:
        from ragbook.export import summary

        print(json.dumps({
            "file": str(plan),
            **(summary(result) if result else {}),
            "problems": [p.as_dict() for p in checked.problems],
            "milestones": [m._asdict() for m in result.milestones] if result else [],
            "exceptions_without_commentary": [
                {"kind": e.kind, "ref": e.ref, "outcome": e.outcome,
                 "supporting_outcome": e.supporting_outcome, "rag": e.rag,
                 "direction": e.direction, "why": e.reason}
                for e in result.uncommented] if result else [],
            "variation_concerns": [c._asdict() for c in result.concerns] if result else [],
        }, indent=2, ensure_ascii=False))
        return _status(checked.problems)
    if result is None:
        print(f"{plan.name} could not be rated.")
        _print_problems(checked.problems)
        return PROBLEMS
    period = result.plan.settings.period
    print(f"{plan.name}: {result.plan.settings.plan_title}, {period.label} "
          f"(as of {period.as_of:%d/%m/%Y})")
    print(f"Ratings: {counts_text(result.counts())}\n")
    _print_problems(checked.problems)
    print("\nMilestones:")
    if not result.milestones:
        print("  nothing overdue, due this quarter or next")
    for milestone in result.milestones:
        print(f"  {milestone.check}: {milestone.ref} \"{milestone.milestone}\" "
              f"({milestone.detail})")
    print(f"\nRed, amber or declining items the commentary does not mention "
          f"({len(result.uncommented)}):")
    for item in result.uncommented:
        where = item.supporting_outcome or f"outcome {item.outcome} indicators"
        print(f"  {item.ref} {item.reason}: not mentioned in Areas for improvement ({where})")
    if result.concerns:
        print(f"\nMeasures whose variation is a concern ({len(result.concerns)}):")
    for concern in result.concerns:
        print(f"  {concern.ref} {concern.variation}, {concern.assurance}: {concern.why}")
    if result.contradicted:
        print(f"\nStandard sentences a rating contradicts ({len(result.contradicted)}):")
    for said in result.contradicted:
        where = said.supporting_outcome or f"outcome {said.outcome} indicators"
        print(f'  {where}: Areas for improvement is empty, so "{said.sentence}" would print '
              f"beside {said.refs}; the appendix lists them instead")
    return _status(checked.problems)


def cmd_export(args: argparse.Namespace) -> int:
    """Export every action and measure, one row each, with the plan's period and as-of
    date, every input column, the target used, the rating, direction and reason, and
    how many problems the row has, as CSV or JSON for other tools. Quarters exported
    this way stack into one table (the Period column tells them apart).

    CSV is UTF-8 with a byte-order mark, so that Excel shows the arrows; text that a
    spreadsheet would take for a formula gets a ' in front. JSON keeps text exact.
    A plan with problems is still exported (rows that could not be rated have a blank
    RAG); the exit status is then 1.

    Example: ragbook export plan.xlsx --format csv --out ratings.csv
    """
    from ragbook.export import CSV_ENCODING, export_csv, export_json, not_rated
    from ragbook.workbook.operations import export_rows

    plan = _existing(args.plan)
    checked, rows = export_rows(plan, as_of=_as_of(args.as_of), seconds=args.time_limit)
    if checked.result is None:
        with contextlib.redirect_stdout(sys.stderr):  # stdout is for the export itself
            print(f"{plan.name} could not be rated, so nothing was exported.")
            _print_problems(checked.problems)
        return PROBLEMS
    if args.format == "csv":
        data = export_csv(rows).encode(CSV_ENCODING)
    else:
        data = export_json(checked.result, rows, checked.problems).encode("utf-8")
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"Wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    elif (raw := getattr(sys.stdout, "buffer", None)) is not None:
        sys.stdout.flush()
        raw.write(data)  # the bytes themselves: UTF-8 (and the CSV's BOM) on any console
        raw.flush()
    else:  # standard output replaced by text (ragbook called from Python)
        sys.stdout.write(data.decode("utf-8"))
    unrated = not_rated(rows)
    if unrated:
        print(f"{unrated} row{'' if unrated == 1 else 's'} not rated because of problems "
              f"(run `ragbook check {_quoted(plan)}` for the list)", file=sys.stderr)
    elif checked.problems:
        print(f"Every row was rated, but the plan has {len(checked.problems)} problem(s) "
              f"(run `ragbook check {_quoted(plan)}` for the list)", file=sys.stderr)
    return _status(checked.problems)


def cmd_appendix(args: argparse.Namespace) -> int:
    """Build the quarterly appendix for Cabinet: the progress report in the published
    order (RAG key, key action updates, key outcome indicators, commentary), plus a
    summary, the exceptions and the milestone check, for Cabinet; and the Officer's
    checklist (items the commentary does not mention, standard sentences a rating
    contradicts, data issues), which is not for publication. Print-ready: A4
    landscape, one page wide.

    The plan is recalculated first, so the appendix always shows current ratings.
    --into-plan adds the appendix sheets to the plan itself (and writes the ratings),
    replacing it safely as recalc does. --html also writes the accessible web page
    the council publishes ("PLAN appendix.html"), and --pdf the tagged PDF printed
    from it ("PLAN appendix.pdf"); neither holds the Officer's checklist.

    Example: ragbook appendix plan.xlsx --out "Appendix Q1.xlsx" --html --pdf
    """
    from ragbook.workbook.operations import make_appendix, saved_elsewhere_message

    plan = _existing(args.plan)
    if args.into_plan and args.out:
        raise UsageError("--into-plan writes into the plan itself: leave out --out")
    made = make_appendix(plan, out=Path(args.out) if args.out else None,
                         into_plan=args.into_plan, as_of=_as_of(args.as_of),
                         seconds=args.time_limit, html=args.html, pdf=args.pdf)
    if made.appendix is None or made.written_to is None:
        print(f"{plan.name} could not be rated, so no appendix was made.")
        _print_problems(made.problems)
        return PROBLEMS
    pages = made.appendix.visible_pages
    sheets = ", ".join(sheet.name for sheet in made.appendix.sheets if not sheet.hidden)
    if made.losses or made.changed_on_disk:
        print(saved_elsewhere_message(made))
    print(f"Wrote the appendix ({sheets}; about {pages} pages) to {made.written_to}")
    if made.html:
        print(f"Wrote the web page to {made.html}")
    if made.pdf_error:
        print(f"No PDF: {made.pdf_error}", file=sys.stderr)
        return PROBLEMS
    if made.pdf:
        print(f"Wrote the tagged PDF to {made.pdf}")
    if made.problems:
        print(f"The plan has {len(made.problems)} problem(s): see the Officer's checklist sheet, "
              f"or run: ragbook check {_quoted(plan)}")
    return _status(made.problems)


def cmd_roll_forward(args: argparse.Namespace) -> int:
    """Start the next quarter: this quarter's ratings become Previous RAG, actuals
    become Previous actual, History keeps this quarter, this quarter's inputs and
    commentary are cleared, and Settings move on a quarter. Writes a new file.

    Example: ragbook roll-forward "plan Q1.xlsx" --out "plan Q2.xlsx"
    """
    from ragbook.workbook.operations import roll_forward_file

    plan = _existing(args.plan)
    out = Path(args.out)
    done = roll_forward_file(plan, out, as_of=_as_of(args.as_of), seconds=args.time_limit,
                             force=args.force)
    if done.written_to is None:
        print(f"{plan.name} was not rolled forward: fix these first.")
        _print_problems(done.errors or done.problems)
        return PROBLEMS
    assert done.result is not None
    period = done.result.plan.settings.period
    print(f"Rolled {plan.name} from {period.label} to {period.next().label}: wrote {out}")
    return OK


def cmd_batch(args: argparse.Namespace) -> int:
    """Recalculate every plan workbook in a folder into another folder, and
    summarise them (also written as batch-summary.csv in the output folder).

    Example: ragbook batch plans/ --out rated/
    """
    from ragbook.export import write_csv
    from ragbook.workbook.batch import run_batch, run_batch_on_dask
    from ragbook.workbook.operations import plan_files

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    out_dir = Path(args.out)
    if out_dir.resolve() == folder.resolve():
        raise UsageError("--out must be a different folder from the plans")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = plan_files(folder)
    if not files:
        print(f"No .xlsx or .xlsm workbooks in {folder}")
        return OK
    width = max(len(p.name) for p in files)
    if args.dask and args.workers:
        raise UsageError("--workers is for this machine; with --dask the cluster's workers "
                         "share the files out")
    if args.dask:
        lines = run_batch_on_dask(files, out_dir, args.dask, as_of=_as_of(args.as_of),
                                  seconds=args.time_limit, progress=_progress)
    else:
        lines = run_batch(files, out_dir, as_of=_as_of(args.as_of), seconds=args.time_limit,
                          progress=_progress, workers=args.workers)
    print(file=sys.stderr)
    header = ["File", "Status", *COUNTED, "Problems", "Errors", "Output", "Note"]
    table = [[line.file.name, line.status, *(str(line.counts.get(k, "")) for k in COUNTED),
              str(line.problems), str(line.errors), str(line.output or ""), line.message]
             for line in lines]
    summary_path = out_dir / "batch-summary.csv"
    with summary_path.open("w", newline="", encoding="utf-8") as handle:
        write_csv(handle, header, table)
    print(f"{'File':<{width}}  Status    R    A    G  No data  n/a  Not rated  Problems")
    for row in table:
        print(f"{row[0]:<{width}}  {row[1]:<8} {row[2]:>4} {row[3]:>4} {row[4]:>4} "
              f"{row[5]:>8} {row[6]:>4} {row[7]:>10} {row[8]:>9}")
    failed = [line for line in lines if line.status != "ok"]
    for line in failed:
        if line.problems > 1:
            more = line.problems - 1
            print(f"  {line.file.name}: {line.problems} problems ({line.errors} error"
                  f"{'' if line.errors == 1 else 's'}), the first: {line.message}; "
                  f"{more} more: ragbook check {shlex.quote(str(line.file))}")
        else:
            print(f"  {line.file.name}: {line.message}")
    print(f"\n{len(files)} file(s), {len(failed)} with problems. Summary: {summary_path}")
    return PROBLEMS if any(line.status == "failed" or line.errors for line in lines) else OK


def _workers(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected a whole number of workers "
                                         "such as 4")
    return number


def _progress(number: int, total: int, path: Path) -> None:
    name = path.name
    width = 30
    done = width * number // total
    bar = "#" * done + "-" * (width - done)
    columns = shutil.get_terminal_size((100, 20)).columns
    line = f"\r[{bar}] {number}/{total} {name}"
    print(line[:columns - 1].ljust(min(columns - 1, 100)), end="", file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the bundled demo plan (Cumbria County Council, Q1 2018/19) to a folder,
    recalculate it, check it, build its appendix with the web page (and the tagged PDF,
    with WeasyPrint), and say where the files are.

    Example: ragbook demo --out out/demo
    """
    from ragbook.demo import load_demo_plan
    from ragbook.workbook.template import build_plan, save

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = out_dir / "demo_plan_2018-19_Q1.xlsx"
    save(build_plan(load_demo_plan()), plan)
    print(f"Wrote the demo plan (as in workbook_templates/) to {plan}\n")
    print(f"$ ragbook recalc {_quoted(plan)}")
    cmd_recalc(argparse.Namespace(plan=str(plan), out=None, as_of=None, no_backup=False,
                                  force=False, time_limit=DEFAULT_SECONDS))
    print(f"\n$ ragbook check {_quoted(plan)}")
    cmd_check(argparse.Namespace(plan=str(plan), as_of=None, json=False,
                                 time_limit=DEFAULT_SECONDS))
    from ragbook.appendix.publish import pdf_available
    from ragbook.workbook.files import backup_path
    from ragbook.workbook.operations import appendix_file_for

    pdf = pdf_available()
    print(f"\n$ ragbook appendix {_quoted(plan)} --html" + (" --pdf" if pdf else ""))
    cmd_appendix(argparse.Namespace(plan=str(plan), out=None, into_plan=False, html=True,
                                    pdf=pdf, as_of=None, time_limit=DEFAULT_SECONDS))
    appendix = appendix_file_for(plan)
    print("\nFiles:")
    print(f"  {plan}  the demo plan, rated")
    print(f"  {backup_path(plan)}  the plan before rating")
    print(f"  {appendix}  the quarterly appendix (with the Officer's checklist)")
    print(f"  {appendix.with_suffix('.html')}  the appendix as a web page, to publish")
    if pdf:
        print(f"  {appendix.with_suffix('.pdf')}  the appendix as a tagged PDF, to publish")
    else:
        print("  (no PDF: WeasyPrint is not installed: pip install 'ragbook[pdf]')")
    return OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server behind the ragbook Excel add-in (xlwings Server): the task
    pane, the ragbook ribbon tab and the =RAGBOOK.RAG() worksheet functions.
    Officers install the add-in from its manifest (http://HOST:PORT/manifest).

    Excel only loads add-ins over HTTPS: put certificates in the project's certs/
    folder, or run behind the council's HTTPS proxy. Settings come from the
    environment or the project's .env (see addin/.env.example). Stop with Ctrl+C.

    Example: ragbook serve --host 127.0.0.1 --port 8000
    """
    try:
        from ragbook.excel.server import AddinError, run
    except ImportError as error:
        raise UsageError(f"the add-in needs its extra packages ({error}): "
                         "pip install 'ragbook[addin]'") from error
    if not 0 < args.port < 65536:
        raise UsageError(f"--port expects a number from 1 to 65535, not {args.port}")
    try:
        run(args.host, args.port, project=Path(args.project) if args.project else None)
    except AddinError as error:
        raise UsageError(str(error)) from error
    return OK


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int],
                          Callable[[argparse.ArgumentParser], None]]] = {}
SUMMARIES: dict[str, str] = {}
"""Each command's one-line summary in ``ragbook --help``: short enough to stay on one line
of an 80-column terminal (the handler's docstring is the full ``ragbook COMMAND --help``)."""


def _command(name: str, handler: Callable[[argparse.Namespace], int], summary: str):
    def register(configure: Callable[[argparse.ArgumentParser], None]):
        COMMANDS[name] = (handler, configure)
        SUMMARIES[name] = summary
        return configure
    return register


@_command("new", cmd_new,
          "Write a blank plan workbook to fill in")
def _new(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the workbook to write (.xlsx)")
    p.add_argument("--organisation", help="the council's name, for Settings")
    p.add_argument("--year", help="the plan year, e.g. 2019/20")
    p.add_argument("--quarter", help="the reporting quarter, Q1 to Q4")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds such as 300, not {text!r}")
    return seconds


def _as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="rate as of this date (default: the Settings as-of date, or the "
                        "quarter end)")
    p.add_argument("--time-limit", metavar="SECONDS", type=_seconds, default=DEFAULT_SECONDS,
                   help=f"stop reading and rating a file after this long (default "
                        f"{DEFAULT_SECONDS:g}; in batch, each file's own limit)")


@_command("recalc", cmd_recalc,
          "Rate the plan and write the ratings into its tables")
def _recalc(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the plan workbook (.xlsx or .xlsm)")
    p.add_argument("--out", help="write to this new file instead of replacing the plan")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--no-backup", action="store_true", help="do not keep PLAN.backup.xlsx")
    _as_of_option(p)


@_command("check", cmd_check,
          "List the plan's problems and milestones; changes nothing")
def _check(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the plan workbook (.xlsx or .xlsm)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    _as_of_option(p)


@_command("export", cmd_export,
          "Export every rated action and measure as CSV or JSON")
def _export(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the plan workbook (.xlsx or .xlsm)")
    p.add_argument("--format", choices=("csv", "json"), required=True,
                   help="csv (UTF-8 with a byte-order mark, for Excel) or json")
    p.add_argument("--out", help="the file to write (default: print; messages go to stderr)")
    _as_of_option(p)


@_command("appendix", cmd_appendix,
          "Build the quarterly appendix for Cabinet (and a PDF)")
def _appendix(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the plan workbook (.xlsx or .xlsm)")
    p.add_argument("--out", help='the appendix workbook (default: "PLAN appendix.xlsx")')
    p.add_argument("--into-plan", action="store_true",
                   help="add the appendix sheets to the plan itself instead")
    p.add_argument("--html", action="store_true",
                   help="also write the accessible web page, for the council's website")
    p.add_argument("--pdf", action="store_true",
                   help="also write the tagged PDF, printed from the web page (needs WeasyPrint)")
    _as_of_option(p)


@_command("roll-forward", cmd_roll_forward,
          "Start the next quarter's plan in a new file")
def _roll_forward(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the plan workbook for the quarter just finished")
    p.add_argument("--out", required=True, help="the new workbook for the next quarter")
    p.add_argument("--force", action="store_true",
                   help="replace --out if it exists, and roll forward a quarter in which "
                        "nothing was reported")
    _as_of_option(p)


@_command("batch", cmd_batch,
          "Recalculate every plan in a folder into another folder")
def _batch(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="the folder of plan workbooks")
    p.add_argument("--out", required=True, help="the folder for the rated copies")
    p.add_argument("--workers", type=_workers, metavar="N",
                   help="rate N files at once (default: one per core of this machine)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="rate the files on the Dask cluster at ADDRESS (tcp://host:8786); "
                        "its workers must see the folders at the same paths")
    _as_of_option(p)


@_command("demo", cmd_demo,
          "Rate the bundled demo plan and build its appendix")
def _demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="out/demo", help="the folder for the demo files")


@_command("serve", cmd_serve,
          "Run the server behind the ragbook Excel add-in")
def _serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: this computer only; "
                        "0.0.0.0 for every network interface)")
    p.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    p.add_argument("--project", metavar="DIR",
                   help="the add-in project folder (default: addin/ in the ragbook folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ragbook",
        description="RAG (red/amber/green) ratings for council delivery plans kept in Excel.",
        epilog="ragbook COMMAND --help says what a command does, with its options and an "
               "example. Exit status: 0 all is well (warnings alone give 0); 1 the plan has "
               "an error, or a file cannot be used; 2 a mistake in the "
               "command, a plan or folder that does not exist included.")
    parser.add_argument("--version", action="version", version=f"ragbook {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (handler, configure) in COMMANDS.items():
        sub = commands.add_parser(name, help=SUMMARIES[name],
                                  description=inspect.cleandoc(handler.__doc__ or ""),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        configure(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return USAGE
    try:
        return int(args.handler(args))
    except UsageError as error:
        print(f"ragbook {args.command}: {error}", file=sys.stderr)
        return USAGE
    except PlanFileError as error:
        print(f"ragbook {args.command}: {error}", file=sys.stderr)
        return PROBLEMS
    except BadRequest as error:
        print(f"ragbook {args.command}: {error}", file=sys.stderr)
        return USAGE
    except BrokenPipeError:  # output piped into head, less...
        sys.stderr.close()
        return OK
    except Exception as error:
        if os.environ.get("RAGBOOK_DEBUG"):
            raise
        print(f"ragbook {args.command}: something went wrong inside ragbook "
              f"({type(error).__name__}: {error}). Your workbook was not changed. Please "
              "report this, with the command you ran; RAGBOOK_DEBUG=1 shows the details.",
              file=sys.stderr)
        return PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
