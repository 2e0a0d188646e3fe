"""Property: whatever an editor does to a real snapshot file, `status` and `push` either report a
clear problem (the file, a key) or make a valid push; Webflow never receives a value the user did
not write, and no file is overwritten with one.

Each example is a pulled demo snapshot, one of its files mutated (truncated, keys duplicated or
removed, wrong types, other encodings, YAML tricks, BOM, CRLF, an alias bomb, text below the
front matter), then `status` and `push` through the CLI against a fresh in-process emulator.
``WFSYNC_PROPERTY_EXAMPLES`` raises the number of examples (a longer soak)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.codecs import canonical
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from connector.mapping import load_mappings
from connector.richtext.to_html import to_html
from connector.yamlstyle import load as load_yaml
from tests.conftest import TOKEN, single_locale_demo
from tests.helpers import pulled_project, snapshot, wfsync

EXAMPLES = int(os.environ.get("WFSYNC_PROPERTY_EXAMPLES", "30"))
Mutation = Callable[[str], "str | bytes"]


def _lines_op(fn: Callable[[list[str], int], list[str]]) -> Callable[[int], Mutation]:
    def make(at: int) -> Mutation:
        def mutate(text: str) -> str:
            lines = text.split("\n")
            return "\n".join(fn(lines, at % max(len(lines), 1)))
        return mutate
    return make


duplicate_line = _lines_op(lambda ls, i: ls[:i + 1] + [ls[i]] + ls[i + 1:])
remove_line = _lines_op(lambda ls, i: ls[:i] + ls[i + 1:])

WRONG_VALUES = ["123", "-1.5", "[1, 2]", "{a: 1}", "true", "null", "''", "'   '", "2024-01-01", "0x1F", "~",
                "[cms/infos/nulle-part.md]", "cms/infos/nulle-part.md", "'#GGG'", "{url: ftp://x, alt: 1}",
                "Opéra", "'a\\u0000b'", '"' + "x" * 300 + '"', "yes", "!!binary aGVsbG8=", "!foo bar"]
TRICKS = ["on: yes", "x: &a [1, 2]\ny: *a", "<<: {title: Autre}", "? [a, b]\n: c", "'title': Doublon", "title:Nope",
          "\ttitle: tab", "title: 'non fermé", "title: \"non fermé", "- liste", "%YAML 1.1", "...", "---",
          "a0: &a0 [x, x, x, x, x, x, x, x, x]\na1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n"
          "a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\na3: [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]"]


def wrong_type(at: int, value: str) -> Mutation:
    def mutate(text: str) -> str:
        lines = text.split("\n")
        keyed = [i for i, ln in enumerate(lines) if ln and ln[0] not in " -" and ": " in ln]
        if not keyed:
            return text
        i = keyed[at % len(keyed)]
        lines[i] = lines[i].split(": ", 1)[0] + ": " + value
        return "\n".join(lines)
    return mutate


def insert_line(at: int, line: str) -> Mutation:
    return _lines_op(lambda ls, i: ls[:i] + [line] + ls[i:])(at)


def mutations() -> st.SearchStrategy[Mutation]:
    idx = st.integers(min_value=0, max_value=200)
    return st.one_of(
        idx.map(lambda n: (lambda t: t[:n * len(t) // 200])),  # truncated
        idx.map(duplicate_line),
        idx.map(remove_line),
        st.builds(wrong_type, idx, st.sampled_from(WRONG_VALUES)),
        st.builds(insert_line, idx, st.sampled_from(TRICKS)),
        st.builds(insert_line, idx, st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)),
        st.just(lambda t: t.encode("latin-1", "replace")),
        st.just(lambda t: t.encode("utf-16")),
        st.just(lambda t: "\ufeff" + t),
        st.just(lambda t: t.replace("\n", "\r\n")),
        st.just(lambda t: t + "Du texte sous le front matter.\n"),
        st.just(lambda t: ""),
    )


class World:
    """One pulled demo project, copied afresh for each example, and an emulator reset to the demo."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="wfsync-prop-"))
        self.server = EmulatorServer(single_locale_demo(), tokens={TOKEN: ALL_SCOPES})
        self.server.start()
        self.pristine = pulled_project(self.server, SITE_ID, self.tmp / "pristine")
        self.files = sorted(p.relative_to(snapshot(self.pristine)).as_posix()
                            for p in snapshot(self.pristine).rglob("*.md"))
        self.mappings = {m.path.split("/{")[0]: m for m in load_mappings(self.pristine / "mappings")}
        self.types = {f["slug"]: f["type"] for c in self.server.state.collections.values() for f in c.fields}
        self.n = 0

    def fresh(self) -> Path:
        self.n += 1
        root = self.tmp / f"run{self.n}"
        shutil.copytree(self.pristine, root)
        self.server.state = single_locale_demo()
        self.server.clear_log()
        return root


