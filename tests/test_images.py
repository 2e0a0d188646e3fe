"""Images by Webflow's fileId: nothing re-imported, re-hosting never a change, a skipped image reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from tests.conftest import TOKEN, single_locale_demo
from tests.helpers import demo_project, snapshot, wfsync, wfsync_json


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    # as the live API: every imported URL re-hosted with a new fileId; a URL it cannot fetch dropped
    with EmulatorServer(single_locale_demo(), tokens={TOKEN: ALL_SCOPES},
                        deviations=["rehost-images", "skip-invalid-files"]) as srv:
        yield srv


def project(server: EmulatorServer, tmp_path: Path) -> Path:
    root = demo_project(tmp_path)
    assert wfsync(server, SITE_ID, root, "init").exit_code == 0
    wfsync_json(server, SITE_ID, root, "pull", "--snapshot", "demo")
    return root


def event(server: EmulatorServer, slug: str) -> dict:
    coll = next(c for c in server.state.collections.values() if c.slug == "evenements")
    return next(i for i in coll.items.values() if i.staged["fieldData"]["slug"] == slug).staged["fieldData"]


def patches(server: EmulatorServer, bodies: list) -> None:
    original = server.handle

    def spy(method, raw_path, headers, raw_body):  # noqa: ANN001
        if method in ("PATCH", "POST") and raw_body:
            bodies.append(json.loads(raw_body))
        return original(method, raw_path, headers, raw_body)

    server.handle = spy  # type: ignore[method-assign]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def clean(server: EmulatorServer, root: Path) -> bool:
    status = wfsync_json(server, SITE_ID, root, "status", "--snapshot", "demo")
    return [a for a in status["actions"] if a["op"] != "nothing"] == []


def test_an_alt_only_edit_sends_the_file_id_and_keeps_the_image(server: EmulatorServer, tmp_path: Path) -> None:
    root = project(server, tmp_path)
    before = dict(event(server, "concert-d-ete")["affiche"])
    gallery = [dict(g) for g in event(server, "concert-d-ete")["galerie"]]
    bodies: list = []
    patches(server, bodies)
    edit(snapshot(root) / "cms/evenements/concert-d-ete.md", "alt: Affiche Concert d'été", "alt: Nouvelle affiche")
    wfsync_json(server, SITE_ID, root, "push", "--snapshot", "demo")
    sent = bodies[-1]["items"][0]["fieldData"]["affiche"]
    assert sent == {"fileId": before["fileId"], "alt": "Nouvelle affiche"}
    after = event(server, "concert-d-ete")["affiche"]
    assert (after["fileId"], after["url"], after["alt"]) == (before["fileId"], before["url"], "Nouvelle affiche")
    assert event(server, "concert-d-ete")["galerie"] == gallery
    assert clean(server, root)


def test_one_picture_of_a_gallery_changed_sends_the_others_by_file_id(server: EmulatorServer, tmp_path: Path) -> None:
    root = project(server, tmp_path)
    gallery = [dict(g) for g in event(server, "concert-d-ete")["galerie"]]
    bodies: list = []
    patches(server, bodies)
    file = snapshot(root) / "cms/evenements/concert-d-ete.md"
    edit(file, gallery[1]["url"], "https://photos.example.org/nouvelle.jpg")
    wfsync_json(server, SITE_ID, root, "push", "--snapshot", "demo")
    sent = bodies[-1]["items"][0]["fieldData"]["galerie"]
    assert sent == [{"fileId": gallery[0]["fileId"], "alt": None},
                    {"url": "https://photos.example.org/nouvelle.jpg", "alt": None}]
    now = event(server, "concert-d-ete")["galerie"]
    assert now[0] == gallery[0] and now[1]["url"].startswith("https://cdn.prod.website-files.com/")
    # Webflow's new URL is in the file: re-hosting is neither a local change nor a conflict
    assert now[1]["url"] in file.read_text(encoding="utf-8")
    assert clean(server, root)
    edit(file, "alt: Affiche Concert d'été", "alt: Encore")  # and the next edit sends it by fileId too
    wfsync_json(server, SITE_ID, root, "sync", "--snapshot", "demo")
    assert event(server, "concert-d-ete")["galerie"] == now


def test_an_image_webflow_did_not_import_is_reported_and_the_file_kept(server: EmulatorServer, tmp_path: Path) -> None:
    root = project(server, tmp_path)
    file = snapshot(root) / "cms/evenements/concert-d-ete.md"
    old = event(server, "concert-d-ete")["affiche"]["url"]
    edit(file, old, "https://photos.invalid/affiche.jpg")
    written = file.read_bytes()
    result = wfsync(server, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)["problems"]
    assert [(p["path"].endswith("cms/evenements/concert-d-ete.md"), p["key"]) for p in problems] == [(True, "f_affiche")]
    assert file.read_bytes() == written  # what the user wrote stays
    # still a local change, tried (and reported) again until the URL is fixed
    again = wfsync(server, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    assert again.exit_code == 1 and json.loads(again.stdout)["problems"]


def test_the_line_of_an_item_whose_image_webflow_did_not_import_says_so(server: EmulatorServer,
                                                                        tmp_path: Path) -> None:
    root = project(server, tmp_path)
    file = snapshot(root) / "cms/evenements/concert-d-ete.md"
    edit(file, event(server, "concert-d-ete")["affiche"]["url"], "https://photos.invalid/affiche.jpg")
    result = wfsync(server, SITE_ID, root, "push", "--snapshot", "demo")
    line = next(x for x in result.stdout.splitlines() if "concert-d-ete.md" in x)
    assert line.startswith("pushed") and "f_affiche not imported by Webflow" in line, line
