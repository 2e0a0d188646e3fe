"""The ``wfsync`` command: builds the objects, calls the engine, prints, maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from .client import WebflowClient
from .config import Settings, load_settings
from .engine import Engine, RunOptions
from .stopping import Stopped, stop_on_signals
from .errors import ConfigError, LockedError, WfsyncError
from .mapping import default_mapping, load_mappings, parse_mapping, render_mapping
from .plan import Policy
from .report import Report
from .transport import Transport

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CONFLICTS, EXIT_LOCKED = 0, 1, 2, 3, 4

err_console = Console(stderr=True)


def explain(exc: BaseException) -> int:
    """Print what went wrong and what to do next; return the exit code."""
    if isinstance(exc, LockedError):
        code = EXIT_LOCKED
    elif isinstance(exc, ConfigError):
        code = EXIT_USAGE
    else:
        code = EXIT_ERROR
    for problem in getattr(exc, "problems", None) or []:
        err_console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    hint = getattr(exc, "hint", "")
    if hint:
        err_console.print(f"  {hint}", highlight=False, soft_wrap=True)
    return code


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn wfsync errors into advice and exit codes instead of tracebacks."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WfsyncError as exc:
            sys.exit(explain(exc))

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wfsync")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for HTTP).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder holding mappings/ and snapshots/ (default: current folder).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, root: Path | None) -> None:
    """Keep a Webflow CMS and a folder of Markdown files in step."""
    setup_logging(verbose, quiet)
    ctx.obj = {"root": root or Path(os.environ.get("WFSYNC_ROOT", ".")), "quiet": quiet}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@guarded
def collections(ctx: click.Context, as_json: bool) -> None:
    """List the site's collections with their item counts."""
    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    rows = collection_counts(client, site_id)
    if as_json:
        click.echo(json.dumps({"site": site_id, "collections": rows, "apiCalls": client.stats.total}, indent=2))
    else:
        print_collections(Console(), rows)


def collection_counts(client: WebflowClient, site_id: str) -> list[dict[str, Any]]:
    rows = []
    for c in client.list_collections(site_id):
        staged = client.list_items_page(c.id, limit=1).total
        live = client.list_items_page(c.id, limit=1, live=True).total
        rows.append({"id": c.id, "slug": c.slug, "name": c.display_name, "items": staged, "live": live})
    return rows


