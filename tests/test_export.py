"""`wfsync export` against the emulator and its CDN: content, assets, redirects, re-runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from connector.cli import main
from connector.emulator.core import object_id
from connector.emulator.fixtures import CDN_SAME_BYTES, SITE_ID
from connector.emulator.server import EmulatorServer, FaultPlan
from connector.yamlstyle import load as load_yaml
from tests.conftest import TOKEN
from tests.export_site import BG, GUIDE, PHOTO, PLAN, VARIANT_ALONE, add_edge_item


def export(server: EmulatorServer, out: Path, *args: str, code: int = 0, root: Path | None = None) -> Result:
    env = {"WEBFLOW_API_BASE": server.base_url, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": SITE_ID,
           "WFSYNC_ASSET_ORIGIN": server.asset_origin}
    base = ["--root", str(root)] if root else []
    result = CliRunner().invoke(main, [*base, "export", "--out", str(out), *args], env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def report(server: EmulatorServer, out: Path, *args: str, **kw: Any) -> dict[str, Any]:
    return json.loads(export(server, out, *args, "--json", **kw).stdout)


def front(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    _, fm, body = text.split("---\n", 2)
    return load_yaml(fm), body


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cdn_fetches(server: EmulatorServer) -> list[str]:
    return [r.path for r in server.requests("GET", "/cdn/")]


@pytest.mark.parametrize("profile,page", [("eleventy", "cms/infos/{}.md"), ("hugo", "content/infos/{}.md"),
                                          ("astro", "src/content/infos/{}.md")])
def test_live_versions_only_published_no_drafts_no_archived(emulator: EmulatorServer, tmp_path: Path,
                                                            profile: str, page: str) -> None:
    out = tmp_path / profile
    r = report(emulator, out, "--profile", profile)
    assert r["pages"] == 26 and r["drafts"] == 0
    # published, then edited without publishing: the live text is what visitors see
    fm, _ = front(out / page.format("seniors" if False else "bibliotheque"))
    assert fm["f_mini-description"] == "Ancienne description."
    assert not (out / page.format("velos-en-libre-service")).exists()  # a draft
    assert not (out / page.format("tri-des-dechets")).exists()  # archived
    fm, body = front(out / page.format("social"))
    assert (fm["title"], fm["slug"], fm["draft"]) == ("Social", "social", False)
    assert fm["date"] == "2019-09-19T13:55:17.171Z" and fm["lastmod"] == "2024-03-26T02:51:06.637Z"
    assert fm["f_tag-3"] == "Institutions" and "f_contenu" not in fm  # the rich text is the body
    assert "### LE CENTRE MEDICO-SOCIAL (CMS)" in body
    # emphasis around a line break: Markdown would show asterisks, so it stays HTML
    assert "<p><strong><br>OBJECTIFS</strong></p>" in body and "**  \nOBJECTIFS**" not in body


def test_staged_and_drafts_marked(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    r = report(emulator, out, "--profile", "hugo", "--staged", "--drafts")
    assert r["drafts"] == 4 and r["pages"] == 26
    fm, _ = front(out / "content/infos/bibliotheque.md")
    assert fm["f_mini-description"] == "Tout savoir sur : bibliothèque."
    fm, _ = front(out / "content/infos/velos-en-libre-service.md")
    assert fm["draft"] is True
    assert not (out / "content/infos/tri-des-dechets.md").exists()  # archived: never


def test_references_per_generator_and_option_names(emulator: EmulatorServer, tmp_path: Path) -> None:
    for profile, path, want_ref, want_multi in [
        ("eleventy", "cms/evenements/fete-du-vin.md", "cms/categories/sante-et-social.md", "cms/infos/social.md"),
        ("hugo", "content/evenements/fete-du-vin.md", "/categories/sante-et-social", "/infos/social"),
        ("astro", "src/content/evenements/fete-du-vin.md", "sante-et-social", "social"),
    ]:
        report(emulator, tmp_path / profile, "--profile", profile)
        fm, _ = front(tmp_path / profile / path)
        assert fm["f_categorie"] == want_ref
        assert fm["f_lieux"][0] == want_multi
        assert fm["f_type"] == "Concert" and fm["f_places"] == 50 and fm["f_gratuit"] is True
    fm, _ = front(tmp_path / "eleventy/cms/infos/social.md")
    assert fm["permalink"] == "/infos/social/" and fm["templateEngineOverride"] == "md"
    fm, _ = front(tmp_path / "hugo/content/infos/social.md")
    assert fm["url"] == "/infos/social/"


def test_a_reference_to_an_unpublished_item_is_left_out(emulator: EmulatorServer, tmp_path: Path) -> None:
    r = report(emulator, tmp_path / "s", "--profile", "astro")
    left = {(x["field"], x["target"]) for x in r["references_left_out"]}
    velos = object_id("item:info:velos-en-libre-service")  # a draft
    assert ("lieux", velos) in left
    for page in (tmp_path / "s/src/content/evenements").glob("*.md"):
        fm, _ = front(page)
        assert "velos-en-libre-service" not in (fm["f_lieux"] or [])


def test_assets_downloaded_once_per_url_stored_once_per_content(localized_emulator: EmulatorServer, tmp_path: Path) -> None:
    emulator = localized_emulator  # the bilingual demo: German assets and URLs too
    add_edge_item(emulator.state)
    out = tmp_path / "site"
    r = report(emulator, out, "--profile", "eleventy")
    fetched = cdn_fetches(emulator)
    a = r["assets"]
    # one request per canonical URL: host aliases and ?v=3 are the same file, srcset variants never fetched
    assert len(fetched) == len(set(fetched)) == a["unique_urls"] == a["fetched"]
    assert not any("-p-500" in p or "-p-800.jpeg" in p and "seul" not in p for p in fetched)
    assert sum(PLAN in p for p in fetched) == 1 and any(VARIANT_ALONE in p for p in fetched)
    # the deliberate duplicate (one picture uploaded twice): two URLs, one file
    assert a["files"] == a["unique_urls"] - len(CDN_SAME_BYTES)
    manifest = json.loads((out / "wfsync-assets.json").read_text())
    shared = [f for f in manifest["files"] if len(f["sources"]) == 2]
    # used by both items, in French and in their German variants (the demo's second locale)
    assert len(shared) == 1 and shared[0]["used_by"] == ["de/infos/creches-et-garderies", "de/infos/ecoles-primaires",
                                                        "infos/creches-et-garderies", "infos/ecoles-primaires"]
    for f in manifest["files"]:
        assert (out / "media" / f["file"]).stat().st_size == f["bytes"]
    names = {f["file"] for f in manifest["files"]}
    assert any(n.startswith("photo-d-ete-") and n.endswith(".jpg") for n in names)
    # no Webflow URL left anywhere in the export
    for rel, data in tree(out).items():
        assert b"website-files.com" not in data and b"uploads-ssl.webflow.com" not in data, rel
    fm, body = front(out / "cms/infos/ete-a-sierre.md")
    assert fm["f_image-2"]["url"].startswith("/media/plan-") and fm["f_mini-description"].startswith("Le guide : /media/")
    assert "srcset" not in body and "__wf_reserved_inherit" not in body  # the asset has no alt text of its own
    assert "![](/media/photo-d-ete-" in body
    assert "url(&#x27;/media/fond-" in body and 'poster="/media/plan-' in body
    assert "{{ title }}" in body and fm["templateEngineOverride"] == "md"


def test_second_export_is_byte_identical_and_downloads_nothing(emulator: EmulatorServer, tmp_path: Path) -> None:
    add_edge_item(emulator.state)
    for profile in ("eleventy", "hugo", "astro"):
        out = tmp_path / profile
        report(emulator, out, "--profile", profile)
        first = tree(out)
        mtimes = {p: (out / p).stat().st_mtime_ns for p in first}
        emulator.clear_log()
        r = report(emulator, out, "--profile", profile)
        assert cdn_fetches(emulator) == [] and r["assets"]["fetched"] == 0
        assert tree(out) == first
        assert {p: (out / p).stat().st_mtime_ns for p in first} == mtimes  # nothing even rewritten
        assert r["files"]["written"] == 0 and r["files"]["starters"] == []


def test_an_interrupted_download_resumes(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = report(emulator, out, "--profile", "hugo")
    manifest = json.loads((out / "wfsync-assets.json").read_text())
    gone = manifest["files"][0]
    (out / "static/media" / gone["file"]).unlink()  # as if the run had stopped before this one
    emulator.clear_log()
    r = report(emulator, out, "--profile", "hugo")
    assert len(cdn_fetches(emulator)) == len(gone["sources"]) == r["assets"]["fetched"]
    assert (out / "static/media" / gone["file"]).exists() and first["assets"]["files"] == r["assets"]["files"]


def test_a_missing_asset_fails_the_run_and_writes_no_page(emulator: EmulatorServer, tmp_path: Path) -> None:
    add_edge_item(emulator.state)
    emulator.cdn_missing.add(GUIDE)
    out = tmp_path / "site"
    result = export(emulator, out, "--profile", "eleventy", code=1)
    assert "guide%20pratique.pdf" in result.output and "infos/ete-a-sierre" in result.output
    assert "--allow-missing-assets" in result.output
    assert not (out / "cms").exists()
    r = report(emulator, out, "--profile", "eleventy", "--allow-missing-assets")
    assert [m["key"] for m in r["assets"]["missing"]] == [GUIDE.replace("%20", " ")]
    fm, _ = front(out / "cms/infos/ete-a-sierre.md")
    assert "assets-global.website-files.com" not in fm["f_mini-description"]  # seen as uploads-ssl there
    assert "guide%20pratique.pdf" in fm["f_mini-description"]  # kept remote, and listed
    assert json.loads((out / "wfsync-assets.json").read_text())["missing"]


def test_downloads_are_retried_through_cdn_faults(emulator: EmulatorServer, tmp_path: Path) -> None:
    clean = report(emulator, tmp_path / "clean", "--profile", "hugo")
    # four downloads run at once, so which URL meets which seeded fault depends on the threads: at most
    # three faults in a row per URL keeps the five attempts enough whatever the order
    emulator.cdn_faults = FaultPlan(rate=0.4, seed=3, kinds=("500", "503", "drop"), after_commit=0.0, max_in_a_row=3)
    emulator.clear_log()
    r = report(emulator, tmp_path / "faulty", "--profile", "hugo")
    assert any(q.fault for q in emulator.requests("GET", "/cdn/"))
    assert r["assets"]["missing"] == [] and r["assets"]["files"] == clean["assets"]["files"]
    assert tree(tmp_path / "faulty/static/media") == tree(tmp_path / "clean/static/media")


def test_starter_files_are_written_once_and_then_the_users(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = report(emulator, out, "--profile", "astro")
    assert "astro.config.mjs" in first["files"]["starters"] and "src/content.config.ts" in first["files"]["starters"]
    (out / "astro.config.mjs").write_text("// mine\n")
    (out / "src/pages/infos/[slug].astro").write_text("mine\n")
    report(emulator, out, "--profile", "astro")
    assert (out / "astro.config.mjs").read_text() == "// mine\n"
    assert (out / "src/pages/infos/[slug].astro").read_text() == "mine\n"
    schema = (out / "src/wfsync/collections.ts").read_text()
    assert 'z.enum(["Concert", "Marché", "Conférence", "Sport"])' in schema
    assert 'reference("categories")' in schema and "image()" in schema and ".strict()" in schema


def test_an_item_gone_from_webflow_is_removed_unless_edited(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report(emulator, out, "--profile", "hugo")
    infos = emulator.state.collections[object_id("collection:infos")]
    for slug in ("hopital", "piscines"):
        item = next(i for i in infos.items.values() if i.staged["fieldData"]["slug"] == slug)
        emulator.state.delete(infos.id, [item.id], live=True)
    (out / "content/infos/piscines.md").write_text("edited by hand\n")
    r = report(emulator, out, "--profile", "hugo")
    assert not (out / "content/infos/hopital.md").exists()
    assert (out / "content/infos/piscines.md").read_text() == "edited by hand\n"
    assert r["files"]["removed"] == ["content/infos/hopital.md"] and r["files"]["kept_edited"] == ["content/infos/piscines.md"]


def test_redirects_from_webflow_prefix_change_and_slug_history(localized_emulator: EmulatorServer, tmp_path: Path) -> None:
    emulator = localized_emulator  # the bilingual demo: German assets and URLs too
    root = tmp_path / "project"
    env_root = ["--root", str(root)]
    runner = CliRunner()
    env = {"WEBFLOW_API_BASE": emulator.base_url, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": SITE_ID}
    assert runner.invoke(main, [*env_root, "init"], env=env).exit_code == 0
    assert runner.invoke(main, [*env_root, "pull", "--snapshot", "s"], env=env).exit_code == 0
    infos = emulator.state.collections[object_id("collection:infos")]
    item = next(i for i in infos.items.values() if i.staged["fieldData"]["slug"] == "bibliotheque")
    emulator.state.update(infos.id, [{"id": item.id, "fieldData": {"slug": "mediatheque"}}], live=True)
    assert runner.invoke(main, [*env_root, "pull", "--snapshot", "s", "--live"], env=env).exit_code == 0
    history = json.loads((root / "snapshots/s/.wfsync/slug-history.json").read_text())
    assert history[item.id]["slugs"] == ["bibliotheque"]
    out = tmp_path / "site"
    r = report(emulator, out, "--profile", "hugo", "--snapshot", "s", "--permalink", "evenements=/agenda/{slug}/",
               root=root)
    rules = {x["from"]: x for x in json.loads((out / "redirects.json").read_text())["redirects"]}
    assert rules["/infos/bibliotheque"]["to"] == "/infos/mediatheque/"
    assert rules["/infos/piscine"]["to"] == "/infos/piscines/"  # Webflow's own 301, to the new URL
    assert rules["/evenements/*"]["to"] == "/agenda/:splat"
    # Webflow's /agenda -> /evenements now lands on the list page's own URL, /agenda/: no rule (no loop)
    # the prefix changes in each locale: /evenements/* and the German /de/evenements/*
    assert rules["/de/evenements/*"]["to"] == "/de/agenda/:splat"
    assert "/agenda" not in rules and r["redirects"]["by_reason"] == {
        "Webflow 301": 1, "collection prefix changed": 2, "slug renamed": 1}
    assert not any(x["from"].rstrip("/") == x["to"].rstrip("/") for x in rules.values())  # no trailing-slash rules
    netlify = (out / "static/_redirects").read_text().splitlines()[1:]
    assert netlify[-1] == "/evenements/* /agenda/:splat 301" and "/infos/bibliotheque /infos/mediatheque/ 301" in netlify
    vercel = json.loads((out / "vercel.json").read_text())
    assert {"source": "/infos/piscine", "destination": "/infos/piscines/", "statusCode": 301} in vercel["redirects"]
    assert "rewrite ^/evenements/(.*)$ /agenda/$1 permanent;" in (out / "nginx/wf-redirects.conf").read_text()
    assert '"/infos/piscine" "/infos/piscines/";' in (out / "nginx/wf-redirects.map").read_text()
    fm, _ = front(out / "content/infos/mediatheque.md")
    assert fm["aliases"] == ["/infos/bibliotheque"]
    fm, _ = front(out / "content/evenements/fete-du-vin.md")
    assert fm["url"] == "/agenda/fete-du-vin/" and fm["aliases"] == ["/evenements/fete-du-vin"]


def test_webflow_redirects_skipped_when_the_token_may_not_read_them(tmp_path: Path) -> None:
    from connector.emulator.fixtures import demo_state

    scopes = {"cms:read", "assets:read"}  # no sites:read
    with EmulatorServer(demo_state(), tokens={TOKEN: scopes}) as server:
        r = report(server, tmp_path / "s", "--profile", "eleventy")
    assert r["redirects"]["rules"] == 0 and any("sites:read" in n for n in r["redirects"]["notes"])


def test_bad_permalink_is_refused_before_anything_is_written(emulator: EmulatorServer, tmp_path: Path) -> None:
    result = export(emulator, tmp_path / "s", "--profile", "hugo", "--permalink", "infos=/guide/", code=2)
    assert "COLLECTION=/prefix/{slug}/" in result.output and not (tmp_path / "s").exists()


def test_emulator_cdn_serves_distinct_valid_images(emulator: EmulatorServer) -> None:
    import requests

    from connector.emulator.cdn import asset

    a = requests.get(emulator.asset_origin + PHOTO, timeout=5)
    b = requests.get(emulator.asset_origin + BG, timeout=5)
    assert a.status_code == b.status_code == 200
    assert a.content[:2] == b"\xff\xd8" and b.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.headers["Content-Type"] == "image/jpeg" and a.content != asset(PLAN)
    dup, orig = next(iter(CDN_SAME_BYTES.items()))
    assert asset(dup) == asset(orig)
    assert requests.get(emulator.asset_origin + "/nope", timeout=5).status_code == 404


def test_emulator_serve_prints_the_asset_origin_and_serves_the_cdn(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    import requests

    proc = subprocess.Popen([sys.executable, "-m", "connector.cli", "emulator", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    try:
        lines = [proc.stdout.readline().strip() for _ in range(4)]  # type: ignore[union-attr]
        origin = next(v for k, _, v in (line.removeprefix("export ").partition("=") for line in lines)
                      if k == "WFSYNC_ASSET_ORIGIN")
        assert origin.startswith("http://127.0.0.1:") and origin.endswith("/cdn")
        answer = requests.get(origin + PHOTO, timeout=10)
        assert answer.status_code == 200 and answer.content[:2] == b"\xff\xd8"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
