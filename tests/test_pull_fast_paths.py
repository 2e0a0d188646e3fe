"""The fast paths of a pull's per-item work give exactly what the rules they shortcut give.

Hashing a record encodes each value once (the record's canonical JSON is built from its
values'); the snapshot's paths are split without ``PurePosixPath`` when they are plain; the
listing of the snapshot's files is ``os.walk``'s, with sorted names.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.convert import BODY_KEY, hashes
from connector.errors import UnsafePathError
from connector.store import SnapshotStore, _parts, atomic_write


def slow_record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def slow_value_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:16]


TEXT = st.text(st.sampled_from(list('ab é"\\\n\t\x00\u2028\ufeff\U0001f600<>&')), max_size=12)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False), TEXT,
                   st.just(datetime.date(2024, 1, 2)))
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                     max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.one_of(TEXT, st.just(BODY_KEY)), VALUE, max_size=6))
def test_hashing_a_record_once_is_hashing_it_whole_and_by_field(record: dict[str, Any]) -> None:
    assert hashes(record) == (slow_record_hash(record), {k: slow_value_hash(v) for k, v in record.items()})


def slow_parts(rel: str) -> tuple[str, ...]:
    """What the store always did with a relative path."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if not rel or pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or rel.startswith("~"):
        raise UnsafePathError("refused")
    return pure.parts


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab./\\~ é")), max_size=10))
def test_a_plain_path_is_split_as_pure_posix_path_reads_it(rel: str) -> None:
    try:
        expected: tuple[str, ...] | None = slow_parts(rel)
    except UnsafePathError:
        expected = None
    if expected is None:
        with pytest.raises(UnsafePathError):
            _parts(rel)
    else:
        assert _parts(rel) == expected


def walk_listing(root: Path, prefix: str = "") -> list[tuple[str, int, int]]:
    """The store's listing as it was: ``os.walk`` with sorted names, hidden and copies left out."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root / prefix if prefix else root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith(".") and not name.endswith((".remote.md", ".local.md")):
                full = Path(dirpath) / name
                st_ = full.stat()
                out.append((full.relative_to(root).as_posix(), st_.st_size, st_.st_mtime_ns))
    return out


def test_the_listing_of_the_snapshot_is_os_walks(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    names = ["cms/b/z.md", "cms/b/a.md", "cms/a.md", "cms/a/x.md", "cms/a/y/deep.md", "cms/.hidden/h.md", "cms/.h.md",
             "cms/b/c.remote.md", "cms/b/c.local.md", "cms/b/notes.txt", "cms/Z.md", "cms/a b/é.md", "top.md"]
    for n in names:
        atomic_write(root / n, n.encode())
    outside = tmp_path / "outside"
    (outside / "x").mkdir(parents=True)
    (outside / "x" / "o.md").write_text("o")
    os.symlink(outside / "x", root / "cms" / "linked")  # listed by os.walk as a folder, not entered
    os.symlink(root / "cms" / "a.md", root / "cms" / "alias.md")
    store = SnapshotStore(root)
    for prefix in ("", "cms", "cms/a"):
        assert [(i.rel, i.size, i.mtime_ns) for i in store.scan(prefix)] == walk_listing(root, prefix)