WORLD: World | None = None


def world() -> World:
    global WORLD
    if WORLD is None:
        WORLD = World()
    return WORLD


def front_matter(raw: bytes) -> dict[str, Any] | None:
    """The values as the user wrote them (a plain reading: BOM and CRLF tolerated), or None."""
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
        if not text.startswith("---\n") or "\n---\n" not in text[3:]:
            return None
        data = load_yaml(text[4:text.index("\n---\n", 3) + 1])
    except Exception:  # noqa: BLE001 - anything unreadable is simply not a value the user wrote
        return None
    return data if isinstance(data, dict) else None


def webflow_items(server: EmulatorServer) -> dict[str, dict[str, Any]]:
    return {i: copy.deepcopy(it.staged["fieldData"]) for c in server.state.collections.values()
            for i, it in c.items.items()}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(pick=st.integers(min_value=0, max_value=10_000), mutate=st.lists(mutations(), min_size=1, max_size=3))
def test_a_mutated_file_gives_a_clear_problem_or_a_valid_push(pick: int, mutate: list[Mutation]) -> None:
    w = world()
    root = w.fresh()
    rel = w.files[pick % len(w.files)]
    file = snapshot(root) / rel
    original = file.read_bytes()
    data: str | bytes = original.decode("utf-8")
    for m in mutate:
        data = m(data.decode("utf-8", "replace") if isinstance(data, bytes) else data)
    written = data if isinstance(data, bytes) else data.encode("utf-8")
    file.write_bytes(written)
    others = {p: p.read_bytes() for p in snapshot(root).rglob("*.md") if p != file}
    before = webflow_items(w.server)

    status = wfsync(w.server, SITE_ID, root, "status", "--snapshot", "demo", "--json")
    problems = [p for p in json.loads(status.stdout)["problems"] if p["path"] == f"snapshots/demo/{rel}"]
    assert status.exit_code == (1 if problems else 0), status.output  # a file to fix is status's exit 1
    assert all(p["key"] for p in problems), problems  # every problem names a key (or the whole file)
    push = wfsync(w.server, SITE_ID, root, "push", "--snapshot", "demo")
    assert push.exit_code in (0, 1), push.output
    if push.exit_code == 1:
        assert problems and rel in push.output, (problems, push.output)  # the file, said clearly
        assert [r for r in w.server.log if r.method != "GET"] == []  # and nothing sent
        assert file.read_bytes() == written  # nor the file touched
    else:
        assert not problems, problems

    # never a value the user did not write: Webflow changed only fields whose key the user changed,
    # to what the user wrote there
    mine, theirs = front_matter(written), front_matter(original)
    mapping = w.mappings[rel.rsplit("/", 1)[0]]
    by_field = {e.field: e.key for e in mapping.entries if e.field}
    after = webflow_items(w.server)
    assert set(after) == set(before)  # nothing created or deleted
    for item_id, fields in after.items():
        for slug, value in fields.items():
            if before[item_id].get(slug) == value:
                continue
            key = by_field.get(slug)
            assert mine is not None and theirs is not None and key in mine, (rel, slug, value)
            assert canonical(mine[key]) != canonical(theirs.get(key)), (rel, key)
            if w.types.get(slug) == "RichText" and isinstance(mine[key], str):
                assert value == to_html(mine[key])
    # no other file rewritten, unless the user renamed this one (the references follow it)
    if mine is None or theirs is None or mine.get("slug") == theirs.get("slug"):
        assert all(p.read_bytes() == b for p, b in others.items())
