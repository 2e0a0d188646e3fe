"""Text that reads as a tag, read as text.

Turndown does not escape ``<``: a paragraph ``<p>&lt;div&gt;</p>`` is written ``<div>``, which
CommonMark reads as raw HTML (here an HTML block opened and never closed), so the text would be
lost and a push would send broken HTML. Raw HTML that Turndown keeps (embeds, tables, components,
inline elements it keeps as tags) is serialised from a DOM: every element that is not void has
its end tag. So a tag without a partner in the value (the start tag of an element that is not
void and is never closed, or an end tag never opened) is not HTML anyone meant: it is read as
text. Balanced HTML is left as it is, byte for byte.
"""

from __future__ import annotations

import re
from typing import Iterator

from markdown_it import MarkdownIt

from .dom import RAW_TEXT, VOID

# CommonMark's open and closing tags (attribute values may span lines)
_ATTRIBUTE = r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
_TAG = re.compile(rf"<(?:([A-Za-z][A-Za-z0-9-]*){_ATTRIBUTE}*\s*(/?)>|/([A-Za-z][A-Za-z0-9-]*)\s*>)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ROUNDS = 8  # re-readings: an escaped tag can turn an HTML block back into Markdown


def read_stray_tags_as_text(md: MarkdownIt, source: str) -> str:
    """``source`` with every tag that has no partner in it escaped, so that it reads as text."""
    if "<" not in source:
        return source
    for _ in range(_ROUNDS):
        stray = _stray(md, source)
        if not stray:
            break
        for at, escape in sorted(stray, reverse=True):
            source = source[:at] + escape + source[at + 1:]
    return source


def _stray(md: MarkdownIt, source: str) -> list[tuple[int, str]]:
    """(offset of the ``<``, what replaces it) for each tag without a partner."""
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    tags: dict[int, tuple[str, bool, str]] = {}  # offset: name, closing, escape (a table row is
    # the map of each of its cells)
    for tok in md.parse(source):
        if not tok.map or tok.type not in ("inline", "html_block"):
            continue
        first, last = tok.map
        begin = starts[first] if first < len(starts) else len(source)
        end = starts[last] - 1 if last < len(starts) else len(source)
        if tok.type == "html_block":
            # (inside an HTML block a backslash is literal: a stray tag that does not open the
            # block goes as a character reference, which shows the same "<")
            opener = source.find("<", begin, end)
            for at, name, closing in _tags(source, begin, end, markdown=False):
                tags[at] = (name, closing, "\\<" if at == opener else "&lt;")
        else:
            for at, name, closing in _tags(source, begin, end, markdown=True):
                tags[at] = (name, closing, "\\<")
    opened: dict[str, list[tuple[int, str]]] = {}
    stray: list[tuple[int, str]] = []
    for at, (name, closing, escape) in sorted(tags.items()):
        if not closing:
            opened.setdefault(name, []).append((at, escape))
        elif opened.get(name):
            opened[name].pop()
        else:
            stray.append((at, escape))
    stray += [left for lefts in opened.values() for left in lefts]
    return stray


def _tags(source: str, begin: int, end: int, markdown: bool) -> Iterator[tuple[int, str, bool]]:
    """(offset, lower-case name, closing) of the tags of elements that are not void in
    ``source[begin:end]``; in Markdown, outside backslash escapes and code spans. The text of a
    script or style is not markup."""
    i = begin
    while i < end:
        ch = source[i]
        if markdown and ch == "\\":
            i += 2
        elif markdown and ch == "`":
            run = len(source[i:end]) - len(source[i:end].lstrip("`"))
            close = _closing_run(source, i + run, end, run)
            i = close + run if close is not None else i + run
        elif ch == "<":
            comment = _COMMENT.match(source, i, end)
            tag = None if comment else _TAG.match(source, i, end)
            if comment:
                i = comment.end()
            elif tag:
                name = (tag.group(1) or tag.group(3)).lower()
                closing = tag.group(3) is not None
                if name not in VOID and not tag.group(2):  # ("<x/>": complete as written)
                    yield i, name, closing
                i = tag.end()
                if name in RAW_TEXT and not closing:
                    found = source.lower().find(f"</{name}", i, end)
                    if found != -1:
                        i = found
            else:
                i += 1
        else:
            i += 1


def _closing_run(source: str, start: int, end: int, run: int) -> int | None:
    """Where the backtick run of length ``run`` closing a code span opened before ``start`` is."""
    for m in re.finditer("`+", source[start:end]):
        if len(m.group(0)) == run:
            return start + m.start()
    return None
