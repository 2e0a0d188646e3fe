"""Markdown back to Webflow-style rich-text HTML (CommonMark, via markdown-it-py).

What Webflow's editor writes, and the converter to Markdown reads back the same:
- an image alone in its paragraph becomes Webflow's image figure;
- runs of blank lines between top-level blocks become empty paragraphs (``<p>`` with
  one U+200D), two newlines for each, as the Markdown side writes them;
- ``**``/``_`` opened or closed by a hard line break (``**  \\nOBJECTIFS**``) is read as
  emphasis around a ``<br>``, which CommonMark alone would leave as literal asterisks;
- a block quote of one paragraph holds its text directly;
- no newlines between blocks, ``<br>`` without a slash.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

ZWJ_PARAGRAPH = "<p>\u200d</p>"
FIGURE = ('<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth">'
          "<div>{img}</div></figure>")
# emphasis delimiters next to a hard break: the break joins the delimiter's line
_OPEN_BREAK = re.compile(r"(?<![\\*_])(\*\*|_)(?: {2,}|\\)\n")
_CLOSE_BREAK = re.compile(r"(?<=\S)(?: {2,}|\\)\n( *)(\*\*|_)(?=[^\w*]|$)", re.M)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "breaks": False})

    def code_block(renderer: object, tokens: Sequence[Token], idx: int, options: object, env: object) -> str:
        # Webflow keeps no trailing newline inside a code block
        return f"<pre><code>{_escape(tokens[idx].content.rstrip(chr(10)))}</code></pre>"

    md.add_render_rule("code_block", code_block)
    md.add_render_rule("fence", code_block)
    return md


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def to_html(markdown: str) -> str:
    """Webflow rich-text HTML for one Markdown value."""
    if markdown == "":
        return ""
    md = _parser()
    source = _CLOSE_BREAK.sub(lambda m: "<br>" + m.group(2), _OPEN_BREAK.sub(lambda m: m.group(1) + "<br>", markdown))
    source = _break_only_lines(source)
    tokens = md.parse(source)
    groups = _top_level_groups(tokens)
    parts: list[str] = []
    leading = len(source) - len(source.lstrip("\n"))
    parts.append(ZWJ_PARAGRAPH * (leading // 2))
    lines = source.split("\n")
    for n, group in enumerate(groups):
        if n:
            # blank lines just before the block (a list's map also covers those after it)
            start = (group[0].map or [0, 0])[0]
            gap = 0
            while start - gap - 1 >= 0 and lines[start - gap - 1].strip(" \t") == "":
                gap += 1
            parts.append(ZWJ_PARAGRAPH * max(0, (gap - 1) // 2))
        parts.append(_render_group(md, group))
    if groups:
        trailing = len(source) - len(source.rstrip("\n"))
        parts.append(ZWJ_PARAGRAPH * (trailing // 2))
    return "".join(parts)


def _break_only_lines(source: str) -> str:
    """A line of spaces after a hard break is one more ``<br>`` (Turndown writes ``<br><br>`` so)."""
    lines = source.split("\n")
    for i in range(1, len(lines) - 1):
        if (len(lines[i]) >= 2 and lines[i].strip(" ") == "" and lines[i - 1].endswith("  ")
                and lines[i - 1].strip(" ") and lines[i + 1].strip(" ")):
            lines[i] = "<br>"
    return "\n".join(lines)


def _top_level_groups(tokens: list[Token]) -> list[list[Token]]:
    groups: list[list[Token]] = []
    depth = 0
    for tok in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(tok)
        depth += tok.nesting
    return groups


def _render_group(md: MarkdownIt, group: list[Token]) -> str:
    _figures(group)
    _unwrap_single_paragraph_quote(group)
    html = md.renderer.render(group, md.options, {})
    if any(t.type in ("html_block", "code_block", "fence") for t in group):
        return html.rstrip("\n")
    return re.sub(r">\n(?=<)", ">", html).rstrip("\n")


def _figures(group: list[Token]) -> None:
    """A paragraph holding only an image becomes Webflow's image figure."""
    for i, tok in enumerate(group):
        if tok.type != "inline" or not tok.children or i == 0 or group[i - 1].type != "paragraph_open":
            continue
        kids = [c for c in tok.children if not (c.type == "text" and c.content == "")]
        if len(kids) == 1 and kids[0].type == "image" and group[i - 1].level == 0:
            img = kids[0]
            src = _escape(img.attrGet("src") or "")
            alt = _escape("".join(c.content for c in (img.children or [])))
            title = img.attrGet("title")
            title_attr = f' title="{_escape(title)}"' if title else ""
            group[i - 1].type = "html_block"
            group[i - 1].nesting = 0
            group[i - 1].content = FIGURE.format(img=f'<img src="{src}" alt="{alt}"{title_attr}>')
            group[i - 1].tag = ""
            tok.type = "html_block"
            tok.content = ""
            tok.children = []
            group[i + 1].type = "html_block"
            group[i + 1].nesting = 0
            group[i + 1].content = ""


def _unwrap_single_paragraph_quote(group: list[Token]) -> None:
    if len(group) == 5 and group[0].type == "blockquote_open" and group[1].type == "paragraph_open":
        group[1].hidden = True
        group[3].hidden = True
