"""The ``wfsync`` command: builds the objects, calls the engine, prints, maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .client import WebflowClient
from .cliout import (
    EXIT_CONFLICTS,
    EXIT_ERROR,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    echo_json,
    error_document,
    error_hint,
    error_message,
    exit_code_of,
    inspection_exit_code,
    narrowed,
    print_items,
    print_problems,
    print_totals,
    report_document,
    report_exit_code,
    stopped_line,
    structured_problems,
)
from .config import Settings, load_settings
from .state import STATE_DIR, load_state
from .engine import Engine, RunOptions
from .emulator.deviations import MODES as DEVIATION_MODES, PRESETS as DEVIATION_PRESETS
from .errors import ConfigError, WfsyncError
from .stopping import Stopped, stop_on_signals
from .mapping import default_mapping, load_mappings, parse_mapping, render_mapping
from .plan import MAPPING_CHANGED, Policy
from .progress import NoProgress, Progress, TerminalProgress
from .moved_out import MOVED_OUT
from .locales import WITH_ITEM
from .project import display_prefix, project_root, resolve_paths
from .report import Report, problem_dict
from .transport import Transport
from .userpaths import first_lines, located, problem_text, project_paths, shown
from .words import counted, plural

#: the modes `--deviate live` switches on, listed first in the help: the help names every mode
LIVE_MODES = DEVIATION_PRESETS["live"]

__all__ = ["main", "EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_CONFLICTS", "EXIT_LOCKED"]

err_console = Console(stderr=True)


def out_console() -> Console:
    """Standard output as rich sees it. Through a pipe or into a file (a cron log), long lines are
    not wrapped at rich's default 80 columns: a path or a URL cut in two cannot be searched for.
    A width asked for with COLUMNS is still honoured."""
    return Console(soft_wrap=not sys.stdout.isatty() and not os.environ.get("COLUMNS"))
log = logging.getLogger("wfsync.cli")


def explain(exc: BaseException, prefix: str = "") -> int:
    """Print what went wrong and what to do next; return the exit code."""
    for problem in structured_problems(exc):
        err_console.print(f"problem: {problem_text(prefix, problem)}", highlight=False, markup=False, soft_wrap=True)
    if getattr(exc, "stopped", None):
        err_console.print(stopped_line(exc.stopped, finished=False), highlight=False, markup=False, soft_wrap=True)  # type: ignore[attr-defined]
    err_console.print(f"[bold red]error:[/] {escape(error_message(exc))}", highlight=False, markup=True,
                      soft_wrap=True)
    hint = error_hint(exc)
    if hint:
        err_console.print(f"  {hint}", highlight=False, markup=False, soft_wrap=True)
    return exit_code_of(exc)


def fail(exc: BaseException, as_json: bool, command: str, prefix: str = "") -> NoReturn:
    """The end of a run that failed: advice on stderr, or the one JSON document on stdout."""
    if not isinstance(exc, (WfsyncError, click.ClickException)):
        log.debug("unexpected error", exc_info=exc)
    if as_json:
        document = error_document(exc, command, prefix)
        echo_json(document)
        sys.exit(document["exit_code"])
    sys.exit(explain(exc, prefix))


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every error into advice (or one JSON document) and an exit code, never a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (SystemExit, KeyboardInterrupt, click.exceptions.Exit):
            raise
        except Exception as exc:  # noqa: BLE001 - the user gets advice, not a traceback
            ctx = click.get_current_context()
            obj = ctx.obj or {}
            fail(exc, bool(kwargs.get("as_json")), ctx.command_path.split(" ", 1)[-1], obj.get("prefix", ""))

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def make_client(settings: Settings) -> WebflowClient:
    return WebflowClient(Transport(settings.api_base, settings.token, timeout=settings.timeout))


def resolve_site(client: WebflowClient, settings: Settings) -> str:
    if settings.site_id:
        return settings.site_id
    sites = client.list_sites()
    if len(sites) == 1:
        return sites[0].id
    names = ", ".join(f"{s.id} ({s.display_name})" for s in sites) or "none"
    raise ConfigError(f"WEBFLOW_SITE_ID is not set and the token sees {len(sites)} sites: {names}")


def setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING - 10 * verbose if not quiet else logging.ERROR
    logging.basicConfig(level=max(level, logging.DEBUG), stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s", force=True)


#: options of the group that may also be written after the command (`wfsync pull -q`)
GLOBAL_FLAGS = {"-q", "--quiet", "-v", "--verbose"}
GLOBAL_WITH_VALUE = {"--root"}


def hoist_global_options(args: list[str], commands: set[str]) -> list[str]:
    """Move the global options found after the command name in front of it, as git allows."""
    try:
        at = next(i for i, a in enumerate(args) if a in commands)
    except StopIteration:
        return args
    head, tail, moved = args[:at + 1], [], []
    rest = args[at + 1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            tail.extend(rest[i:])
            break
        if arg in GLOBAL_FLAGS or re.fullmatch(r"-v+", arg):
            moved.append(arg)
        elif arg in GLOBAL_WITH_VALUE and i + 1 < len(rest):
            moved.extend(rest[i:i + 2])
            i += 1
        elif any(arg.startswith(f"{o}=") for o in GLOBAL_WITH_VALUE):
            moved.append(arg)
        else:
            tail.append(arg)
        i += 1
    return args[:at] + moved + head[at:] + tail


class WfsyncGroup(click.Group):
    """The top-level command: global options anywhere; with --json, even a usage error is JSON."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(list(args), set(self.commands)))

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if "--json" not in argv or not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        command = next((a for a in argv if a in self.commands), "wfsync")
        try:
            return super().main(argv, prog_name, complete_var, False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            fail(exc, True, command)


TOP_HELP_EPILOG = """\b
Examples:
  wfsync emulator serve --demo --port 8765   # a local Webflow to try things
  wfsync init && wfsync pull                 # mappings, then the files
  wfsync status                              # what would change, each way
  wfsync sync -q --json > last.json          # a scheduled job

\b
Environment:
  WEBFLOW_TOKEN       a site API token (or WEBFLOW_TOKEN_FILE: a file holding it)
  WEBFLOW_SITE_ID     the site (may be left out when the token sees one site)
  WEBFLOW_API_BASE    the API base URL, default https://api.webflow.com/v2
  WFSYNC_ROOT         the project folder (default: the nearest folder upward
                      that holds mappings/, as git finds its repository)
  WFSYNC_TIMEOUT      seconds before a request is abandoned (default 30)
  WFSYNC_WORKERS      processes converting a large pull

\b
Exit codes:
  0  done
  1  error (API, network, files, problems in items)
  2  usage or configuration error
  3  finished, with conflicts left for you (nothing lost)
  4  another run holds the lock on this snapshot
  130, 143  stopped by Ctrl-C or SIGTERM (what was done is recorded)

Global options (-q, -v, --root) may also come after the command."""


@click.group(cls=WfsyncGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=TOP_HELP_EPILOG)
@click.version_option(__version__, prog_name="wfsync")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for HTTP).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (held items and errors still).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder holding mappings/ and snapshots/ (default: found upward from here).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, root: Path | None) -> None:
    """Keep a Webflow CMS and a folder of Markdown files in step."""
    setup_logging(verbose, quiet)
    ctx.obj = {"root": project_root(root), "quiet": quiet, "verbose": verbose, "prefix": ""}


