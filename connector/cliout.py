"""What the command prints: one line per item, totals, and one JSON document per run.

Every ``--json`` run prints exactly one document on stdout, on success and on failure, in one
shape (keys in snake_case)::

    {"ok", "command", "exit_code", "error": null | {"kind", "message", "hint"},
     "problems": [{"collection", "path", "line", "item", "key", "message"}], ...the run's report...}

Files are named as ``userpaths`` says: relative to the project root, the line apart.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Callable

import click
from rich.console import Console

from . import errors
from .advice import print_advice
from .itemlines import item_lines
from .export.output import ExportClashError
from .export.run import MissingAssetsError
from .plan import DeleteLimitError, EmptySideError
from .reads import IncompleteReadError
from .report import Report, problem_dict
from .resync import ResyncRefusedError
from .schema_lock import STOPPED_HINT
from .userpaths import as_problem, first_lines, problem_text, project_paths, shown
from .words import counted

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CONFLICTS, EXIT_LOCKED = 0, 1, 2, 3, 4

#: error class -> the ``kind`` a script can branch on; the first match in this order wins
KINDS: list[tuple[type[BaseException], str]] = [
    (errors.LockedError, "locked"),
    (errors.LocalValidationError, "validation"),
    (errors.MappingError, "mapping"),
    (ExportClashError, "would_overwrite"),
    (errors.ConfigError, "config"),
    (errors.AuthError, "auth"),
    (errors.MissingScopeError, "auth"),
    (errors.UnreachableError, "network"),
    (errors.TransportError, "network"),
    (errors.RateLimitedError, "rate_limit"),
    (errors.OutcomeUnknownError, "outcome_unknown"),
    (errors.ApiError, "api"),
    (DeleteLimitError, "delete_limit"),
    (EmptySideError, "empty_side"),
    (errors.UnsafePathError, "unsafe_path"),
    (ResyncRefusedError, "resync_refused"),
    (click.UsageError, "usage"),
    (click.ClickException, "usage"),
    (MissingAssetsError, "missing_assets"),
    (IncompleteReadError, "incomplete_read"),
    (errors.FileChangedError, "file_changed"),
    (errors.ValueProblem, "validation"),
]
# every WfsyncError has its own kind above: a script never has to branch on a catch-all


def error_kind(exc: BaseException) -> str:
    return next((kind for cls, kind in KINDS if isinstance(exc, cls)), "internal")


def exit_code_of(exc: BaseException) -> int:
    if getattr(exc, "stopped", None):  # collections stopped by a schema drift: 2 wins over 1, as after a run
        return EXIT_USAGE
    if isinstance(exc, errors.LockedError):
        return EXIT_LOCKED
    if isinstance(exc, (errors.ConfigError, click.UsageError)):
        return EXIT_USAGE
    if isinstance(exc, click.ClickException):
        return exc.exit_code
    return EXIT_ERROR


def error_hint(exc: BaseException) -> str:
    if isinstance(exc, click.UsageError):
        ctx = exc.ctx
        return f"See `{ctx.command_path} --help`." if ctx is not None else "See `wfsync --help`."
    if isinstance(exc, errors.WfsyncError):
        return getattr(exc, "hint", "") or ""
    return "This is a bug in wfsync: run again with -vv and report the output."


def error_message(exc: BaseException) -> str:
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, errors.WfsyncError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def structured_problems(exc: BaseException) -> list[dict[str, Any]]:
    """The problems an error carries, as report problems (file problems keep path, key and line),
    after those of the collections the run had stopped (``schema_lock.carry``)."""
    drift = [problem_dict(p) for p in getattr(exc, "drift", None) or []]
    return drift + [as_problem(p) for p in getattr(exc, "problems", None) or []]


def stopped_line(stopped: list[str], finished: bool = True) -> str:
    """What a run that stopped collections says of them; ``finished``: the others were synced
    (else the run failed for another reason, said below)."""
    if finished:
        return f"{', '.join(stopped)}: not synced (a mapped field changed in Webflow). {STOPPED_HINT}"
    return (f"{', '.join(stopped)}: not synced (a mapped field changed in Webflow): do what its problem says (in "
            "the mapping file it names) as well.")


def error_document(exc: BaseException, command: str, prefix: str = "") -> dict[str, Any]:
    code = exit_code_of(exc)
    return project_paths({"ok": False, "command": command, "exit_code": code, "snapshot": prefix or None,
            "error": {"kind": error_kind(exc), "message": error_message(exc), "hint": error_hint(exc)},
            "problems": structured_problems(exc), "stopped": list(getattr(exc, "stopped", None) or []), "conflicts": [], "collections": [], "actions": [],
            "skipped": [], "warnings": [], "api_calls": getattr(exc, "api_calls", 0)}, prefix)


def report_exit_code(report: Report) -> int:
    if report.stopped:  # the mapping needs the user before those collections sync again
        return EXIT_USAGE
    if report.conflicts:
        return EXIT_CONFLICTS
    return EXIT_ERROR if report.problems else EXIT_OK


def inspection_exit_code(report: Report, differs: bool, with_exit_code: bool) -> int:
    """``status``: like git, 0 whatever differs (``--exit-code``: 1 when something does);
    1 when a file or an item has a problem to fix, as a compiler or a linter would, so a cron job or
    an editor learns of an unreadable or invalid file without parsing the output."""
    if report.problems or (with_exit_code and differs):
        return EXIT_ERROR
    return EXIT_OK


def report_error(report: Report) -> dict[str, str] | None:
    """A finished run that did not go cleanly still says why, in the same shape as a failed one."""
    if report.stopped:
        return {"kind": "schema_drift", "message": f"{', '.join(report.stopped)}: not synced, a mapped field changed "
                                                   "in Webflow; see problems", "hint": STOPPED_HINT}
    if report.conflicts:
        return {"kind": "conflicts", "message": f"{counted(len(report.conflicts), 'conflict')} left for you; nothing "
                                                "was overwritten", "hint": conflict_hint(report)}
    if report.problems:
        return {"kind": "problems", "message": f"{counted(len(report.problems), 'problem')}; see problems",
                "hint": "Fix the files or items listed; the rest of the run went through."}
    return None


def conflict_hint(report: Report) -> str:
    """What to do about the run's conflicts: merge against the ``.remote.md`` copies when the run
    wrote them; a run that wrote none (status, diff, --dry-run) names no copy that is not there."""
    if any(c.get("remote_copy") for c in report.conflicts):
        return ("Merge each file by hand (Webflow's version is beside it, as .remote.md), then run `wfsync sync "
                "--on-conflict local PATH` for that file (only that file's conflict is decided); or keep Webflow's "
                "version by moving the .remote.md copy over the file.")
    return ("Run `wfsync sync` to keep Webflow's version beside each file (as .remote.md) and merge by hand; or "
            "decide a file outright with `wfsync sync --on-conflict local|remote PATH`.")


def narrowed(report: Report, keep: Callable[[str], bool]) -> Report:
    """The report as it speaks of the files ``keep`` accepts (snapshot paths): what `diff FILE`
    says is about that file, not about every file of the run. A problem naming no file stays."""
    def about(entry: dict[str, Any]) -> bool:
        path = problem_dict(entry).get("path") if "message" in entry and "path" not in entry else entry.get("path")
        return not path or keep(path)

    return replace(report, problems=[p for p in report.problems if about(p)],
                   conflicts=[c for c in report.conflicts if about(c)],
                   warnings=[w for w in report.warnings if about(w)])


def report_document(report: Report, prefix: str = "") -> dict[str, Any]:
    data = report.to_dict()
    code = report_exit_code(report)
    return project_paths({"ok": code == EXIT_OK, "command": report.command, "exit_code": code,
                          "snapshot": prefix or None, "error": report_error(report),
                          **{k: v for k, v in data.items() if k not in ("ok", "command")}}, prefix)


def echo_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def print_items(console: Console, report: Report, prefix: str, quiet: bool) -> None:
    """One line per item; with -q only conflicts and invalid files (the user has something to do)."""
    for line in item_lines(report, prefix, first_lines(problem_dict(p) for p in report.problems)):
        if quiet and not line.urgent:
            continue
        console.print(line.text(12 if report.dry_run else 9), highlight=False, markup=False, soft_wrap=True)


TOTALS = {
    "pull": ("written", "unchanged", "removed", "skipped", "conflicts", "pending"),
    "push": ("created", "updated", "deleted", "published", "conflicts", "pending"),
}
SYNC_TOTALS = ("pulled", "pushed", "deleted", "merged", "resolved", "published", "removed", "skipped", "conflicts",
               "pending")
TOTAL_WORDS = {"pending": "held"}
#: a dry run's totals say what the run would do, not what it did
WOULD_WORDS = {"written": "would write", "removed": "would remove", "created": "would create",
               "updated": "would update", "deleted": "would delete", "published": "would publish",
               "merged": "would merge", "pulled": "would pull", "pushed": "would push",
               "resolved": "would resolve", "conflicts": "conflicts", "pending": "held"}


def print_totals(console: Console, report: Report) -> None:
    """Per collection, the counts that are not zero; one line each, so it fits any width."""
    names = TOTALS.get(report.command, SYNC_TOTALS)
    width = max((len(c.collection) for c in report.collections.values()), default=0)
    for c in report.collections.values():
        values = {n: getattr(c, n) for n in names}
        if "pushed" in values and "deleted" in values:
            values["pushed"] -= values["deleted"]  # a deletion is told as one, not as something pushed
        if report.dry_run:
            counts = [f"{WOULD_WORDS[n]} {v:,}" if n in WOULD_WORDS and WOULD_WORDS[n].startswith("would")
                      else _count(v, WOULD_WORDS.get(n, n)) for n, v in values.items() if v]
        else:
            counts = [_count(v, TOTAL_WORDS.get(n, n)) for n, v in values.items() if v]
        if report.command == "pull" and not counts:
            counts = ["would write 0" if report.dry_run else "0 written"]
        calls = counted(c.api_calls, "API call")
        console.print(f"{c.collection:<{width}}  {', '.join(counts) or 'nothing to do'} · {calls}",
                      highlight=False, markup=False, soft_wrap=True)


def _count(n: int, word: str) -> str:
    """A total: "1 conflict", "2 conflicts"; participles ("written", "held") do not change."""
    return counted(n, word[:-1]) if word == "conflicts" else f"{n:,} {word}"


def print_problems(console: Console, report: Report, prefix: str, quiet: bool = False) -> None:
    """Problems, then notes and warnings; with -q only what the user has to act on (notes and
    warnings stay in --json), so a cron job that went well mails nothing."""
    for n in [] if quiet else report.notices:
        console.print(f"note: {n['collection']}: {n['message']}", highlight=False, markup=False, soft_wrap=True)
    for raw in report.problems:
        console.print(f"problem: {problem_text(prefix, problem_dict(raw))}", highlight=False, markup=False,
                      soft_wrap=True)
    for w in [] if quiet else report.warnings:
        console.print(f"warning: {shown(prefix, w['path'])}: {w['message']}", highlight=False, markup=False,
                      soft_wrap=True)
    if report.stopped:
        console.print(stopped_line(report.stopped), highlight=False, markup=False, soft_wrap=True)
    if report.conflicts:
        print_advice(console, f"Nothing was overwritten. {conflict_hint(report)}")
