"""A small DOM for rich text, built by an HTML5 parser (Lexbor, through selectolax).

Turndown works on a browser DOM (domino); an HTML5-conformant parser builds the same tree,
misnested and unclosed tags included. The converter walks this light Python tree, which
keeps sibling positions and a memo of its own decisions.
"""

from __future__ import annotations

from html import escape
from typing import Final, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

VOID: Final = frozenset({"area", "base", "br", "col", "command", "embed", "hr", "img", "input", "keygen", "link", "meta",
                  "param", "source", "track", "wbr"})
RAW_TEXT: Final = frozenset({"script", "style"})
_NODE_NAMES: Final = {tag: tag.upper() for tag in (
    "a b blockquote br code div em figcaption figure h1 h2 h3 h4 h5 h6 hr i iframe img li ol p pre s span strong "
    "sub sup u ul x-root").split()}  # DOM's nodeName of the usual tags, ready-made


class Node:
    __slots__ = ("parent", "index")

    node_type = 0

    def __init__(self) -> None:
        self.parent: Element | None = None
        self.index = 0  # position among the parent's children, kept current by append/remove

    @property
    def text_content(self) -> str:
        raise NotImplementedError

    @property
    def previous_sibling(self) -> Node | None:
        if self.parent is None or self.index == 0:
            return None
        return self.parent.children[self.index - 1]

    @property
    def next_sibling(self) -> Node | None:
        if self.parent is None:
            return None
        siblings = self.parent.children
        return siblings[self.index + 1] if self.index + 1 < len(siblings) else None


class Text(Node):
    __slots__ = ("data",)

    node_type = 3
    node_name = "#text"

    def __init__(self, data: str) -> None:
        self.parent = None  # Node's fields, set here: trees have many nodes, a call less each
        self.index = 0
        self.data = data

    @property
    def text_content(self) -> str:
        return self.data

    def html(self) -> str:
        return escape(self.data, quote=False).replace("\xa0", "&nbsp;")


class Element(Node):
    __slots__ = ("tag", "node_name", "attrs", "children", "keep", "text")

    node_type = 1

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]] | None = None) -> None:
        self.parent = None  # Node's fields, as in Text
        self.index = 0
        self.tag = tag
        self.node_name = _NODE_NAMES.get(tag) or tag.upper()
        self.attrs: list[tuple[str, str]] = [(k, v if v is not None else "") for k, v in attrs] if attrs else []
        self.children: list[Node] = []
        self.keep: bool | None = None  # memo of the converter's "keep as HTML" decision
        self.text: str | None = None  # memo of text_content, for a tree that no longer changes

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
            inner = "".join(c.data if isinstance(c, Text) else c.html() for c in self.children
                            if isinstance(c, (Text, Element)))
        else:
            inner = self.inner_html()
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"

    def inner_html(self) -> str:
        return "".join(c.html() for c in self.children)  # type: ignore[attr-defined]


def _build(node: LexborNode, parent: Element) -> None:
    children = parent.children
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            data = child.text_content or ""
            if children and isinstance(children[-1], Text):
                last = children[-1]
                assert isinstance(last, Text)
                last.data += data
            else:
                parent.append(Text(data))
        elif tag and tag[0] != "-" and tag[0] != "!":
            element = Element(tag, list(child.attributes.items()))
            parent.append(element)
            _build(child, element)
        child = child.next


def parse_fragment(html: str) -> Element:
    """Parse an HTML fragment as Turndown does: inside a wrapper element of a whole HTML5
    document, so that implied ends, misnested tags and nested links come out as in a browser."""
    document = LexborHTMLParser('<x-turndown id="turndown-root">' + html + "</x-turndown>")
    wrapper = document.css_first("x-turndown#turndown-root")
    root = Element("x-root")
    if wrapper is not None:
        _build(wrapper, root)
    return root
