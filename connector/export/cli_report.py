"""What ``wfsync export`` prints, and which snapshot's slug history it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from ..client import WebflowClient
from ..config import Settings
from ..errors import MissingScopeError
from ..words import counted

BUILD = {
    "eleventy": "npm install && npx @11ty/eleventy --serve     # or: npx @11ty/eleventy (writes _site/)",
    "hugo": "hugo server     # or: hugo (writes public/)",
    "astro": "npm install && npx astro dev     # or: npx astro build (writes dist/); Node 22.12 or newer",
}


def snapshot_for_history(settings: Settings, client: WebflowClient, site_id: str, name: str | None) -> Path | None:
    """The snapshot named, else the site's default one if it was pulled here."""
    if name:
        return settings.snapshots_dir / name
    try:
        short = client.get_site(site_id).short_name
    except MissingScopeError:
        return None
    folder = settings.snapshots_dir / short if short else None
    return folder if folder is not None and folder.is_dir() else None


def print_export_report(console: Console, r: dict[str, Any]) -> None:
    a = r["assets"]
    console.print(f"[bold]wfsync export[/] ({r['profile']}, {r['versions']} versions) into {r['out']}", highlight=False)
    console.print(f"  pages: {r['pages']} ({', '.join(f'{k} {v}' for k, v in r['collections'].items())}), "
                  f"list pages: {r['list_pages']}, drafts: {r['drafts']}", highlight=False)
    console.print(f"  assets: {counted(a['files'], 'file')} ({counted(a['bytes'], 'byte')}) for "
                  f"{counted(a['unique_urls'], 'URL')} and {counted(a['references'], 'reference')}; "
                  f"downloaded now: {a['fetched']}", highlight=False)
    if a["missing"]:
        console.print(f"  [yellow]missing assets kept as Webflow URLs:[/] {len(a['missing'])}")
        for m in a["missing"]:
            console.print(f"    {m['url']}: {m['error']}", highlight=False, markup=False)
    red = r["redirects"]
    console.print(f"  redirects: {counted(red['rules'], 'rule')} ({', '.join(f'{k} {v}' for k, v in red['by_reason'].items()) or 'none'})",
                  highlight=False)
    for note in red["notes"]:
        console.print(f"    {note}", highlight=False, markup=False)
    if r["references_left_out"]:
        console.print(f"  references to unpublished items left out (as on Webflow's site): {len(r['references_left_out'])}")
    f = r["files"]
    console.print(f"  files: {f['written']} written, {f['unchanged']} unchanged, {len(f['removed'])} removed; "
                  f"starter files written: {len(f['starters'])}", highlight=False)
    for rel in f.get("overwritten", ()):
        console.print(f"  [yellow]overwritten[/] {rel} (--overwrite): it was not as the export wrote it", highlight=False)
    for rel in f["kept_edited"]:
        console.print(f"  [yellow]kept[/] {rel}: no longer exported, but edited since the last export", highlight=False)
    console.print(f"  {counted(r['api_calls'], 'API call')}, {r['seconds']} s")
    console.print(f"\nBuild and browse: cd {r['out']} && {BUILD[r['profile']]}", highlight=False, markup=False)
