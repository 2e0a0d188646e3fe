"""A small DOM and an HTML parser on the standard library, enough for rich text.

Turndown works on a browser DOM; this gives the same tree for the HTML that Webflow's
rich text holds: void elements, implied ends of ``p`` and ``li``, raw text in
``script``/``style``, the newline a ``pre`` drops after its start tag.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from typing import Iterator

VOID = frozenset({"area", "base", "br", "col", "command", "embed", "hr", "img", "input", "keygen", "link", "meta",
                  "param", "source", "track", "wbr"})
# opening one of these closes an open <p> (HTML's "close a p element")
CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
                      "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                      "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
                      "table", "ul"})
RAW_TEXT = frozenset({"script", "style"})


class Node:
    parent: "Element | None" = None
    index: int = 0  # position among the parent's children, kept current by append/remove

    node_type: int = 0
    node_name: str = ""

    @property
    def text_content(self) -> str:
        raise NotImplementedError

    @property
    def previous_sibling(self) -> "Node | None":
        if self.parent is None or self.index == 0:
            return None
        return self.parent.children[self.index - 1]

    @property
    def next_sibling(self) -> "Node | None":
        if self.parent is None:
            return None
        siblings = self.parent.children
        return siblings[self.index + 1] if self.index + 1 < len(siblings) else None


class Text(Node):
    def __init__(self, data: str) -> None:
        self.data = data

    node_type = 3
    node_name = "#text"

    @property
    def text_content(self) -> str:  # type: ignore[override]
        return self.data

    def html(self) -> str:
        return escape(self.data, quote=False).replace("\xa0", "&nbsp;")


class Element(Node):
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]] | None = None) -> None:
        self.tag = tag
        self.node_name = tag.upper()
        self.attrs: list[tuple[str, str]] = [(k, v if v is not None else "") for k, v in (attrs or [])]
        self.children: list[Node] = []
        self.keep: bool | None = None  # memo of the converter's "keep as HTML" decision

    node_type = 1

    def get(self, name: str) -> str | None:
        for k, v in self.attrs:
            if k == name:
                return v
        return None

    @property
    def classes(self) -> list[str]:
        value = self.get("class")
        return value.split() if value else []

    def append(self, node: Node) -> None:
        node.parent = self
        node.index = len(self.children)
        self.children.append(node)

    def remove(self, node: Node) -> None:
        self.children.pop(node.index)
        for i in range(node.index, len(self.children)):
            self.children[i].index = i
        node.parent = None

    @property
    def first_child(self) -> Node | None:
        return self.children[0] if self.children else None

    @property
    def element_children(self) -> list["Element"]:
        return [c for c in self.children if isinstance(c, Element)]

    @property
    def text_content(self) -> str:  # type: ignore[override]
        return "".join(c.text_content for c in self.children)

    def iter(self) -> Iterator["Element"]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def has_descendant(self, names: frozenset[str]) -> bool:
        return any(e.tag in names for e in self.iter())

    def html(self) -> str:
        """The element's outer HTML, serialised as a browser would."""
        attrs = "".join(f' {k}="{escape(v, quote=True).replace(chr(0xA0), "&nbsp;")}"' for k, v in self.attrs)
        if self.tag in VOID:
            return f"<{self.tag}{attrs}>"
        if self.tag in RAW_TEXT:
            inner = "".join(c.data if isinstance(c, Text) else c.html() for c in self.children)  # type: ignore[union-attr]
        else:
            inner = self.inner_html()
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"

    def inner_html(self) -> str:
        return "".join(c.html() for c in self.children)  # type: ignore[attr-defined]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("x-root")
        self.stack: list[Element] = [self.root]
        self._pre_start = False

    @property
    def current(self) -> Element:
        return self.stack[-1]

    def _close(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def _in_scope(self, tag: str, stop: frozenset[str] = frozenset({"table", "td", "th", "x-root"})) -> bool:
        for el in reversed(self.stack):
            if el.tag == tag:
                return True
            if el.tag in stop:
                return False
        return False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._pre_start = False
        if tag in CLOSES_P and self._in_scope("p"):
            self._close("p")
        if tag == "li" and self._in_scope("li", frozenset({"ul", "ol", "x-root"})):
            self._close("li")
        if tag in ("dt", "dd"):
            for other in ("dt", "dd"):
                if self._in_scope(other, frozenset({"dl", "x-root"})):
                    self._close(other)
        if tag == "a" and self._in_scope("a", frozenset({"x-root"})):
            self._close("a")  # HTML does not nest links
        if tag == "tr" and self.current.tag == "table":
            body = Element("tbody")
            self.current.append(body)
            self.stack.append(body)
        el = Element(tag, attrs)
        self.current.append(el)
        if tag not in VOID:
            self.stack.append(el)
            self._pre_start = tag in ("pre", "textarea", "listing")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._close(tag)

    def handle_endtag(self, tag: str) -> None:
        self._pre_start = False
        if tag == "p" and not self._in_scope("p"):
            self.current.append(Element("p"))  # a stray </p> makes an empty paragraph
            return
        if tag == "br":
            self.current.append(Element("br"))
            return
        if any(el.tag == tag for el in self.stack[1:]):
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if self._pre_start:
            self._pre_start = False
            if data.startswith("\n"):
                data = data[1:]
            if not data:
                return
        last = self.current.children[-1] if self.current.children else None
        if isinstance(last, Text):
            last.data += data
        else:
            self.current.append(Text(data))


def parse_fragment(html: str) -> Element:
    """Parse an HTML fragment; return a root element holding it."""
    builder = _TreeBuilder()
    builder.feed(html.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd"))
    builder.close()
    return builder.root
