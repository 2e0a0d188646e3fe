"""Well-formed rich text read without an HTML parser: the tree an HTML5 parser would build.

Webflow's editor writes well-formed HTML: known tags closed in order, quoted attributes, a few
character references. For such markup the HTML5 tree-construction algorithm (in the "in body"
insertion mode, where Turndown's wrapper puts it) inserts every element where its tag stands,
so the tree is simply the nesting of the tags. ``read`` reads that nesting with one regular
expression and gives up (returns None) at the first thing that could make a parser do
otherwise; ``parse_fragment`` then asks Lexbor. Each condition below names the parsing
rule it keeps out of play; tests/test_fast_paths.py checks both trees are the same.
"""

from __future__ import annotations

import re
from typing import Final
from html.entities import html5

from . import dom
from .dom import Element, Text

# start tags by the HTML5 "in body" rule that handles them
_CLOSES_P: Final = frozenset({"address", "article", "aside", "blockquote", "div", "figcaption", "figure", "footer",
                       "header", "main", "nav", "ol", "p", "section", "ul"})  # "close a p element" first
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})  # close a p; pop a heading that is the current node
_FORMATTING: Final = frozenset({"b", "code", "em", "i", "s", "small", "strong", "u"})  # active formatting elements
_ORDINARY: Final = frozenset({"abbr", "bdi", "bdo", "cite", "data", "del", "dfn", "ins", "kbd", "mark", "q", "samp",
                       "span", "sub", "sup", "time", "var"})  # "any other start tag": inserted, nothing else
_VOID: Final = frozenset({"br", "img", "wbr"})  # inserted and popped at once
# with their own conditions below: "a", "li", "pre", "hr", "iframe"

_TAG: Final = re.compile(
    r"<([a-z][a-z0-9]*)((?:[\t\n\f ]+[a-z_:][-a-z0-9_:.]*(?:=\"[^\"]*\"|='[^']*')?)*)[\t\n\f ]*(/?)>"
    r"|</([a-z][a-z0-9]*)>"
)
_ATTR: Final = re.compile(r"[\t\n\f ]+([a-z_:][-a-z0-9_:.]*)(?:=\"([^\"]*)\"|='([^']*)')?")
# a character reference the tokenizer reads the same in text and in attribute values: with its
# semicolon (no legacy prefix match, no attribute-value exception); an "&" before anything that
# cannot start one (a space, "<", punctuation) is a literal "&"
_REF: Final = re.compile(r"&(?:#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});|([a-zA-Z][a-zA-Z0-9]{0,31});|(?![a-zA-Z0-9#]))")


class _NotWellFormed(Exception):
    """Something an HTML5 parser might not build literally."""


def _numeric(n: int) -> str:
    # the code points the tokenizer keeps as they are (no replacement table, no U+FFFD)
    if n in (0x09, 0x0A) or 0x20 <= n <= 0x7E or (0xA0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF
                                                   and not 0xFDD0 <= n <= 0xFDEF and n & 0xFFFE != 0xFFFE):
        return chr(n)
    raise _NotWellFormed


def _reference(m: re.Match[str]) -> str:
    decimal, hexadecimal, name = m.group(1), m.group(2), m.group(3)
    if decimal is not None:
        return _numeric(int(decimal))
    if hexadecimal is not None:
        return _numeric(int(hexadecimal, 16))
    if name is not None:
        value = html5.get(name + ";")
        if value is None:
            raise _NotWellFormed  # an unknown name may still start with a legacy one ("&notit;")
        return value
    return "&"


def _checked_decode(text: str) -> str:
    """Character references decoded; an "&" the pattern does not account for is not well formed."""
    if "&" not in text:
        return text
    if text.count("&") != len(_REF.findall(text)):
        raise _NotWellFormed
    return _REF.sub(_reference, text)


def _attributes(source: str) -> list[tuple[str, str]]:
    attrs: list[tuple[str, str]] = []
    names: list[str] = []
    for name, double, single in _ATTR.findall(source):
        if name in names:
            continue  # the tokenizer drops a repeated attribute
        names.append(name)
        value = double or single  # no value and an empty one are the same: ""
        attrs.append((name, _checked_decode(value) if "&" in value else value))
    return attrs


