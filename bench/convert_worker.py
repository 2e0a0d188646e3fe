"""wfsync's conversion, as bench/compare.py drives it (the same protocol as convert_worker.js).

Reads one JSON request a line on stdin, answers one JSON line on stdout:
  {"load": {...cases}}      -> {"ok": true, "engine": which build of the converter is in use}
  {"case": name, "n": k}    -> {"seconds": wall, "cpu": CPU seconds of the process, "texts": [...] if asked}
One repetition converts every item of the case: rich text to Markdown, the front matter to YAML
(js-yaml's style), and the file text, as a pull writes it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from connector.convert import Document, render
from connector.richtext.to_markdown import to_markdown


def build() -> str:
    module = sys.modules["connector.richtext.to_markdown"]
    compiled = not str(module.__file__).endswith(".py")
    return ("compiled" if compiled else "pure") + f" (Python {sys.version.split()[0]}, {module.__file__})"


def file_text(item: dict[str, Any]) -> str:
    front = dict(item["front"])
    front[item["key"]] = to_markdown(item["html"])
    return render(Document(front, ""))


def main() -> None:
    cases: dict[str, list[dict[str, Any]]] = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "load" in request:
            cases = request["load"]
            print(json.dumps({"ok": True, "engine": build()}), flush=True)
            continue
        items = cases[request["case"]]
        texts: list[str] = []
        cpu0, started = time.process_time(), time.perf_counter()
        for _ in range(request["n"]):
            texts = [file_text(item) for item in items]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
        print(json.dumps({"seconds": seconds, "cpu": cpu, "texts": texts if request.get("texts") else None}), flush=True)


if __name__ == "__main__":
    main()
