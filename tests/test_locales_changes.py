"""A locale removed or added in Webflow after the files were pulled: found on every run at no extra
call when the command reads the site anyway, else by the refused list (removed) or the next full
read (added); a removed locale's files are left alone, never deleted for that."""

from __future__ import annotations

import copy
from pathlib import Path

from connector.emulator.fixtures import DE_CMS_LOCALE_ID as DE
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import snapshot, wfsync, wfsync_json
from tests.test_locales_sync import infos, pulled, site  # noqa: F401

IT = "6a1b2c3d4e5f60718293a4b5"


def remove_german(server: EmulatorServer) -> None:
    locales = server.state.sites[SITE_ID]["locales"]
    locales["secondary"] = [loc for loc in locales["secondary"] if loc["cmsLocaleId"] != DE]
    for coll in server.state.collections.values():
        coll.localized.pop(DE, None)


def add_italian(server: EmulatorServer) -> None:
    server.state.sites[SITE_ID]["locales"]["secondary"].append(
        {"id": "6a1b2c3d4e5f60718293a4b6", "cmsLocaleId": IT, "enabled": True, "displayName": "Italiano",
         "tag": "it", "subdirectory": "it"})
    for coll in server.state.collections.values():
        variants = coll.localized.setdefault(IT, {})
        for item in coll.items.values():
            twin = copy.deepcopy(item)
            twin.cms_locale_id = IT
            variants[item.id] = twin


def german_files(snap: Path) -> dict[str, bytes]:
    return {p.relative_to(snap).as_posix(): p.read_bytes() for p in sorted((snap / "de").rglob("*.md"))}


def test_a_locale_removed_in_webflow_leaves_its_files_alone_on_the_next_incremental_run(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    before = german_files(snap)
    assert before
    remove_german(site)
    for attempt in range(2):
        site.clear_log()
        report = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo", "--allow-delete")
        assert german_files(snap) == before
        assert not [r for r in site.log if r.method != "GET"]
        said = [w for w in report["warnings"] if "no longer has the locale 'de'" in w["message"]]
        assert [w["path"] for w in said] == ["snapshots/demo/de/cms/infos/"], report["warnings"]
        assert str(len(before)) in said[0]["message"]
        assert not [w for w in report["warnings"] if "no mapping covers" in w["message"]]
        # the first run found it by the refused German list (one call to read the locales again);
        # the next ones know it: the schema and the French list
        calls = [(r.method, r.path.rsplit("/", 1)[-1]) for r in site.log]
        if attempt == 0:
            assert ("GET", SITE_ID) in calls and len(calls) == 4, calls
        else:
            assert calls == [("GET", infos(site).id), ("GET", "items")], calls
    status = wfsync(site, SITE_ID, root, "status", "--snapshot", "demo")
    assert status.exit_code == 0 and "de/cms" not in status.stdout


def test_a_locale_named_in_the_mapping_and_removed_in_webflow_is_left_out_and_said(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path, extra="locales: [fr, de]\n")
    snap = snapshot(root)
    before = german_files(snap)
    remove_german(site)
    for _ in range(2):  # found by the refused list, then remembered: the mapping's 'de' is no mistake
        report = wfsync_json(site, SITE_ID, root, "pull", "--snapshot", "demo")
        assert german_files(snap) == before
        said = [w["message"] for w in report["warnings"] if "no longer has the locale 'de'" in w["message"]]
        assert len(said) == 1 and "remove 'de' from locales: in mappings/infos.yaml" in said[0], report["warnings"]


def test_without_a_snapshot_name_the_site_read_for_it_tells_the_locales_at_no_extra_call(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    (root / "snapshots" / "demo").rename(root / "snapshots" / "guide-sierre")
    snap = root / "snapshots" / "guide-sierre"
    wfsync_json(site, SITE_ID, root, "sync")
    site.clear_log()
    wfsync_json(site, SITE_ID, root, "sync")
    quiet = len(site.log)  # the site (for the folder's name), the schema, one list per locale
    assert quiet == 4, [(r.method, r.path) for r in site.log]
    add_italian(site)
    site.clear_log()
    report = wfsync_json(site, SITE_ID, root, "pull")  # incremental, no --full: the new locale is read now
    assert (snap / "it/cms/infos/social.md").exists()
    assert report["collections"][0]["written"] == len(list((snap / "cms/infos").glob("*.md")))
    before = german_files(snap)
    remove_german(site)
    site.clear_log()
    report = wfsync_json(site, SITE_ID, root, "sync")
    assert len(site.log) == quiet, [(r.method, r.path, r.query) for r in site.log]  # site, schema, fr, it
    assert german_files(snap) == before
    assert any("no longer has the locale 'de'" in w["message"] for w in report["warnings"])
