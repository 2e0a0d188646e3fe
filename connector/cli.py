"""The ``wfsync`` command: builds the objects, calls the engine, prints, maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from .client import WebflowClient
from .config import Settings, load_settings
from .errors import ApiError, ConfigError, LockedError, WfsyncError
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
                        format="%(levelname)s %(name)s: %(message)s")


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
    server = EmulatorServer(demo_state(), tokens={"demo-token": {"sites:read", "cms:read", "cms:write", "assets:read"}})
    server.start()
    try:
        console.print(f"[bold]Webflow emulator[/] listening on {server.base_url} (demo site: Guide de Sierre)")
        client = WebflowClient(Transport(server.base_url, "demo-token"))
        site = client.list_sites()[0]
        rows = collection_counts(client, site.id)
        print_collections(console, rows)
        console.print(f"{sum(r['items'] for r in rows)} items in {len(rows)} collections, "
                      f"{client.stats.total} API calls.")
        console.print("\nTo try wfsync by hand against a persistent emulator:\n"
                      "  wfsync emulator serve --demo --data .emulator --port 8765\n"
                      "and in another shell export the variables it prints, then run `wfsync collections`.")
        if keep_running:
            console.print(f"export WEBFLOW_API_BASE={server.base_url} WEBFLOW_TOKEN=demo-token WEBFLOW_SITE_ID={site.id}")
            server._thread.join() if server._thread else None  # noqa: SLF001 - block until Ctrl-C
    finally:
        server.stop()


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
