"""The converter's and the emitter's fast paths give exactly what the rules they shortcut give.

Each fast path is checked against the slow rule it implements (tests/reference_rules.py holds
Turndown's and js-yaml's own algorithms, transcribed step by step): the tree read from
well-formed markup against Lexbor's, the one-pass whitespace collapsing against Turndown's walk,
the list-based join against Turndown's string join, the edge-whitespace and escaping shortcuts
against their regular expressions, the YAML escaping and folding against js-yaml's loops.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector import yamlstyle
from connector.richtext import dom, wellformed
# the module, not the function the package exports under its name
to_markdown = importlib.import_module("connector.richtext.to_markdown")

from connector.richtext.dom import Element, Text
from tests import reference_rules as ref

DATA = Path(__file__).parent / "data"
VECTORS = json.loads((DATA / "turndown.json").read_text(encoding="utf-8"))["cases"]
REFERENCE_HTML = (DATA / "reference-item.html").read_text(encoding="utf-8")


def shape(node: dom.Node) -> object:
    if isinstance(node, Text):
        return node.data
    assert isinstance(node, Element)
    return (node.tag, tuple(node.attrs), tuple(shape(c) for c in node.children))


def test_the_compiled_build_is_the_one_tested_when_expected() -> None:
    # CI runs these tests a second time against the compiled build (.ci/run): make sure it is that one
    if os.environ.get("WFSYNC_EXPECT_COMPILED") != "1":
        pytest.skip("the pure build is under test")
    for module in (dom, wellformed, to_markdown, yamlstyle):
        assert not str(module.__file__).endswith(".py"), module.__file__


# -- HTML: markup read directly is the tree Lexbor builds -----------------------------------------
READ_TAGS = ["p", "div", "span", "strong", "b", "em", "i", "a", "ul", "ol", "li", "h2", "h3", "blockquote", "figure",
             "figcaption", "pre", "code", "sup", "sub", "u", "section", "br", "img", "hr", "iframe"]
PARSER_TAGS = ["table", "td", "tr", "dd", "dt", "script", "style", "textarea", "select", "x-turndown", "button", "form"]
PLAIN = list("ab é\n\t*_>; 0123\xa0\u200d\ufeff") + ["&amp;", "&lt;", "&nbsp;", "&#233;", "&#x1F600;", "&eacute;", "& "]
ODD = list("<&\r") + ["&#0;", "&#128;", "&notit;", "&bogus;", "&#10;", "<!-- c -->", "&#xD800;"]
TEXT = st.lists(st.sampled_from(PLAIN * 6 + ODD), max_size=8).map("".join)
ATTR_VALUE = st.lists(st.sampled_from(list("ab \"'&<>=") + ["&amp;", "&quot;", "&#39;", "&copy=", "&nbsp;"]),
                      max_size=6).map("".join)


@st.composite
def attributes(draw: st.DrawFn) -> str:
    out = ""
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["href", "class", "src", "alt", "title", "target", "data-x"] * 3 + ["Href", "a<"]))
        quote = draw(st.sampled_from(['"'] * 6 + ["'", "", "none"]))
        value = draw(ATTR_VALUE)
        out += draw(st.sampled_from([" ", "\n", "  "])) + name
        if quote != "none":
            out += "=" + quote + value.replace(quote, "") + quote if quote else "=" + value.replace(" ", "").replace(">", "")
    return out + draw(st.sampled_from(["", "", "", " ", "/", " /"]))


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 1))):
        kind = draw(st.sampled_from(["text"] * 4 + ["element"] * 5 + ["noise"]))
        if kind == "text":
            parts.append(draw(TEXT))
        elif kind == "noise":
            parts.append(draw(st.sampled_from(["</p>", "</b>", "<p>", "<a href=x>", "</li>", "<br/>", "</br>", "<P>",
                                               "< p>", "<3", "</>"])))
        else:
            tag = draw(st.sampled_from(READ_TAGS * 3 + PARSER_TAGS))
            inner = draw(markup(depth + 1)) if depth < 3 else draw(TEXT)
            close = draw(st.sampled_from([f"</{tag}>"] * 12 + ["", f"</{tag} >", "</span>"]))
            parts.append(f"<{tag}{draw(attributes())}>{inner}{close}")
    return "".join(parts)


@st.composite
def inline(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "text", "br", "img", "wrap" if depth < 3 else "text"]))
        if kind == "text":
            parts.append(draw(TEXT))
        elif kind in ("br", "img"):
            parts.append(f"<{kind}{draw(attributes())}>")
        else:
            tag = draw(st.sampled_from(["strong", "em", "a", "span", "sup", "code", "b", "i"]))
            parts.append(f"<{tag}{draw(attributes())}>{draw(inline(depth + 1))}</{tag}>")
    return "".join(parts)


@st.composite
def editor_markup(draw: st.DrawFn) -> str:
    """Shaped like the editor's output: blocks of inline content, lists, quotes, figures."""
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["p", "h3", "blockquote", "ul", "figure", "pre", "hr", "text"]))
        if kind in ("p", "h3", "blockquote"):
            parts.append(f"<{kind}{draw(attributes())}>{draw(inline())}</{kind}>")
        elif kind == "ul":
            items = "".join(f"<li>{draw(inline())}</li>{draw(st.sampled_from(['', ' ', chr(10)]))}"
                            for _ in range(draw(st.integers(0, 3))))
            parts.append(f"<ul{draw(attributes())}>{items}</ul>")
        elif kind == "figure":
            parts.append(f"<figure{draw(attributes())}><div><img{draw(attributes())}></div>"
                         f"{draw(st.sampled_from(['', '<figcaption>' + draw(inline()) + '</figcaption>']))}</figure>")
        elif kind == "pre":
            parts.append(f"<pre><code>{draw(TEXT)}</code></pre>")
        elif kind == "hr":
            parts.append("<hr>")
        else:
            parts.append(draw(TEXT))
    return "".join(parts)


