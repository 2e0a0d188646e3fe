"""Text that reads as a tag: Turndown writes ``<p>&lt;div&gt;</p>`` as ``<div>``. A tag with no
partner in the value (never closed, or never opened) is read back as the text it was; balanced
raw HTML (embeds, tables, components) still goes back byte for byte."""

from __future__ import annotations

import pytest

from connector.richtext.keep_blocks import cut
from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown
from tests.richtext_corpus import push_against_webflow


@pytest.mark.parametrize("html", [
    "<p>&lt;div&gt;</p>",
    "<p>&lt;div&gt;</p><p>next <em>p</em> ![z](i.png)</p>",
    "<p>&lt;/div&gt; closes nothing</p>",
    "<p>a &lt;span class=x&gt; b <em>c</em></p><p>d</p>",
    "<p>a<br>&lt;section&gt; b <strong>c</strong></p>",
    "<ul><li>&lt;div&gt; x</li><li>y</li></ul>",
    "<blockquote>&lt;div&gt; x</blockquote>",
    "<h2>&lt;wf-component&gt;</h2><p>after</p>",
    "<p>&lt;script&gt; x</p>",
    "<p><code>&lt;div&gt;</code> and &lt;div&gt;</p>",
    "<p>&lt;div&gt;</p><div class=\"w-embed\"><div>a_b</div></div>",
    "<div class=\"w-embed\"><div>a_b</div></div><p>&lt;/div&gt;</p>",
    # a tag alone on an item's first line opened an HTML block holding the code span below
    "<ul><li>&lt;em&gt;<br>x <code>&lt;em&gt; &lt;/div&gt;</code> y</li></ul>",
    # text "<script>" after a break, and an embed's script further on: no script runs across blocks
    '<h3>a<br>&lt;script&gt; b</h3><div class="w-embed"><script>var a_b = 1 < 2;</script></div><p>c</p>',
    "<p>&lt;x/&gt; opens an element it never closes</p>",
])
def test_a_tag_without_partner_goes_back_as_text(html: str) -> None:
    markdown = to_markdown(html)
    assert "<" in markdown  # Turndown does not escape it
    assert to_html(markdown) == html
    assert to_markdown(to_html(markdown)) == markdown


@pytest.mark.parametrize("html", [
    '<div class="w-embed"><script>document.write("<div>")</script></div>',
    '<div class="w-embed"><script>if (a < b) { x = "</p>"; }</script></div><p>text</p>',
    '<p>a <sup>b</sup> c</p>',
    '<wf-component data-id="1"><div>x</div></wf-component>',
])
def test_balanced_html_still_goes_back_byte_for_byte(html: str) -> None:
    assert to_html(to_markdown(html)) == html


def test_a_value_with_text_that_reads_as_a_tag_cuts_cleanly_and_keeps_webflows_blocks() -> None:
    """A push of one edited paragraph: the paragraph holding "<div>" as text, and a paragraph
    with Webflow's attributes, go back as Webflow has them."""
    webflow = '<p>Type &lt;div&gt; to start</p><p id="intro" class="lead">un</p><p>deux</p>'
    markdown = to_markdown(webflow)
    assert markdown == "Type <div> to start\n\nun\n\ndeux"
    assert cut(to_html(markdown)) is not None
    sent = push_against_webflow(markdown.replace("deux", "trois"), webflow)
    assert sent == webflow.replace("deux", "trois")