def parse_fragment(html: str) -> Element:
    """The tree Turndown's parser builds (``dom.parse_fragment``), read directly when the markup is
    plainly well formed."""
    root = read(html)
    return root if root is not None else dom.parse_fragment(html)


def read(html: str) -> Element | None:
    """The tree of ``html`` under an ``x-root`` element, or None when it is not plainly well formed."""
    try:
        return _read(html)
    except _NotWellFormed:
        return None


_KNOWN: Final = _CLOSES_P | _HEADINGS | _FORMATTING | _ORDINARY | _VOID | {"a", "li", "pre", "hr", "iframe"}
_END_TAGS: Final = {name: "</" + name + ">" for name in _KNOWN}


def _read(html: str) -> Element:
    if "\x00" in html:
        raise _NotWellFormed  # the parser drops NUL characters in text
    if "\r" in html:
        html = html.replace("\r\n", "\n").replace("\r", "\n")  # the input stream's newline normalisation
    root = Element("x-root")
    stack: list[Element] = [root]
    current = root
    open_p = 0
    open_a = 0
    pos = 0
    end = len(html)
    while pos < end:
        lt = html.find("<", pos)
        if lt == -1:
            lt = end
        if lt > pos:
            text = html[pos:lt]
            if current.tag == "pre" and not current.children:
                if text[0] == "\n":
                    text = text[1:]  # "pre": a line feed right after the start tag is dropped
                elif text[0] == "&":
                    raise _NotWellFormed  # a referenced line feed there is a corner left to the parser
            if text:
                current.append(Text(_checked_decode(text) if "&" in text else text))
            pos = lt
            if pos == end:
                break
        if pos + 1 < end and html[pos + 1] == "/":  # an end tag: it must close the current element
            close = _END_TAGS.get(current.tag)
            if close is None or html[pos:pos + len(close)] != close:
                raise _NotWellFormed  # implied ends, adoption agency, ignored end tags
            pos += len(close)
            stack.pop()
            if current.tag == "p":
                open_p -= 1
            elif current.tag == "a":
                open_a -= 1
            current = stack[-1]
            continue
        gt = html.find(">", pos)
        name = html[pos + 1:gt] if gt != -1 else ""
        attrs: list[tuple[str, str]] = []
        if name in _KNOWN:
            pos = gt + 1  # a start tag without attributes
        else:
            m = _TAG.match(html, pos)
            if m is None:
                raise _NotWellFormed  # "<" that is not a plain tag: comments, text "<", odd syntax
            pos = m.end()
            name = m.group(1)
            if name is None:
                raise _NotWellFormed  # an end tag with something in it
            if m.group(3) and name not in _VOID and name != "hr":
                raise _NotWellFormed  # "/>" on an element that is not void is ignored: it stays open
            attrs = _attributes(m.group(2))
        if name in _ORDINARY or name in _FORMATTING:
            pass
        elif name in _VOID or name == "hr":
            if name == "hr" and open_p:
                raise _NotWellFormed  # it closes the open p first
            element = Element(name)
            element.attrs = attrs
            current.append(element)
            continue
        elif name in _CLOSES_P or name == "pre":
            if open_p:
                raise _NotWellFormed  # would close the open p first
        elif name in _HEADINGS:
            if open_p or current.tag in _HEADINGS:
                raise _NotWellFormed
        elif name == "li":
            if open_p or current.tag not in ("ul", "ol"):
                raise _NotWellFormed  # would close an open li
        elif name == "a":
            if open_a:
                raise _NotWellFormed  # a link in a link: the adoption agency
        elif name == "iframe":
            # raw text up to "</iframe>": kept to the empty case
            if not html.startswith("</iframe>", pos):
                raise _NotWellFormed
            element = Element(name)
            element.attrs = attrs
            current.append(element)
            pos += len("</iframe>")
            continue
        else:
            raise _NotWellFormed  # a tag with rules of its own (tables, forms, lists of definitions...)
        element = Element(name)
        element.attrs = attrs
        current.append(element)
        stack.append(element)
        current = element
        if name == "p":
            open_p += 1
        elif name == "a":
            open_a += 1
    if current is not root:
        raise _NotWellFormed  # unclosed elements
    return root
