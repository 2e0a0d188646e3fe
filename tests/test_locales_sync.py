"""Localized sites end to end, through the CLI against the emulator's bilingual demo site
(French primary at ``/``, German at ``/de/``): one file per item and locale, each variant synced
with the guarantees of a single-locale site, deletes of one variant or of the whole item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from connector.emulator.fixtures import CMS_LOCALE_ID as FR
from connector.emulator.fixtures import DE_CMS_LOCALE_ID as DE
from connector.emulator.fixtures import SITE_ID, demo_state
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from tests.conftest import TOKEN
from tests.helpers import demo_project, snapshot, wfsync, wfsync_json


@pytest.fixture
def site() -> Iterator[EmulatorServer]:
    with EmulatorServer(demo_state(), tokens={TOKEN: ALL_SCOPES}) as server:
        yield server


def infos(server: EmulatorServer) -> Any:
    return next(c for c in server.state.collections.values() if c.slug == "infos")


def variant(server: EmulatorServer, locale: str, slug: str) -> Any:
    coll = infos(server)
    items = coll.items if locale == FR else coll.localized[locale]
    return next(i for i in items.values() if i.staged["fieldData"]["slug"] == slug)


def edit_in_webflow(server: EmulatorServer, locale: str, slug: str, **fields: Any) -> None:
    item = variant(server, locale, slug)
    item.staged["fieldData"].update(fields)
    item.staged["lastUpdated"] = server.state.now()


def pulled(server: EmulatorServer, tmp_path: Path, extra: str = "") -> Path:
    root = demo_project(tmp_path)
    if extra:
        mapping = root / "mappings" / "infos.yaml"
        mapping.write_text(mapping.read_text(encoding="utf-8") + extra, encoding="utf-8")
    wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
    server.clear_log()
    return root


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_pull_writes_one_file_per_item_and_locale(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    assert "title: Social" in (snap / "cms/infos/social.md").read_text(encoding="utf-8")
    german = (snap / "de/cms/infos/soziales.md").read_text(encoding="utf-8")
    assert "title: Soziales" in german and "slug: soziales" in german
    # a variant still a copy of the French one gets its file too, under its own slug
    assert (snap / "de/cms/infos/piscines.md").exists() is False and (snap / "de/cms/infos/schwimmbaeder.md").exists()
    fr_files = {p.name for p in (snap / "cms/infos").glob("*.md")}
    de_files = {p.name for p in (snap / "de/cms/infos").glob("*.md")}
    assert len(de_files) == len(fr_files) and "social.md" not in de_files
    state = json.loads((snap / ".wfsync/state.json").read_text(encoding="utf-8"))["items"]
    assert any(k.endswith("@" + DE) for k in state) and all("locale" not in v for k, v in state.items() if "@" not in k)


def test_edits_in_two_locales_go_to_their_own_variants_and_a_quiet_run_costs_two_calls_per_locale(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    replace_in(snap / "cms/infos/social.md", "title: Social", "title: Social et santé")
    replace_in(snap / "de/cms/infos/soziales.md", "title: Soziales", "title: Soziales und Gesundheit")
    replace_in(snap / "cms/infos/piscines.md", "title: Piscines", "title: Piscines et bains")
    replace_in(snap / "de/cms/infos/schwimmbaeder.md", "title: Schwimmbäder", "title: Schwimm- und Hallenbäder")
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    assert report["collections"][0]["updated"] == 4
    # one bulk update per locale
    assert len([r for r in site.log if r.method == "PATCH"]) == 2, [(r.method, r.path) for r in site.log]
    assert variant(site, DE, "schwimmbaeder").staged["fieldData"]["name"] == "Schwimm- und Hallenbäder"
    assert variant(site, FR, "social").staged["fieldData"]["name"] == "Social et santé"
    assert variant(site, DE, "soziales").staged["fieldData"]["name"] == "Soziales und Gesundheit"
    # each side kept the other's text
    assert "title: Soziales und Gesundheit" in (snap / "de/cms/infos/soziales.md").read_text(encoding="utf-8")
    # Webflow's side changes in both locales come back with sync
    edit_in_webflow(site, FR, "bus-urbains", **{"tag-2": "Mobilité douce"})
    edit_in_webflow(site, DE, "stadtbusse", **{"tag-2": "Sanfte Mobilität"})
    wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert "f_tag-2: Mobilité douce" in (snap / "cms/infos/bus-urbains.md").read_text(encoding="utf-8")
    assert "f_tag-2: Sanfte Mobilität" in (snap / "de/cms/infos/stadtbusse.md").read_text(encoding="utf-8")
    for command in ("pull", "sync"):
        site.clear_log()
        report = wfsync_json(site, SITE_ID, root, command, "--snapshot", "demo")
        per_locale: dict[str, int] = {}
        for r in site.log:
            locale = r.query.get("cmsLocaleId", "primary") if r.path.endswith("/items") else "schema"
            per_locale[locale] = per_locale.get(locale, 0) + 1
        assert per_locale == {"schema": 1, "primary": 1, DE: 1}, [(r.path, r.query) for r in site.log]
        assert report["collections"][0]["written"] == 0 and report["collections"][0]["updated"] == 0


def test_both_sides_changing_one_variant_is_a_conflict_of_that_locale_only(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    replace_in(snap / "de/cms/infos/soziales.md", "title: Soziales", "title: Soziales (Datei)")
    edit_in_webflow(site, DE, "soziales", name="Soziales (Webflow)")
    # the same field in the French variant changes only in Webflow: pulled, no conflict
    edit_in_webflow(site, FR, "social", name="Social (Webflow)")
    # a field-level merge in another German variant
    replace_in(snap / "de/cms/infos/stadtbusse.md", "title: Stadtbusse", "title: Stadtbusse Siders")
    edit_in_webflow(site, DE, "stadtbusse", **{"tag-2": "ÖV"})
    report = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo", code=3)
    assert [c["path"] for c in report["conflicts"]] == ["snapshots/demo/de/cms/infos/soziales.md"]
    assert "title: Soziales (Datei)" in (snap / "de/cms/infos/soziales.md").read_text(encoding="utf-8")
    assert "title: Soziales (Webflow)" in (snap / "de/cms/infos/soziales.remote.md").read_text(encoding="utf-8")
    assert variant(site, DE, "soziales").staged["fieldData"]["name"] == "Soziales (Webflow)"
    assert "title: Social (Webflow)" in (snap / "cms/infos/social.md").read_text(encoding="utf-8")
    merged = (snap / "de/cms/infos/stadtbusse.md").read_text(encoding="utf-8")
    assert "title: Stadtbusse Siders" in merged and "f_tag-2: ÖV" in merged
    assert variant(site, DE, "stadtbusse").staged["fieldData"]["name"] == "Stadtbusse Siders"
    assert variant(site, FR, "bus-urbains").staged["fieldData"]["name"] == "Bus urbains"


def test_a_new_file_in_the_german_folder_creates_the_item_in_french_first_and_says_so(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    text = (snap / "de/cms/infos/soziales.md").read_text(encoding="utf-8")
    new = text.replace("title: Soziales", "title: Bibliothek").replace("slug: soziales", "slug: bibliothek")
    (snap / "de/cms/infos/bibliothek.md").write_text(new, encoding="utf-8")
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    assert variant(site, FR, "bibliothek").staged["fieldData"]["name"] == "Bibliothek"
    assert variant(site, DE, "bibliothek").id == variant(site, FR, "bibliothek").id
    assert "title: Bibliothek" in (snap / "cms/infos/bibliothek.md").read_text(encoding="utf-8")
    said = [w for w in report["warnings"] if w["path"].endswith("de/cms/infos/bibliothek.md")]
    assert said and "created it in fr" in said[0]["message"] and "cms/infos/bibliothek.md" in said[0]["message"]
    site.clear_log()
    again = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert again["collections"][0]["created"] == 0 and again["collections"][0]["written"] == 0


def test_a_new_german_file_for_an_item_whose_variant_is_a_copy_updates_that_variant(
        site: EmulatorServer, tmp_path: Path) -> None:
    # German is switched on later: the French files exist, the German variants are copies in Webflow
    root = pulled(site, tmp_path, extra="locales: [fr]\n")
    snap = snapshot(root)
    assert not (snap / "de").exists() and not [r for r in site.log if "cmsLocaleId" in r.query]
    mapping = root / "mappings" / "infos.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("locales: [fr]\n", ""), encoding="utf-8")
    french = next(p for p in sorted((snap / "cms/infos").glob("*.md"))
                  if variant(site, DE, p.stem).staged["fieldData"] == variant(site, FR, p.stem).staged["fieldData"])
    slug = french.stem
    (snap / "de/cms/infos").mkdir(parents=True)
    text = french.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    (snap / f"de/cms/infos/{slug}.md").write_text(text.replace(title, "title: Übersetzt"), encoding="utf-8")
    report = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert variant(site, DE, slug).staged["fieldData"]["name"] == "Übersetzt"
    assert variant(site, FR, slug).staged["fieldData"]["name"] != "Übersetzt"
    assert not report["conflicts"]
    assert (snap / "de/cms/infos/soziales.md").exists()  # the other German variants are pulled


def test_deleting_the_french_file_deletes_the_item_in_every_locale(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    item_id = variant(site, FR, "bus-urbains").id
    (snap / "cms/infos/bus-urbains.md").unlink()
    # its German variant is a translation: it goes only when its file is deleted too (an untranslated
    # copy goes with the item: test_locales_status)
    (snap / "de/cms/infos/stadtbusse.md").unlink()
    held = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    assert held["collections"][0]["deleted"] == 0 and item_id in infos(site).items
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert item_id not in infos(site).items and item_id not in infos(site).localized[DE]
    assert not (snap / "de/cms/infos/stadtbusse.md").exists()
    deletes = [a for a in report["actions"] if a["op"] in ("delete-remote", "delete-local")]
    assert any(a["path"] == "snapshots/demo/cms/infos/bus-urbains.md" and "every locale" in a["reason"]
               and "de/cms/infos/stadtbusse.md" in a["reason"] for a in deletes)
    assert any(a["path"] == "snapshots/demo/de/cms/infos/stadtbusse.md" for a in deletes)
    again = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert again["collections"][0]["written"] == 0 and not again["conflicts"]


def test_deleting_a_german_file_deletes_that_variant_only(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    item_id = variant(site, FR, "bus-urbains").id
    (snap / "de/cms/infos/stadtbusse.md").unlink()
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert item_id in infos(site).items and item_id not in infos(site).localized[DE]
    assert (snap / "cms/infos/bus-urbains.md").exists()
    assert any(a["path"] == "snapshots/demo/de/cms/infos/stadtbusse.md" and "de variant only" in a["reason"]
               for a in report["actions"])
    again = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert not (snap / "de/cms/infos/stadtbusse.md").exists() and again["collections"][0]["created"] == 0


def test_the_whole_item_is_not_deleted_while_its_german_variant_changed(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    item_id = variant(site, FR, "bus-urbains").id
    (snap / "cms/infos/bus-urbains.md").unlink()
    edit_in_webflow(site, DE, "stadtbusse", name="Stadtbusse neu")
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert item_id in infos(site).items and item_id in infos(site).localized[DE]
    blocked = [a for a in report["actions"] if a["path"] == "snapshots/demo/cms/infos/bus-urbains.md"]
    assert blocked and "not deleted in any locale" in (blocked[0]["blocked"] or "")


def test_a_site_synced_in_its_primary_locale_only_sends_no_locale(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path, extra="locales: [fr]\n")
    snap = snapshot(root)
    replace_in(snap / "cms/infos/social.md", "title: Social", "title: Social!")
    wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    assert not [r for r in site.log if "cmsLocaleId" in r.query]
    assert variant(site, DE, "soziales").staged["fieldData"]["name"] == "Soziales"
    state = json.loads((snap / ".wfsync/state.json").read_text(encoding="utf-8"))["items"]
    assert all("@" not in k and "locale" not in v for k, v in state.items())
    assert not (snap / "de").exists()


def test_a_mapping_may_name_the_locale_in_the_path_and_in_front_matter(site: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    mapping = root / "mappings" / "infos.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("path: cms/infos/{slug}.md",
                                                                   "path: '{locale}/infos/{slug}.md'")
                       + "  lang: $locale\n", encoding="utf-8")
    wfsync_json(site, SITE_ID, root, "pull", "--snapshot", "demo")
    snap = snapshot(root)
    assert "lang: fr" in (snap / "fr/infos/social.md").read_text(encoding="utf-8")
    assert "lang: de" in (snap / "de/infos/soziales.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("method,nth", [("POST", 1), ("PATCH", 1), ("PATCH", 2)])
def test_a_push_killed_between_locales_is_finished_by_the_next_run(site: EmulatorServer, tmp_path: Path, method: str,
                                                                   nth: int) -> None:
    from tests.test_crash import kill_after, start_push

    root = pulled(site, tmp_path)
    snap = snapshot(root)
    replace_in(snap / "cms/infos/social.md", "title: Social", "title: Social et santé")
    replace_in(snap / "de/cms/infos/soziales.md", "title: Soziales", "title: Soziales und Gesundheit")
    text = (snap / "de/cms/infos/soziales.md").read_text(encoding="utf-8")
    (snap / "de/cms/infos/museum.md").write_text(text.replace("title: Soziales und Gesundheit", "title: Museum")
                                                 .replace("slug: soziales", "slug: museum"), encoding="utf-8")
    box: list = [None]
    done = kill_after(site, box, method, nth)
    box[0] = start_push(site, root)
    box[0].wait(60)
    done.wait(10)
    site.after_request = None
    assert done.is_set(), box[0].communicate()
    wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    report = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert not report["conflicts"] and report["collections"][0]["created"] == 0
    for locale in (FR, DE):
        items = infos(site).items if locale == FR else infos(site).localized[locale]
        slugs = [i.staged["fieldData"]["slug"] for i in items.values()]
        assert slugs.count("museum") == 1, locale
    assert variant(site, FR, "social").staged["fieldData"]["name"] == "Social et santé"
    assert variant(site, DE, "soziales").staged["fieldData"]["name"] == "Soziales und Gesundheit"
    assert (snap / "cms/infos/museum.md").exists() and (snap / "de/cms/infos/museum.md").exists()


def test_a_slug_is_checked_within_its_locale_before_anything_is_sent(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    replace_in(snap / "de/cms/infos/stadtbusse.md", "slug: stadtbusse", "slug: soziales")  # another German item's
    replace_in(snap / "cms/infos/social.md", "title: Social", "title: Social!")
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", code=1)
    assert [(p["path"], p["key"]) for p in report["problems"]] == [("snapshots/demo/de/cms/infos/stadtbusse.md", "slug")]
    assert not [r for r in site.log if r.method != "GET"]
    # a slug another item has only in French is free in German (slugs are unique per locale)
    replace_in(snap / "de/cms/infos/stadtbusse.md", "slug: soziales", "slug: social")
    wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    item_id = variant(site, FR, "bus-urbains").id
    assert infos(site).localized[DE][item_id].staged["fieldData"]["slug"] == "social"
    assert (snap / "de/cms/infos/social.md").exists() and not (snap / "de/cms/infos/stadtbusse.md").exists()
    assert "title: Social!" in (snap / "cms/infos/social.md").read_text(encoding="utf-8")