@settings(max_examples=500, deadline=None)
@given(st.one_of(markup(), editor_markup()))
def test_well_formed_markup_is_read_as_lexbor_builds_it(html: str) -> None:
    fast = wellformed.read(html)
    if fast is not None:
        assert shape(fast) == shape(dom.parse_fragment(html))


@pytest.mark.parametrize("html", [c["html"] for c in VECTORS] + [REFERENCE_HTML], ids=lambda h: h[:30])
def test_vectors_read_directly_are_lexbor_trees(html: str) -> None:
    fast = wellformed.read(html)
    if fast is not None:
        assert shape(fast) == shape(dom.parse_fragment(html))


def test_webflow_markup_takes_the_direct_reading() -> None:
    # what the editor writes (the reference item, the editor constructs) never needs the parser
    from tests.test_richtext import EDITOR
    for html in [REFERENCE_HTML] + [h for h in EDITOR if "<script" not in h]:
        assert wellformed.read(html) is not None, html
    accepted = sum(wellformed.read(c["html"]) is not None for c in VECTORS)
    assert accepted >= len(VECTORS) * 3 // 4


@pytest.mark.parametrize("html", ["<p>a<div>b</div></p>", "<p>a</b>", "<a href=x><a href=y>z</a></a>", "<b><p>x</b></p>",
                                  "<li>a<li>b", "<table><td>x</table>", "<p>&notit;</p>", "<p>x", "<span/>y",
                                  "<p>a<!-- b -->c</p>", "<ul><li>a<div><li>b</li></div></li></ul>", "<p>\x00</p>",
                                  "<h2>a<h3>b</h3></h2>", "<pre>&#10;x</pre>", "<iframe>x</iframe>"])
def test_markup_a_parser_repairs_goes_to_the_parser(html: str) -> None:
    assert wellformed.read(html) is None
    assert to_markdown.to_markdown(html) == ref.markdown_via_lexbor(html)


# -- Turndown's whitespace collapsing, join, edges and escaping -----------------------------------
@settings(max_examples=300, deadline=None)
@given(st.one_of(markup(), editor_markup()))
def test_one_pass_collapsing_is_turndowns_walk(html: str) -> None:
    fast, slow = dom.parse_fragment(html), dom.parse_fragment(html)
    to_markdown._collapse_whitespace(fast)
    ref.collapse_whitespace(slow)
    assert shape(fast) == shape(slow)
    assert to_markdown.to_markdown(html) == ref.markdown_via_lexbor(html)


@settings(max_examples=300, deadline=None)
@given(st.one_of(markup(), editor_markup()))
def test_blank_test_shortcuts_are_turndowns_is_blank(html: str) -> None:
    root = dom.parse_fragment(html)
    to_markdown._collapse_whitespace(root)
    for el in root.iter():
        assert to_markdown._is_blank(el) == ref.is_blank(el)


@given(st.lists(st.text(alphabet="\nab", max_size=5), max_size=8))
def test_list_join_is_turndowns_join(replacements: list[str]) -> None:
    output = ""
    for r in replacements:
        output = ref.join(output, r)
    assert to_markdown._join_all(replacements) == output


