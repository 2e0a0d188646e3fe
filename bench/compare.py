"""Conversion speed side by side: wfsync (pure Python and compiled) against the earlier exporter's
Node stack (Turndown 7.1.3 + js-yaml 4.1.0), in one run, on the same items.

    python bench/compare.py [--reps 15] [--compiled-venv DIR] [--node-dir DIR]

Each engine is a long-lived worker (bench/convert_worker.py, bench/convert_worker.js) that
converts a case n times when asked: rich text to Markdown, the front matter to YAML, the file
text. The repetitions are interleaved (pure, compiled, Node, in a rotating order), so a busy
machine slows them alike; medians per item and ratios to Node are printed, of CPU time (each
worker's own, all its threads: Node's compiler and garbage collector count) and of wall time
(which a shared machine disturbs more). Cases:

- reference: the reference item (tests/data/reference-item.*), its exact file as the result;
- corpus: the real Webflow rich text of tests/data/webflow-corpus/ (14 values, 18 KB), each
  as the rich-text field of the reference item's front matter.

The first run sets up what is missing, outside the repository: the Node packages (npm, in
~/.cache/wfsync-bench/node) and a virtual environment with the compiled build
(``WFSYNC_COMPILE=1 pip install .``, in ~/.cache/wfsync-bench/venv-compiled; rebuilt whenever
the checkout's sources changed since, or with --rebuild). Every engine's output is checked: the reference item byte for
byte, the corpus identical between the two builds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wfsync-bench"
NODE_PACKAGES = ["turndown@7.1.3", "js-yaml@4.1.0"]


def cases() -> dict[str, list[dict[str, Any]]]:
    reference = (DATA / "reference-item.md").read_text(encoding="utf-8")
    front = yaml.safe_load(reference.split("---\n")[1])
    html = (DATA / "reference-item.html").read_text(encoding="utf-8")
    corpus = [{"html": p.read_text(encoding="utf-8"), "front": front, "key": "f_contenu"}
              for p in sorted((DATA / "webflow-corpus").glob("*.html"))]
    return {"reference": [{"html": html, "front": front, "key": "f_contenu"}], "corpus": corpus}


def _system_node() -> str:
    venv = Path(sys.prefix).resolve()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / "node"
        if candidate.is_file() and os.access(candidate, os.X_OK) and venv not in candidate.resolve().parents:
            return str(candidate)
    return "node"


def setup_node(node_dir: Path) -> None:
    if (node_dir / "node_modules" / "turndown").is_dir() and (node_dir / "node_modules" / "js-yaml").is_dir():
        return
    node_dir.mkdir(parents=True, exist_ok=True)
    if not (node_dir / "package.json").exists():
        (node_dir / "package.json").write_text('{"private": true}\n')
    print(f"installing {' '.join(NODE_PACKAGES)} into {node_dir}", flush=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *NODE_PACKAGES], cwd=node_dir, check=True)


def source_digest() -> str:
    """What the compiled build is built from: the package's sources and the build settings."""
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "connector").rglob("*.py"), ROOT / "pyproject.toml", ROOT / "setup.py"]):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def setup_compiled(venv: Path, rebuild: bool) -> None:
    """The compiled build of this checkout in ``venv``: built when missing, and built again when
    the sources changed since (a stale build would measure other code than the checkout's)."""
    python = venv / "bin" / "python"
    marker = venv / "wfsync-source.sha256"
    digest = source_digest()
    if python.exists() and not rebuild and marker.is_file() and marker.read_text() == digest:
        return
    print(f"building the compiled variant into {venv} (a few minutes)", flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True)  # the dependencies
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(ROOT)],
                   env={**os.environ, "WFSYNC_COMPILE": "1"}, check=True)
    marker.write_text(digest)


class Worker:
    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        encoding="utf-8", env=env, cwd=cwd)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name}: the worker stopped")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="interleaved repetitions per engine and case")
    parser.add_argument("--seconds", type=float, default=0.3, help="about how long one repetition runs")
    parser.add_argument("--compiled-venv", type=Path, default=CACHE / "venv-compiled")
    parser.add_argument("--node-dir", type=Path, default=CACHE / "node")
    parser.add_argument("--node", default=_system_node(), help="the Node executable (default: the machine's, "
                        "not one a virtual environment brings)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the compiled variant from this checkout")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "compare.json")
    args = parser.parse_args()

    setup_node(args.node_dir)
    setup_compiled(args.compiled_venv, args.rebuild)
    measure(args.reps, args.seconds, args.compiled_venv, args.node_dir, args.node, args.out)


