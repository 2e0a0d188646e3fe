"""wfsync at 10,000 items: API calls, wall and CPU time, local throughput, peak memory.

    python bench/run.py [--items 10000] [--out bench/out/results.json] [--mode MODE ...]

    python bench/run.py --rate 60      # a first pull against a budget of 60 requests a minute

``--mode`` runs the emulator with a deviation from the spec (see ``connector/emulator/deviations.py``;
``live`` for all of them at once, ``all`` for each in turn and the spec-exact emulator): the API
calls each scenario costs when the API does not provide what incremental sync would use.

The emulator runs in a child process (rate limits off) with three collections: themes
(referenced), articles (rich text of a few KB, an image, a reference) and places (rich text,
images, numbers). The client runs here, so CPU time and peak memory are the client's own.
Scenarios: a first pull, a second pull with nothing changed, a pull after 1 % remote changes,
a push of 1 % local changes. Figures are printed and written as JSON; they are measurements for
this machine, not assertions.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

try:  # the installed package (the compiled build, if that is what is installed), else this checkout
    import connector  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connector.client import WebflowClient  # noqa: E402
from connector.emulator.core import EmulatorState, StoredItem, object_id  # noqa: E402
from connector.emulator.deviations import MODES  # noqa: E402
from connector.emulator.server import ALL_SCOPES, EmulatorServer  # noqa: E402
from connector.engine import Engine, RunOptions  # noqa: E402
from connector.mapping import default_mapping, load_mappings, render_mapping  # noqa: E402
from connector.plan import Policy  # noqa: E402
from connector.transport import Transport  # noqa: E402

TOKEN = "bench-token"
SITE = object_id("bench-site")
WORDS = ("Sierre commune habitants école santé transport culture sport marché vin montagne Rhône "
         "information horaires adresse téléphone service public famille enfants aînés").split()


def paragraph(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    k = rng.randrange(3, n)
    words[k] = f"<strong>{words[k]}</strong>"
    j = rng.randrange(1, n)
    words[j] = f'<a href="https://www.sierre.ch/{words[j].lower()}">{words[j]}</a>'
    return "<p>" + " ".join(words) + ".</p>"


PLAIN = False  # --plain: one short paragraph per rich-text field (the same API calls, far less conversion)


def rich_text(rng: random.Random, n: int) -> str:
    if PLAIN:
        return f"<p>Texte {n}.</p>"
    parts = [f"<h3>{rng.choice(WORDS).upper()} {n}</h3>"]
    for _ in range(rng.randrange(6, 10)):
        parts.append(paragraph(rng, rng.randrange(25, 60)))
        if rng.random() < 0.3:
            parts.append("<ul role=\"list\">" + "".join(f"<li>{rng.choice(WORDS)} {rng.choice(WORDS)}</li>"
                                                         for _ in range(4)) + "</ul>")
        if rng.random() < 0.2:
            parts.append("<p>\u200d</p>")
    return "".join(parts)


def image(n: int) -> dict[str, Any]:
    return {"fileId": object_id(f"img{n}"), "url": f"https://cdn.test/{object_id(f'img{n}')}_photo-{n}.jpg", "alt": f"Photo {n}"}


def build_state(total: int) -> EmulatorState:
    rng = random.Random(7)
    state = EmulatorState()
    state.add_site({"id": SITE, "displayName": "Bench", "shortName": "bench",
                    "locales": {"primary": {"id": object_id("l"), "cmsLocaleId": object_id("cl"), "tag": "fr"}}})
    themes = state.add_collection(SITE, id=object_id("themes"), display_name="Thèmes", singular_name="Thème", slug="themes",
                                  fields=[{"id": object_id("t-c"), "isEditable": True, "isRequired": False, "type": "Color",
                                           "slug": "couleur", "displayName": "Couleur"}])
    field = lambda slug, kind, extra=None: {"id": object_id(slug), "isEditable": True, "isRequired": False,  # noqa: E731
                                            "type": kind, "slug": slug, "displayName": slug, **({"validations": extra} if extra else {})}
    articles = state.add_collection(SITE, id=object_id("articles"), display_name="Articles", singular_name="Article",
                                    slug="articles", fields=[field("contenu", "RichText"), field("image", "Image"),
                                                             field("theme", "Reference", {"collectionId": themes.id}),
                                                             field("resume", "PlainText")])
    places = state.add_collection(SITE, id=object_id("places"), display_name="Lieux", singular_name="Lieu", slug="lieux",
                                  fields=[field("description", "RichText"), field("photos", "MultiImage"),
                                          field("places", "Number"), field("themes", "MultiReference", {"collectionId": themes.id})])
    n_themes, n_places = 100, total * 3 // 10
    n_articles = total - n_themes - n_places
    stamp = "2024-01-01T00:00:00.000Z"
    spread = lambda n: f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n // 60) % 60:02d}.{n % 1000:03d}Z"  # noqa: E731
    # each item created at its own instant, in the order built (themes first), as items added one
    # by one or in batches would be: the order the API lists them in follows createdOn
    created = lambda k: f"2023-01-{1 + k // 86400:02d}T{k // 3600 % 24:02d}:{k // 60 % 60:02d}:{k % 60:02d}.000Z"  # noqa: E731
    theme_ids = []
    for n in range(n_themes):
        item = StoredItem(object_id(f"th{n}"), "cl", created(n), {"fieldData": {"name": f"Thème {n}", "slug": f"theme-{n}",
                                                                             "couleur": "#336699"},
                                                               "isDraft": False, "isArchived": False, "lastUpdated": stamp})
        themes.items[item.id] = item
        theme_ids.append(item.id)
    for n in range(n_articles):
        data = {"name": f"Article {n}", "slug": f"article-{n}", "contenu": rich_text(rng, n), "image": image(n),
                "theme": rng.choice(theme_ids), "resume": f"Résumé de l'article {n}"}
        articles.items[object_id(f"a{n}")] = StoredItem(object_id(f"a{n}"), "cl", created(n_themes + n), {
            "fieldData": data, "isDraft": False, "isArchived": False, "lastUpdated": spread(n)})
    for n in range(n_places):
        data = {"name": f"Lieu {n}", "slug": f"lieu-{n}", "description": rich_text(rng, n),
                "photos": [image(n * 3 + k) for k in range(2)], "places": rng.randrange(10, 500),
                "themes": rng.sample(theme_ids, 2)}
        places.items[object_id(f"p{n}")] = StoredItem(object_id(f"p{n}"), "cl", created(n_themes + n_articles + n), {
            "fieldData": data, "isDraft": False, "isArchived": False, "lastUpdated": spread(n + 7)})
    return state


PACED_TOKENS = ("bench-bound-token", "bench-pull-token", "bench-pull-token-2")  # a budget window of their own each


def serve(total: int, queue: Any, modes: tuple[str, ...] = (), rate: int | None = None) -> None:
    server = EmulatorServer(build_state(total), tokens={t: ALL_SCOPES for t in (TOKEN, *PACED_TOKENS)},
                            deviations=modes, rate_limit=rate)
    queue.put(server.base_url)
    server.serve_forever()


def _cpu() -> float:
    """This process's CPU time (its child processes' is sampled by ``PeakMemory``)."""
    t = os.times()
    return t.user + t.system


def measure(label: str, engine: Engine, client: WebflowClient, opts: RunOptions, items: int,
            minimum: int | None) -> dict[str, Any]:
    calls0 = client.stats.total
    wall0, cpu0 = time.perf_counter(), _cpu()
    with PeakMemory() as memory:
        report = engine.run(opts)
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0 + sum(memory.children_cpu.values())
    calls = client.stats.total - calls0
    row = {"scenario": label, "api_calls": calls, "minimum_calls": minimum, "wall_s": round(wall, 2),
           "cpu_s": round(cpu, 2), "items": items, "items_per_cpu_s": round(items / cpu) if cpu else None,
           "items_per_wall_s": round(items / wall) if wall else None,
           "written": sum(c.written for c in report.collections.values()),
           "pushed": sum(c.updated + c.created for c in report.collections.values()),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "peak_rss_workers_mb": round(memory.children_mb(), 1)}
    print(f"{label:<28} calls {calls:>4} (min {minimum if minimum is not None else '-':>4})  wall {wall:6.2f}s  "
          f"cpu {cpu:6.2f}s  {row['items_per_cpu_s'] or 0:>6} items/cpu-s  {row['items_per_wall_s'] or 0:>6} items/s  "
          f"written {row['written']:>5}  pushed {row['pushed']:>4}  peak RSS {row['peak_rss_mb']} MB"
          + (f" (+ {row['peak_rss_workers_mb']} MB in a converting process)" if row['peak_rss_workers_mb'] else ""),
          flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--out", default=str(Path(__file__).parent / "out" / "results.json"))
    parser.add_argument("--plain", action="store_true",
                        help="short rich text: counts API calls quickly (timings are then not the benchmark's)")
    parser.add_argument("--mode", action="append", default=[],
                        help=f"an emulator deviation ({', '.join(MODES)}, live), or all: each in turn")
    parser.add_argument("--paced-client", nargs=2, metavar=("URL", "TOKEN"),
                        help="(used by bench/targets.py) a paced first pull against a running emulator; JSON out")
    parser.add_argument("--rate", type=int, default=None,
                        help="requests a minute the emulator allows: then only a first pull, against the API bound")
    args = parser.parse_args()
    if args.paced_client:
        print(json.dumps(paced_client(*args.paced_client)), flush=True)
        return
    if args.rate:
        queue: Any = multiprocessing.Queue()
        child = multiprocessing.Process(target=serve, args=(args.items, queue, (), args.rate), daemon=True)
        child.start()
        NOT_MEASURED.add(child.pid)
        try:
            paced(queue.get(timeout=300), args.rate, Path(args.out).with_name("paced.json"))
        finally:
            child.terminate()
        return
    global PLAIN
    PLAIN = args.plain
    if args.mode == ["all"]:
        table = []
        for mode in ["spec", *MODES, "live"]:
            print(f"== {mode}", flush=True)
            rows = run_bench(args.items, () if mode == "spec" else (mode,),
                             str(Path(args.out).with_name(f"results-{mode}.json")))
            table.append((mode, rows))
        print("\n| emulator | first pull | no-change pull | pull after 1 % remote edits | push of 1 % local edits |")
        print("|---|---|---|---|---|")
        for mode, rows in table:
            print(f"| {mode} | " + " | ".join(str(r["api_calls"]) for r in rows) + " |")
        return
    run_bench(args.items, tuple(args.mode), args.out)


def run_bench(items: int, modes: tuple[str, ...], out_path: str) -> list[dict[str, Any]]:
    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=serve, args=(items, queue, modes), daemon=True)
    child.start()
    NOT_MEASURED.add(child.pid)
    base_url = queue.get(timeout=300)
    try:
        root = Path(tempfile.mkdtemp(prefix="wfsync-bench-"))
        client = WebflowClient(Transport(base_url, TOKEN, timeout=120))
        (root / "mappings").mkdir()
        sizes = {}
        for c in client.list_collections(SITE):
            (root / "mappings" / f"{c.slug}.yaml").write_text(render_mapping(default_mapping(client.get_collection(c.id))))
            sizes[c.id] = client.list_items_page(c.id, limit=1).total
        engine = Engine(client, SITE, root / "snapshots" / "bench", load_mappings(root / "mappings"))
        n = sum(sizes.values())
        collections = len(sizes)
        full_minimum = 1 + collections + sum(math.ceil(s / 100) for s in sizes.values())
        rows = [measure("first pull", engine, client, RunOptions(command="pull"), n, full_minimum)]
        rows.append(measure("second pull, no change", engine, client, RunOptions(command="pull"), n, 2 * collections))
        # 1 % remote changes, made through the API by "someone else" (not counted)
        editor = WebflowClient(Transport(base_url, TOKEN, timeout=120))
        changed = 0
        for cid, size in sizes.items():
            k = max(1, size // 100)
            every = [i.id for i in editor.iter_items(cid)]  # anywhere in the collection, not just the first page
            ids = random.Random(5).sample(every, k)
            editor.update_items(cid, [{"id": i, "fieldData": {"name": f"Modifié {i[:6]}"}} for i in ids])
            changed += len(ids)
        rows.append(measure("pull after 1 % remote edits", engine, client, RunOptions(command="pull"), n,
                            2 * collections))
        # 1 % local changes
        files = sorted((root / "snapshots" / "bench" / "cms").rglob("*.md"))
        rng = random.Random(3)
        edited = rng.sample(files, len(files) // 100)
        for f in edited:
            text = f.read_text(encoding="utf-8")
            f.write_text(text.replace("title: ", "title: Édité ", 1), encoding="utf-8")
        touched = {f.parent.name for f in edited}
        push_minimum = 2 * collections + 2 * len(touched)  # schema + page each; a check + a batch per touched one
        rows.append(measure("push of 1 % local edits", engine, client,
                            RunOptions(command="push", policy=Policy(pull=False, push=True)), n, push_minimum))
        out = Path(out_path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"items": n, "collections": collections, "remote_edits": changed,
                                   "local_edits": len(edited), "modes": sorted(modes), "rows": rows}, indent=2))
        print(f"written to {out}")
        return rows
    finally:
        child.terminate()



def fetch_only(client: WebflowClient) -> int:
    """The calls a first pull makes, with nothing converted or written: the list of collections,
    the site (its locales), each schema, every page, for each collection of more than a page the
    check that its read missed nothing (the list's head), and once the probe proving the order."""
    calls0 = client.stats.total
    client.get_site(SITE)
    probed = False
    for c in client.list_collections(SITE):
        client.get_collection(c.id)
        total = 0
        for page in client.iter_pages(c.id):
            total = page.total
        if total > 100:
            client.list_items_page(c.id, limit=1)
            if not probed:
                client.list_items_page(c.id, limit=1, params={"sortBy": "lastUpdated", "sortOrder": "asc"})
                probed = True
    return client.stats.total - calls0


NOT_MEASURED: set[int | None] = set()  # the emulator's process, when this one started it
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class PeakMemory:
    """Peak resident memory of this process and of its child processes (the converting helper),
    sampled from ``/proc`` while a run goes. A spawned child's own ``ru_maxrss`` is no use: Linux
    carries over the peak of the forked copy of this process it was before it started Python."""

    def __init__(self) -> None:
        self.children_kb: dict[int, int] = {}
        self.children_cpu: dict[int, float] = {}  # CPU seconds, as last sampled (to within 0.1 s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            for child in multiprocessing.active_children():
                if child.pid in NOT_MEASURED:
                    continue
                try:
                    status = Path(f"/proc/{child.pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
                        self.children_kb[child.pid or 0] = max(kb, self.children_kb.get(child.pid or 0, 0))
                try:
                    fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self.children_cpu[child.pid or 0] = (int(fields[11]) + int(fields[12])) / TICKS
                except (OSError, IndexError, ValueError):
                    continue

    def children_mb(self) -> float:
        return sum(self.children_kb.values()) / 1024


def paced_client(base_url: str, token: str) -> dict[str, Any]:
    """A first pull against the emulator's budget with ``token``, then a pull with nothing changed:
    wall and CPU time, the time after the last page, peak memory of every process of the run.
    Run by ``bench/targets.py`` with the interpreter of the build it measures."""
    root = Path(tempfile.mkdtemp(prefix="wfsync-bench-paced-"))
    setup = WebflowClient(Transport(base_url, TOKEN, timeout=120))
    (root / "mappings").mkdir()
    n = 0
    for c in setup.list_collections(SITE):
        (root / "mappings" / f"{c.slug}.yaml").write_text(render_mapping(default_mapping(setup.get_collection(c.id))))
        n += setup.list_items_page(c.id, limit=1).total
    client = WebflowClient(Transport(base_url, token, timeout=120))
    last_page = [0.0]
    pages = client.iter_pages

    def timed_pages(*args: Any, **kwargs: Any) -> Any:  # when the last page arrived: what follows is the tail
        for page in pages(*args, **kwargs):
            last_page[0] = time.perf_counter()
            yield page

    client.iter_pages = timed_pages  # type: ignore[method-assign]
    engine = Engine(client, SITE, root / "snapshots" / "bench", load_mappings(root / "mappings"))
    row = measure("first pull, paced", engine, client, RunOptions(command="pull"), n, None)
    tail = time.perf_counter() - last_page[0]
    again = measure("second pull, no change", engine, client, RunOptions(command="pull"), n, None)
    row.update({"after_last_page_s": round(tail, 2), "peak_rss_helper_mb": row["peak_rss_workers_mb"],
                "peak_rss_total_mb": round(row["peak_rss_mb"] + row["peak_rss_workers_mb"], 1),
                "no_change_calls": again["api_calls"], "no_change_wall_s": again["wall_s"],
                "no_change_cpu_s": again["cpu_s"], "snapshot": str(root / "snapshots" / "bench"),
                "engine": _engine()})
    return row


def _engine() -> str:
    module = importlib.import_module("connector.richtext.to_markdown")
    return "pure" if str(module.__file__).endswith(".py") else "compiled"


def paced(base_url: str, rate: int, out: Path) -> None:
    """A first pull against a budget of ``rate`` requests a minute, and its bound: the same calls
    made by the same client with nothing converted or written (each with a budget of its own)."""
    bound_client = WebflowClient(Transport(base_url, PACED_TOKENS[0], timeout=120))
    wall0 = time.perf_counter()
    bound_calls = fetch_only(bound_client)
    bound = time.perf_counter() - wall0
    print(f"API bound at {rate} requests/min: {bound_calls} calls, {bound:.1f} s (the calls alone, nothing converted)",
          flush=True)
    row = paced_client(base_url, PACED_TOKENS[1])
    row.update({"rate_per_minute": rate, "api_bound_s": round(bound, 2), "api_bound_calls": bound_calls,
                "over_bound_pct": round(100 * (row["wall_s"] - bound) / bound, 1),
                "cpu_share": round(row["cpu_s"] / row["wall_s"], 2)})
    print(f"wall {row['wall_s']} s against the API bound {bound:.1f} s: {row['over_bound_pct']:+.1f} %; "
          f"{row['after_last_page_s']:.1f} s after the last page; CPU {row['cpu_s']} s; peak RSS "
          f"{row['peak_rss_total_mb']} MB ({row['peak_rss_mb']} MB + {row['peak_rss_helper_mb']} MB helper)",
          flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(row, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
