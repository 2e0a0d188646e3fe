"""A push sends Webflow's own block wherever the block the file holds reads the same.

Turndown writes the same Markdown for different HTML ("twins": ``<code>a<em>b</em></code>``
and ``<code>a_b_</code>`` are both ```a_b_```; a ``<br>`` at a paragraph's edge; blank
emphasis; a paragraph with ``id``/``class``/``style``, a ``<span>`` wrapper, ``<b>`` for
``<strong>``...). No Markdown -> HTML reading can tell twins apart from the Markdown alone,
so a push that sent only what the file says would change, in Webflow, blocks the user never
touched. But a push that updates an item knows Webflow's current HTML. For a block whose
Markdown the user did not change, Webflow's own block is the only faithful answer: it reads
as the file does, and it is what Webflow has.

So the HTML read from the file (P) and Webflow's HTML (H) are cut into top-level blocks at
their element boundaries (the original strings are cut, so a kept block goes back byte for
byte), each block is keyed by its Markdown, the two key sequences are lined up (difflib), and
where a block of P reads as the same Markdown as the block of H it lines up with, H's block is
sent. A push where one paragraph was edited then changes only that paragraph in Webflow's HTML.

Safety: the result must read back as the same Markdown as P. When it does not (a block that
reads the same alone but not in its place, such as an empty paragraph where the file has a
blank line), Webflow's blocks are taken half by half, each only where the whole value still
reads as P; when a value cannot be cut with certainty (misnested or unclosed tags, a paragraph
a block would close implicitly), P is sent as it is. One more case: where P itself does not
read back as the file (Turndown's ambiguous constructs, such as a URL with one parenthesis), a
stretch of P that is exactly what Webflow's stretch there reads as, read again, is Webflow's
when the whole value then reads back exactly as the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser

from .dom import VOID
from .to_html import to_html
from .to_markdown import to_markdown


@dataclass(frozen=True)
class WebflowRichText:
    """A rich-text value Webflow has now: its Markdown, as the file would hold it, and its HTML."""

    markdown: str
    html: str


# top-level elements a value is cut at; anything else between them (text, inline elements,
# comments) stays with its neighbours
BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "figure", "div", "table",
    "section", "article", "header", "footer", "aside", "main", "nav", "address", "dl", "details", "form",
    "fieldset", "hgroup", "menu", "iframe", "video", "audio", "object"})
# start tags that close an open <p> in an HTML5 parser (the cut would then not be the tree's)
_CLOSES_P = BLOCKS - {"iframe", "video", "audio", "object"} | {"figcaption", "li"}
_END_TAG = re.compile(r"</([A-Za-z][^\s/>]*)\s*>")
_BLANK = re.compile(r"[ \t\n\r\f]*")


class _Doubt(Exception):
    pass


class _Cutter(HTMLParser):
    """The spans of the top-level block elements of a value, from the parser's positions."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.stack: list[str] = []
        self.spans: list[tuple[int, int]] = []
        self.opened = 0

    def _at(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: object) -> None:
        start = self._at()
        text = self.get_starttag_text() or ""
        if not self.html.startswith(text, start):
            raise _Doubt
        if "p" in self.stack and tag in _CLOSES_P:
            raise _Doubt
        if tag in VOID:
            if not self.stack and tag in BLOCKS:
                self.spans.append((start, start + len(text)))
            return
        if not self.stack:
            self.opened = start
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        if tag not in VOID:  # "<p/>" opens a paragraph in HTML5
            raise _Doubt
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        start = self._at()
        m = _END_TAG.match(self.html, start)
        if not m or not self.stack or self.stack[-1] != tag or m.group(1).lower() != tag:
            raise _Doubt
        self.stack.pop()
        if not self.stack and tag in BLOCKS:
            self.spans.append((self.opened, m.end()))


def cut(html: str) -> list[str] | None:
    """The value as a list of pieces that join back into it: each top-level block element with
    the blank text or comments after it; text or inline elements between blocks are a piece of
    their own. None when the cut is in doubt."""
    parser = _Cutter(html)
    try:
        parser.feed(html)
        parser.close()
    except (_Doubt, AssertionError):
        return None
    if parser.stack:
        return None
    edges = [0]
    for start, end in parser.spans:
        if start != edges[-1]:
            edges.append(start)
        edges.append(end)
    if edges[-1] != len(html):
        edges.append(len(html))
    pieces = [html[a:b] for a, b in zip(edges, edges[1:])]
    # blank text (and comments, which read as nothing) goes with the block before it
    out: list[str] = []
    for piece in pieces:
        if out and _blank(piece):
            out[-1] += piece
        elif len(out) == 1 and _blank(out[0]):
            out[0] += piece
        else:
            out.append(piece)
    return out


