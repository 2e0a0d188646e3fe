"""The speed targets, measured in one run: conversion against the earlier exporter's Node stack,
and a first pull of 10,000 items at 60 requests a minute, in both builds, side by side.

    python bench/targets.py [--items 10000] [--rate 60] [--reps 15]

1. Conversion (``bench/compare.py``): the reference item and the real rich-text corpus through
   the pure-Python build, the compiled build and Node (Turndown 7.1.3 + js-yaml 4.1.0),
   interleaved; medians and ratios to Node.
2. The API's bound: the calls a first pull makes, made with nothing converted or written.
3. A first pull with each build (each in its own interpreter, each with a budget of its own),
   then a pull with nothing changed: wall time against the bound, the time after the last page,
   CPU time and peak memory of all the run's processes, the no-change run's local time.
4. The files both builds wrote, compared byte for byte.

Then each target with its figure and whether it is met. About eight minutes; the first run also
sets up Node's packages and the compiled build (see ``bench/compare.py``).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
import run  # noqa: E402

from connector.client import WebflowClient  # noqa: E402
from connector.transport import Transport  # noqa: E402

ROOT = compare.ROOT


def pull_with(build: str, python: Path, base_url: str, token: str) -> dict[str, Any]:
    """``bench/run.py --paced-client`` in the build's own interpreter: its last line is the JSON."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env = {**clean, "PYTHONPATH": str(ROOT)} if build == "pure" else clean
    cwd = ROOT if build == "pure" else compare.CACHE  # the compiled build: its installed package, not the checkout
    done = subprocess.run([str(python), str(ROOT / "bench" / "run.py"), "--paced-client", base_url, token],
                          env=env, cwd=cwd, check=True, capture_output=True, text=True)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if row["engine"] != build:
        raise SystemExit(f"the {build} pull ran the {row['engine']} converter")
    return row


def same_files(a: Path, b: Path) -> tuple[int, list[str]]:
    """(files compared, paths that differ or exist on one side only)."""
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*.md")}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*.md")}
    differ = sorted(files_a ^ files_b)
    differ += [f for f in sorted(files_a & files_b) if not filecmp.cmp(a / f, b / f, shallow=False)]
    return len(files_a | files_b), differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=60, help="requests a minute the emulator allows")
    parser.add_argument("--reps", type=int, default=15, help="interleaved conversion repetitions per engine")
    parser.add_argument("--seconds", type=float, default=0.3, help="about how long one repetition runs")
    parser.add_argument("--compiled-venv", type=Path, default=compare.CACHE / "venv-compiled")
    parser.add_argument("--node-dir", type=Path, default=compare.CACHE / "node")
    parser.add_argument("--node", default=compare._system_node())
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "targets.json")
    args = parser.parse_args()
    started = time.monotonic()

    compare.setup_node(args.node_dir)
    compare.setup_compiled(args.compiled_venv, rebuild=False)
    print("== conversion, side by side", flush=True)
    conversion = compare.measure(args.reps, args.seconds, args.compiled_venv, args.node_dir, args.node,
                                 args.out.with_name("compare.json"))["summary"]

    print(f"\n== a first pull of {args.items:,} items at {args.rate} requests a minute", flush=True)
    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=run.serve, args=(args.items, queue, (), args.rate), daemon=True)
    child.start()
    pulls: dict[str, dict[str, Any]] = {}
    try:
        base_url = queue.get(timeout=300)
        bound_client = WebflowClient(Transport(base_url, run.PACED_TOKENS[0], timeout=120))
        wall0 = time.perf_counter()
        bound_calls = run.fetch_only(bound_client)
        bound = time.perf_counter() - wall0
        print(f"API bound: {bound_calls} calls in {bound:.1f} s (the same calls, nothing converted or written)",
              flush=True)
        builds = {"pure": Path(sys.executable), "compiled": args.compiled_venv / "bin" / "python"}
        for (build, python), token in zip(builds.items(), run.PACED_TOKENS[1:]):
            row = pull_with(build, python, base_url, token)
            row["over_bound_pct"] = round(100 * (row["wall_s"] - bound) / bound, 1)
            pulls[build] = row
            print(f"{build:<9} {row['api_calls']} calls, wall {row['wall_s']:.1f} s ({row['over_bound_pct']:+.1f} % "
                  f"over the bound), {row['after_last_page_s']:.1f} s after the last page, CPU {row['cpu_s']:.1f} s, "
                  f"peak RSS {row['peak_rss_total_mb']:.0f} MB ({row['peak_rss_mb']:.0f} + "
                  f"{row['peak_rss_helper_mb']:.0f} MB helper); no-change pull: {row['no_change_calls']} calls, "
                  f"{row['no_change_wall_s']:.2f} s wall, {row['no_change_cpu_s']:.2f} s CPU", flush=True)
    finally:
        child.terminate()
    compared, differ = same_files(Path(pulls["pure"]["snapshot"]), Path(pulls["compiled"]["snapshot"]))
    print(f"files written by the two builds: {compared:,} compared, {len(differ)} differ"
          + (f" ({', '.join(differ[:5])}…)" if differ else ""), flush=True)

    ref, corpus = conversion["reference"], conversion["corpus"]
    targets = [
        ("compiled build ≥ 3× Node on the reference item (CPU)", f"{ref['compiled']['cpu_ratio_to_node']:.2f}×",
         ref["compiled"]["cpu_ratio_to_node"] >= 3),
        ("compiled build on the real corpus (CPU)", f"{corpus['compiled']['cpu_ratio_to_node']:.2f}×", None),
        ("pure build on the reference item / corpus (CPU)",
         f"{ref['pure']['cpu_ratio_to_node']:.2f}× / {corpus['pure']['cpu_ratio_to_node']:.2f}×", None),
        *[(f"paced first pull within 10 % of the API bound, {b} build", f"{r['over_bound_pct']:+.1f} %",
           r["over_bound_pct"] <= 10) for b, r in pulls.items()],
        *[(f"peak memory < 200 MB at {args.items:,} items, all processes, {b} build", f"{r['peak_rss_total_mb']:.0f} MB",
           r["peak_rss_total_mb"] < 200) for b, r in pulls.items()],
        *[(f"no-change run < 2 s of local time, {b} build", f"{r['no_change_cpu_s']:.2f} s CPU, {r['no_change_wall_s']:.2f} s wall",
           r["no_change_wall_s"] < 2) for b, r in pulls.items()],
        ("same files from both builds", f"{compared - len(differ):,} of {compared:,} identical", not differ),
    ]
    print("\n| target | measured | met |\n|---|---|---|")
    for name, value, met in targets:
        print(f"| {name} | {value} | {'—' if met is None else 'yes' if met else 'NO'} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"conversion": conversion, "api_bound_s": round(bound, 2),
                                    "api_bound_calls": bound_calls, "pulls": pulls, "files_compared": compared,
                                    "files_differing": differ,
                                    "targets": [{"target": n, "measured": v, "met": m} for n, v, m in targets]},
                                   indent=2))
    print(f"\nwritten to {args.out} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
