"""wfsync export, measured: the demo site and a larger emulated one, each profile exported and built.

    python bench/export.py [--items 1000] [--no-build] [--out bench/out/export.json]

For each site: pages, assets (files / unique URLs / references), export time (first run, and
the second run that must download nothing and write nothing), then each generator's build
time (Eleventy and Astro from tests/generators/node_modules, Hugo from PATH). The larger site
is the demo plus N published infos with ~3 KB of rich text, an Image field (300 distinct
pictures, shared between items) and one inline picture each. Figures are for this machine.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from click.testing import CliRunner  # noqa: E402

from connector.cli import main  # noqa: E402
from connector.emulator.core import EmulatorState, object_id  # noqa: E402
from connector.emulator.fixtures import CDN, SITE_ID, demo_state  # noqa: E402
from connector.emulator.server import ALL_SCOPES, EmulatorServer  # noqa: E402
from run import rich_text  # noqa: E402

TOKEN = "bench-token"
NODE_MODULES = ROOT / "tests" / "generators" / "node_modules"


def big_state(items: int) -> EmulatorState:
    state = demo_state()
    rng = random.Random(11)
    infos = object_id("collection:infos")
    cats = list(state.collections[object_id("collection:categories")].items)
    entries = []
    for n in range(items):
        pic = n % 300
        inline = f"{CDN}/{object_id(f'inline:{n % 500}')}_vue-{n % 500}.jpg"
        html = rich_text(rng, n) + f'<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth"><div>' \
                                   f'<img src="{inline}" alt="Vue {n}"></div></figure>'
        entries.append({"isDraft": False, "isArchived": False, "fieldData": {
            "name": f"Fiche {n}", "slug": f"fiche-{n}", "tag-3": "Bench", "tag-2": "Bench", "couleur": cats[n % len(cats)],
            "contenu": html, "mini-description": f"Fiche numéro {n}.",
            "image-2": {"fileId": object_id(f"pic:{pic}"), "url": f"{CDN}/{object_id(f'pic:{pic}')}_photo-{pic}.jpg",
                        "alt": f"Photo {pic}"}}})
    for start in range(0, len(entries), 100):
        state.create(infos, entries[start:start + 100], publish=True)
    return state


def export(server: EmulatorServer, out: Path, profile: str) -> tuple[dict[str, Any], float]:
    env = {"WEBFLOW_API_BASE": server.base_url, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": SITE_ID,
           "WFSYNC_ASSET_ORIGIN": server.asset_origin}
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["export", "--profile", profile, "--out", str(out), "--json"], env=env)
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return json.loads(result.stdout), seconds


def build(profile: str, out: Path) -> tuple[float, int] | None:
    node = shutil.which("node")
    if profile == "hugo":
        hugo = shutil.which("hugo")
        if not hugo:
            return None
        cmd, site = [hugo, "--quiet"], out / "public"
    else:
        if not node or not NODE_MODULES.is_dir():
            return None
        (out / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
        if profile == "eleventy":
            cmd, site = [node, str(NODE_MODULES / "@11ty/eleventy/cmd.cjs"), "--quiet"], out / "_site"
        else:
            cmd, site = [node, str(NODE_MODULES / "astro/bin/astro.mjs"), "build", "--silent"], out / "dist"
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=1800,
                          env={**__import__("os").environ, "ASTRO_TELEMETRY_DISABLED": "1"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return seconds, sum(1 for _ in site.rglob("*.html"))


def measure(name: str, state: EmulatorState, do_build: bool, work: Path) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    with EmulatorServer(state, tokens={TOKEN: ALL_SCOPES}) as server:
        for profile in ("eleventy", "hugo", "astro"):
            out = work / name / profile
            server.clear_log()
            first, t1 = export(server, out, profile)
            fetches = len(server.requests("GET", "/cdn/"))
            server.clear_log()
            second, t2 = export(server, out, profile)
            row = {"pages": first["pages"], "list_pages": first["list_pages"],
                   "assets": f"{first['assets']['files']} files / {first['assets']['unique_urls']} URLs / "
                             f"{first['assets']['references']} references",
                   "downloads": fetches, "export_s": round(t1, 2),
                   "second_export_s": round(t2, 2), "second_downloads": len(server.requests("GET", "/cdn/")),
                   "second_written": second["files"]["written"]}
            if do_build:
                built = build(profile, out)
                if built:
                    row["build_s"], row["html_files"] = round(built[0], 2), built[1]
            rows[profile] = row
            print(name, profile, json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "export.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wfsync-export-bench-") as tmp:
        results = {"demo": measure("demo", demo_state(), not args.no_build, Path(tmp)),
                   f"{args.items} items": measure(f"big{args.items}", big_state(args.items), not args.no_build, Path(tmp))}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main_()
