"""Field-level differences between a local file and Webflow's item, and their rendering.

Pure: two records in, a list of differences out; rich text (multi-line values) gets a
unified diff, other values are shown before and after.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Mapping

from .convert import BODY_KEY
from .yamlstyle import inline


@dataclass(frozen=True)
class FieldDiff:
    key: str
    remote: Any
    local: Any

    @property
    def label(self) -> str:
        return "(body)" if self.key == BODY_KEY else self.key


def field_diffs(local: Mapping[str, Any], remote: Mapping[str, Any]) -> list[FieldDiff]:
    keys = list(dict.fromkeys([*remote.keys(), *local.keys()]))
    return [FieldDiff(k, remote.get(k), local.get(k)) for k in keys if remote.get(k) != local.get(k)]


def _json_safe(value: Any) -> Any:
    """The value, or, when YAML read it as something JSON has not (a date, ``!!binary``, ``!!set``),
    its YAML text: shown as written, the problem with it is reported by validation."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return inline(value)
    return value


def _show(value: Any) -> str:
    value = _json_safe(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def render_text(path: str, diffs: list[FieldDiff], heading: str = "") -> str:
    lines = [f"--- Webflow  {path}", f"+++ local    {path}" + (f"  ({heading})" if heading else "")]
    for d in diffs:
        before, after = _show(d.remote) if d.remote is not None else "", _show(d.local) if d.local is not None else ""
        if "\n" in before or "\n" in after:
            lines.append(f"@@ {d.label} @@")
            hunks = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2))
            # the ---/+++ file header is the one above; the field's own would be two blank names
            lines.extend(line.rstrip("\n") for line in hunks[2:])
        else:
            lines.append(f"@@ {d.label} @@")
            lines.append(f"-{before}" if d.remote is not None else "-(absent)")
            lines.append(f"+{after}" if d.local is not None else "+(absent)")
    return "\n".join(lines)


def to_json(path: str, diffs: list[FieldDiff]) -> dict[str, Any]:
    return {"path": path, "fields": [{"key": d.label, "webflow": d.remote, "local": _json_safe(d.local)} for d in diffs]}
