"""wfsync against an emulator that behaves as the live API does where it departs from the spec.

Each test runs once per deviation mode (and once with all of them, ``live``): pull, push, sync,
incremental reads and conflicts must come out the same as against the spec-exact emulator.
A collection of more than 100 items makes incremental reads depend on sorting and filtering.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest

from connector.emulator.deviations import MODES
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from tests.conftest import TOKEN, single_locale_demo
from tests.helpers import demo_project, snapshot, wfsync, wfsync_json

EXTRA = 130  # categories added to the demo's six: two pages


def big_demo() -> object:
    state = single_locale_demo()
    cats = next(c for c in state.collections.values() if c.slug == "categories")
    state.wall = lambda: time.time() - 86400  # made yesterday: far older than any margin a reader keeps
    for start in range(0, EXTRA, 100):
        state.create(cats.id, [{"fieldData": {"name": f"Thème {n}", "slug": f"theme-{n}", "couleur": "#123456"},
                                "isDraft": False} for n in range(start, min(start + 100, EXTRA))], publish=True)
    state.wall = time.time
    return state


@pytest.fixture(params=[*MODES, "live"])
def server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    with EmulatorServer(big_demo(), tokens={TOKEN: ALL_SCOPES}, deviations=[request.param]) as srv:
        yield srv


def project(server: EmulatorServer, tmp_path: Path) -> Path:
    """The categories only: the collection of more than 100 items."""
    root = demo_project(tmp_path)
    assert wfsync(server, SITE_ID, root, "init").exit_code == 0
    for other in ("infos", "evenements"):
        (root / "mappings" / f"{other}.yaml").unlink()
    wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
    return root


def categories(server: EmulatorServer):
    return next(c for c in server.state.collections.values() if c.slug == "categories")


def item_id(server: EmulatorServer, slug: str) -> str:
    return next(i.id for i in categories(server).items.values() if i.staged["fieldData"]["slug"] == slug)


def edit_in_webflow(server: EmulatorServer, slug: str, **fields: object) -> None:
    server.state.update(categories(server).id, [{"id": item_id(server, slug), "fieldData": fields}], live=False)


def remote_name(server: EmulatorServer, slug: str) -> str:
    return categories(server).items[item_id(server, slug)].staged["fieldData"]["name"]


def cat_file(root: Path, slug: str) -> Path:
    return snapshot(root) / "cms/categories" / f"{slug}.md"


def edit_file(root: Path, slug: str, old: str, new: str) -> None:
    path = cat_file(root, slug)
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_pull_sync_and_incremental_reads(server: EmulatorServer, tmp_path: Path) -> None:
    root = project(server, tmp_path)
    # the oldest items and the newest: wherever they sit in an order the API does not keep
    edited = ("sante-et-social", "theme-3", "theme-80", f"theme-{EXTRA - 1}")
    for slug in edited:
        edit_in_webflow(server, slug, name=f"Édité {slug}")
    for _ in range(2):  # the run that finds a capability missing, and the one after
        report = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
        for slug in edited:
            assert f"title: Édité {slug}" in cat_file(root, slug).read_text(encoding="utf-8"), slug
        assert report["problems"] == []
        edit_in_webflow(server, "theme-7", name="Encore")
    assert "title: Encore" in cat_file(root, "theme-7").read_text(encoding="utf-8")
    # both ways at once
    edit_file(root, "theme-5", "title: Thème 5", "title: Local 5")
    edit_in_webflow(server, "theme-9", name="Webflow 9")
    wfsync_json(server, SITE_ID, root, "sync", "--snapshot", "demo")
    assert remote_name(server, "theme-5") == "Local 5"
    assert "title: Webflow 9" in cat_file(root, "theme-9").read_text(encoding="utf-8")
    status = wfsync_json(server, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []


def test_pushes_conflicts_and_edits_made_during_a_push(server: EmulatorServer, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(server, tmp_path)
    for n in range(3):  # incremental pushes in a row, as a scheduled job makes them: never a conflict
        edit_file(root, f"theme-{n}", f"title: Thème {n}", f"title: Poussé {n}")
        report = wfsync_json(server, SITE_ID, root, "push", "--snapshot", "demo")
        assert report["conflicts"] == [] and remote_name(server, f"theme-{n}") == f"Poussé {n}"
    # the same field edited on both sides: a conflict, Webflow's edit stays
    edit_in_webflow(server, "theme-4", name="Webflow 4")
    edit_file(root, "theme-4", "title: Thème 4", "title: Local 4")
    result = wfsync(server, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 3, result.output
    assert remote_name(server, "theme-4") == "Webflow 4"
    # an edit made in Webflow after wfsync read the items, just before its check and its write
    import connector.phases.push

    check = connector.phases.push.updated_since
    made = []

    def someone_edits_first(*args: object, **kwargs: object) -> object:
        if not made:
            made.append(1)
            edit_in_webflow(server, "theme-6", name="Webflow 6")
        return check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(connector.phases.push, "updated_since", someone_edits_first)
    edit_file(root, "theme-6", "title: Thème 6", "title: Local 6")
    result = wfsync(server, SITE_ID, root, "push", "--snapshot", "demo")
    assert made and result.exit_code == 3, result.output
    assert remote_name(server, "theme-6") == "Webflow 6"