def _blank_end(piece: str) -> str:
    return piece[len(piece.rstrip(" \t\n\r\f")):]


def _blank(piece: str) -> bool:
    return _BLANK.fullmatch(re.sub(r"<!--.*?-->", "", piece, flags=re.S)) is not None


def keep_webflow_blocks(sent: str, webflow: str, markdown: str | None = None) -> str:
    """``sent`` (the file's Markdown read as HTML) with each block that reads as the block of
    ``webflow`` (Webflow's HTML now) it lines up with replaced by Webflow's; ``sent`` itself
    when that would read otherwise, or when either value cannot be cut with certainty.

    Given ``markdown`` (the file's Markdown, which ``sent`` was read from): where ``sent`` does
    not read back as the file (a construct Turndown writes ambiguously, such as a URL with one
    parenthesis), a stretch of ``sent`` that is exactly what Webflow's stretch there reads as,
    read back, is Webflow's too, when the whole value then reads back as the file."""
    if not webflow or sent == webflow:
        return sent
    mine, theirs = cut(sent), cut(webflow)
    if mine is None or not theirs:
        return sent
    my_keys = [to_markdown(piece) for piece in mine]
    their_keys = [to_markdown(piece) for piece in theirs]
    ours: list[list[str]] = []  # per stretch of the alignment: the file's blocks
    kept: list[list[str]] = []  # and what Webflow has there, where it reads the same
    unread: dict[int, str] = {}  # stretches the file has as Webflow's, which do not read back so

    def add(file_blocks: list[str], webflow_blocks: list[str]) -> None:
        ours.append(file_blocks)
        kept.append(webflow_blocks)

    for op, i1, i2, j1, j2 in _line_up(my_keys, their_keys):
        if op == "equal":
            add(mine[i1:i2], theirs[j1:j2])
            continue
        # blocks cut otherwise that read the same together (a wrapper <div> of blocks, a list
        # read as two), at the edges of the stretch
        back: list[tuple[list[str], list[str]]] = []
        while (group := _same_reading(mine, theirs, my_keys, their_keys, i1, i2, j1, j2, 1)) is not None:
            add(["".join(mine[i1:i1 + group[0]])], ["".join(theirs[j1:j1 + group[1]])])
            i1, j1 = i1 + group[0], j1 + group[1]
        while (group := _same_reading(mine, theirs, my_keys, their_keys, i1, i2, j1, j2, -1)) is not None:
            back.append((["".join(mine[i2 - group[0]:i2])], ["".join(theirs[j2 - group[1]:j2])]))
            i2, j2 = i2 - group[0], j2 - group[1]
        stretch, webflows = "".join(mine[i1:i2]), "".join(theirs[j1:j2])
        their_reading = to_markdown(webflows)
        if i1 == i2 and j1 == j2:
            pass
        elif j1 < j2 and to_markdown(stretch) == their_reading:
            # the same reading (blocks that read as nothing, such as the empty paragraphs
            # Turndown drops, and the file has nothing for)
            add([stretch], [webflows])
        elif i1 < i2 and j1 < j2:
            if markdown is not None and to_html(their_reading) == stretch:
                unread[len(kept)] = webflows
            # an edited stretch: Webflow's blank blocks at its edges stay around it, and the blank
            # text after its last block
            lead = next((k for k in range(j1, j2) if their_keys[k]), j2) - j1
            trail = j2 - 1 - next((k for k in range(j2 - 1, j1 - 1, -1) if their_keys[k]), j1 - 1)
            after = _blank_end(theirs[j2 - trail - 1]) if j2 - trail - 1 >= j1 and not _blank_end(stretch) else ""
            edited = stretch
            if i2 - i1 == j2 - j1:  # block for block: each keeps the attributes Webflow gave its element
                edited = "".join(_webflows_tag(m, t) for m, t in zip(mine[i1:i2], theirs[j1:j2]))
            add([stretch], ["".join(theirs[j1:j1 + lead]) + edited + after + "".join(theirs[j2 - trail:j2])])
        else:
            add([stretch], [stretch])
        for file_blocks, webflow_blocks in reversed(back):
            add(file_blocks, webflow_blocks)
    reading = to_markdown(sent)
    parts = ["".join(stretch) for stretch in kept]
    if to_markdown("".join(parts)) != reading:
        parts = _block_by_block(ours, kept, reading)
    if unread and reading != markdown:
        fixed = [unread.get(n, part) for n, part in enumerate(parts)]
        if to_markdown("".join(fixed)) == markdown:
            return "".join(fixed)
    return "".join(parts)


