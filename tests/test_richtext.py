"""Rich text both ways: HTML -> Markdown -> HTML keeps what a reader sees; Markdown is a fixed point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown
from tests.richtext_signature import signature

DATA = Path(__file__).parent / "data"
REFERENCE_HTML = (DATA / "reference-item.html").read_text(encoding="utf-8")
VECTORS = json.loads((DATA / "turndown.json").read_text(encoding="utf-8"))["cases"]

FIG = '<figure class="w-richtext-figure-type-image w-richtext-align-{align}"><div><img src="{src}" alt="{alt}"></div>{cap}</figure>'
# what the Webflow rich-text editor produces, one construct at a time
EDITOR = [
    "<h1>Titre</h1><h2>Sous-titre</h2><h3>Trois</h3><h4>Quatre</h4><h5>Cinq</h5><h6>Six</h6>",
    "<p>Un <strong>gras</strong>, un <em>italique</em>, un <strong><em>les deux</em></strong>.</p>",
    "<p>Ligne un<br>ligne deux<br>ligne trois</p>",
    '<p>Voir <a href="https://example.ch/a?b=1&amp;c=2">le site</a> et <a href="mailto:x@y.ch">écrire</a>.</p>',
    '<p>Nouvel onglet : <a href="https://example.ch/" target="_blank">ici</a>.</p>',
    '<ul role="list"><li>un</li><li>deux <strong>gras</strong></li><li>trois</li></ul>',
    '<ol role="list"><li>premier</li><li>second</li></ol>',
    "<blockquote>Une citation <em>célèbre</em>.</blockquote>",
    "<p>a</p><p>\u200d</p><p>b</p><p>\u200d</p><p>\u200d</p><h3>c</h3>",
    FIG.format(align="fullwidth", src="https://cdn.test/a.jpg", alt="Une image", cap=""),
    FIG.format(align="center", src="https://cdn.test/b.jpg", alt="Centrée", cap="<figcaption>Légende <strong>grasse</strong></figcaption>"),
    FIG.format(align="floatleft", src="https://cdn.test/c.jpg", alt="", cap=""),
    '<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth"><div><a href="https://x.test/"><img src="https://cdn.test/l.jpg" alt="lien"></a></div></figure>',
    '<figure style="padding-bottom:56.25%" class="w-richtext-align-fullwidth w-richtext-figure-type-video"><div>'
    '<iframe allowfullscreen="true" frameborder="0" scrolling="no" src="https://www.youtube.com/embed/abc" title="Vidéo"></iframe></div></figure>',
    '<div class="w-embed w-script"><script>var a = 1 < 2 && "*x*";\n\nconsole.log(a);</script></div><p>après</p>',
    '<div class="w-embed"><iframe src="https://maps.example/x" width="600"></iframe></div>',
    "<p>E = mc<sup>2</sup> et H<sub>2</sub>O</p>",
    "<p>Caractères *spéciaux* _soulignés_ [crochets] `code` # dièse 1. liste</p>",
    "<p><strong><br>OBJECTIFS</strong></p><p><strong>FIN<br></strong>suite</p>",
    "<p>Emoji 😀 et zwj 👩\u200d💻 et espace\xa0insécable et s\ufeffbom</p>",
]


@pytest.mark.parametrize("html", EDITOR + [REFERENCE_HTML], ids=lambda h: h[:30])
def test_html_markdown_html_keeps_what_readers_see(html: str) -> None:
    markdown = to_markdown(html)
    assert signature(to_html(markdown)) == signature(html)


@pytest.mark.parametrize("html", EDITOR + [REFERENCE_HTML], ids=lambda h: h[:30])
def test_markdown_is_a_fixed_point(html: str) -> None:
    markdown = to_markdown(html)
    assert to_markdown(to_html(markdown)) == markdown


def test_kept_html_is_in_the_markdown() -> None:
    md = to_markdown(EDITOR[13] + EDITOR[14] + EDITOR[16] + EDITOR[4])
    assert '<iframe allowfullscreen="true"' in md and "youtube.com/embed/abc" in md
    assert "<script>var a = 1 < 2" in md and "<sup>2</sup>" in md and 'target="_blank"' in md


def test_empty_paragraphs_are_blank_lines_and_back() -> None:
    md = to_markdown("<p>a</p><p>\u200d</p><p>b</p>")
    assert md == "a\n\n\n\nb"
    assert to_html(md) == "<p>a</p><p>\u200d</p><p>b</p>"
    assert to_html("\n\nx\n\n") == "<p>\u200d</p><p>x</p><p>\u200d</p>"


def test_zwj_inside_text_is_kept() -> None:
    assert "👩\u200d💻" in to_markdown("<p>👩\u200d💻</p>")


def test_strong_opened_by_a_line_break() -> None:
    assert to_html("**  \nOBJECTIFS**") == "<p><strong><br>OBJECTIFS</strong></p>"


LOSSY = [c for c in VECTORS if not c["turndown_exact"]]
# Generated edge cases where Turndown's own Markdown is ambiguous in CommonMark, so the structure
# around the kept HTML is read differently: a list item that starts with a rule ("*   * * *"),
# an empty item followed by content ("3.    " then an indented block), a <sup> around line
# breaks that start a paragraph. Listed, so that any other case that fails is a regression.
KNOWN_AMBIGUOUS = {86, 122, 144, 145}


def test_known_ambiguous_cases_stay_few() -> None:
    assert len(KNOWN_AMBIGUOUS) <= 4 and len(LOSSY) - len(KNOWN_AMBIGUOUS) >= 150


@pytest.mark.parametrize("case", [c for n, c in enumerate(LOSSY) if n not in KNOWN_AMBIGUOUS],
                         ids=lambda c: c["html"][:30])
def test_what_turndown_drops_survives(case: dict) -> None:
    """Where Turndown loses content, the Markdown keeps it: every embed, iframe, table, caption survives."""
    markdown = to_markdown(case["html"])
    original = [s for s in signature(case["html"]) if s.startswith(("raw:", "<sup", "<sub", "<a "))]
    back = [s for s in signature(to_html(markdown)) if s.startswith(("raw:", "<sup", "<sub", "<a "))]
    assert back == original


# Prose as editors write it: words, numbers, punctuation, the odd special character inside
# a word. Text that is Markdown syntax on its own ("<b>", "&#0;", a line of just "1." or "#")
# is a known limit of Turndown's escaping, listed in the README, and is left out here.
WORDS = ["Sierre", "été", "école", "Zoé", "CMS", "2024", "8h30", "027", "a*b", "snake_case", "[note]", "C#",
         "`code`", "l'aide", "«guillemets»", "😀", "x\u00a0:", "50%", "(voir)", "a-b", "e-mail", "T&C", "c'est-à-dire"]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)


@st.composite
def editor_html(draw: st.DrawFn) -> str:
    def inline() -> str:
        text = draw(words).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        kind = draw(st.sampled_from(["plain", "strong", "em", "link", "br"]))
        if kind == "strong":
            return f"<strong>{text}</strong>"
        if kind == "em":
            return f"<em>{text}</em>"
        if kind == "link":
            return f'<a href="https://x.test/{draw(st.integers(0, 99))}">{text}</a>'
        if kind == "br":  # a break between two words (one at the edge of a block is a known ambiguity)
            return f"{text}<br>{draw(st.sampled_from(['suite', 'Zoé', '42']))}"
        return text

    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["p", "h2", "h3", "ul", "ol", "empty", "img", "quote"]))
        body = "".join(inline() for _ in range(draw(st.integers(1, 3))))
        if kind in ("p", "h2", "h3"):
            blocks.append(f"<{kind}>{body}</{kind}>")
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{inline()}</li>" for _ in range(draw(st.integers(1, 3))))
            blocks.append(f"<{kind}>{items}</{kind}>")
        elif kind == "empty":
            blocks.append("<p>\u200d</p>")
        elif kind == "quote":
            blocks.append(f"<blockquote>{body}</blockquote>")
        else:
            blocks.append(FIG.format(align="fullwidth", src=f"https://cdn.test/{draw(st.integers(0, 9))}.jpg",
                                     alt="alt", cap=""))
    return "".join(blocks)


@settings(max_examples=300, deadline=None)
@given(editor_html())
def test_generated_editor_content_round_trips(html: str) -> None:
    markdown = to_markdown(html)
    assert to_markdown(to_html(markdown)) == markdown


def test_ordered_list_start_as_turndown_counts_it() -> None:
    assert to_markdown('<ol start="3"><li>a</li><li>b</li></ol>') == "3.  a\n4.  b"
    assert to_markdown('<ol start="x"><li>a</li></ol>') == "NaN.  a"  # JavaScript's Number("x") + 0


def test_converted_trees_are_freed_without_the_cycle_collector() -> None:
    # a first pull converts thousands of items: each document's tree must go as soon as it is
    # converted, not pile up (with the collections it triggers) until the cycle collector runs
    import gc
    to_markdown(REFERENCE_HTML)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for _ in range(20):
            to_markdown(REFERENCE_HTML)
        grown = len(gc.get_objects()) - before
    finally:
        gc.enable()
    assert grown < 100, grown  # the reference item's tree alone is some 300 objects
