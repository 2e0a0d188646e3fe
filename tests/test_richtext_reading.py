"""Markdown -> Webflow HTML reads Turndown's Markdown the way Turndown meant it, and what editors
type the way they expect: a push never damages what the user did not touch."""

from __future__ import annotations

import pytest

from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown


def round_trip(html: str) -> str:
    return to_html(to_markdown(html))


@pytest.mark.parametrize("html", [
    '<div class="w-embed"><script>var a_b = c_d;</script></div>',
    "<table><tbody><tr><td>ConvNext_tiny</td><td>v2_s</td></tr></tbody></table>",
    '<div data-rt-embed-type="true"><table><tbody><tr><td>a_b</td><td>**c**_d</td></tr></tbody></table></div>',
    '<figure class="w-richtext-figure-type-image w-richtext-align-center"><div><img src="a_b.png" alt="x_y"></div>'
    "<figcaption>snake_case and __init__</figcaption></figure>",
    '<p>before</p><div class="w-embed"><style>.a_b { c: d }</style>\n<p>x   y_z_</p></div><p>after</p>',
])
def test_raw_html_blocks_go_back_byte_for_byte(html: str) -> None:
    assert round_trip(html) == html


@pytest.mark.parametrize("html", [
    "<h2><br>Title</h2>",
    "<p><br>x <em>y</em></p>",
    '<p><br><img src="i.png" alt="x"></p>',
    "<p>x</p><ul><li>a<br><br></li><li>b</li></ul>",
    "<ul><li>a<br></li><li>b</li></ul>",
    "<p>a<br><br>b <em>c</em></p>",
    "<p>a<br></p><p>b</p>",
    "<h3><br>x</h3>",
    "<ul><li><br>x</li></ul>",
    "<p>a</p><p><br></p><p>b</p>",
])
def test_a_line_of_spaces_is_a_line_break(html: str) -> None:
    """Turndown writes a <br> at the start or end of a block, or on a line of its own, as a line
    of spaces; CommonMark read it as a blank line (or opened an HTML block with it)."""
    assert round_trip(html) == html


def test_nothing_after_a_leading_break_turns_into_literal_text() -> None:
    markdown = to_markdown('<p><br>x <em>y</em> ![z](i.png)</p><p>next *p*</p>')
    for _ in range(3):  # backslashes used to double on every round trip
        assert to_markdown(to_html(markdown)) == markdown


@pytest.mark.parametrize("html", ["<h2>&zwj;</h2>", "<p>a</p><h2>\u200d</h2><p>b</p>", "<h1>\u200d</h1><p>b</p>"])
def test_heading_of_only_a_zero_width_joiner(html: str) -> None:
    assert round_trip(html) == html.replace("&zwj;", "\u200d")


@pytest.mark.parametrize("html", [
    '<p><a href="a b.html">t</a></p>',
    '<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth"><div>'
    '<img src="images/a b.png" alt="x"></div></figure>',
    '<p><a href="https://x.test/a b?q=(1)" title="T">t</a> and <img src="c d.png" alt="e"></p>',
])
def test_urls_with_spaces_as_turndown_wrote_them(html: str) -> None:
    assert round_trip(html) == html


@pytest.mark.parametrize("html", [
    "<h1>a<br></h1>",
    "<h2>a<br></h2><p>b</p>",
    "<h2>a<br><br></h2><p>b</p>",
    "<h2>a<br>\u200d</h2><p>b</p>",
    "<p>a<br>\u200d</p><p>b</p>",
    "<p>a<br>\u200d</p>",
])
def test_heading_ending_in_a_break_and_a_break_before_a_lone_joiner(html: str) -> None:
    """An h1/h2 ending in <br> is not a paragraph plus a rule (Turndown writes <hr> as * * *),
    and a <br> followed by a lone zero-width joiner keeps its visible blank line."""
    assert round_trip(html) == html


@pytest.mark.parametrize("html", [
    "<ul><li><h5>a<br>b <em>c</em></h5></li></ul>",
    '<ol><li><h4><a href="https://x.test/p">a<br>b</a></h4></li><li>c</li></ol>',
    "<ul><li><ul><li><h3>a<br>b</h3></li></ul></li></ul>",
])
def test_a_heading_opening_a_list_item_keeps_its_line_break(html: str) -> None:
    """``*   ##### a  `` then ``    b``: the second line is the heading's (an ATX heading is one
    line to CommonMark, which made it a paragraph of the item and cut a link in two)."""
    assert round_trip(html) == html


def test_a_rule_stays_a_rule() -> None:
    assert round_trip("<p>a<br></p><hr><p>b</p>") == "<p>a<br></p><hr><p>b</p>"
    assert to_html("text\n\n---") == "<p>text</p><hr>"


def test_double_underscore_is_bold() -> None:
    assert to_html("__bold__ and **strong**") == "<p><strong>bold</strong> and <strong>strong</strong></p>"
    assert to_html("_a__b_") == "<p><em>a</em><em>b</em></p>"  # Turndown's two adjacent <em>