_BARE_TAG = re.compile(r"<(ul|ol|p|h[1-6]|blockquote|pre)>")
_TAG = re.compile(r"<([a-z0-9]+)(\s[^<>]*)?>")


def _webflows_tag(mine: str, theirs: str) -> str:
    """An edited block as the file reads it (``<ul>``), with the start tag of Webflow's block it
    replaces when that is the same element with attributes (``<ul role="list">``, an ``id``, a
    ``style``): Markdown has no place for them, and the edit did not touch them."""
    bare, tagged = _BARE_TAG.match(mine), _TAG.match(theirs)
    if bare is None or tagged is None or tagged.group(1) != bare.group(1) or not tagged.group(2):
        return mine
    return tagged.group(0) + mine[bare.end():]


_MATCH_WORK = 250_000  # blocks times blocks, between the common head and tail, that difflib lines up


def _line_up(mine: list[str], theirs: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for the two key sequences, with their common head and tail taken first
    (a push edits a few blocks: this keeps the work linear); a middle too large to line up in
    bounded work is one stretch."""
    shortest = min(len(mine), len(theirs))
    head = 0
    while head < shortest and mine[head] == theirs[head]:
        head += 1
    tail = 0
    while tail < shortest - head and mine[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, head, 0, head)] if head else []
    a, b = mine[head:len(mine) - tail], theirs[head:len(theirs) - tail]
    if len(a) * len(b) <= _MATCH_WORK:
        ops += [(op, i1 + head, i2 + head, j1 + head, j2 + head)
                for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]
    else:
        ops.append(("replace", head, len(mine) - tail, head, len(theirs) - tail))
    if tail:
        ops.append(("equal", len(mine) - tail, len(mine), len(theirs) - tail, len(theirs)))
    return ops


_GROUP = 6  # blocks of one side read together as one of the other


def _same_reading(mine: list[str], theirs: list[str], my_keys: list[str], their_keys: list[str],
                  i1: int, i2: int, j1: int, j2: int, step: int) -> tuple[int, int] | None:
    """At the start (``step`` 1) or the end (-1) of a stretch, (k, n): k blocks of the file's
    and n of Webflow's, one of them a single block, that read the same together."""
    if i1 >= i2 or j1 >= j2:
        return None
    for k in range(2, min(_GROUP, i2 - i1) + 1):
        group = mine[i1:i1 + k] if step == 1 else mine[i2 - k:i2]
        if to_markdown("".join(group)) == their_keys[j1 if step == 1 else j2 - 1]:
            return k, 1
    for n in range(2, min(_GROUP, j2 - j1) + 1):
        group = theirs[j1:j1 + n] if step == 1 else theirs[j2 - n:j2]
        if to_markdown("".join(group)) == my_keys[i1 if step == 1 else i2 - 1]:
            return 1, n
    return None


_TRIES = 64  # readings of the whole value a fallback may make (bounded work on any value)


def _block_by_block(ours: list[list[str]], kept: list[list[str]], reading: str) -> list[str]:
    """A block reads otherwise next to its neighbours (an empty paragraph where the file has a
    blank line, both of which read as nothing alone): Webflow's blocks are taken half by half
    (a half that fails is cut in two again, down to one block or one edited stretch), each only
    where the whole value still reads as ``reading``; at most ``_TRIES`` readings, the rest is
    the file's."""
    units: list[tuple[str, str]] = []
    stretch_of: list[int] = []
    for n, (file_blocks, webflow_blocks) in enumerate(zip(ours, kept)):
        if len(file_blocks) == len(webflow_blocks):
            units += zip(file_blocks, webflow_blocks)
            stretch_of += [n] * len(file_blocks)
        else:
            units.append(("".join(file_blocks), "".join(webflow_blocks)))
            stretch_of.append(n)
    chosen = [mine for mine, _ in units]
    tries = _TRIES

    def take(lo: int, hi: int) -> None:
        nonlocal tries
        if tries <= 0 or all(units[k][0] == units[k][1] for k in range(lo, hi)):
            return
        before = chosen[lo:hi]
        chosen[lo:hi] = [theirs for _, theirs in units[lo:hi]]
        tries -= 1
        if to_markdown("".join(chosen)) == reading:
            return
        chosen[lo:hi] = before
        if hi - lo > 1:
            take(lo, (lo + hi) // 2)
            take((lo + hi) // 2, hi)

    take(0, len(units))
    parts = [""] * len(ours)
    for n, text in zip(stretch_of, chosen):
        parts[n] += text
    return parts
