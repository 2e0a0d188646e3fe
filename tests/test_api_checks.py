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


# One item created and another, already read, deleted while a full read pages through a collection:
# pagination.total does not change, so the count alone cannot tell. The deviation modes that change
# the order the list comes in, or which parameters work, are the ones that matter here.
CHURN_MODES = [(), ("oldest-first",), ("ignore-sort",), ("reject-params",), ("live",)]


@pytest.mark.parametrize("workers", ["1", "2"], ids=["pipelined", "sequential"])
@pytest.mark.parametrize("modes,tied", [(m, False) for m in CHURN_MODES] + [(m, True) for m in [(), ("oldest-first",)]],
                         ids=lambda m: "+".join(m) or "default" if isinstance(m, tuple) else "tied" if m else "")
def test_an_item_created_and_another_deleted_while_pages_are_read_are_both_seen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, modes: tuple[str, ...], tied: bool, workers: str) -> None:
    monkeypatch.setenv("WFSYNC_WORKERS", workers)  # 1: pages converted as they come; 2: read, then converted
    with with_categories(250, deviations=modes) as server:
        cid = cats_id(server)
        if tied:  # items imported at one instant: their order cannot be told from createdOn
            for item in server.state.collections[cid].items.values():
                item.created_on = "2024-01-01T00:00:00.000Z"
        root = categories_project(server, tmp_path)
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
        count = len(server.state.collections[cid].items)
        gone = server.state.list_items(cid, {"limit": "1"}, live=False)["items"][0]  # read in the first page
        churned: list[str] = []

        def churn(method: str, path: str, query: dict[str, str]) -> None:
            if (method == "GET" and path.endswith(f"{cid}/items") and query.get("offset") == "100"
                    and "sortBy" not in query and not churned):
                server.state.create(cid, [{"fieldData": {"name": "Nouveau", "slug": "nouveau"}}], publish=False)
                server.state.delete(cid, [gone["id"]], live=False)
                churned.append(gone["fieldData"]["slug"])

        server.before_request = churn
        report = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
        names = {p.name for p in (snapshot(root) / "cms/categories").glob("*.md")}
        slugs = {i.staged["fieldData"]["slug"] + ".md" for i in server.state.collections[cid].items.values()}
        assert churned and len(slugs) == count
        # the new item is written, the deleted one's file removed, and no other file lost
        assert "nouveau.md" in names and churned[0] + ".md" not in names and names == slugs
        row = report["collections"][0]
        assert (row["written"], row["removed"]) == (1, 1), row


def pulled_categories(server: EmulatorServer, tmp_path: Path) -> tuple[Path, str]:
    """A project that pulled the categories: its root and the collection's id."""
    root = categories_project(server, tmp_path)
    wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
    return root, cats_id(server)


@pytest.mark.parametrize("modes", [(), ("oldest-first",)], ids=["default", "oldest-first"])
def test_a_quiet_full_read_pays_for_its_check_only_when_it_took_several_pages(
        tmp_path: Path, modes: tuple[str, ...]) -> None:
    with with_categories(250, deviations=modes) as server:
        root, cid = pulled_categories(server, tmp_path)

        def listed() -> list[dict[str, str]]:
            return [r.query for r in server.log if r.method == "GET" and r.path.endswith(f"{cid}/items")
                    and "sortBy" not in r.query]

        server.clear_log()
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
        if modes:
            # oldest created first: a new item would be read at the end, and one not yet read moved
            # up into the pages read: only a second read listing the same items shows nothing moved
            assert [q["offset"] for q in listed()] == ["0", "100", "200"] * 2
        else:
            # newest created first (the order proven by the read itself): a new item would be first
            assert [(q["offset"], q["limit"]) for q in listed()] == [("0", "100"), ("100", "100"), ("200", "100"),
                                                                     ("0", "1")]
        server.state.delete(cid, list(server.state.collections[cid].items)[:160], live=False)  # 90 left: one page
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
        server.clear_log()
        wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
        assert [q["offset"] for q in listed()] == ["0"]  # one answer: nothing in it can have moved


@pytest.mark.parametrize("modes", [(), ("oldest-first",)], ids=["default", "oldest-first"])
def test_a_collection_that_keeps_churning_stops_the_run_and_nothing_is_removed(
        tmp_path: Path, modes: tuple[str, ...]) -> None:
    with with_categories(250, deviations=modes) as server:
        root, cid = pulled_categories(server, tmp_path)
        before = {p.name for p in (snapshot(root) / "cms/categories").glob("*.md")}
        first_page = [i["id"] for i in server.state.list_items(cid, {"limit": "50"}, live=False)["items"]]
        made: list[str] = []

        def churn(method: str, path: str, query: dict[str, str]) -> None:
            # at every read's second page, one more item created and one already read deleted
            if method == "GET" and path.endswith(f"{cid}/items") and query.get("offset") == "100" and first_page:
                server.state.create(cid, [{"fieldData": {"name": "Nouveau", "slug": f"nouveau-{len(made)}"}}],
                                    publish=False)
                server.state.delete(cid, [first_page.pop()], live=False)
                made.append(path)

        server.before_request = churn
        report = wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo", "--full", code=1)
        assert report["error"]["kind"] == "incomplete_read" and "run again" in report["error"]["hint"]
        assert len(made) >= 3
        # no deletion was inferred from a read that could have missed an item
        assert before <= {p.name for p in (snapshot(root) / "cms/categories").glob("*.md")}