def test_gfm_table_becomes_a_table_webflow_keeps() -> None:
    html = to_html("Prices:\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nafter")
    assert html == ('<p>Prices:</p><div data-rt-embed-type="true"><table><thead><tr><th>a</th>'
                    '<th style="text-align:right">b</th></tr></thead><tbody><tr><td>1</td>'
                    '<td style="text-align:right">2</td></tr></tbody></table></div><p>after</p>')
    # and it comes back as the same HTML embed on the next pull
    assert to_html(to_markdown(html)) == html


COMPONENT = ('<wf-component data-w-id="6a1f" component-id="3c9d" name="FAQ item"><wf-prop name="a1" label="Title" '
             'type="text">Can I pause_my_plan?</wf-prop><wf-prop name="a2" label="Content" type="richtext">'
             "<p>Yes, from the <em>billing</em> page.</p></wf-prop></wf-component>")


def test_webflow_components_stay_raw_html_both_ways() -> None:
    html = f"<p>Frequently asked:</p>{COMPONENT}<p>More?</p>"
    markdown = to_markdown(html)
    assert COMPONENT in markdown
    assert to_html(markdown) == html
    edited = markdown.replace("More?", "More questions?")
    assert COMPONENT in to_html(edited)


@pytest.mark.parametrize("html, markdown", [
    ('<p>See <a id="" href="https://x.test/">the site</a>.</p>', "See [the site](https://x.test/)."),
    ('<p><a id="" href="mailto:x@y.ch" title="Mail">x@y.ch</a></p>', '[x@y.ch](mailto:x@y.ch "Mail")'),
])
def test_empty_id_does_not_force_raw_html(html: str, markdown: str) -> None:
    assert to_markdown(html) == markdown
    # an id with a value is kept
    assert 'id="k"' in to_markdown('<p><a id="k" href="https://x.test/">t</a></p>')


# -- properties ------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.richtext_signature import signature  # noqa: E402

CODE_CHARS = list("ab_*`[]()#>-=|\\<&;: \n") + ["é", "\u200d", "\xa0", "  ", "__", "**", "snake_case", "</p>"]
WORDS = st.sampled_from(["Sierre", "été", "a_b", "x*y", "[n]", "n°1.", "C#", "😀", "\u200d", "fin"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(CODE_CHARS), min_size=1, max_size=30).map("".join),
       st.sampled_from(["script", "style", "pre"]))
def test_embeds_go_back_byte_for_byte(code: str, tag: str) -> None:
    body = code.replace("</", "<\\/").replace("&", "&amp;").replace("<", "&lt;") if tag == "pre" else \
        code.replace("</", "<\\/")
    embed = f'<div class="w-embed"><{tag}>{body}</{tag}></div>'
    html = f"<p>avant _x_</p>{embed}<p>après</p>"
    markdown = to_markdown(html)
    kept = next(line for line in markdown.split("\n\n") if line.startswith('<div class="w-embed">'))
    assert kept in to_html(markdown)


@st.composite
def blocks_with_breaks(draw: st.DrawFn) -> str:
    def run() -> str:
        parts = []
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["word", "br", "em", "strong", "zwj"]))
            word = draw(WORDS).replace("&", "&amp;")
            parts.append({"word": word, "br": "<br>", "em": f"<em>{word}</em>", "strong": f"<strong>{word}</strong>",
                          "zwj": "\u200d"}[kind])
        return " ".join(parts) if draw(st.booleans()) else "".join(parts)

    out = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["p", "h1", "h2", "h3", "ul", "ol", "quote"]))
        if kind in ("ul", "ol"):
            out.append(f"<{kind}>" + "".join(f"<li>{run()}</li>" for _ in range(draw(st.integers(1, 3)))) + f"</{kind}>")
        elif kind == "quote":
            out.append(f"<blockquote>{run()}</blockquote>")
        else:
            out.append(f"<{kind}>{run()}</{kind}>")
    return "".join(out) + "<p>fin</p>"  # Turndown trims breaks that end the whole value


@settings(max_examples=300, deadline=None)
@given(blocks_with_breaks())
def test_line_breaks_anywhere_in_a_block_round_trip(html: str) -> None:
    """Wherever an editor puts a <br> (start, end, doubled, before a lone joiner), a push gives
    back what a reader saw, and the Markdown is a fixed point."""
    markdown = to_markdown(html)
    back = to_html(markdown)
    assert to_markdown(back) == markdown
    assert signature(back) == signature(html)


URL_PARTS = st.sampled_from(["a", "b c", "(1)", "é", "%20", "x_y", "q=1&r=2", "-", "."])


@settings(max_examples=150, deadline=None)
@given(st.lists(URL_PARTS, min_size=1, max_size=5).map("".join), st.booleans(), st.booleans())
def test_urls_as_turndown_wrote_them(path: str, image: bool, title: bool) -> None:
    url = "https://x.test/" + path
    attr = url.replace("&", "&amp;")
    extra = ' title="T"' if title else ""
    inner = f'<img src="{attr}" alt="i"{extra}>' if image else f'<a href="{attr}"{extra}>t</a>'
    html = f"<p>voir {inner} ici</p>"
    assert signature(to_html(to_markdown(html))) == signature(html)