EDGE_CHARS = list("ab \t\r\n\xa0\u2003\u3000\ufeff\u200b")


@given(st.text(alphabet=st.sampled_from(EDGE_CHARS), max_size=10))
def test_edge_whitespace_shortcut_is_the_regex(text: str) -> None:
    assert to_markdown._edges(text) == ref.edge_whitespace(text)


@given(st.lists(st.sampled_from(list("ab \\*-+=#~>`[]_0123456789.") + ["1. ", "## ", "~~~", "+ "]), max_size=12).map("".join))
def test_escaping_shortcut_is_turndowns_rule_list(text: str) -> None:
    assert to_markdown.escape_markdown(text) == ref.escape_markdown(text)


@given(st.text(alphabet=st.sampled_from(EDGE_CHARS + ["\u200d", "\u2028"]), max_size=10))
def test_string_shortcuts_are_the_regular_expressions(text: str) -> None:
    assert to_markdown._post_process(text) == ref.post_process(text)
    assert to_markdown._empty_lone_zwj_lines(text) == ref.empty_lone_zwj_lines(text)
    assert to_markdown.utf16_len(text + "😀") == ref.utf16_len(text + "😀")


# -- js-yaml: escaping and folding -------------------------------------------------------------------
@given(st.text(alphabet=st.sampled_from(list("aé\"\\\t\n\r\x00\x07\x1b\x7f\x85\xa0\xa1") + ["\u2028", "\u2029", "\ufeff",
                                                                                             "\ufffe", "\ud800", "😀",
                                                                                             "\ue000", "\ud7ff", "\u200d", "\xad"]),
               max_size=12))
def test_escaping_by_pattern_is_js_yamls_loop(text: str) -> None:
    assert yamlstyle._escape(text) == ref.yaml_escape(text)


def test_printability_shortcut_is_the_pattern_search() -> None:
    patterns = (yamlstyle._NOT_PRINTABLE, yamlstyle._NOT_PRINTABLE_BUT_LF, yamlstyle._NEEDS_RARE_ESCAPE)
    for c in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        text = "a" + chr(c) + "b"
        for pattern in patterns:
            assert yamlstyle._finds_non_printable(pattern, text) == bool(pattern.search(text))


@given(st.text(alphabet=st.sampled_from(["a", "\n", "é", "\xa0", "\u2019", "\u200d", "\ufeff", "\ud800", "\udbff",
                                         "\udc00", "😀", "\U0010ffff"]), max_size=10))
def test_utf16_view_shortcuts_are_the_patterns(text: str) -> None:
    assert yamlstyle._to16(text) == yamlstyle._ASTRAL.sub(yamlstyle._pair, text)
    assert yamlstyle._has_surrogate(text) == bool(yamlstyle._SURROGATE.search(text))
    assert yamlstyle._from16(text) == text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


@given(st.lists(st.sampled_from(list("~nNtTfFulrse-+.0123456789<_:xXoObB eE") + ["null", "true", "False", ".inf", "2024-01-02"]),
                max_size=6).map("".join))
def test_ambiguity_shortcut_changes_nothing(text: str) -> None:
    assert yamlstyle._ambiguous(text) == ref.ambiguous(text)


def test_listed_characters_are_js_yamls_non_printable_ones() -> None:
    for c in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        ch = chr(c)
        assert bool(yamlstyle._NOT_PRINTABLE.match(ch)) == (not yamlstyle._printable(c))
        assert bool(yamlstyle._NOT_PRINTABLE_BUT_LF.match(ch)) == (not yamlstyle._printable(c) and ch != "\n")
        assert bool(yamlstyle._NEEDS_ESCAPE.match(ch)) == (yamlstyle._escape_char(ch) != ch)


@given(st.text(alphabet=st.sampled_from(list("a \n\r\x0b\x0c\x1c\x1d\x85") + ["\u2028"]), max_size=12), st.integers(0, 4))
def test_indentation_is_js_yamls_indent_string(text: str, spaces: int) -> None:
    assert yamlstyle._indent(text, spaces) == ref.indent_string(text, spaces)


@settings(max_examples=1000)
@given(st.text(alphabet="ab ", max_size=60), st.integers(1, 12))
def test_folding_by_breaks_is_js_yamls_fold_line(line: str, width: int) -> None:
    assert yamlstyle._fold_line(line, width) == ref.fold_line(line, width)
