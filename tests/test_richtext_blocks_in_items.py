"""Blocks inside list items and quotes, read back as Turndown wrote them (its indentation, its
``* * *`` for a rule, its setext underlines and its break lines), and emphasis closing where
the emphasis around it closes. Each case goes HTML -> Markdown -> HTML and must keep the text
and the element tree, and its Markdown must come back unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown
from tests.richtext_corpus import measure, unexcused
from tests.test_richtext_rereading import assert_kept

FIGURE = ('<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth"><div>'
          '<img src="f.jpg" alt="a"></div></figure>')


@pytest.mark.parametrize("html", [
    "<ul><li><hr>a</li></ul>",  # *   * * *  (CommonMark: one rule, then a code block)
    "<ul><li><hr></li><li>b</li></ul>",
    "<ul><li>x<ul><li><hr>(</li><li>b</li></ul></li><li>c</li></ul>",  # *   *   * * *
    "<ol><li><hr>a</li></ol>",
    "<blockquote><ul><li><hr>a</li></ul></blockquote>",
])
def test_an_item_beginning_with_a_rule(html: str) -> None:
    assert "<hr>" in assert_kept(html)


@pytest.mark.parametrize("html", [
    "<ul><li><p>a</p><h2><br></h2></li></ul>",  # the break's line and "---", indented
    "<ul><li><p>a</p><h2>b<br></h2></li></ul>",
    "<ul><li><p>a</p><h2>b<br><br></h2></li></ul>",
    "<ul><li><h2>b<br></h2></li></ul>",  # the heading's first line is the item's
    "<blockquote><h2>b<br></h2><p>c</p></blockquote>",
    "<ul><li><p>a</p><h2>\u200d</h2></li></ul>",
])
def test_a_heading_ending_in_a_break_inside_an_item_or_quote(html: str) -> None:
    assert_kept(html)


@pytest.mark.parametrize("html", [
    "<ol><li><p>a</p><br><p>b</p></li></ol>",  # an indented line of two spaces between blocks
    "<ol><li><p>a</p><br><br><p>b</p></li></ol>",
    "<ol><li>x<ol><li><p>a</p><br><p>b</p></li></ol></li></ol>",
    f"<ol><li>x<ol><li>{FIGURE}<br><h1>b</h1></li></ol></li></ol>",  # the indented "=" (vector 168)
])
def test_a_break_alone_between_blocks_of_an_item(html: str) -> None:
    back = to_html(to_markdown(html))
    assert "<pre>" not in back and "<br>" in back and back.startswith("<ol>") and back.endswith("</ol>"), back
    assert to_markdown(back) == to_markdown(html)


def test_an_item_whose_text_is_a_number_and_a_dot() -> None:
    # "1. " before a block loses its space, so Turndown does not escape it: "*   1." mid-value
    back = to_html(to_markdown("<ul><li>1. <p>b</p></li></ul><p>c</p>"))
    assert "<ol>" not in back and "1." in back
    # and before a break, "*   1.  " (a nested item holding a break would be "*   1.    ")
    assert "<ol>" not in assert_kept("<ul><li>1.<br>a</li><li>z</li></ul>")
    # and as a later paragraph of the item, after a rule: "    1.  " then the text at its indent
    assert "<ol>" not in assert_kept("<ul><li><hr>1.<br>a</li></ul>")


@pytest.mark.parametrize("html", [
    "<ul><li><ol><li><br>a</li></ol></li></ul>",  # *   1.    (two markers, then the break)
    "<ul><li><ul><li><br></li></ul></li><li>b</li></ul>",
    "<ul><li><br><ul><li>n</li></ul></li><li>z</li></ul>",  # the nested list stays a list
    "<ul><li><hr><br><ul><li>n</li></ul></li><li>z</li></ul>",
    "<ul><li>x<br><br><ul><li>n</li></ul></li><li>z</li></ul>",  # *   x  ⏎      ⏎    *   n
    "<ul><li>x<br><ul><li>n</li></ul></li><li>z</li></ul>",
])
def test_items_of_only_breaks_and_nested_lists(html: str) -> None:
    back = to_html(to_markdown(html))
    assert "*" not in back and back.count("<br>") == html.count("<br>"), back
    assert to_markdown(back) == to_markdown(html)


@pytest.mark.parametrize("html", [
    "<p><em>a<em>b</em></em></p>",  # _a_b__
    "<p><em><em>a</em>b</em></p>",  # __a_b_
    '<p>x <em>a <a href="#">l</a><em>b</em></em> y</p>',
    "<p>a<em><em><code>c</code></em></em></p>",  # a__`c`__: CommonMark pairs no bold there
])
def test_emphasis_closing_where_its_enclosing_emphasis_does(html: str) -> None:
    assert "__" not in assert_kept(html)


@pytest.mark.parametrize("markdown, html", [
    ("__bold__", "<p><strong>bold</strong></p>"),
    ("a __b__ c __d__", "<p>a <strong>b</strong> c <strong>d</strong></p>"),
    ("__a", "<p>__a</p>"),
    ("snake__case__x", "<p>snake__case__x</p>"),
    ("the __init__ method", "<p>the <strong>init</strong> method</p>"),
])
def test_typed_double_underscores_are_still_bold_or_text(markdown: str, html: str) -> None:
    assert to_html(markdown) == html


# -- property ------------------------------------------------------------------------------
INLINE = st.sampled_from(["a", "b c", "1.", "x<br>", "<em>e</em>", "- d"])
BLOCK = st.sampled_from(["<hr>", "<h2><br></h2>", "<h2>h<br></h2>", "<h1>t</h1>", "<br>", "<p>p</p>", FIGURE,
                         "<ul><li>n</li></ul>", "<ol><li>o<br></li></ol>"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(INLINE, BLOCK), min_size=1, max_size=4).map("".join),
       st.sampled_from(["ul", "ol", "ul-ul", "blockquote"]))
def test_blocks_inside_items_lose_no_text_a_twin_does_not_explain(content: str, where: str) -> None:
    html = {"ul": f"<ul><li>{content}</li><li>z</li></ul>", "ol": f"<ol><li>{content}</li></ol>",
            "ul-ul": f"<ul><li>y<ul><li>{content}</li></ul></li></ul>",
            "blockquote": f"<blockquote>{content}</blockquote>"}[where] + "<p>end</p>"
    result = measure("generated", html, to_markdown, to_html)
    assert [u for u in unexcused(result) if u[0] == "text"] == [], (result.markdown, result.back)
