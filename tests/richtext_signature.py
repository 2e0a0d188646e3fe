"""A normalised view of rich-text HTML: what a reader of the page would notice.

Text (whitespace collapsed), block structure, emphasis, links, images and the raw HTML
kept for embeds, videos, tables, captions, sup/sub. Attributes Webflow adds on its own
(``style``, ``loading``, ``role``) and the wrapping of text in ``<p>`` inside list items
and quotes do not count.
"""

from __future__ import annotations

import re

from connector.richtext.dom import Element, Text, parse_fragment
from connector.richtext.to_markdown import keep_as_block, keep_inline

JS_SPACE = " \t\n\r\x0b\x0c\xa0\ufeff\u2028\u2029\u202f\u205f\u3000\u1680" + "".join(map(chr, range(0x2000, 0x200B)))

IGNORED_ATTRS = {"style", "loading", "role"}
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "figure"}
MARKS = {"strong": "b", "b": "b", "em": "i", "i": "i", "code": "code"}


def _attrs(el: Element) -> str:
    return " ".join(f"{k}={v!r}" for k, v in sorted(el.attrs) if k not in IGNORED_ATTRS)


def _norm_raw(el: Element) -> str:
    return re.sub(r"\s+", " ", el.html()).strip()


def signature(html: str) -> list[str]:
    out: list[str] = []

    def walk(el: Element, in_pre: bool, in_code: bool = False) -> None:
        for node in el.children:
            if isinstance(node, Text):
                text = node.data if in_pre else re.sub(r"[ \t\r\n]+", " ", node.data)
                if text.strip(" "):
                    out.append("t:" + text.strip(" "))
                continue
            assert isinstance(node, Element)
            tag = node.tag
            if tag in ("p", "div") and node.text_content == "\u200d" and not node.element_children:
                out.append("empty-paragraph")
                continue
            if keep_as_block(node):
                out.append("raw:" + _norm_raw(node))
                continue
            if keep_inline(node) and node.tag in ("sup", "sub") and not node.text_content.strip(JS_SPACE):
                continue  # an empty sup/sub shows nothing
            if keep_inline(node) and not in_code:
                out.append(f"<{tag} {_attrs(node)}>")
                walk(node, in_pre, in_code)
                out.append(f"</{tag}>")
                continue
            if tag == "img":
                out.append(f"img:{node.get('src')}|{node.get('alt') or ''}")
            elif tag == "a":
                out.append(f"a:{node.get('href')}")
            elif tag == "br":
                out.append("br")
            elif tag in MARKS:
                out.append(MARKS[tag])
            elif tag in BLOCKS and not (tag == "p" and node.parent is not None and node.parent.tag in ("li", "blockquote")):
                out.append(tag)
            walk(node, in_pre or tag == "pre", in_code or tag == "code")
            if tag in MARKS:
                out.append("/" + MARKS[tag])
            elif tag == "a":
                out.append("/a")

    walk(parse_fragment(html), False)
    return out
