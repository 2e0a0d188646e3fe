"""End to end against the emulator: a push never damages rich text the user did not touch.

An item holds real Webflow rich text (the corpus) with the constructs a push used to damage.
Pulled, then pushed without an edit, nothing is sent; with one paragraph edited, Webflow's HTML
changes in that paragraph only (block by block: element tree with href/src/alt, visible text,
and every kept HTML block byte for byte)."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync_json
from tests.richtext_corpus import CORPUS, blocks, block_structure, visible_text

RICH = "".join([
    (CORPUS / "reference-item.html").read_text(encoding="utf-8"),
    "<p>Horaires d'été : du lundi au vendredi.</p>",
    '<div class="w-embed"><script>var a_b = c_d; // *not* emphasis</script></div>',
    "<h2>\u200d</h2><h2><br>Titre</h2><p><br>x <em>y</em></p>",
    '<p><br><img src="https://cdn.test/i.png" alt="x"></p><ul><li>a<br><br></li><li>b</li></ul>',
    '<p>Voir <a id="" href="https://x.test/a b.html">le plan</a>.</p><h2>Fin<br></h2>',
    (CORPUS / "wf-component.html").read_text(encoding="utf-8"),
    (CORPUS / "zenml-vs-dvc-table.html").read_text(encoding="utf-8").strip(),
    (CORPUS / "radix-dlt-stack.html").read_text(encoding="utf-8").strip(),
])


def _item(emulator: EmulatorServer, slug: str):  # noqa: ANN202
    coll = next(c for c in emulator.state.collections.values() if c.slug == "infos")
    return next(i for i in coll.items.values() if i.staged["fieldData"]["slug"] == slug)


def _blocks(html: str) -> list[tuple[object, str]]:
    found = blocks(html)
    return [(block_structure(b, last=n == len(found) - 1), visible_text(b)) for n, b in enumerate(found)]


def _writes(emulator: EmulatorServer) -> list:
    return [r for r in emulator.log if r.method in ("POST", "PATCH", "DELETE")]


def test_push_never_damages_rich_text_it_did_not_touch(emulator: EmulatorServer, tmp_path: Path) -> None:
    item = _item(emulator, "piscines")
    item.staged["fieldData"]["contenu"] = RICH
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"

    # not edited: nothing is sent, and status says so
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert _writes(emulator) == []
    assert item.staged["fieldData"]["contenu"] == RICH

    # one paragraph edited: Webflow's HTML changes in that paragraph only
    text = file.read_text(encoding="utf-8")
    assert text.count("Horaires d'été") == 1
    file.write_text(text.replace("Horaires d'été", "Horaires d'hiver"), encoding="utf-8")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert len(_writes(emulator)) == 1
    before, after = _blocks(RICH), _blocks(item.staged["fieldData"]["contenu"])
    assert len(before) == len(after)
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    assert [(b[1], a[1]) for b, a in changed] == [("Horaires d'été : du lundi au vendredi.",
                                                   "Horaires d'hiver : du lundi au vendredi.")]
    # kept HTML went back byte for byte
    sent = item.staged["fieldData"]["contenu"]
    for raw in ('<div class="w-embed"><script>var a_b = c_d; // *not* emphasis</script></div>',
                (CORPUS / "zenml-vs-dvc-table.html").read_text(encoding="utf-8").strip()):
        assert raw in sent
    assert '<wf-component data-w-id="6a1f0c2e-55b1-4c7e-9f3a-0d6e2b7c1a90"' in sent

    # and the next run finds everything in step
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []
