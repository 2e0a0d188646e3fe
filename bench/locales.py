"""A localized site at 10,000 items in 3 locales: the API calls of each sync scenario.

    python bench/locales.py [--items 10000] [--locales 3] [--out bench/out/locales.json]

The site of ``bench/run.py`` (themes, articles, places; short rich text, as ``--plain``: the
calls are the same, the conversion far shorter) with French primary and secondary locales
(German, Italian) whose variants start as copies of the primary, as Webflow makes them.
Scenarios: a first pull, a pull with nothing changed, a pull after 1 % remote edits in every
locale, a push of 1 % local edits in every locale. Printed and written as JSON, with the
minimum each scenario needs (one list pass per collection and locale in pages of 100; a
no-change run at 2 calls per collection and locale). Counts, not timings, are the point.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import multiprocessing
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as single  # noqa: E402  (bench/run.py: the site, the server, the measuring)

from connector.client import WebflowClient  # noqa: E402
from connector.emulator.core import EmulatorState, object_id  # noqa: E402
from connector.emulator.server import ALL_SCOPES, EmulatorServer  # noqa: E402
from connector.engine import Engine, RunOptions  # noqa: E402
from connector.mapping import default_mapping, load_mappings, render_mapping  # noqa: E402
from connector.plan import Policy  # noqa: E402
from connector.transport import Transport  # noqa: E402

TAGS = ("de", "it", "en", "rm")


def localized_state(total: int, locales: int) -> EmulatorState:
    """bench/run.py's site, with ``locales - 1`` secondary locales holding a copy of every item."""
    single.PLAIN = True
    state = single.build_state(total)
    site = state.sites[single.SITE]
    secondary = [{"id": object_id(f"l-{t}"), "cmsLocaleId": object_id(f"cl-{t}"), "enabled": True,
                  "displayName": t, "tag": t, "subdirectory": t} for t in TAGS[:locales - 1]]
    site["locales"] = {"primary": {"id": object_id("l"), "cmsLocaleId": object_id("cl"), "enabled": True,
                                   "displayName": "fr", "tag": "fr", "subdirectory": ""},
                       "secondary": secondary}
    for coll in state.collections.values():
        for item in coll.items.values():
            item.cms_locale_id = object_id("cl")
        for loc in secondary:
            variants = coll.localized.setdefault(loc["cmsLocaleId"], {})
            for item in coll.items.values():
                twin = copy.deepcopy(item)
                twin.cms_locale_id = loc["cmsLocaleId"]
                variants[item.id] = twin
    return state


def serve(total: int, locales: int, queue: Any) -> None:
    server = EmulatorServer(localized_state(total, locales), tokens={single.TOKEN: ALL_SCOPES})
    queue.put(server.base_url)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="items (each in every locale)")
    parser.add_argument("--locales", type=int, default=3, choices=range(1, len(TAGS) + 2))
    parser.add_argument("--out", default=str(Path(__file__).parent / "out" / "locales.json"))
    args = parser.parse_args()
    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=serve, args=(args.items, args.locales, queue), daemon=True)
    child.start()
    try:
        rows = run(queue.get(timeout=600), args.items, args.locales)
    finally:
        child.terminate()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"items": args.items, "locales": args.locales, "rows": rows}, indent=2))
    print(f"written to {out}")


def run(base_url: str, items: int, locales: int) -> list[dict[str, Any]]:
    root = Path(tempfile.mkdtemp(prefix="wfsync-bench-locales-"))
    client = WebflowClient(Transport(base_url, single.TOKEN, timeout=120))
    site = client.get_site(single.SITE)
    ids = [loc.cms_locale_id for loc in site.locales]
    (root / "mappings").mkdir()
    sizes = {}
    for c in client.list_collections(single.SITE):
        (root / "mappings" / f"{c.slug}.yaml").write_text(render_mapping(default_mapping(client.get_collection(c.id))))
        sizes[c.id] = client.list_items_page(c.id, limit=1).total
    engine = Engine(client, single.SITE, root / "snapshots" / "bench", load_mappings(root / "mappings"))
    variants = items * locales
    runs = len(sizes) * locales  # one run per collection and locale
    first = 1 + len(sizes) + locales * sum(math.ceil(s / 100) for s in sizes.values())
    rows = [single.measure("first pull", engine, client, RunOptions(command="pull"), variants, first)]
    rows.append(single.measure("pull, no change", engine, client, RunOptions(command="pull"), variants, 2 * runs))
    # 1 % remote edits in every locale, by "someone else" (not counted)
    editor = WebflowClient(Transport(base_url, single.TOKEN, timeout=120))
    rng = random.Random(5)
    for cid, size in sizes.items():
        every = [i.id for i in editor.iter_items(cid)]
        for loc in ids:
            picked = rng.sample(every, max(1, size // 100))
            editor.update_items(cid, [{"id": i, "cmsLocaleId": loc, "fieldData": {"name": f"Modifié {i[:6]}"}}
                                      for i in picked])
    rows.append(single.measure("pull after 1 % remote edits per locale", engine, client, RunOptions(command="pull"),
                               variants, 2 * runs))
    # 1 % local edits in every locale's folder
    files = sorted(p for p in (root / "snapshots" / "bench").rglob("*.md") if ".wfsync" not in p.parts)
    edited = random.Random(3).sample(files, len(files) // 100)
    for f in edited:
        f.write_text(f.read_text(encoding="utf-8").replace("title: ", "title: Édité ", 1), encoding="utf-8")
    touched = {(f.parent.name, f.relative_to(root / "snapshots" / "bench").parts[0]) for f in edited}
    rows.append(single.measure("push of 1 % local edits per locale", engine, client,
                               RunOptions(command="push", policy=Policy(pull=False, push=True)), variants,
                               2 * runs + 2 * len(touched)))
    return rows


if __name__ == "__main__":
    main()
