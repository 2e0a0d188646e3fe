"""Rich text as Webflow showed it, in Markdown where Markdown says the same thing.

Each top-level block of Webflow's HTML is converted with the Turndown-compatible
converter, then rendered back by a CommonMark renderer (what Eleventy, Hugo and Astro
all use); a block whose rendering is not what Webflow showed (``<strong><br>OBJECTIFS
</strong>`` becomes ``**  \\nOBJECTIFS**``, literal asterisks; an empty paragraph;
text that reads as a tag) is written as its HTML instead, which every generator passes
through. The file stays Markdown for the people who edit it afterwards.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from markdown_it import MarkdownIt

from ..richtext.dom import Element, Text, parse_fragment
from ..richtext.to_markdown import to_markdown

_MD = MarkdownIt("commonmark")  # html on, no typographer, no linkify: as the generators are configured
MARKS = {"strong": "b", "b": "b", "em": "i", "i": "i"}
KEPT = {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code", "hr", "br", "sup", "sub",
        "table", "tr", "td", "th", "iframe", "video", "figcaption", "s", "del", "u"}


def signature(html: str) -> str:
    """What a reader notices: text, structure, emphasis, links, images (not wrappers or styling)."""
    out: list[str] = []

    def walk(el: Element) -> None:
        for node in el.children:
            if isinstance(node, Text):
                out.append(node.data)
                continue
            assert isinstance(node, Element)
            tag = MARKS.get(node.tag, node.tag)
            # URLs compared decoded: CommonMark renderers percent-encode them, browsers decode them
            if tag == "a":
                out.append(f"<a {unquote(node.get('href') or '')}>")
            elif tag == "img":
                out.append(f"<img {unquote(node.get('src') or '')} {node.get('alt') or ''}>")
            elif tag in KEPT or tag in ("b", "i"):
                out.append(f"<{tag}>")
            elif tag in ("p", "div"):
                out.append(" ")
            walk(node)
            if tag in KEPT or tag in ("a", "b", "i"):
                out.append(f"</{tag}>")

    walk(parse_fragment(html))
    text = re.sub(r"\s+", " ", "".join(out))
    return re.sub(r"\s*(</?[a-z0-9]+[^>]*>)\s*", r"\1", text).strip()


def _as_html(block: str) -> str:
    # an HTML block ends at a blank line in CommonMark: keep it in one piece
    return re.sub(r"\n[ \t]*(?=\n)", "", block)


def to_export_markdown(html: str) -> str:
    """Markdown for a rich-text value, block by block, HTML where Markdown would show something else."""
    if not html.strip():
        return ""
    root = parse_fragment(html)
    if any(isinstance(n, Text) and n.data.strip() for n in root.children):
        return _checked(html)
    blocks: list[tuple[str, str | None]] = []  # (HTML, its Markdown; None: written as HTML)
    for node in root.children:
        if not isinstance(node, Element):
            continue
        if node.tag == "p" and not node.element_children and not node.text_content.strip(" \t\n\u200d"):
            blocks.append((node.html(), None))  # Webflow's empty paragraph: space Markdown cannot make
        else:
            block = node.html()
            blocks.append((block, to_markdown(block).strip("\n")))
    # the common case checked in one rendering; only a document that differs is checked block by block
    converted = [(b, m) for b, m in blocks if m is not None]
    whole = "\n\n".join(m for _, m in converted if m)
    if signature(_MD.render(whole)) != signature("".join(b for b, _ in converted)):
        blocks = [(b, _checked_markdown(b, m)) if m is not None else (b, None) for b, m in blocks]
    out = [m if m is not None else _as_html(b) for b, m in blocks]
    return "\n\n".join(part for part in out if part)


def _checked_markdown(block: str, markdown: str) -> str | None:
    if markdown and signature(_MD.render(markdown)) == signature(block):
        return markdown
    return None if signature(block) else ""


def _checked(block: str) -> str:
    markdown = to_markdown(block).strip("\n")
    found = _checked_markdown(block, markdown)
    return found if found is not None else _as_html(block)
