"""Extract the CMS part of Webflow's OpenAPI v2 spec into tests/data/.

Run from the repository root with the full spec at hand:

    python tests/tools/extract_cms_spec.py path/to/webflow-openapi-v2.yml

The spec is Webflow's, published under the MIT licence (openapi-spec repository);
the extract keeps its ``info`` block, licence included. Examples and vendor
extensions are dropped to keep the file small: only the shapes are needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

PATHS = [
    "/sites", "/sites/{site_id}", "/sites/{site_id}/collections", "/collections/{collection_id}",
    "/collections/{collection_id}/items", "/collections/{collection_id}/items/live",
    "/collections/{collection_id}/items/bulk", "/collections/{collection_id}/items/{item_id}",
    "/collections/{collection_id}/items/{item_id}/live", "/collections/{collection_id}/items/publish",
    "/sites/{site_id}/assets",
]
DROP = {"example", "examples", "x-codeSamples", "x-fern-examples"}


def prune(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: prune(v) for k, v in node.items() if k not in DROP and not k.startswith("x-")}
    if isinstance(node, list):
        return [prune(v) for v in node]
    return node


def main(source: str, target: str = "tests/data/webflow-cms-openapi.json") -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(Path(source).read_text(encoding="utf-8"), Loader=loader)
    out = {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "x-extract": "CMS paths only, examples removed, for the wfsync test suite"},
        "servers": spec.get("servers", []),
        "paths": {p: prune(spec["paths"][p]) for p in PATHS},
    }
    Path(target).write_text(json.dumps(out, indent=1, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}: {len(out['paths'])} paths")


if __name__ == "__main__":
    main(*sys.argv[1:])
