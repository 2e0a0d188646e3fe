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
