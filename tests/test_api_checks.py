"""What wfsync checks in the API's answers, and what it does when a check fails."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from connector.capabilities import PROBE_EVERY, SORT
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from tests.conftest import TOKEN, single_locale_demo
from tests.helpers import demo_project, snapshot, wfsync, wfsync_json


def with_categories(count: int, *, yesterday: bool = True, deviations: tuple[str, ...] = ()) -> EmulatorServer:
    state = single_locale_demo()
    cats = next(c for c in state.collections.values() if c.slug == "categories")
    if yesterday:
        state.wall = lambda: time.time() - 86400
    for start in range(0, count, 100):
        state.create(cats.id, [{"fieldData": {"name": f"Thème {n}", "slug": f"theme-{n}", "couleur": "#123456"}}
                               for n in range(start, min(start + 100, count))], publish=False)
    state.wall = time.time
    return EmulatorServer(state, tokens={TOKEN: ALL_SCOPES}, deviations=deviations)


def categories_project(server: EmulatorServer, tmp_path: Path) -> Path:
    root = demo_project(tmp_path)
    assert wfsync(server, SITE_ID, root, "init").exit_code == 0
    for other in ("infos", "evenements"):
        (root / "mappings" / f"{other}.yaml").unlink()
    return root


def cats_id(server: EmulatorServer) -> str:
    return next(c.id for c in server.state.collections.values() if c.slug == "categories")


def test_a_quiet_run_right_after_a_bulk_import_costs_two_calls(tmp_path: Path) -> None:
    with with_categories(450, yesterday=False) as server:  # every item updated within the last minute
        root = categories_project(server, tmp_path)
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
        for _ in range(2):
            server.clear_log()
            report = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
            assert len(server.log) == 2, [(r.path, r.query) for r in server.log]  # the schema, one page
            assert report["collections"][0]["written"] == 0


def test_a_refused_parameter_is_remembered_said_once_and_tried_again(tmp_path: Path) -> None:
    with with_categories(150, deviations=("reject-params",)) as server:
        root = categories_project(server, tmp_path)
        first = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
        assert [n["capability"] for n in first["notices"]] == [SORT]  # said once
        server.state.update(cats_id(server), [{"id": next(iter(server.state.collections[cats_id(server)].items)),
                                               "fieldData": {"name": "Changé"}}], live=False)
        server.clear_log()
        again = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")  # exit 0, not a 400
        assert again["notices"] == [] and not [r for r in server.log if r.status == 400]
        assert "title: Changé" in (snapshot(root) / "cms/categories/sante-et-social.md").read_text()
        api = json.loads((snapshot(root) / ".wfsync/api.json").read_text())
        assert SORT in api["missing"]
        # tried again after PROBE_EVERY runs: the API may have gained it
        api["missing"][SORT] = PROBE_EVERY
        (snapshot(root) / ".wfsync/api.json").write_text(json.dumps(api))
        server.state.deviations = frozenset()
        server.clear_log()
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
        assert any("sortBy" in r.query for r in server.log)
        assert SORT not in json.loads((snapshot(root) / ".wfsync/api.json").read_text())["missing"]


@pytest.mark.parametrize("order", [(), ("oldest-first",)], ids=["newest-first", "oldest-first"])
def test_an_item_deleted_while_pages_are_read_is_not_skipped(tmp_path: Path, order: tuple[str, ...]) -> None:
    with with_categories(250, deviations=order) as server:
        root = categories_project(server, tmp_path)
        cid = cats_id(server)
        first = server.state.list_items(cid, {"limit": "1"}, live=False)["items"][0]["id"]  # the first item read
        deleted = []

        def delete_during_read(method: str, path: str, query: dict[str, str]) -> None:
            # between the first and the second page: every later item moves one place up
            if method == "GET" and path.endswith(f"{cid}/items") and query.get("offset") == "100" and not deleted:
                deleted.append(first)
                server.state.delete(cid, [first], live=False)

        server.before_request = delete_during_read
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
        names = {p.name for p in (snapshot(root) / "cms/categories").glob("*.md")}
        slugs = {i.staged["fieldData"]["slug"] + ".md" for i in server.state.collections[cid].items.values()}
        assert deleted and names == slugs  # none skipped (and the deleted one not written)


def test_an_item_created_while_pages_are_read_is_counted_once(tmp_path: Path) -> None:
    with with_categories(250) as server:  # newest created first: a new item moves every later one down
        root = categories_project(server, tmp_path)
        cid = cats_id(server)
        made = []

        def create_during_read(method: str, path: str, query: dict[str, str]) -> None:
            if method == "GET" and path.endswith(f"{cid}/items") and query.get("offset") == "100" and not made:
                made.append(server.state.create(cid, [{"fieldData": {"name": "Nouveau", "slug": "nouveau"}}],
                                                publish=False))

        server.before_request = create_during_read
        report = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
        names = {p.name for p in (snapshot(root) / "cms/categories").glob("*.md")}
        assert made and "nouveau.md" in names and len(names) == len(server.state.collections[cid].items)
        assert report["collections"][0]["written"] == len(names)


def test_the_emulator_lists_newest_created_first_as_the_live_api_does() -> None:
    state = single_locale_demo()
    cid = next(c.id for c in state.collections.values() if c.slug == "categories")
    state.create(cid, [{"fieldData": {"name": "Nouveau", "slug": "nouveau"}}], publish=False)

    def created() -> list[str]:
        return [i["createdOn"] for i in state.list_items(cid, {}, live=False)["items"]]

    listed = created()
    assert listed == sorted(listed, reverse=True) and len(set(listed)) == len(listed)
    assert state.list_items(cid, {"limit": "1"}, live=False)["items"][0]["fieldData"]["slug"] == "nouveau"
    state.deviate(["oldest-first"])  # the other order, for tests that need it
    assert created() == sorted(listed)
    assert state.deviate(["newest-first"]).deviations == {"oldest-first"}  # the old mode name is still accepted