def measure(reps: int, seconds: float, compiled_venv: Path, node_dir: Path, node: str, out: Path) -> dict[str, Any]:
    """The three engines side by side (see the module's docstring): the summary of medians and
    ratios, also written to ``out``."""
    data = cases()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NODE_PATH")}
    workers = [
        # the checkout's sources, pure Python (the development install has no compiled modules)
        Worker("pure", [sys.executable, str(ROOT / "bench" / "convert_worker.py")], {**clean, "PYTHONPATH": str(ROOT)},
               ROOT),
        # the compiled build installed in its own environment: run from outside the checkout
        Worker("compiled", [str(compiled_venv / "bin" / "python"), str(ROOT / "bench" / "convert_worker.py")],
               clean, CACHE),
        Worker("node", [node, str(ROOT / "bench" / "convert_worker.js")],
               {**clean, "NODE_PATH": str(node_dir / "node_modules")}, CACHE),
    ]
    try:
        engines = {w.name: w.ask({"load": data})["engine"] for w in workers}
        for name, engine in engines.items():
            print(f"{name:<9} {engine}")
        _check_outputs(workers, data)
        reps_n = _calibrate(workers, data, seconds)
        cpu: dict[str, dict[str, list[float]]] = {c: {w.name: [] for w in workers} for c in data}
        wall: dict[str, dict[str, list[float]]] = {c: {w.name: [] for w in workers} for c in data}
        for rep in range(reps):
            for case in data:
                order = workers[rep % len(workers):] + workers[:rep % len(workers)]
                for w in order:
                    answer = w.ask({"case": case, "n": reps_n[case]})
                    items = reps_n[case] * len(data[case])
                    cpu[case][w.name].append(answer["cpu"] / items)
                    wall[case][w.name].append(answer["seconds"] / items)
        report = _report(cpu, wall, data)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"engines": engines, "reps": reps, "conversions_per_rep": reps_n,
                                   "cpu_per_item_s": cpu, "wall_per_item_s": wall, "summary": report}, indent=2))
        print(f"written to {out}")
        return {"engines": engines, "summary": report}
    finally:
        for w in workers:
            w.close()


def _check_outputs(workers: list[Worker], data: dict[str, list[dict[str, Any]]]) -> None:
    reference = (DATA / "reference-item.md").read_text(encoding="utf-8")
    outputs = {w.name: {case: w.ask({"case": case, "n": 1, "texts": True})["texts"] for case in data} for w in workers}
    for name, out in outputs.items():
        if out["reference"] != [reference]:
            raise SystemExit(f"{name}: the reference item is not byte-identical")
    if outputs["pure"]["corpus"] != outputs["compiled"]["corpus"]:
        raise SystemExit("pure and compiled builds differ on the corpus")
    same = sum(a == b for a, b in zip(outputs["pure"]["corpus"], outputs["node"]["corpus"]))
    print(f"outputs: reference item byte-identical in all three; corpus identical between the builds, "
          f"{same}/{len(data['corpus'])} values as Node writes them (the others keep as HTML what Turndown drops)")


def _calibrate(workers: list[Worker], data: dict[str, list[dict[str, Any]]], seconds: float) -> dict[str, int]:
    """The same number of conversions for every engine: about ``seconds`` for the slowest."""
    reps = {}
    for case in data:
        for w in workers:  # warm up (Node's JIT, caches)
            w.ask({"case": case, "n": 3})
        slowest = max(w.ask({"case": case, "n": 2})["seconds"] / 2 for w in workers)
        reps[case] = max(1, round(seconds / max(slowest, 1e-6)))
    return reps


def _report(cpu: dict[str, dict[str, list[float]]], wall: dict[str, dict[str, list[float]]],
            data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    print()
    print(f"{'case':<10} {'engine':<9} {'CPU per item':>13} {'× Node':>7} {'wall per item':>14} {'× Node':>7}"
          f"   (values: " + ", ".join(f"{c} {len(v)}" for c, v in data.items()) + ")")
    for case in cpu:
        node_cpu, node_wall = statistics.median(cpu[case]["node"]), statistics.median(wall[case]["node"])
        summary[case] = {}
        for name in cpu[case]:
            c, w = statistics.median(cpu[case][name]), statistics.median(wall[case][name])
            summary[case][name] = {"cpu_us": round(c * 1e6, 1), "cpu_ratio_to_node": round(node_cpu / c, 2),
                                   "wall_us": round(w * 1e6, 1), "wall_ratio_to_node": round(node_wall / w, 2)}
            print(f"{case:<10} {name:<9} {c * 1e6:>10.1f} µs {node_cpu / c:>6.2f}× {w * 1e6:>11.1f} µs {node_wall / w:>6.2f}×")
    return summary


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.0f} s)")
