"""A push sends Webflow's own block wherever the file's block reads the same.

Turndown writes the same Markdown for different HTML (markup inside inline code, blank
emphasis, attributes on a paragraph, ``<b>``, ``<span>`` wrappers, edge line breaks...), so no
reading of the file alone can give those blocks back. A push knows Webflow's current HTML: an
edited paragraph is the only block of Webflow's HTML that changes."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.richtext.keep_blocks import keep_webflow_blocks
from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown
from tests.helpers import pulled_project, snapshot, wfsync_json
from tests.richtext_corpus import corpus, push_against_webflow as _push

EDITED = "<p>Horaires d'été : du lundi au vendredi.</p>"
BLOCKS = [
    "<p><code>a<em>b</em></code> et <code>c<strong>d</strong></code></p>",
    '<p id="intro" class="lead" style="margin:0">Un paragraphe <span class="x">avec</span> <b>attributs</b>.</p>',
    "<p><strong> </strong>x <i>y</i></p>",
    EDITED,
    "<div><h3>Sous-titre</h3><p>lu comme deux blocs</p></div>",
    "<h2><br>Titre</h2>",
    '<p>Voir <a href="https://x.test/a_(b">le plan</a>.</p>',
    "<p>\u200d</p>",
    "<p>fin de ligne<br></p>",
    '<ul role="list"><li>un<br><br></li><li><span>deux</span></li></ul>',
    "<p></p>",
    "<blockquote>cité <em> </em>ici</blockquote>",
    "<p>Tapez &lt;div&gt; pour ouvrir un bloc, &lt;/p&gt; pour fermer un paragraphe</p>",  # text that reads as tags
]
RICH = "\n".join(BLOCKS)  # (with blank text between blocks, as many values have)


def _item(emulator: EmulatorServer, slug: str):  # noqa: ANN202
    coll = next(c for c in emulator.state.collections.values() if c.slug == "infos")
    return next(i for i in coll.items.values() if i.staged["fieldData"]["slug"] == slug)


def _writes(emulator: EmulatorServer) -> list:
    return [r for r in emulator.log if r.method in ("POST", "PATCH", "DELETE")]


@pytest.mark.parametrize("read_again", [False, True], ids=["item-not-read-by-the-push", "item-read-by-the-push"])
def test_an_edited_paragraph_is_the_only_block_webflow_sees_change(emulator: EmulatorServer, tmp_path: Path,
                                                                  read_again: bool) -> None:
    item = _item(emulator, "piscines")
    item.staged["fieldData"]["contenu"] = RICH
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    text = file.read_text(encoding="utf-8")
    assert text.count("Horaires d'été") == 1
    file.write_text(text.replace("Horaires d'été", "Horaires d'hiver"), encoding="utf-8")

    # (a full read takes Webflow's HTML from this run's read; otherwise the push reads the item)
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", *(["--full"] if read_again else []))
    assert len(_writes(emulator)) == 1
    expected = [b if b != EDITED else EDITED.replace("d'été", "d'hiver") for b in BLOCKS]
    after = item.staged["fieldData"]["contenu"]
    assert after == "\n".join(expected), [b for b in BLOCKS if b not in after]

    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []
    emulator.clear_log()
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert _writes(emulator) == []
    assert item.staged["fieldData"]["contenu"] == "\n".join(expected)


# -- over the corpus and the vectors -------------------------------------------------------------
_VALUES = [html for _, html in corpus()]
_FIXED = [h for h in _VALUES if to_markdown(to_html(to_markdown(h), to_markdown(h))) == to_markdown(h)]
_WORD = re.compile(r"[A-Za-z]{2,}")


def _editable(markdown: str) -> list[int]:
    """The paragraphs of a value's Markdown whose words are text (no HTML, no link target)."""
    chunks = markdown.split("\n\n")
    return [k for k, c in enumerate(chunks) if "<" not in c and "](" not in c and "`" not in c and _WORD.search(c)]


_EDITABLE = [h for h in _FIXED if _editable(to_markdown(h))]


def _top_blocks(html: str) -> list[str]:
    """The value cut around each top-level element (a test's own cutter, simpler than the
    module's: blocks, the text between them, and the blank text around them left out)."""
    out: list[str] = []
    depth, start = 0, 0
    for m in re.finditer(r"<(/?)([a-z][a-z0-9-]*)[^>]*>", html):
        name = m.group(2)
        if depth == 0 and not m.group(1):
            out.append(html[start:m.start()])
            start = m.start()
        if name in ("br", "img", "hr", "wbr"):
            if depth == 0:
                out.append(html[start:m.end()])
                start = m.end()
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            out.append(html[start:m.end()])
            start = m.end()
    out.append(html[start:])
    return [b.strip(" \t\n") for b in out if b.strip(" \t\n")]  # (the blank text between blocks goes with them)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_EDITABLE), st.randoms(use_true_random=False))
