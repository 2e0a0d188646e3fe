"""Turndown's and js-yaml's own algorithms, transcribed step by step: the slow rules the
converter's and the emitter's fast paths are checked against (tests/test_fast_paths.py)."""

from __future__ import annotations

import importlib
import re

from connector.richtext import dom
# the module, not the function the package exports under its name
to_markdown = importlib.import_module("connector.richtext.to_markdown")

from connector.richtext.dom import Element, Node, Text
from connector.richtext.to_markdown import BLOCK, VOID, _is_pre
from connector.yamlstyle import _ESCAPES as YAML_ESCAPES
from connector.yamlstyle import _printable


# -- turndown/src/collapse-whitespace.js --------------------------------------------------------
def _next(prev: Node | None, current: Node) -> Node | None:
    if (prev is not None and prev.parent is current) or _is_pre(current):
        return current.next_sibling or current.parent
    if isinstance(current, Element) and current.children:
        return current.children[0]
    return current.next_sibling or current.parent


def _remove(node: Node) -> Node | None:
    nxt = node.next_sibling or node.parent
    assert node.parent is not None
    node.parent.remove(node)
    return nxt


def collapse_whitespace(root: Element) -> None:
    if not root.children or _is_pre(root):
        return
    prev_text: Text | None = None
    keep_leading = False
    prev: Node | None = None
    node = _next(prev, root)
    while node is not root and node is not None:
        if isinstance(node, Text):
            text = re.sub(r"[ \r\n\t]+", " ", node.data)
            if (prev_text is None or prev_text.data.endswith(" ")) and not keep_leading and text[:1] == " ":
                text = text[1:]
            if not text:
                node = _remove(node)
                continue
            node.data = text
            prev_text = node
        elif isinstance(node, Element):
            if node.node_name in BLOCK or node.tag == "br":
                if prev_text is not None:
                    prev_text.data = re.sub(r" $", "", prev_text.data)
                prev_text = None
                keep_leading = False
            elif node.node_name in VOID or _is_pre(node):
                prev_text = None
                keep_leading = True
            elif prev_text is not None:
                keep_leading = False
        nxt = _next(prev, node)
        prev = node
        node = nxt
    if prev_text is not None:
        prev_text.data = re.sub(r" $", "", prev_text.data)
        if not prev_text.data:
            _remove(prev_text)


# -- turndown/src/turndown.js: join, edgeWhitespace; utilities.js: escape ------------------------
def join(output: str, replacement: str) -> str:
    s1 = output.rstrip("\n")
    s2 = replacement.lstrip("\n")
    newlines = max(len(output) - len(s1), len(replacement) - len(s2))
    return s1 + "\n\n"[:newlines] + s2


def edge_whitespace(text: str) -> tuple[str, str, str, str, str, str]:
    m = to_markdown._EDGE_RE.match(text)
    assert m is not None
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)


def escape_markdown(text: str) -> str:
    for pattern, replacement in to_markdown._ESCAPES:
        text = pattern.sub(replacement, text)
    return text


def post_process(output: str) -> str:
    output = re.sub(r"^[\t\r\n]+", "", output)
    return re.sub(rf"[\t\r\n{to_markdown.JS_WS}]+$", "", output)


def empty_lone_zwj_lines(markdown: str) -> str:
    return re.sub("^\u200d$", "", markdown, flags=re.M)


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def is_blank(el: Element) -> bool:
    """turndown/src/utilities.js isBlank, on the element's whole text content."""
    text = el.text_content
    return (
        el.node_name not in VOID
        and el.node_name not in to_markdown.MEANINGFUL_WHEN_BLANK
        and re.match(f"^{to_markdown._JS_WS_RE}*$", text) is not None
        and not el.has_descendant(to_markdown._VOID_TAGS)
        and not el.has_descendant(to_markdown._MEANINGFUL_TAGS)
    )


def markdown_via_lexbor(html: str) -> str:
    """The conversion of the tree Lexbor builds (the direct reading of well-formed markup aside)."""
    if html == "":
        return ""
    return empty_lone_zwj_lines(to_markdown.convert_tree(dom.parse_fragment(html)))


# -- js-yaml/lib/dumper.js: escapeString, foldLine; the core schema's implicit types -------------------
def ambiguous(s: str) -> bool:
    from connector.yamlstyle import _implicitly_typed
    return _implicitly_typed(s)


def yaml_escape(text: str) -> str:
    out = []
    for ch in text:
        c = ord(ch)
        seq = YAML_ESCAPES.get(c)
        if seq is None and _printable(c):
            out.append(ch)
        elif seq is not None:
            out.append(seq)
        elif c <= 0xFF:
            out.append(f"\\x{c:02X}")
        elif c <= 0xFFFF:
            out.append(f"\\u{c:04X}")
        else:
            out.append(f"\\U{c:08X}")
    return "".join(out)


def indent_string(string: str, spaces: int) -> str:
    ind = " " * spaces
    position = 0
    result = ""
    while position < len(string):
        nxt = string.find("\n", position)
        if nxt == -1:
            line = string[position:]
            position = len(string)
        else:
            line = string[position:nxt + 1]
            position = nxt + 1
        if len(line) and line != "\n":
            result += ind
        result += line
    return result


def fold_line(line: str, width: int) -> str:
    if line == "" or line[0] == " ":
        return line
    start = 0
    curr = 0
    result = ""
    for m in re.finditer(" [^ ]", line):
        nxt = m.start()
        if nxt - start > width:
            end = curr if curr > start else nxt
            result += "\n" + line[start:end]
            start = end + 1
        curr = nxt
    result += "\n"
    if len(line) - start > width and curr > start:
        result += line[start:curr] + "\n" + line[curr + 1:]
    else:
        result += line[start:]
    return result[1:]
