"""Three readings of Markdown -> HTML that sent something else than the file says: trailing
spaces in a code block, a backslash before the trailing spaces that end a value, and a line of
only a line break right before a quote. The pull is not touched (the vectors stay exact)."""

from __future__ import annotations

import pytest

from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown


@pytest.mark.parametrize(("markdown", "html"), [
    ("p\n\n    a  ", "<p>p</p><pre><code>a  </code></pre>"),
    ("    a  \n    b  ", "<pre><code>a  \nb  </code></pre>"),
    ("```\na  \n\nb\n```", "<pre><code>a  \n\nb</code></pre>"),
    ("```\na\n\n  \nb\n```", "<pre><code>a\n\n  \nb</code></pre>"),
])
def test_trailing_spaces_in_a_code_block_stay_spaces_in_the_code(markdown: str, html: str) -> None:
    sent = to_html(markdown)
    assert "&lt;br&gt;" not in sent
    assert sent == html


@pytest.mark.parametrize("value", ["<pre><code>a  </code></pre><p>p</p>", "<pre><code>a  \n  \nb</code></pre><p>p</p>"])
def test_trailing_spaces_in_a_pulled_code_block_go_back_as_they_came(value: str) -> None:
    assert to_markdown(value).startswith("    a  \n")
    assert to_html(to_markdown(value)) == value


@pytest.mark.parametrize(("markdown", "html"), [
    ("a\\  ", "<p>a\\<br></p>"),
    ("a\\  \n  \nb", "<p>a\\<br><br>b</p>"),
    ("x\n\na\\\\\\  ", "<p>x</p><p>a\\\\<br></p>"),
])
def test_a_backslash_before_the_trailing_spaces_is_a_backslash_and_the_spaces_a_break(markdown: str,
                                                                                     html: str) -> None:
    sent = to_html(markdown)
    assert "&lt;br&gt;" not in sent
    assert sent == html


@pytest.mark.parametrize(("markdown", "html"), [
    ("  \n> q", "<p><br></p><blockquote>q</blockquote>"),
    ("x\n\n  \n> quote *y*", "<p>x</p><p><br></p><blockquote>quote <em>y</em></blockquote>"),
    ("a  \n  \n> q", "<p>a<br><br></p><blockquote>q</blockquote>"),
    ("a  \n> q\n\nz", "<p>a<br></p><blockquote>q</blockquote><p>z</p>"),
])
def test_a_line_break_right_before_a_quote_keeps_the_quote(markdown: str, html: str) -> None:
    assert to_html(markdown) == html


@pytest.mark.parametrize("value", [
    "<ul><li><strong>\xa01. x</strong></li></ul>",
    "<h5><strong>\xa01. x</strong></h5><p>end</p>",
    "<blockquote><strong>\xa01. x</strong></blockquote><p>end</p>",
])
def test_a_space_moved_out_of_emphasis_stays_apart_from_the_item_or_heading_marker(value: str) -> None:
    """Turndown moves the no-break space out of the emphasis (``*   \xa0**1. x**``); it goes back
    in, but the spaces of the marker before it stay the marker's (the item was a paragraph ``*``)."""
    assert to_html(to_markdown(value)) == value


def test_line_breaks_in_an_item_whose_first_line_alone_reads_as_a_rule_are_not_code() -> None:
    """``*   **`` alone is a rule to CommonMark, and the item's next lines a code block: those
    lines' trailing spaces are Turndown's line breaks, not code (a guard for the code rule)."""
    value = "<ul><li><strong><br><code>c</code></strong><br><br>a</li></ul>"
    assert to_markdown(value) == "*   **  \n    `c`**  \n      \n    a"
    assert to_html(to_markdown(value)) == value