def examples(*lines: str) -> str:
    """A command's help epilog: examples kept as written (click rewraps other paragraphs)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@main.command(epilog=examples("wfsync collections", "wfsync collections --json"))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
@guarded
def collections(ctx: click.Context, as_json: bool) -> None:
    """List the site's collections with their item counts."""
    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    rows = collection_counts(client, site_id)
    if as_json:
        echo_json({"ok": True, "command": "collections", "exit_code": EXIT_OK, "error": None, "site": site_id,
                   "collections": rows, "problems": [], "api_calls": client.stats.total})
    else:
        print_collections(out_console(), rows)


def collection_counts(client: WebflowClient, site_id: str) -> list[dict[str, Any]]:
    rows = []
    for c in client.list_collections(site_id):
        staged = client.list_items_page(c.id, limit=1).total
        live = client.list_items_page(c.id, limit=1, live=True).total
        rows.append({"id": c.id, "slug": c.slug, "name": c.display_name, "items": staged, "live": live})
    return rows


def print_collections(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table(title="Collections")
    table.add_column("slug", no_wrap=True)  # names are never cut: the numbers are short
    table.add_column("name", overflow="fold")
    table.add_column("items", justify="right")
    table.add_column("live", justify="right")
    for r in rows:
        table.add_row(r["slug"], r["name"], str(r["items"]), str(r["live"]))
    console.print(table)


@main.command(epilog=examples("wfsync demo", "wfsync --root /tmp/try demo --keep-running"))
@click.option("--keep-running", is_flag=True, help="Leave the emulator running afterwards (Ctrl-C stops it).")
@click.pass_context
@guarded
def demo(ctx: click.Context, keep_running: bool) -> None:
    """Try wfsync on a demo site, against the embedded emulator.

    Runs wfsync's main job (pull, an edit pushed, an edit pulled back) against the
    embedded Webflow emulator and its demo site."""
    from .emulator.fixtures import demo_state
    from .emulator.server import EmulatorServer

    console = out_console()
    root: Path = ctx.obj["root"]
    server = EmulatorServer(demo_state(), tokens={"demo-token": {"sites:read", "cms:read", "cms:write", "assets:read"}})
    server.start()
    try:
        console.print(f"[bold]Webflow emulator[/] listening on {server.base_url}\n(demo site: Guide de Sierre)")
        client = WebflowClient(Transport(server.base_url, "demo-token"))
        site = client.list_sites()[0]
        rows = collection_counts(client, site.id)
        print_collections(console, rows)
        written = write_demo_mappings(client, site.id, root / "mappings")
        if written:
            console.print(f"Wrote mapping files: {', '.join(written)}")
        snapshot = root / "snapshots" / "demo"
        prefix = display_prefix(root, snapshot)
        engine = Engine(client, site.id, snapshot, load_mappings(root / "mappings"), display=prefix)
        # the demo's emulator starts afresh each time: read everything, not since a cursor
        report = engine.run(RunOptions(command="pull", full=True))
        console.print("\n[bold]wfsync pull[/]")
        print_totals(console, report)
        if report.skipped:
            n = len(report.skipped)
            console.print(f"(skipped: {counted(n, 'item')} {plural(n, 'is')} archived in Webflow, or drafts a "
                          "mapping leaves out; pull does not write them. `wfsync pull --archived` would.)",
                          highlight=False)
        print_problems(err_console, report, prefix)
        files = sorted(p.relative_to(root).as_posix() for p in snapshot.rglob("*.md"))
        console.print(f"\n{counted(len(files), 'Markdown file')} under {prefix}:", highlight=False)
        for name in files[:8]:
            console.print(f"  {name}", highlight=False)
        if len(files) > 8:
            console.print(f"  ... and {len(files) - 8} more")
        social = snapshot / "cms" / "infos" / "social.md"
        if social.exists():
            console.print(f"\n[bold]{social.relative_to(root).as_posix()}[/] (the reference item):")
            console.print(social.read_text(encoding="utf-8")[:700] + "...", markup=False, highlight=False)
        demo_round_trip(console, client, engine, site.id, snapshot)
        console.print("\nNext: try it by hand against a running emulator:\n"
                      "  wfsync emulator serve --demo --data .emulator --port 8765\n"
                      "  (it prints four export lines: paste them in another shell; the token is demo-token)\n"
                      "  in a new folder outside this one (this project already has the demo's snapshot):\n"
                      "  mkdir ../wfsync-try && cd ../wfsync-try && wfsync init && wfsync pull;\n"
                      "  edit a file; wfsync status, diff, push",
                      highlight=False)
        if keep_running:
            console.print(f"export WEBFLOW_API_BASE={server.base_url} WEBFLOW_TOKEN=demo-token WEBFLOW_SITE_ID={site.id}")
            server._thread.join() if server._thread else None  # noqa: SLF001 - block until Ctrl-C
    finally:
        server.stop()


def demo_round_trip(console: Console, client: WebflowClient, engine: Engine, site_id: str, snapshot: Path) -> None:
    """Edit a file and push it; edit the item in Webflow and pull it back."""
    page = snapshot / "cms" / "infos" / "piscines.md"
    if not page.exists():
        return
    console.print("\n[bold]An edit pushed[/]: in cms/infos/piscines.md,\n  f_tag-2: Sport -> Natation")
    page.write_text(page.read_text(encoding="utf-8").replace("f_tag-2: Sport", "f_tag-2: Natation"), encoding="utf-8")
    pushed = engine.run(RunOptions(command="push", policy=Policy(pull=False, push=True), full=True))
    infos = next(c.id for c in client.list_collections(site_id) if c.slug == "infos")
    item = client.find_by_slug(infos, "piscines")
    assert item is not None
    console.print(f"  wfsync push: {counted(sum(c.updated for c in pushed.collections.values()), 'item')} updated;\n"
                  f"  Webflow now says tag-2 = {item.field_data.get('tag-2')!r}")
    console.print("[bold]An edit pulled back[/]: someone renames the item in Webflow")
    client.update_items(infos, [{"id": item.id, "fieldData": {"name": "Piscines de Sierre"}}])
    pulled = engine.run(RunOptions(command="pull", full=True))
    title = next(line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
    console.print(f"  wfsync pull: {counted(sum(c.written for c in pulled.collections.values()), 'file')} written;\n"
                  f"  cms/infos/piscines.md now says {title!r}")


def write_demo_mappings(client: WebflowClient, site_id: str, folder: Path) -> list[str]:
    """The demo's mapping files, unless the folder already has some."""
    from importlib import resources

    if folder.is_dir() and any(folder.glob("*.yaml")):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    shipped = resources.files("connector.emulator").joinpath("fixtures/mappings")
    written = []
    for summary in client.list_collections(site_id):
        target = folder / f"{summary.slug}.yaml"
        ready = shipped.joinpath(f"{summary.slug}.yaml")
        if ready.is_file():
            target.write_text(ready.read_text(encoding="utf-8"), encoding="utf-8")
        else:
            target.write_text(render_mapping(default_mapping(client.get_collection(summary.id))), encoding="utf-8")
        written.append(target.name)
    return written


def print_report(console: Console, report: Report, prefix: str = "", quiet: bool = False) -> None:
    """Every item acted on or held (what a command leaves alone, and why), then the totals;
    problems, notes and conflicts' advice on stderr."""
    print_items(console, report, prefix, quiet)
    if not quiet:
        print_totals(console, report)
    print_problems(err_console, report, prefix, quiet)


def exit_code(report: Report) -> int:
    return report_exit_code(report)


def snapshot_root(settings: Settings, client: WebflowClient, site_id: str, name: str | None) -> Path:
    if not name:
        name = client.get_site(site_id).short_name or site_id
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name):
        raise ConfigError(f"snapshot name {name!r} must be a plain folder name")
    return settings.snapshots_dir / name


def open_project(ctx: click.Context, snapshot: str | None) -> tuple[WebflowClient, str, Path, list[Any]]:
    """Settings, client, site, snapshot folder and mappings of a run; the snapshot's display prefix
    is remembered for every message that follows."""
    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    try:
        site_id = resolve_site(client, settings)
        mappings = load_mappings(settings.mappings_dir)
        if not mappings:
            raise no_project(settings.mappings_dir)
        root = snapshot_root(settings, client, site_id, snapshot)
    except Exception as exc:
        exc.api_calls = client.stats.total  # type: ignore[attr-defined]  # a refused call was still made
        raise
    check_known_snapshot(settings.snapshots_dir, root, ctx.command.name or "")
    ctx.obj["prefix"] = display_prefix(settings.root, root)
    return client, site_id, root, mappings


def check_known_snapshot(snapshots_dir: Path, root: Path, command: str) -> None:
    """A mistyped --snapshot would silently start a second copy of the site (sync) or list every
    item as new (push, status, diff): only pull starts a snapshot once the project has one."""
    if command in ("pull", "resync") or root.exists():
        return
    pulled = sorted(p.parent.name for p in snapshots_dir.glob(f"*/{STATE_DIR}") if p.is_dir())
    if pulled:
        error = ConfigError(f"no snapshot {root.name!r} in {snapshots_dir.name}/ (this project has: {', '.join(pulled)})")
        error.hint = (f"Check --snapshot; to start a new snapshot of the site, run `wfsync pull --snapshot {root.name}` "
                      "first.")
        raise error


def no_project(mappings_dir: Path) -> ConfigError:
    """No mapping file: outside any project (found upward, as git does), or a project not set up yet."""
    if not mappings_dir.is_dir():
        error = ConfigError(f"not in a wfsync project: {mappings_dir.parent.resolve()} has no mappings/ folder")
        error.hint = ("Run wfsync from your project folder (the one holding mappings/, or any folder below it), "
                      "or point --root / WFSYNC_ROOT at it; to start a project here, run `wfsync init`.")
    else:
        error = ConfigError(f"no mapping files in {mappings_dir.as_posix()}/")
        error.hint = "Run `wfsync init` to write one per collection (from the live schemas)."
    return error


def make_progress(ctx: click.Context, as_json: bool) -> Progress:
    """Bars on a terminal only: never for cron, -q or --json."""
    if as_json or ctx.obj["quiet"] or not sys.stderr.isatty():
        return NoProgress()
    return TerminalProgress(err_console)


def run_engine(ctx: click.Context, options: RunOptions, snapshot: str | None, as_json: bool,
               conflict_paths: tuple[str, ...] = ()) -> None:
    client, site_id, root, mappings = open_project(ctx, snapshot)
    if conflict_paths:  # as diff reads its PATHs: files or folders, from here or from the project root
        known = {e.path for e in load_state(root).items.values()}
        options = replace(options, conflict_paths=frozenset(resolve_paths(conflict_paths, ctx.obj["root"], root,
                                                                          known)))
    progress = make_progress(ctx, as_json)
    try:
        with stop_on_signals():
            report = Engine(client, site_id, root, mappings, progress=progress, display=ctx.obj["prefix"]).run(options)
    except Stopped as exc:
        progress.close()
        message = f"stopped by {exc.name}; what Webflow applied is recorded and the lock released"
        if as_json:
            document = error_document(WfsyncError(message), options.command, ctx.obj["prefix"])
            document.update(exit_code=exc.exit_code, api_calls=client.stats.total,
                            error={"kind": "stopped", "message": message,
                                   "hint": "Run the same command again to finish."})
            echo_json(document)
        click.echo(f"wfsync: {message}: run the same command again to finish", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        exc.api_calls = client.stats.total  # type: ignore[attr-defined]  # the failed run's report says it
        raise
    finally:
        progress.close()
    finish(ctx, report, as_json)


def finish(ctx: click.Context, report: Report, as_json: bool) -> NoReturn:
    prefix = ctx.obj["prefix"]
    if as_json:
        echo_json(report_document(report, prefix))
    else:
        print_report(out_console(), report, prefix, quiet=ctx.obj["quiet"])
    sys.exit(exit_code(report))


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--json", "as_json", is_flag=True, help="Print one JSON document (also on failure).")(fn)
    fn = click.option("--dry-run", is_flag=True, help="Say what would change ('would' lines); change nothing.")(fn)
    fn = click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")(fn)
    fn = click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")(fn)
    fn = click.option("--full", is_flag=True, help="Read every item, not only those changed since the last run.")(fn)
    fn = click.option("--full-every", type=click.IntRange(min=0), default=24, show_default=True,
                      help="Incremental runs between two full reads (which also catch deletions).")(fn)
    return fn


@main.command(epilog=examples(
    "wfsync pull                       # every mapped collection",
    "wfsync pull --dry-run             # what would be written",
    "wfsync pull --collection infos -q",
    "wfsync pull --archived --full     # archived items too, everything re-read"))
@common_options
@click.option("--live", is_flag=True, help="Read the published (live) items instead of the staged ones.")
@click.option("--archived/--no-archived", default=None, help="Also pull archived items (default: the mapping's).")
@click.option("--drafts/--no-drafts", default=None, help="Pull draft items (default: the mapping's, true).")
@click.pass_context
@guarded
def pull(ctx: click.Context, as_json: bool, dry_run: bool, collections: tuple[str, ...], snapshot: str | None,
         full: bool, full_every: int, live: bool, archived: bool | None, drafts: bool | None) -> None:
    """Write Webflow's items as Markdown files.

    Files you changed are left alone (and named)."""
    run_engine(ctx, RunOptions(command="pull", policy=Policy(pull=True, push=False), collections=collections,
                               live=live, dry_run=dry_run, archived=archived, drafts=drafts, full=full,
                               full_every=full_every), snapshot, as_json)


def check_max_delete(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--max-delete`` is a count (``10``) or a share of the synced items (``5%``)."""
    if not re.fullmatch(r"\s*(\d+|\d+(\.\d+)?%)\s*", value or ""):
        raise click.BadParameter(f"{value!r} is neither a count (10) nor a share of the synced items (5%)")
    return value.strip()


def write_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--skip-invalid", is_flag=True, help="Leave invalid files out instead of stopping.")(fn)
    fn = click.option("--max-delete", default="10%", show_default=True, callback=check_max_delete,
                      help="Most remote deletions allowed: a count or a share of the synced items.")(fn)
    fn = click.option("--allow-delete", is_flag=True, help="Delete in Webflow the items whose files were removed.")(fn)
    fn = click.option("--on-conflict", type=click.Choice(["stop", "local", "remote", "newer"]), default="stop",
                      show_default=True, help="Who wins when both sides changed the same field.")(fn)
    fn = click.option("--publish", is_flag=True, help="Publish what was pushed (drafts stay drafts).")(fn)
    return fn


def write_run(ctx: click.Context, command: str, pull: bool, options: dict[str, Any]) -> None:
    """push and sync: the same options, one direction or both. PATHs limit --on-conflict to the
    conflicts of those files."""
    paths = options.pop("paths")
    if paths and options["on_conflict"] == "stop":
        raise click.UsageError("PATHs name the files whose conflicts --on-conflict decides: add "
                               "--on-conflict local|remote|newer")
    policy = Policy(pull=pull, push=True, allow_delete=options.pop("allow_delete"),
                    on_conflict=options.pop("on_conflict"))
    snapshot, as_json = options.pop("snapshot"), options.pop("as_json")
    run_engine(ctx, RunOptions(command=command, policy=policy, **options), snapshot, as_json, paths)


@main.command(epilog=examples(
    "wfsync push --dry-run             # what would be sent",
    "wfsync push --publish             # send, then publish what was sent",
    "wfsync push --allow-delete --max-delete 5"))
@click.argument("paths", nargs=-1)
@common_options
@write_options
@click.pass_context
@guarded
def push(ctx: click.Context, **options: Any) -> None:
    """Send local changes to Webflow.

    Webflow's changes are left for pull. A conflict needs both directions: see `wfsync sync`.
    PATHs (files or folders, as for diff) go with --on-conflict: only the conflicts of those
    files are decided; every file's changes are sent either way."""
    write_run(ctx, "push", False, options)


@main.command(epilog=examples(
    "wfsync sync                       # both ways",
    "wfsync sync --dry-run",
    "wfsync -q sync --json > last.json # cron: the report, quiet otherwise",
    "wfsync sync --on-conflict local cms/infos/x.md  # after merging x.md by hand"))
@click.argument("paths", nargs=-1)
@common_options
@write_options
@click.pass_context
@guarded
def sync(ctx: click.Context, **options: Any) -> None:
    """Pull Webflow's changes and push local ones; merge.

    Items both sides changed are merged field by field (a conflict when the same field
    changed). --on-conflict decides conflicts for one side, keeping the other beside the file
    (x.remote.md: Webflow's version, x.local.md: yours); with PATHs (files or folders, as for
    diff) it decides only the conflicts of those files."""
    write_run(ctx, "sync", True, options)


STATUS_WORDS = {
    "pull": ("pull", "changed in Webflow"), "delete-local": ("pull", "deleted in Webflow"),
    "push-create": ("push", "new file"), "push-update": ("push", "modified"), "delete-remote": ("push", "deleted"),
    "merge": ("both", "changed on both sides, mergeable"), "conflict": ("conflict", "changed on both sides"),
    "adopt": ("pull", "same on both sides, not yet recorded"), "hold": ("other", "held, cannot be read"),
}
#: ops that are not a difference between the two sides (for --exit-code)
IN_STEP = ("nothing", "forget", "adopt")


@main.command(epilog=examples("wfsync status", "wfsync status --exit-code || echo 'something to sync'",
                              "wfsync status --json"))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (also on failure).")
@click.option("--dry-run", is_flag=True, help="Accepted for symmetry: status never changes anything.")
@click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")
@click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")
@click.option("--exit-code", "with_exit_code", is_flag=True,
              help="Also exit with 1 when there is something to sync (a file with a problem always is 1).")
@click.pass_context
@guarded
def status(ctx: click.Context, as_json: bool, dry_run: bool, collections: tuple[str, ...], snapshot: str | None,
           with_exit_code: bool) -> None:
    """What would change each way, like `git status`. Changes nothing.

    Exits 0, or 1 when a file or item has a problem to fix (a file that cannot be read, an
    invalid value): what a cron job or an editor needs to know without reading the output."""
    report, engine = dry_run_both(ctx, collections, snapshot)
    prefix = ctx.obj["prefix"]
    differs = any(a["op"] not in IN_STEP for a in report.actions)
    copies = kept_copies(engine.root)
    code = EXIT_USAGE if report.stopped else inspection_exit_code(report, differs, with_exit_code)
    if as_json:
        document = report_document(report, prefix)
        document.update(exit_code=code, differences=differs, copies=[shown(prefix, c) for c in copies])
        echo_json(document)
        sys.exit(code)
    console = out_console()
    groups: dict[str, list[str]] = {}
    lines = first_lines(problem_dict(p) for p in report.problems)
    for a in report.actions:
        side, words = STATUS_WORDS.get(a["op"], ("other", a["op"]))
        if a["op"] == "pull" and str(a["reason"]).startswith("new in Webflow"):
            words = "new in Webflow"  # as push, pull and sync label it
        if a["reason"] == MOVED_OUT:  # not a deletion: held until the user says which path they meant
            side, words = "other", "moved out of mapping"
        elif a["blocked"] == "invalid file":  # push refuses it (see its problems): not ready to push
            side, words = "other", "held, invalid values"
        elif (a["reason"] or "").startswith(MAPPING_CHANGED):  # Webflow changed nothing: the mapping did
            words = "mapping changed"
        elif a["op"] == "delete-remote" and a["reason"].startswith(WITH_ITEM):  # a file the user did not delete
            words = "goes with its item"
        elif a["op"] == "delete-remote" and "variant only" in a["reason"]:  # "de file deleted: ..."
            words = f"deleted ({a['reason'].split(' ', 1)[0]} only)"
        note = f"  [{a['blocked']}]" if a["blocked"] and a["blocked"] != "invalid file" else ""
        where = located(prefix, a["path"], lines.get(a["path"]))
        if a.get("moved_from"):  # renamed in Webflow: the file as it is now, and where it goes (as pull says)
            where = f"{shown(prefix, a['moved_from'])} → {where}"
        groups.setdefault(side, []).append(f"  {words + ':':<21} {where}{note}")
    titles = {"push": "To push (wfsync push)", "pull": "To pull (wfsync pull)", "both": "To merge (wfsync sync)",
              "conflict": "Conflicts (merge by hand, then wfsync sync --on-conflict local PATH)", "other": "Other"}
    if not groups and not ctx.obj["quiet"]:
        console.print("Nothing to sync, but fix the problems below." if report.problems else "Everything is in step.")
    for side in ("push", "pull", "both", "conflict", "other"):
        if side in groups:
            console.print(f"[bold]{titles[side]}[/]")
            for line in groups[side]:
                console.print(line, highlight=False, markup=False, soft_wrap=True)
    if copies and not ctx.obj["quiet"]:
        console.print("[bold]Copies kept beside files (delete each once you no longer need it)[/]")
        for c in copies:
            console.print(f"  {shown(prefix, c)}", highlight=False, markup=False, soft_wrap=True)
    print_problems(err_console, report, prefix, ctx.obj["quiet"])
    sys.exit(code)


def kept_copies(snapshot: Path) -> list[str]:
    """The other side's versions wfsync wrote beside files (``x.remote.md``, ``x.local.md``): they
    stay until the user removes them, so status names them, as git names untracked files."""
    if not snapshot.is_dir():
        return []
    found = []
    for path in snapshot.rglob("*.md"):
        rel = path.relative_to(snapshot).as_posix()
        if path.name.endswith((".remote.md", ".local.md")) and not rel.startswith(f"{STATE_DIR}/"):
            found.append(rel)
    return sorted(found)


def dry_run_both(ctx: click.Context, collections: tuple[str, ...], snapshot: str | None,
                 full: bool = False) -> tuple[Report, Engine]:
    client, site_id, root, mappings = open_project(ctx, snapshot)
    engine = Engine(client, site_id, root, mappings, display=ctx.obj["prefix"])
    policy = Policy(pull=True, push=True, allow_delete=True)
    return engine.run(RunOptions(command="status", policy=policy, collections=collections, dry_run=True,
                                 full=full)), engine


@main.command(epilog=examples(
    "wfsync diff                                    # every file that differs",
    "wfsync diff snapshots/demo/cms/infos/social.md # as the shell completes it",
    "cd snapshots/demo/cms/infos && wfsync diff social.md",
    "wfsync diff --exit-code --json"))
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (also on failure).")
@click.option("--dry-run", is_flag=True, help="Accepted for symmetry: diff never changes anything.")
@click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")
@click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")
@click.option("--exit-code", "with_exit_code", is_flag=True, help="Exit with 1 when there are differences.")
@click.pass_context
@guarded
def diff(ctx: click.Context, paths: tuple[str, ...], as_json: bool, dry_run: bool, collections: tuple[str, ...],
         snapshot: str | None, with_exit_code: bool) -> None:
    """How local files differ from Webflow, field by field.

    Rich text is shown as a unified diff.

    PATHS may be files or folders of the snapshot, relative to the current folder or to the
    project root; an unknown path is an error."""
    from .diff import field_diffs, render_text, to_json

    report, engine = dry_run_both(ctx, collections, snapshot, full=True)  # every item's Webflow side
    prefix = ctx.obj["prefix"]
    known = {a["path"] for a in report.actions} | {e.path for r in engine.runs for e in r.base.values()}
    wanted = resolve_paths(paths, ctx.obj["root"], engine.root, known) if paths else set()
    out_json, out_text = [], []


    def asked(path: str) -> bool:
        return not wanted or any(path == w or (w.endswith("/") and path.startswith(w)) or w == "" for w in wanted)

    report = narrowed(report, asked)  # diff FILE speaks of that file: not of others' warnings or conflicts
    lines = first_lines(problem_dict(p) for p in report.problems)
    for item in engine.differences():
        path, local, remote, op = item
        if not asked(path):
            continue
        if op == "hold":  # no record to compare: the file's problem, where status names it, not a blank item
            out_json.append({"path": path, "fields": [], "op": op})
            out_text.append(f"cannot be read: {located(prefix, path, lines.get(path))}  (see the problem below)")
            continue
        diffs = field_diffs(local, remote)
        if diffs:
            out_json.append({**to_json(path, diffs), "op": op})
            out_text.append(render_text(shown(prefix, path), diffs, op))
    # as status: 1 when a file has a problem to fix, whatever --exit-code says
    code = EXIT_USAGE if report.stopped else inspection_exit_code(report, bool(out_json), with_exit_code)
    if as_json:
        document = report_document(report, prefix)
        differences = project_paths({"differences": out_json}, prefix)["differences"]  # problems already are
        echo_json({"ok": document["ok"], "command": "diff", "exit_code": code, "snapshot": prefix or None,
                   "error": document["error"], "differences": differences, "problems": document["problems"],
                   "api_calls": report.api_calls})
    else:
        click.echo("\n\n".join(out_text) if out_text else "No differences.")
        print_problems(err_console, report, prefix, ctx.obj["quiet"])
    sys.exit(code)


@main.command(epilog=examples(
    "wfsync init                       # mappings/<collection>.yaml for each collection",
    "wfsync init --body contenu        # the rich-text field contenu as the Markdown body",
    "wfsync init --force               # overwrite existing mapping files",
    "wfsync init --update              # add fields new in Webflow; accept changed field types"))
@click.option("--force", is_flag=True, help="Overwrite mapping files that exist.")
@click.option("--update", is_flag=True,
              help="Add the fields new in Webflow to the existing mapping files (your edits of them stay) "
                   "and accept the field types changed in Webflow.")
@click.option("--body", "bodies", multiple=True, metavar="FIELD",
              help="A rich-text field to write as the Markdown body instead of front matter "
                   "(in every collection that has it; repeatable).")
@click.pass_context
@guarded
def init(ctx: click.Context, force: bool, bodies: tuple[str, ...], update: bool) -> None:
    """Write a mapping file per collection, from the live schemas.

    The files are mappings/<collection>.yaml."""
    from .bodyfield import with_body

    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    folder = settings.mappings_dir
    schemas = [client.get_collection(summary.id) for summary in client.list_collections(site_id)]
    mappings = {schema.slug: with_body(default_mapping(schema), schema, bodies) for schema in schemas}
    unused = [b for b in bodies if not any(m["body"] == b for m in mappings.values())]
    if unused:
        rich = sorted({f.slug for s in schemas for f in s.fields if f.type == "RichText"})
        error = ConfigError(f"--body {', '.join(unused)}: no collection has a rich-text field of that slug")
        error.hint = f"Rich-text fields of this site: {', '.join(rich) or 'none'}."
        raise error
    folder.mkdir(parents=True, exist_ok=True)
    say = (lambda line: None) if ctx.obj["quiet"] else click.echo  # -q: nothing on success
    for schema in schemas:
        target = folder / f"{schema.slug}.yaml"
        if target.exists() and update and not force:
            for line in update_mapping(target, schema, settings.snapshots_dir, from_root(settings.root, target)):
                say(line)
            continue
        if target.exists() and not force:
            say(f"kept {from_root(settings.root, target)} (exists; --force to overwrite)")
            continue
        text = render_mapping(mappings[schema.slug])
        parse_mapping(text, source=f"{target.parent.name}/{target.name}")  # what we write must load
        target.write_text(text, encoding="utf-8")
        say(f"wrote {from_root(settings.root, target)}")


def from_root(root: Path, path: Path) -> str:
    """A project file as every command names it: from the project root, wherever wfsync was run."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def update_mapping(target: Path, schema: Any, snapshots: Path, name: str = "") -> list[str]:
    """``init --update`` for one mapping file: new fields appended, changed types accepted in the
    schema locks of the snapshots."""
    from .schema_lock import add_fields, check, load_lock, locked_entry, save_lock

    text = target.read_text(encoding="utf-8")
    mapping = parse_mapping(text, source=f"{target.parent.name}/{target.name}")
    roots = [p.parent.parent for p in sorted(snapshots.glob("*/.wfsync/schema.lock.json"))]
    locks = {root: load_lock(root) for root in roots}
    new = sorted({slug for lock in locks.values() for slug in check(lock, schema, mapping).new})
    out = []
    if new:
        keys = {e.key for e in mapping.entries}
        additions = []
        for slug in new:
            key = f"f_{slug}"
            while key in keys:
                key += "_"
            keys.add(key)
            additions.append((key, slug))
        text = add_fields(text, additions)
        mapping = parse_mapping(text, source=f"{target.parent.name}/{target.name}")  # what we write must load
        target.write_text(text, encoding="utf-8")
        out.append(f"updated {name or target}: added " + ", ".join(f"{k}: {s}" for k, s in additions))
    else:
        out.append(f"kept {name or target} (no new field)")
    for root, lock in locks.items():
        lock[schema.id] = locked_entry(schema, mapping, lock.get(schema.id), accept=True)
        save_lock(root, lock)
    return out


@main.command(epilog=examples(
    "wfsync resync --dry-run           # which items agree, which do not",
    "wfsync resync                     # record the agreeing items as the new base"))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (also on failure).")
@click.option("--dry-run", is_flag=True, help="Say what resync would record; change nothing.")
@click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")
@click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")
@click.pass_context
@guarded
def resync(ctx: click.Context, as_json: bool, dry_run: bool, collections: tuple[str, ...],
           snapshot: str | None) -> None:
    """Rebuild the sync base from both sides, once they agree.

    Like rclone bisync --resync: every file is compared with its Webflow item, ignoring the
    last-synced state. When they all agree, the base is recorded anew (items only in Webflow
    are written as new files, as pull would). When a file and its item differ, or a file has
    no item, nothing is changed: the differences are listed for you to settle first."""
    from .resync import check_agreement

    client, site_id, root, mappings = open_project(ctx, snapshot)
    engine = Engine(client, site_id, root, mappings, display=ctx.obj["prefix"])
    check = engine.run(RunOptions(command="resync", policy=Policy(pull=True, push=True), collections=collections,
                                  dry_run=True, full=True, resync=True))
    check_agreement(check)
    if dry_run:
        finish(ctx, check, as_json)
    progress = make_progress(ctx, as_json)
    try:
        report = Engine(client, site_id, root, mappings, progress=progress, display=ctx.obj["prefix"]).run(RunOptions(
            command="resync", policy=Policy(pull=True, push=False), collections=collections, full=True, resync=True))
    finally:
        progress.close()
    finish(ctx, report, as_json)


@main.command(epilog=examples("wfsync convert to-markdown page.html",
                              "echo '**a**' | wfsync convert to-html"))
@click.argument("direction", type=click.Choice(["to-markdown", "to-html"]))
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
def convert(direction: str, source: Any) -> None:
    """Convert one rich-text value, as pull and push do.

    The value is read from FILE or stdin and written to stdout. to-html reads it as a push
    of a new item does (an `_` pair inside a word is text: nothing in Webflow has it yet)."""
    from .codecs import NoReferences, codec_for
    from .errors import ValueProblem
    from .model import Field
    from .richtext.to_markdown import to_markdown

    text = source.read()
    try:
        out = to_markdown(text) if direction == "to-markdown" else \
            str(codec_for("RichText").encode(text, Field("", "", "RichText", ""), NoReferences()))
    except ValueProblem as exc:
        raise click.ClickException(str(exc)) from None
    # the exact value through a pipe or into a file; on a terminal, the prompt on a line of its own
    click.echo(out, nl=sys.stdout.isatty() and not out.endswith("\n"))


@main.command(short_help="Write the site for Eleventy, Hugo or Astro, assets included.", epilog=examples(
    "wfsync export --profile eleventy --out site && (cd site && npm install && npx @11ty/eleventy --serve)",
    "wfsync export --profile hugo --out site --drafts && (cd site && hugo server)",
    "wfsync export --profile astro --out site --permalink evenements=/agenda/{slug}/ --json"))
@click.option("--profile", type=click.Choice(["eleventy", "hugo", "astro"]), required=True,
              help="The static site generator to write for.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The site folder (created; a file in it that the export did not write, or that you edited, "
                   "is never overwritten: the export refuses and names it).")
@click.option("--overwrite", is_flag=True,
              help="Replace the files in --out that the export did not write, or that were edited since.")
@click.option("--live/--staged", default=True, help="Published versions (default) or the current edits.")
@click.option("--drafts", is_flag=True, help="Also export drafts, marked draft: true (left out of builds).")
@click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")
@click.option("--date-field", default=None, help="A DateTime field to use as the page date (default: createdOn).")
@click.option("--permalink", "permalinks", multiple=True, metavar="COLL=/prefix/{slug}/",
              help="Publish a collection under another prefix (old URLs redirected).")
@click.option("--assets", type=click.Choice(["download", "keep-remote"]), default="download", show_default=True)
@click.option("--asset-concurrency", type=click.IntRange(1, 16), default=4, show_default=True)
@click.option("--allow-missing-assets", is_flag=True, help="Keep the Webflow URL of a file that cannot be downloaded.")
@click.option("--redirects", "renderings", default="netlify,vercel,nginx,meta", show_default=True,
              help="Redirect files to write: netlify (also Cloudflare Pages), vercel, nginx, meta (generator pages).")
@click.option("--snapshot", default=None, help="A pulled snapshot whose slug history gives old URLs to redirect.")
@click.option("--primary-only", is_flag=True,
              help="Only the primary locale of a localized site (default: every locale, at /<subdirectory>/).")
@click.option("--json", "as_json", is_flag=True, help="Print one machine-readable report.")
@click.pass_context
@guarded
def export(ctx: click.Context, profile: str, out: Path, overwrite: bool, live: bool, drafts: bool, collections: tuple[str, ...],
           date_field: str | None, permalinks: tuple[str, ...], assets: str, asset_concurrency: int,
           allow_missing_assets: bool, renderings: str, snapshot: str | None, primary_only: bool, as_json: bool) -> None:
    """Write the site as an Eleventy, Hugo or Astro site, with every asset downloaded."""
    from .export import ExportOptions, export_site, parse_permalinks
    from .export.cli_report import print_export_report, snapshot_for_history
    from .export.place import check_export_folder

    chosen = frozenset(r.strip() for r in renderings.split(",") if r.strip())
    if chosen - {"netlify", "cloudflare", "vercel", "nginx", "meta"}:
        raise ConfigError(f"--redirects {renderings!r}: choose among netlify, cloudflare, vercel, nginx, meta")
    chosen = frozenset("netlify" if r == "cloudflare" else r for r in chosen)
    settings = load_settings(root=ctx.obj["root"])
    check_export_folder(out, {"snapshots": settings.snapshots_dir, "mappings": settings.mappings_dir})
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    options = ExportOptions(profile=profile, out=out, overwrite=overwrite, live=live, drafts=drafts, collections=collections,
                            date_field=date_field, permalinks=parse_permalinks(permalinks),
                            download_assets=assets == "download", concurrency=asset_concurrency,
                            allow_missing_assets=allow_missing_assets, renderings=chosen,
                            snapshot=snapshot_for_history(settings, client, site_id, snapshot),
                            locales=not primary_only)
    report = export_site(client, site_id, options)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif not ctx.obj["quiet"]:
        print_export_report(out_console(), report)


@main.group(epilog=examples("wfsync emulator serve --demo --port 8765"))
def emulator() -> None:
    """The embedded Webflow API emulator."""


@emulator.command("serve", epilog=examples(
    "wfsync emulator serve --demo --data .emulator --port 8765",
    "wfsync emulator serve --port 0 --rate-limit 60   # any free port, 60 requests a minute",
    "wfsync emulator serve --port 8765 > emulator.env &   # in the background; then:",
    "until grep -qs ASSET_ORIGIN emulator.env; do sleep 0.2; done; . ./emulator.env"))
@click.option("--demo/--empty", "with_demo", default=True, help="Start with the demo site (default) or empty.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to keep the emulator's state in, across restarts.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Loopback port (0: any free one).")
@click.option("--token", default="demo-token", show_default=True, help="The bearer token it accepts.")
@click.option("--rate-limit", type=click.IntRange(min=1), default=None,
              help="Requests per minute before 429 (default: unlimited).")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0,
              help="Share of requests that fail (500/503/drop/slow/429).")
@click.option("--seed", type=int, default=0, help="Seed for fault injection.")
@click.option("--deviate", "deviations", multiple=True, metavar="MODE",
              help="Behave as the live API is known to, unlike the spec (repeatable): "
                   f"{', '.join(m for m in DEVIATION_MODES if m in LIVE_MODES)} (`live`: all of these); or "
                   f"{', '.join(m for m in DEVIATION_MODES if m not in LIVE_MODES)} (oldest-first: items are "
                   "listed newest created first, as the live API does, unless it is given).")
@guarded
def emulator_serve(with_demo: bool, data: Path | None, port: int, token: str, rate_limit: int | None,
                   fault_rate: float, seed: int, deviations: tuple[str, ...]) -> None:
    """Serve the emulator on 127.0.0.1 until interrupted."""
    import errno

    from .emulator.core import EmulatorState
    from .emulator.deviations import expand

    try:
        modes = expand(deviations)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--deviate") from None
    from .emulator.fixtures import SITE_ID, demo_state
    from .emulator.server import ALL_SCOPES, EmulatorServer, FaultPlan

    state = EmulatorState()
    saved = data / "emulator.json" if data else None
    if saved and saved.exists():
        state.load(json.loads(saved.read_text(encoding="utf-8")))
    elif with_demo:
        state = demo_state()
    try:
        server = EmulatorServer(state, tokens={token: ALL_SCOPES}, port=port, rate_limit=rate_limit,
                                faults=FaultPlan(rate=fault_rate, seed=seed), data_dir=data, deviations=modes)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        error = ConfigError(f"port {port} on 127.0.0.1 is already in use")
        error.hint = ("Another program (perhaps an emulator started earlier) listens there: stop it, "
                      "or choose another port with --port N (--port 0 picks a free one).")
        raise error from None
    server.save()
    site = next(iter(state.sites), SITE_ID)
    click.echo(f"export WEBFLOW_API_BASE={server.base_url}")
    click.echo(f"export WEBFLOW_TOKEN={token}")
    click.echo(f"export WEBFLOW_SITE_ID={site}")
    click.echo(f"export WFSYNC_ASSET_ORIGIN={server.asset_origin}")
    sys.stdout.flush()  # the lines are read while the server runs (a pipe or a file buffers them)
    if modes:
        click.echo(f"# deviating from the spec: {', '.join(sorted(modes))}", err=True)
    click.echo("# serving; Ctrl-C to stop", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.save()


if __name__ == "__main__":  # pragma: no cover
    main()
