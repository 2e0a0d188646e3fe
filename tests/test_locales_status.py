"""Localized sites as ``status``, ``diff`` and a run show them: every file named from the project
root, per locale; a delete of the whole item names (and counts) every locale's file it removes; a
new file of a secondary locale that cannot be placed is a problem before anything is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.emulator.fixtures import CMS_LOCALE_ID as FR
from connector.emulator.fixtures import DE_CMS_LOCALE_ID as DE
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import snapshot, wfsync, wfsync_json
from tests.test_locales_sync import edit_in_webflow, infos, pulled, replace_in, site, variant  # noqa: F401

S = "snapshots/demo/"


def run(server: EmulatorServer, root: Path, *args: str) -> tuple[int, str, str]:
    result = wfsync(server, SITE_ID, root, *args, "--snapshot", "demo")
    return result.exit_code, result.stdout, result.stderr


def writes(server: EmulatorServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.log if r.method != "GET"]


def edit_de(snap: Path) -> None:
    replace_in(snap / "de/cms/infos/stadtbusse.md", "title: Stadtbusse", "title: Stadtbusse Siders")


def edit_fr(snap: Path) -> None:
    replace_in(snap / "cms/infos/social.md", "title: Social", "title: Social et santé")


def new_de(snap: Path) -> None:
    text = (snap / "de/cms/infos/soziales.md").read_text(encoding="utf-8")
    (snap / "de/cms/infos/museum.md").write_text(text.replace("title: Soziales", "title: Museum")
                                                 .replace("slug: soziales", "slug: museum"), encoding="utf-8")


def delete_de(snap: Path) -> None:
    (snap / "de/cms/infos/soziales.md").unlink()


CASES: dict[str, tuple[Any, list[str], list[str]]] = {
    # case: (change, status lines, diff headers)
    "german edit": (edit_de, [f"modified:             {S}de/cms/infos/stadtbusse.md"],
                    [f"+++ local    {S}de/cms/infos/stadtbusse.md  (push-update)"]),
    "french edit": (edit_fr, [f"modified:             {S}cms/infos/social.md"],
                    [f"+++ local    {S}cms/infos/social.md  (push-update)"]),
    "both": (lambda snap: (edit_de(snap), edit_fr(snap)),
             [f"modified:             {S}cms/infos/social.md", f"modified:             {S}de/cms/infos/stadtbusse.md"],
             [f"+++ local    {S}cms/infos/social.md  (push-update)",
              f"+++ local    {S}de/cms/infos/stadtbusse.md  (push-update)"]),
    "new german file": (new_de, [f"new file:             {S}de/cms/infos/museum.md"],
                        [f"+++ local    {S}de/cms/infos/museum.md  (push-create)"]),
    "deleted german file": (delete_de, [f"deleted (de only):    {S}de/cms/infos/soziales.md"],
                            [f"+++ local    {S}de/cms/infos/soziales.md  (delete-remote)"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_status_and_diff_show_each_locale_s_files_from_the_project_root(site: EmulatorServer, tmp_path: Path,
                                                                         case: str) -> None:
    change, status_lines, diff_headers = CASES[case]
    root = pulled(site, tmp_path)
    change(snapshot(root))
    code, out, _ = run(site, root, "status")
    assert code == 0
    listed = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert listed == status_lines, out
    code, out, _ = run(site, root, "diff")
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("+++ local")] == diff_headers, out
    assert run(site, root, "diff", "--exit-code")[0] == 1
    assert run(site, root, "status", "--exit-code")[0] == 1
    # a file named alone: only its differences
    one = diff_headers[0].split()[2]
    code, out, _ = run(site, root, "diff", one)
    assert code == 0 and [line for line in out.splitlines() if line.startswith("+++ local")] == diff_headers[:1]
    assert not writes(site)


def test_diff_of_an_unreadable_german_file_names_its_problem_and_exits_1(site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    text = (snap / "de/cms/infos/stadtbusse.md").read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("f_mini-description:"))
    replace_in(snap / "de/cms/infos/stadtbusse.md", text.splitlines()[line - 1], 'f_mini-description: [unclosed: "x')
    code, out, err = run(site, root, "diff")
    assert code == 1
    assert out.strip() == f"cannot be read: {S}de/cms/infos/stadtbusse.md:{line}  (see the problem below)"
    assert "(absent)" not in out
    assert f"{S}de/cms/infos/stadtbusse.md:{line}: f_mini-description" in err
    document = json.loads(wfsync(site, SITE_ID, root, "diff", "--snapshot", "demo", "--json").stdout)
    assert document["exit_code"] == 1 and document["differences"] == [
        {"path": f"{S}de/cms/infos/stadtbusse.md", "fields": [], "op": "hold"}]
    assert [(p["path"], p["line"]) for p in document["problems"]] == [(f"{S}de/cms/infos/stadtbusse.md", line)]
    assert run(site, root, "status")[0] == 1  # as status says


def test_a_new_german_file_with_the_french_slug_of_an_item_translated_under_another_is_a_problem_first(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    (snap / "de/cms/infos/hallenbad.md").write_text(
        "---\ntitle: Hallenbad\nslug: piscines\nf_mini-description: Neu lokal\n---\n", encoding="utf-8")
    code, out, err = run(site, root, "status")
    assert code == 1
    assert f"{S}de/cms/infos/hallenbad.md:3: slug: the item 'piscines' (fr) already has a de variant " \
           f"({S}de/cms/infos/schwimmbaeder.md)" in err
    for args in (("push",), ("push", "--dry-run"), ("sync",)):
        code, out, err = run(site, root, *args)
        assert code == 1, (args, out, err)
        assert "created" not in out and "would create" not in out, (args, out)
        assert f"{S}de/cms/infos/hallenbad.md:3" in err
    document = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", code=1)
    assert document["error"]["kind"] == "validation"
    assert [(p["path"], p["key"]) for p in document["problems"]] == [(f"{S}de/cms/infos/hallenbad.md", "slug")]
    assert not writes(site)
    assert len(infos(site).localized[DE]) == len(infos(site).items)


def test_deleting_the_french_file_names_and_counts_the_german_file_the_item_takes_along(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    item_id = variant(site, FR, "hopital").id
    assert variant(site, DE, "hopital").staged["fieldData"] == variant(site, FR, "hopital").staged["fieldData"]
    (snap / "cms/infos/hopital.md").unlink()
    code, out, _ = run(site, root, "status")
    assert code == 0
    listed = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert listed == [f"deleted:              {S}cms/infos/hopital.md",
                      f"goes with its item:   {S}de/cms/infos/hopital.md"], out
    code, out, _ = run(site, root, "push", "--dry-run", "--allow-delete")
    assert code == 0
    assert f"would delete {S}de/cms/infos/hopital.md" in out and f"would delete {S}cms/infos/hopital.md" in out
    dry = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--dry-run", "--allow-delete")
    assert dry["collections"][0]["deleted"] == 2
    code, out, _ = run(site, root, "push")  # without --allow-delete: both held, both named
    held = [line for line in out.splitlines() if line.startswith("held")]
    assert len(held) == 2 and any(f"{S}de/cms/infos/hopital.md" in line and "--allow-delete" in line for line in held)
    # each variant counts against --max-delete
    refused = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--max-delete", "1",
                          code=1)
    assert refused["error"]["kind"] == "delete_limit" and "2" in refused["error"]["message"]
    assert not writes(site) and (snap / "de/cms/infos/hopital.md").exists()
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--max-delete", "2")
    assert item_id not in infos(site).items and item_id not in infos(site).localized[DE]
    assert not (snap / "de/cms/infos/hopital.md").exists()
    assert report["collections"][0]["deleted"] == 2
    assert {a["path"] for a in report["actions"] if a["op"] == "delete-remote"} == {
        f"{S}cms/infos/hopital.md", f"{S}de/cms/infos/hopital.md"}
    again = wfsync_json(site, SITE_ID, root, "sync", "--snapshot", "demo")
    assert not again["actions"] and not again["conflicts"]


def test_a_whole_item_delete_held_for_a_german_edit_stays_held_while_the_german_file_holds_a_translation(
        site: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    item_id = variant(site, FR, "bus-urbains").id
    (snap / "cms/infos/bus-urbains.md").unlink()
    edit_de(snap)
    first = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert variant(site, DE, "stadtbusse").staged["fieldData"]["name"] == "Stadtbusse Siders"
    assert first["collections"][0]["deleted"] == 0
    for _ in range(2):  # the next runs too: the German file now holds a translation nobody deleted
        code, out, _ = run(site, root, "status")
        assert f"deleted:              {S}cms/infos/bus-urbains.md  [the item would go in every locale, and " \
               f"{S}de/cms/infos/stadtbusse.md holds a translation" in out
        report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
        assert item_id in infos(site).items and item_id in infos(site).localized[DE]
        assert (snap / "de/cms/infos/stadtbusse.md").exists() and report["collections"][0]["deleted"] == 0
    # deleting the German file too is the confirmation: the item goes in every locale
    (snap / "de/cms/infos/stadtbusse.md").unlink()
    code, out, _ = run(site, root, "status")
    listed = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert listed == [f"deleted:              {S}cms/infos/bus-urbains.md",
                      f"goes with its item:   {S}de/cms/infos/stadtbusse.md"], out
    report = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert item_id not in infos(site).items and item_id not in infos(site).localized[DE]
    assert report["collections"][0]["deleted"] == 2


def test_a_german_file_saved_while_its_item_is_deleted_in_every_locale_stays(site: EmulatorServer,
                                                                              tmp_path: Path) -> None:
    root = pulled(site, tmp_path)
    snap = snapshot(root)
    item_id = variant(site, FR, "hopital").id
    (snap / "cms/infos/hopital.md").unlink()
    german = snap / "de/cms/infos/hopital.md"
    saved = german.read_text(encoding="utf-8").replace("title: Hôpital", "title: Spital (gerade gespeichert)")

    def save_meanwhile(entry: Any) -> None:
        if entry.method == "DELETE" and not entry.path.endswith("/live") and entry.status and entry.status < 300:
            german.write_text(saved, encoding="utf-8")

    site.after_request = save_meanwhile
    try:
        result = wfsync(site, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--json")
    finally:
        site.after_request = None
    report = json.loads(result.stdout)
    assert item_id not in infos(site).items and item_id not in infos(site).localized[DE]
    assert german.read_text(encoding="utf-8") == saved  # kept as saved, and said so
    assert result.exit_code == 3
    assert [c["path"] for c in report["conflicts"]] == [f"{S}de/cms/infos/hopital.md"]
    state = json.loads((snap / ".wfsync/state.json").read_text(encoding="utf-8"))["items"]
    assert f"{item_id}@{DE}" not in state and item_id not in state
    # the next run sees a new German file: the item is made again from it, in French too, and said so
    again = wfsync_json(site, SITE_ID, root, "push", "--snapshot", "demo")
    assert variant(site, DE, "hopital").staged["fieldData"]["name"] == "Spital (gerade gespeichert)"
    assert (snap / "cms/infos/hopital.md").exists()
    assert any("created it in fr" in w["message"] for w in again["warnings"])