def test_an_edit_of_one_block_leaves_every_other_block_of_webflows_value_byte_for_byte(
        value: str, rnd: random.Random) -> None:
    """Values whose Markdown is a fixed point (the others change in a round trip already, as the
    corpus measure lists): one word of one paragraph edited, every other block is Webflow's."""
    markdown = to_markdown(value)
    chunks = markdown.split("\n\n")
    k = rnd.choice(_editable(markdown))
    words = list(_WORD.finditer(chunks[k]))
    w = rnd.choice(words)
    chunks[k] = chunks[k][:w.end()] + "zq" + chunks[k][w.end():]
    edited = "\n\n".join(chunks)
    sent = _push(edited, value)
    assert to_markdown(sent) == to_markdown(to_html(edited, markdown))
    before, after = _top_blocks(value), _top_blocks(sent)
    # (a wrapper <div> of blocks, cut otherwise by the file, may go with the edit: not its blocks)
    assert len([b for b in before if b not in sent]) <= 1, [b for b in before if b not in sent]
    assert len([a for a in after if a not in value]) <= 1, [a for a in after if a not in value]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_FIXED))
def test_a_value_not_edited_goes_back_as_webflow_has_it(value: str) -> None:
    assert _push(to_markdown(value), value) == value


def test_webflows_block_is_not_sent_where_it_would_read_otherwise() -> None:
    """Webflow's empty paragraph and the file's blank line both read as nothing alone, but not in
    their place: blank lines the user added between two paragraphs are sent, not Webflow's empty
    paragraph (which would drop them), while the code span nobody touched stays Webflow's."""
    webflow = "<p><code>a<em>b</em></code></p><p>un</p><p></p><p>deux</p>"
    markdown = to_markdown(webflow)
    assert markdown == "`a_b_`\n\nun\n\ndeux"
    typed = markdown.replace("un\n\ndeux", "un\n\n\n\ndeux")
    sent = _push(typed, webflow)
    assert to_markdown(sent) == typed
    assert sent == "<p><code>a<em>b</em></code></p><p>un</p><p>\u200d</p><p>deux</p>"


def test_pushes_of_edited_real_values_keep_every_other_block_byte_for_byte() -> None:
    """The corpus measure's push of an edited value, on the real Webflow rich text: one word of
    one block edited (up to four pushes per value), every other block goes back as it was."""
    from tests.richtext_corpus import edited_pushes

    real = [(name, html) for name, html in corpus() if not name.startswith("vector-")]
    pushed = edited_pushes(real, _push)
    assert len(pushed) > 40
    assert [(r.name, r.text_lost, r.structure_lost) for r in pushed if r.text_lost or r.structure_lost] == []
    assert [r.name for r in pushed if r.pieces_kept != r.pieces] == []
    assert all(r.fixed_point for r in pushed)


def test_where_one_block_reads_otherwise_in_its_place_every_other_block_stays_webflows() -> None:
    """Blank lines added where Webflow has an empty paragraph, in a long value: only that place
    is the file's; every code span with markup elsewhere stays Webflow's (taken half by half)."""
    webflow = "".join(f"<p>para {n} <code>a<em>b</em></code></p><p></p>" for n in range(200))
    markdown = to_markdown(webflow)
    typed = markdown.replace("para 150 `a_b_`\n\n", "para 150 `a_b_`\n\n\n\n")
    sent = _push(typed, webflow)
    assert to_markdown(sent) == to_markdown(to_html(typed, markdown))
    assert sent.count("<code>a<em>b</em></code>") == 200
    assert sent.count("\u200d") == 1


def test_an_edited_block_keeps_the_attributes_webflow_gave_its_element() -> None:
    # Webflow marks its lists role="list" and may give a paragraph an id or a style: Markdown has
    # no place for them, so an edit inside the block must not strip them from it
    webflow = ('<ul role="list"><li>un</li><li>deux</li></ul>'
               '<p id="tel" style="color:red">Tél. 027 452 01 11</p><h2>Horaires</h2>')
    markdown = to_markdown(webflow).replace("deux", "trois").replace("027 452 01 11", "027 452 01 12")
    sent = keep_webflow_blocks(to_html(markdown, markdown), webflow, markdown)
    assert sent == ('<ul role="list"><li>un</li><li>trois</li></ul>'
                    '<p id="tel" style="color:red">Tél. 027 452 01 12</p><h2>Horaires</h2>')
    assert to_markdown(sent) == markdown
