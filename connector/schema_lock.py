"""The schema lock: each collection's fields as the last run saw them, to notice when they change.

Kept beside the state (``.wfsync/schema.lock.json``), fields by id so a rename is told apart from
a removal. Before a run reads a collection, its live schema is compared with the lock:

- a new field is reported (``wfsync init --update`` adds it to the mapping, leaving the user's
  own edits of that file as they are) and stays "new" until it is mapped;
- a mapped field removed, renamed or given another type stops that collection before anything
  of it is read, written or sent (the run goes on with the others, then exits 2), with what to
  do: its values in the files are never dropped nor sent to a field of another type;
- a mapped Option field's options edited (renamed, added, removed) is reported and the collection
  is read in full, so every file holds the names Webflow now has;
- anything else (an unmapped field gone or retyped) is taken into the lock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .mapping import Mapping
from .model import Collection
from .store import atomic_write

LOCK_FILE = "schema.lock.json"


#: what a report says when collections were stopped (the CLI's hint, the JSON's error)
STOPPED_HINT = ("Nothing of these collections was read, written or sent; the others were synced. Do what each "
                "problem says (in the mapping file it names), then run again.")


@dataclass(frozen=True)
class Blocking:
    """A mapped field Webflow removed, renamed or retyped: what stops its collection, and what to do."""
    key: str  # the front-matter key the mapping writes it as (``(body)`` for the body)
    field: str  # the field's slug as the lock knew it
    message: str


@dataclass
class Drift:
    new: list[str] = field(default_factory=list)  # slugs of fields not mapped and not in the lock
    blocking: list[Blocking] = field(default_factory=list)  # what stops the collection, and what to do
    options: list[str] = field(default_factory=list)  # mapped Option fields whose options changed


def lock_path(snapshot_root: Path) -> Path:
    return snapshot_root / ".wfsync" / LOCK_FILE


def load_lock(snapshot_root: Path) -> dict[str, Any]:
    try:
        data = json.loads(lock_path(snapshot_root).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (FileNotFoundError, ValueError):
        return {}


def save_lock(snapshot_root: Path, lock: dict[str, Any]) -> None:
    atomic_write(lock_path(snapshot_root), (json.dumps(lock, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())


def mapped_fields(mapping: Mapping) -> dict[str, str]:
    """Field slug -> the front-matter key it is written as (``(body)`` for the body)."""
    out = {e.field: e.key for e in mapping.entries if e.field}
    if mapping.body:
        out[mapping.body] = "(body)"
    return out


def check(lock: dict[str, Any], schema: Collection, mapping: Mapping) -> Drift:
    drift = Drift()
    locked = (lock.get(schema.id) or {}).get("fields")
    if locked is None:
        return drift  # first run with a lock: nothing to compare with
    mapped = mapped_fields(mapping)
    source = mapping.source or f"mappings/{schema.slug}.yaml"
    live = {f.id: f for f in schema.fields}
    for fid, old in locked.items():
        now = live.get(fid)
        key = mapped.get(old["slug"])
        if key is None:
            continue
        if now is None:
            drift.blocking.append(Blocking(key, old["slug"],
                f"{schema.slug}: field {old['slug']!r} ({old['type']}, written as {key!r}) was removed in Webflow; its "
                f"values stay in your files. Remove `{key}: {old['slug']}` from {source} (keep the values "
                f"elsewhere if you need them), then run again. Then the `{key}:` lines go: a file you edited is "
                f"pushed once its `{key}:` line is removed, the others lose it when Webflow next changes their item."))
        elif now.slug != old["slug"] and now.slug not in mapped:
            drift.blocking.append(Blocking(key, old["slug"],
                f"{schema.slug}: field {old['slug']!r} was renamed {now.slug!r} in Webflow. In {source}, change "
                f"`{key}: {old['slug']}` to `{key}: {now.slug}`, then run again."))
        elif now.type != old["type"]:
            drift.blocking.append(Blocking(key, old["slug"],
                f"{schema.slug}: field {now.slug!r} (written as {key!r}) changed type from {old['type']} to {now.type} "
                f"in Webflow; your files hold {old['type']} values, which wfsync will not send to a {now.type} field. "
                f"Check those values, then run `wfsync init --update` to accept the new type."))
        elif "options" in old and options_of(now) != old["options"]:
            # the items keep the option ids, so their names in the files are stale: read them again
            drift.options.append(now.slug)
    known_slugs = {v["slug"] for v in locked.values()}
    for f in schema.fields:
        if f.id not in locked and f.slug not in mapped and f.slug not in known_slugs:
            drift.new.append(f.slug)
    return drift


def options_of(spec: Any) -> dict[str, str]:
    """An Option field's options, id -> name (what a file holds is the name)."""
    return {str(o.get("id")): str(o.get("name")) for o in (spec.validations or {}).get("options", [])
            if isinstance(o, dict)}


def problems(drift: Drift, schema: Collection, mapping: Mapping) -> list[dict[str, str]]:
    """The report's problems for a stopped collection: the mapping file (from the project root),
    the field (its slug as last synced) and the front-matter key that mapping writes it as."""
    path = mapping.source or f"mappings/{schema.slug}.yaml"
    # the engine's problem shape: ``item`` a path, ``field`` the key (``report.problem_dict``)
    return [{"collection": schema.slug, "item": path, "field": b.field, "message": b.message,
             "front_matter_key": b.key, "kind": "schema_drift"} for b in drift.blocking]


def carry(exc: BaseException, report: Any) -> None:
    """A run that fails after it stopped collections (a validation problem in another one, say)
    still says what stopped them, with its own error: the next run would only say it again."""
    if report.stopped and not getattr(exc, "stopped", None):
        exc.stopped = list(report.stopped)  # type: ignore[attr-defined]
        exc.drift = [p for p in report.problems if p.get("kind") == "schema_drift"]  # type: ignore[attr-defined]


def locked_entry(schema: Collection, mapping: Mapping | None, previous: dict[str, Any] | None,
                 accept: bool = False) -> dict[str, Any]:
    """The lock's entry after a run: the live fields, except new unmapped ones (still to be reported)
    and, unless ``accept``, a mapped field's old type (still to be accepted)."""
    old = (previous or {}).get("fields")
    mapped = mapped_fields(mapping) if mapping else {}
    fields = {}
    for f in schema.fields:
        if old is not None and not accept and f.id not in old and f.slug not in mapped:
            continue
        entry: dict[str, Any] = {"slug": f.slug, "type": f.type}
        if f.type == "Option":
            entry["options"] = options_of(f)
        if old is not None and not accept and f.id in old and f.slug in mapped:
            entry["type"] = old[f.id]["type"]
        fields[f.id] = entry
    return {"slug": schema.slug, "fields": fields}


def add_fields(text: str, additions: list[tuple[str, str]]) -> str:
    """The mapping file's text with ``key: field`` lines appended to its ``front_matter`` block;
    every other line (the user's keys, order, comments) stays as it is."""
    lines = text.splitlines(keepends=True)
    start = next((n for n, line in enumerate(lines) if re.match(r"^front_matter:\s*(#.*)?$", line)), None)
    if start is None:
        raise ConfigError("the mapping has no front_matter block to add fields to")
    end, indent = start + 1, None
    for n in range(start + 1, len(lines)):
        if lines[n].strip() == "" or lines[n].lstrip().startswith("#"):
            continue
        if not lines[n][:1].isspace():
            break
        if indent is None:  # the entries' own indentation (a value's nested lines go deeper)
            indent = lines[n][: len(lines[n]) - len(lines[n].lstrip())]
        end = n + 1
    indent = indent or "  "
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    new = [f"{indent}{key}: {slug}\n" for key, slug in additions]
    return "".join(lines[:end] + new + lines[end:])
