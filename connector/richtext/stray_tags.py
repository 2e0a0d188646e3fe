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
from bisect import bisect_right
from typing import Iterator

from markdown_it import MarkdownIt

from .dom import RAW_TEXT, VOID

# CommonMark's open and closing tags (attribute values may span lines)
_ATTRIBUTE = r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
_TAG = re.compile(rf"<(?:([A-Za-z][A-Za-z0-9-]*){_ATTRIBUTE}*\s*(/?)>|/([A-Za-z][A-Za-z0-9-]*)\s*>)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MARKDOWN_SPECIAL = re.compile(r"[\\`<]")
_HTML_SPECIAL = re.compile("<")
_BACKTICKS = re.compile("`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_RAW_TEXT_END = {name: re.compile(f"</{name}[\t\n\f />]", re.IGNORECASE) for name in RAW_TEXT}
_ROUNDS = 8  # re-readings: an escaped tag can turn an HTML block back into Markdown


def read_stray_tags_as_text(md: MarkdownIt, source: str) -> str:
    """``source`` with every tag that has no partner in it escaped, so that it reads as text."""
    if "<" not in source:
        return source
    for _ in range(_ROUNDS):
        stray, reread = _stray(md, source)
        if not stray:
            break
        parts, last = [], 0
        for at, escape in sorted(stray):
            parts += [source[last:at], escape]
            last = at + 1
        source = "".join(parts) + source[last:]
        if not reread:
            break  # (text escaped inside paragraphs leaves every block as it was)
    return source


def _stray(md: MarkdownIt, source: str) -> tuple[list[tuple[int, str]], bool]:
    """(offset of the ``<``, what replaces it) for each tag without a partner, and whether one
    of them opens an HTML block (the Markdown after it is then read again)."""
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    # offset: name, kind, the offset of the "<" opening the HTML block it is in (-1: in Markdown)
    # (a dict: a table row is the map of each of its cells)
    tags: dict[int, tuple[str, str, int]] = {}
    for tok in md.parse(source):
        if not tok.map or tok.type not in ("inline", "html_block"):
            continue
        first, last = tok.map
        begin = starts[first] if first < len(starts) else len(source)
        end = starts[last] - 1 if last < len(starts) else len(source)
        block = source.find("<", begin, end) if tok.type == "html_block" else -1
        for at, name, kind in _tags(source, begin, end, markdown=block == -1):
            tags[at] = (name, kind, block)
    opened: dict[str, list[int]] = {}
    stray: list[int] = []
    for at, (name, kind, _) in sorted(tags.items()):
        if kind == "open":
            opened.setdefault(name, []).append(at)
        elif kind == "close" and opened.get(name):
            opened[name].pop()
        else:
            stray.append(at)
    stray += [at for ats in opened.values() for at in ats]
    reopened = {at for at in stray if tags[at][2] == at}  # HTML blocks that will be Markdown
    out: list[tuple[int, str]] = []
    for at in stray:
        block = tags[at][2]
        if block == -1 or block == at:
            out.append((at, "\\<"))
        elif block not in reopened:
            # (inside an HTML block that stays one a backslash is literal: a character
            # reference shows the same "<"; in one about to be read as Markdown, the next
            # reading decides)
            out.append((at, "&lt;"))
    return out, bool(reopened)


def _tags(source: str, begin: int, end: int, markdown: bool) -> Iterator[tuple[int, str, str]]:
    """(offset, lower-case name, kind) of the tags of elements that are not void in
    ``source[begin:end]``; in Markdown, outside backslash escapes and code spans. The kind is
    "open", "close", or "stray" for a tag that can have no partner: ``<x/>`` (the slash does
    not close an element that is not void), a ``<script>`` or ``<style>`` whose end tag is
    not in the same block (Turndown writes kept HTML without blank lines). The text of a script
    or style is not markup."""
    runs: dict[int, list[int]] = {}  # backtick runs by length: where each starts
    for m in _BACKTICKS.finditer(source, begin, end) if markdown else ():
        runs.setdefault(len(m.group(0)), []).append(m.start())
    i = begin
    special = _MARKDOWN_SPECIAL if markdown else _HTML_SPECIAL
    while (found := special.search(source, i, end)) is not None:
        i = found.start()
        ch = source[i]
        if ch == "\\":
            i += 2
        elif ch == "`":
            run = len(_BACKTICKS.match(source, i, end).group(0))  # type: ignore[union-attr]
            same = runs.get(run, [])
            later = bisect_right(same, i)  # the code span closes at the next run as long
            i = same[later] + run if later < len(same) else i + run
        elif comment := _COMMENT.match(source, i, end):
            i = comment.end()
        elif tag := _TAG.match(source, i, end):
            name = (tag.group(1) or tag.group(3)).lower()
            i = tag.end()
            if name in VOID:
                continue
            if tag.group(2):
                yield tag.start(), name, "stray"
            elif tag.group(3) is not None:
                yield tag.start(), name, "close"
            elif name in RAW_TEXT:
                blank = _BLANK_LINE.search(source, i, end)
                close = _RAW_TEXT_END[name].search(source, i, blank.start() if blank else end)
                if close is None:
                    yield tag.start(), name, "stray"
                else:
                    yield tag.start(), name, "open"
                    i = close.start()
            else:
                yield tag.start(), name, "open"
        else:
            i += 1