def print_collections(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table(title="Collections")
    table.add_column("slug")
    table.add_column("name")
    table.add_column("items", justify="right")
    table.add_column("live", justify="right")
    for r in rows:
        table.add_row(r["slug"], r["name"], str(r["items"]), str(r["live"]))
    console.print(table)


@main.command()
@click.option("--keep-running", is_flag=True, help="Leave the emulator running afterwards (Ctrl-C stops it).")
@click.pass_context
@guarded
def demo(ctx: click.Context, keep_running: bool) -> None:
    """Run wfsync's main job against the embedded Webflow emulator and its demo site."""
    from .emulator.fixtures import demo_state
    from .emulator.server import EmulatorServer

    console = Console()
    root: Path = ctx.obj["root"]
    server = EmulatorServer(demo_state(), tokens={"demo-token": {"sites:read", "cms:read", "cms:write", "assets:read"}})
    server.start()
    try:
        console.print(f"[bold]Webflow emulator[/] listening on {server.base_url} (demo site: Guide de Sierre)")
        client = WebflowClient(Transport(server.base_url, "demo-token"))
        site = client.list_sites()[0]
        rows = collection_counts(client, site.id)
        print_collections(console, rows)
        written = write_demo_mappings(client, site.id, root / "mappings")
        if written:
            console.print(f"Wrote mapping files: {', '.join(written)}")
        snapshot = root / "snapshots" / "demo"
        engine = Engine(client, site.id, snapshot, load_mappings(root / "mappings"))
        # the demo's emulator starts afresh each time: read everything, not since a cursor
        report = engine.run(RunOptions(command="pull", full=True))
        print_report(console, report)
        files = sorted(p.relative_to(root).as_posix() for p in snapshot.rglob("*.md"))
        console.print(f"\n{len(files)} Markdown files under {snapshot}:")
        for name in files[:8]:
            console.print(f"  {name}")
        if len(files) > 8:
            console.print(f"  ... and {len(files) - 8} more")
        social = snapshot / "cms" / "infos" / "social.md"
        if social.exists():
            console.print(f"\n[bold]{social.relative_to(root)}[/] (the reference item):")
            console.print(social.read_text(encoding="utf-8")[:700] + "...", markup=False, highlight=False)
        demo_round_trip(console, client, engine, site.id, snapshot)
        console.print("\nNext: try it by hand against a running emulator:\n"
                      "  wfsync emulator serve --demo --data .emulator --port 8765   # prints three exports\n"
                      "  wfsync init && wfsync pull, edit a file, wfsync status / diff / push")
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
    console.print("\n[bold]An edit pushed[/]: in cms/infos/piscines.md, f_tag-2: Sport -> Natation")
    page.write_text(page.read_text(encoding="utf-8").replace("f_tag-2: Sport", "f_tag-2: Natation"), encoding="utf-8")
    pushed = engine.run(RunOptions(command="push", policy=Policy(pull=False, push=True), full=True))
    infos = next(c.id for c in client.list_collections(site_id) if c.slug == "infos")
    item = client.find_by_slug(infos, "piscines")
    assert item is not None
    console.print(f"  wfsync push: {sum(c.updated for c in pushed.collections.values())} item updated; "
                  f"Webflow now says tag-2 = {item.field_data.get('tag-2')!r}")
    console.print("[bold]An edit pulled back[/]: someone renames the item in Webflow")
    client.update_items(infos, [{"id": item.id, "fieldData": {"name": "Piscines de Sierre"}}])
    pulled = engine.run(RunOptions(command="pull", full=True))
    title = next(line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
    console.print(f"  wfsync pull: {sum(c.written for c in pulled.collections.values())} file written; "
                  f"cms/infos/piscines.md now says {title!r}")


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


PULL_COLUMNS = [("written", "written"), ("unchanged", "unchanged"), ("removed", "removed"), ("skipped", "skipped"),
                ("conflicts", "conflicts"), ("pending", "local changes"), ("api_calls", "API calls")]
PUSH_COLUMNS = [("created", "created"), ("updated", "updated"), ("deleted", "deleted"), ("published", "published"),
                ("conflicts", "conflicts"), ("pending", "pending"), ("api_calls", "API calls")]
SYNC_COLUMNS = [("pulled", "pulled"), ("pushed", "pushed"), ("merged", "merged"), ("published", "published"),
                ("conflicts", "conflicts"), ("pending", "pending"), ("api_calls", "API calls")]


def print_report(console: Console, report: Report) -> None:
    table = Table(title=f"wfsync {report.command}" + (" (dry run)" if report.dry_run else ""))
    columns = {"pull": PULL_COLUMNS, "push": PUSH_COLUMNS}.get(report.command, SYNC_COLUMNS)
    table.add_column("collection")
    for _, title in columns:
        table.add_column(title, justify="right")
    for c in report.collections.values():
        table.add_row(c.collection, *(str(getattr(c, attr)) for attr, _ in columns))
    console.print(table)
    for p in report.problems:
        err_console.print(f"[yellow]problem:[/] {p['collection']}/{p['item']}: {p['field']}: {p['message']}",
                          highlight=False)
    for path, why in report.left_alone():
        err_console.print(f"left alone: {path}: {why}", highlight=False, markup=False)
    for conflict in report.conflicts:
        err_console.print(f"[red]conflict:[/] {conflict['path']}: {conflict['reason']}"
                          + (f" (Webflow's version: {conflict['remote_copy']})" if conflict.get("remote_copy") else ""),
                          highlight=False)
    if report.conflicts:
        err_console.print("  Nothing was overwritten. Merge each file by hand (Webflow's version is beside it), then run "
                          "again with --on-conflict local; or keep Webflow's version by moving the .remote.md copy "
                          "over the file.", highlight=False)


def exit_code(report: Report) -> int:
    if report.conflicts:
        return EXIT_CONFLICTS
    return EXIT_ERROR if report.problems else EXIT_OK


def snapshot_root(settings: Settings, client: WebflowClient, site_id: str, name: str | None) -> Path:
    if not name:
        name = client.get_site(site_id).short_name or site_id
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name):
        raise ConfigError(f"snapshot name {name!r} must be a plain folder name")
    return settings.snapshots_dir / name


def run_engine(ctx: click.Context, options: RunOptions, snapshot: str | None, as_json: bool) -> None:
    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    mappings = load_mappings(settings.mappings_dir)
    if not mappings:
        raise ConfigError(f"no mapping files in {settings.mappings_dir}: run `wfsync init` first")
    root = snapshot_root(settings, client, site_id, snapshot)
    quiet = ctx.obj["quiet"]
    show_progress = not as_json and not quiet and sys.stderr.isatty()
    progress_cb = None
    bar = None
    if show_progress:
        from rich.progress import Progress

        bar = Progress(console=err_console, transient=True)
        task = bar.add_task("reading Webflow", total=None)
        bar.start()

        def progress_cb(label: str, n: int) -> None:
            bar.update(task, advance=n, description=f"reading {label}")

    try:
        with stop_on_signals():
            report = Engine(client, site_id, root, mappings, progress=progress_cb).run(options)
    except Stopped as exc:
        click.echo(f"wfsync: stopped by {exc.name}; what Webflow applied is recorded and the lock released: "
                   "run the same command again to finish", err=True)
        sys.exit(exc.exit_code)
    finally:
        if bar is not None:
            bar.stop()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif not (quiet and report.ok):
        print_report(Console(), report)
    sys.exit(exit_code(report))


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--json", "as_json", is_flag=True, help="Print one machine-readable report.")(fn)
    fn = click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")(fn)
    fn = click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")(fn)
    fn = click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")(fn)
    fn = click.option("--full", is_flag=True, help="Read every item, not only those changed since the last run.")(fn)
    fn = click.option("--full-every", type=int, default=24, show_default=True,
                      help="Incremental runs between two full reads (which also catch deletions).")(fn)
    return fn


@main.command()
@common_options
@click.option("--live", is_flag=True, help="Read the published (live) items instead of the staged ones.")
@click.option("--archived/--no-archived", default=None, help="Also pull archived items (default: the mapping's).")
@click.option("--drafts/--no-drafts", default=None, help="Pull draft items (default: the mapping's, true).")
@click.pass_context
@guarded
def pull(ctx: click.Context, as_json: bool, dry_run: bool, collections: tuple[str, ...], snapshot: str | None,
         full: bool, full_every: int, live: bool, archived: bool | None, drafts: bool | None) -> None:
    """Write Webflow's items as Markdown files (files you changed are left alone)."""
    run_engine(ctx, RunOptions(command="pull", policy=Policy(pull=True, push=False), collections=collections,
                               live=live, dry_run=dry_run, archived=archived, drafts=drafts, full=full,
                               full_every=full_every), snapshot, as_json)


def write_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--skip-invalid", is_flag=True, help="Leave invalid files out instead of stopping.")(fn)
    fn = click.option("--max-delete", default="10%", show_default=True,
                      help="Most remote deletions allowed: a count or a share of the synced items.")(fn)
    fn = click.option("--allow-delete", is_flag=True, help="Delete in Webflow the items whose files were removed.")(fn)
    fn = click.option("--on-conflict", type=click.Choice(["stop", "local", "remote", "newer"]), default="stop",
                      show_default=True, help="Who wins when both sides changed the same field.")(fn)
    fn = click.option("--publish", is_flag=True, help="Publish what was pushed (drafts stay drafts).")(fn)
    return fn


def write_run(ctx: click.Context, command: str, pull: bool, options: dict[str, Any]) -> None:
    """push and sync: the same options, one direction or both."""
    policy = Policy(pull=pull, push=True, allow_delete=options.pop("allow_delete"),
                    on_conflict=options.pop("on_conflict"))
    snapshot, as_json = options.pop("snapshot"), options.pop("as_json")
    run_engine(ctx, RunOptions(command=command, policy=policy, **options), snapshot, as_json)


@main.command()
@common_options
@write_options
@click.pass_context
@guarded
def push(ctx: click.Context, **options: Any) -> None:
    """Send local changes to Webflow (Webflow's changes are left for pull)."""
    write_run(ctx, "push", False, options)


@main.command()
@common_options
@write_options
@click.pass_context
@guarded
def sync(ctx: click.Context, **options: Any) -> None:
    """Both ways: pull Webflow's changes, push local ones, merge what both changed."""
    write_run(ctx, "sync", True, options)


STATUS_WORDS = {
    "pull": ("pull", "changed in Webflow"), "delete-local": ("pull", "deleted in Webflow"),
    "push-create": ("push", "new file"), "push-update": ("push", "modified"), "delete-remote": ("push", "deleted"),
    "merge": ("both", "changed on both sides, mergeable"), "conflict": ("conflict", "changed on both sides"),
    "adopt": ("pull", "same on both sides, not yet recorded"),
}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--dry-run", is_flag=True, help="Accepted for symmetry: status never changes anything.")
@click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")
@click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")
@click.pass_context
@guarded
def status(ctx: click.Context, as_json: bool, dry_run: bool, collections: tuple[str, ...], snapshot: str | None) -> None:
    """What would change each way, like `git status`. Changes nothing."""
    report, _ = dry_run_both(ctx, collections, snapshot)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    groups: dict[str, list[str]] = {}
    for a in report.actions:
        side, words = STATUS_WORDS.get(a["op"], ("other", a["op"]))
        note = f"  [{a['blocked']}]" if a["blocked"] and a["blocked"] != "invalid file" else ""
        groups.setdefault(side, []).append(f"{words:>34}:  {a['path']}{note}")
    titles = {"push": "To push (wfsync push)", "pull": "To pull (wfsync pull)", "both": "To merge (wfsync sync)",
              "conflict": "Conflicts (edit the file, or --on-conflict local|remote|newer)", "other": "Other"}
    if not groups:
        console.print("Everything is in step.")
    for side in ("push", "pull", "both", "conflict", "other"):
        if side in groups:
            console.print(f"[bold]{titles[side]}[/]")
            for line in groups[side]:
                console.print(line, highlight=False, markup=False)
    for p in report.problems:
        err_console.print(f"[yellow]problem:[/] {p['item']}: {p['field']}: {p['message']}", highlight=False)


def dry_run_both(ctx: click.Context, collections: tuple[str, ...], snapshot: str | None,
                 full: bool = False) -> tuple[Report, Engine]:
    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    mappings = load_mappings(settings.mappings_dir)
    if not mappings:
        raise ConfigError(f"no mapping files in {settings.mappings_dir}: run `wfsync init` first")
    engine = Engine(client, site_id, snapshot_root(settings, client, site_id, snapshot), mappings)
    policy = Policy(pull=True, push=True, allow_delete=True)
    return engine.run(RunOptions(command="status", policy=policy, collections=collections, dry_run=True,
                                 full=full)), engine


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--dry-run", is_flag=True, help="Accepted for symmetry: diff never changes anything.")
@click.option("--collection", "collections", multiple=True, help="Only this collection (slug or id).")
@click.option("--snapshot", default=None, help="Folder under snapshots/ (default: the site's short name).")
@click.pass_context
@guarded
def diff(ctx: click.Context, paths: tuple[str, ...], as_json: bool, dry_run: bool, collections: tuple[str, ...],
         snapshot: str | None) -> None:
    """Field by field, how local files differ from Webflow (rich text as a unified diff)."""
    from .diff import field_diffs, render_text, to_json

    report, engine = dry_run_both(ctx, collections, snapshot, full=True)  # every item's Webflow side
    wanted = {p.replace("\\", "/") for p in paths}
    out_json, out_text = [], []
    for item in engine.differences():
        path, local, remote, op = item
        if wanted and not any(path == w or path.endswith("/" + w) or w in path for w in wanted):
            continue
        diffs = field_diffs(local, remote)
        if diffs:
            out_json.append({**to_json(path, diffs), "op": op})
            out_text.append(render_text(path, diffs, op))
    if as_json:
        click.echo(json.dumps(out_json, indent=2, ensure_ascii=False))
    else:
        click.echo("\n\n".join(out_text) if out_text else "No differences.")


@main.command()
@click.option("--force", is_flag=True, help="Overwrite mapping files that exist.")
@click.pass_context
@guarded
def init(ctx: click.Context, force: bool) -> None:
    """Write mappings/<collection>.yaml for each collection, from the live schemas."""
    settings = load_settings(root=ctx.obj["root"])
    client = make_client(settings)
    site_id = resolve_site(client, settings)
    folder = settings.mappings_dir
    folder.mkdir(parents=True, exist_ok=True)
    for summary in client.list_collections(site_id):
        target = folder / f"{summary.slug}.yaml"
        if target.exists() and not force:
            click.echo(f"kept {target} (exists; --force to overwrite)")
            continue
        text = render_mapping(default_mapping(client.get_collection(summary.id)))
        parse_mapping(text, source=target.name)  # what we write must load
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")


@main.command()
@click.argument("direction", type=click.Choice(["to-markdown", "to-html"]))
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
def convert(direction: str, source: Any) -> None:
    """Convert one rich-text value (a file or stdin) exactly as pull and push do."""
    from .richtext.to_html import to_html
    from .richtext.to_markdown import to_markdown

    text = source.read()
    if direction == "to-markdown":
        click.echo(to_markdown(text), nl=False)
    else:
        click.echo(to_html(text), nl=False)


@main.group()
def emulator() -> None:
    """The embedded Webflow API emulator."""


@emulator.command("serve")
@click.option("--demo/--empty", "with_demo", default=True, help="Start with the demo site (default) or empty.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to keep the emulator's state in, across restarts.")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--token", default="demo-token", show_default=True, help="The bearer token it accepts.")
@click.option("--rate-limit", type=int, default=None, help="Requests per minute before 429 (default: unlimited).")
@click.option("--fault-rate", type=float, default=0.0, help="Share of requests that fail (500/503/drop/slow/429).")
@click.option("--seed", type=int, default=0, help="Seed for fault injection.")
def emulator_serve(with_demo: bool, data: Path | None, port: int, token: str, rate_limit: int | None,
                   fault_rate: float, seed: int) -> None:
    """Serve the emulator on 127.0.0.1 until interrupted."""
    from .emulator.core import EmulatorState
    from .emulator.fixtures import SITE_ID, demo_state
    from .emulator.server import ALL_SCOPES, EmulatorServer, FaultPlan

    state = EmulatorState()
    saved = data / "emulator.json" if data else None
    if saved and saved.exists():
        state.load(json.loads(saved.read_text(encoding="utf-8")))
    elif with_demo:
        state = demo_state()
    server = EmulatorServer(state, tokens={token: ALL_SCOPES}, port=port, rate_limit=rate_limit,
                            faults=FaultPlan(rate=fault_rate, seed=seed), data_dir=data)
    server.save()
    site = next(iter(state.sites), SITE_ID)
    click.echo(f"export WEBFLOW_API_BASE={server.base_url}")
    click.echo(f"export WEBFLOW_TOKEN={token}")
    click.echo(f"export WEBFLOW_SITE_ID={site}")
    click.echo("# serving; Ctrl-C to stop", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.save()


if __name__ == "__main__":  # pragma: no cover
    main()
