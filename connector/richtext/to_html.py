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
import unicodedata
from functools import lru_cache
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .editing import restore_line_ends, webflow_has_pair
from .emphasis import turndown_pairs
from .stray_tags import read_stray_tags_as_text
from .reading import BREAK_MARK, angle_destinations, keep_breaks_inline, protect_raw_blocks, raw_block_rule, \
    read_breaks_outside_code, read_final_marker, read_item_rules, read_lone_numbers, read_setext, restore_raw_blocks

ZWJ_PARAGRAPH = "<p>\u200d</p>"
FIGURE = ('<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth">'
          "<div>{img}</div></figure>")
# a hard break, with the indentation and quote markers of the line it continues
# (Turndown never writes a delimiter beside a bare line end: that is a break whose two spaces an
# editor trimmed, and left as it is an opener alone on a block's first line would make it raw HTML)
_HARD_BREAK = re.compile(r" *\n(?:[ ]*>)*[ ]*")
_BREAK_BEFORE_CLOSE = re.compile(r" *\n(?:[ ]*>)*[ ]*$")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# CommonMark's autolinks, read before emphasis (``<https://x.com/a_b_c>``)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9.-]+)>")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "breaks": False}).enable("table")
    md.block.ruler.before("html_block", "wf_raw_block", raw_block_rule, {"alt": ["blockquote"]})

    def code_block(renderer: object, tokens: Sequence[Token], idx: int, options: object, env: object) -> str:
        # Webflow keeps no trailing newline inside a code block
        return f"<pre><code>{_escape(tokens[idx].content.rstrip(chr(10)))}</code></pre>"

    def code_inline(renderer: object, tokens: Sequence[Token], idx: int, options: object, env: object) -> str:
        return f"<code>{_code_breaks(_escape(tokens[idx].content))}</code>"

    md.add_render_rule("code_inline", code_inline)
    md.add_render_rule("code_block", code_block)
    md.add_render_rule("fence", code_block)
    md.add_render_rule("hardbreak", lambda *a: "<br>")
    # a URL goes back as Turndown took it from the HTML (not percent-encoded a second time)
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    # Webflow's rich text keeps a table only inside a custom-code embed
    md.add_render_rule("table_open", lambda *a: '<div data-rt-embed-type="true"><table>')
    md.add_render_rule("table_close", lambda *a: "</table></div>")
    return md


_CODE_BREAKS = re.compile(r" {3,}")


def _code_breaks(code: str) -> str:
    """Turndown writes a <br> inside inline code as two spaces and a newline, which the code span
    makes three spaces; it collapses the code's own spaces to one, so three spaces there are a
    line break."""
    return _CODE_BREAKS.sub(lambda m: " " * (len(m.group(0)) % 3) + "<br>" * (len(m.group(0)) // 3), code)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def to_html(markdown: str, current: str | None = None) -> str:
    """Webflow rich-text HTML for one Markdown value. ``current``: the Markdown of the value
    Webflow has now (``editing``), "" for none (a new item, typed text); by default the value
    itself, which is then read entirely as Turndown's output (a round trip)."""
    if markdown == "":
        return ""
    if current:
        markdown = restore_line_ends(markdown, current)
    md = _parser()
    source, raws = protect_raw_blocks(md, read_stray_tags_as_text(md, markdown))
    source = read_lone_numbers(read_breaks_outside_code(md, read_final_marker(read_setext(angle_destinations(source)))))
    source = read_item_rules(source)
    source = keep_breaks_inline(source)
    source = _protect_edge_nbsp(_emphasis_commonmark_cannot_read(source, current))
    # a line of only "#" is text to Turndown (it escapes "# " alone), an empty heading to CommonMark
    source = re.sub(r"(?m)^([ >]*)(#{1,6})[ \t]*$", lambda m: m.group(1) + "\\" + m.group(2), source)
    if not source.strip("\n"):
        # only empty paragraphs: k of them are written as 2(k-1) newlines
        return ZWJ_PARAGRAPH * (len(source) // 2 + 1)
    return restore_raw_blocks(_render(md, source), raws)


def _render(md: MarkdownIt, source: str) -> str:
    source = _separate_adjacent_lists(source)
    tokens = md.parse(source)
    groups = [g for g in _top_level_groups(tokens) if not _is_list_break(g)]
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
        parts.append(_render_group(md, group, lines))
    if groups:
        trailing = len(source) - len(source.rstrip("\n"))
        parts.append(ZWJ_PARAGRAPH * (trailing // 2))
    return "".join(parts)


def _delimiters(text: str) -> list[tuple[int, str, bool]]:
    """``**`` and ``_`` delimiters outside escapes, code spans, link targets and tags:
    (position, mark, part of a longer run that CommonMark would read as one). A ``__`` is
    bold as typed when another ``__`` pairs with it as CommonMark reads it; otherwise (the last
    of an odd count, or all where CommonMark would not pair them) they are two of Turndown's
    ``_`` each, where those nest as Turndown's pairs do (``<em>a<em>b</em></em>`` is ``_a_b__``)."""
    typed: list[int] = []
    found = _delimiters_outside(text, typed, frozenset())
    # (inside a word, "snake__case__x", it stays as typed: CommonMark's literal underscores)
    if len(typed) % 2 or not any(text[p - 1:p].isalnum() and text[p + 2:p + 3].isalnum() for p in typed) and not all(
            _underscores_open(text, typed[k]) and _underscores_close(text, typed[k + 1])
            for k in range(0, len(typed), 2)):
        for singles in (frozenset(typed[-1:]), frozenset(typed)):
            alt = _delimiters_outside(text, [], singles)
            if turndown_pairs(text, [(pos, mark) for pos, mark, _ in alt]) is not None:
                return alt
    return found


def _underscores_open(text: str, pos: int) -> bool:
    left, right = _flanking(text, pos, pos + 2)
    return left and (not right or _is_punct(text[pos - 1] if pos > 0 else ""))


def _underscores_close(text: str, pos: int) -> bool:
    left, right = _flanking(text, pos, pos + 2)
    return right and (not left or _is_punct(text[pos + 2] if pos + 2 < len(text) else ""))


def _delimiters_outside(text: str, typed: list[int], singles: frozenset[int]) -> list[tuple[int, str, bool]]:
    found: list[tuple[int, str, bool]] = []
    underscore_open = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * run, i + run)
            i = end + run if end != -1 else i + run
        elif text.startswith("](", i):
            depth, j = 0, i + 2
            while j < n and not (text[j] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            i = j + 1
        elif ch == "<" and (tag := _TAG.match(text, i) or _AUTOLINK.match(text, i)):
            i = tag.end()
        elif ch == "*":
            run = len(text[i:]) - len(text[i:].lstrip("*"))
            for k in range(0, run - 1, 2):
                found.append((i + k, "**", run > 2))
            i += run
        elif ch == "_":
            run = len(text[i:]) - len(text[i:].lstrip("_"))
            if run == 1 or underscore_open or i in singles:
                # Turndown's own pairs, one "_" each, also where two meet ("_a__b_")
                for k in range(run):
                    found.append((i + k, "_", run > 1))
                underscore_open ^= run % 2 == 1
            elif run == 2:
                typed.append(i)
            # else a run opening or closing by itself ("__bold__"): CommonMark's, as typed
            i += run
        else:
            i += 1
    return found


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _is_punct(ch: str) -> bool:
    return ch != "" and (unicodedata.category(ch)[0] in "PS")


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """CommonMark's left- and right-flanking tests for the delimiter run text[start:end]."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    left = not _is_space(after) and (not _is_punct(after) or _is_space(before) or _is_punct(before))
    right = not _is_space(before) and (not _is_punct(before) or _is_space(after) or _is_punct(after))
    return left, right


def _can_open(text: str, pos: int, mark: str) -> bool:
    left, right = _flanking(text, pos, pos + len(mark))
    if mark == "_":
        before = text[pos - 1] if pos > 0 else ""
        return left and (not right or _is_punct(before))
    return left


def _can_close(text: str, pos: int, mark: str) -> bool:
    left, right = _flanking(text, pos, pos + len(mark))
    if mark == "_":
        after = text[pos + len(mark)] if pos + len(mark) < len(text) else ""
        return right and (not left or _is_punct(after))
    return right


def _emphasis_commonmark_cannot_read(markdown: str, current: str | None = None) -> str:
    """Turndown writes ``**``/``_`` around whatever ``<strong>``/``<em>`` held, and escapes every
    literal ``*`` and ``_``. Where CommonMark would read such a pair as literal characters
    (``**  \nOBJECTIFS**``, ``H_2_O``), the pair becomes HTML tags; the rest stays Markdown.
    Where CommonMark would pair them otherwise than Turndown nested them (``**a****b****``,
    ``_a **b _c_**_``), every pair of the block becomes HTML tags. Given ``current`` (see
    ``to_html``), an ``_`` pair CommonMark reads as text is emphasis only where it has it."""
    if "_" not in markdown and "**" not in markdown:
        return markdown
    out = []
    for block in re.split(r"(\n[ \t]*\n)", markdown):
        found = _delimiters(block)
        sequential: list[tuple[int, int]] = []
        opened: dict[str, int] = {}
        for k, (pos, mark, in_run) in enumerate(found):
            if mark not in opened:
                opened[mark] = k
            else:
                sequential.append((opened.pop(mark), k))
        nested = turndown_pairs(block, [(pos, mark) for pos, mark, _ in found])
        every = nested is not None and sorted(nested) != sorted(sequential) and not opened
        pairs = nested if every and nested is not None else sequential
        edits: list[tuple[int, int, str]] = []
        for a, b in pairs:
            (start, mark, open_in_run), (pos, _, in_run) = found[a], found[b]
            # (a line end is one break: not taken twice, ``**\n**``, ``**_\n**_``)
            after_open = _unclaimed(_HARD_BREAK.match(block, start + len(mark)), edits)
            before_close = _unclaimed(_BREAK_BEFORE_CLOSE.search(block, 0, pos), edits)
            if after_open and before_close and before_close.start() < after_open.end():
                before_close = None
            lead, trail = _spaces_moved_out(block, start, pos, mark)
            unreadable = not _can_open(block, start, mark) or not _can_close(block, pos, mark)
            if (current is not None and mark == "_" and unreadable and not (
                    every or after_open or before_close or open_in_run or in_run or lead or trail)
                    and not webflow_has_pair(block, start, pos, current)):
                # typed text (``snake_case_word``): as CommonMark reads it, plain
                edits.extend([(start, start + 1, "\\_"), (pos, pos + 1, "\\_")])
                continue
            if (every or after_open or before_close or open_in_run or in_run or lead or trail
                    or not _can_open(block, start, mark) or not _can_close(block, pos, mark)):
                tag = "strong" if mark == "**" else "em"
                edits.append((start - len(lead), after_open.end() if after_open else start + len(mark),
                              f"<{tag}>" + lead + ("<br>" if after_open else "")))
                close_from = before_close.start() if before_close else pos
                edits.append((close_from, pos + len(mark) + len(trail),
                              ("<br>" if before_close else "") + trail + f"</{tag}>"))
        done = len(block) + 1
        for start, end, text in sorted(edits, reverse=True):
            if end <= done:  # (never one edit inside another's span: no tag cut in two)
                block = block[:start] + text + block[end:]
                done = start
        out.append(block)
    return "".join(out)


def _unclaimed(found: re.Match[str] | None, edits: list[tuple[int, int, str]]) -> re.Match[str] | None:
    if found is None or any(start < found.end() and found.start() < end for start, end, _ in edits):
        return None
    return found


_SPACES_AFTER = re.compile(r"(?:[^\S\n]|\ufeff)+")
# what Turndown escapes only where a text node begins, escaped and not
_ESCAPED_START = re.compile(r"\\-|\\\+ |\\=|\\#{1,6} |\\>|\d{1,9}\\\. |\\~~~")
_UNESCAPED_START = re.compile(r"-|\+ |=|#{1,6} |>|\d{1,9}\. |~~~")
_ESCAPED_HASHES_END = re.compile(r"(?<![\\])\\#{1,6}$")  # "\# " lost its space at the closer


def _is_edge_space(ch: str) -> bool:
    return ch != "\n" and (ch.isspace() or ch == "\ufeff")


def _spaces_moved_out(block: str, start: int, pos: int, mark: str) -> tuple[str, str]:
    """Turndown moves the spaces at an element's edges outside its delimiters, and escapes
    ``-``, ``# ``, ``1. ``... only where a text node begins. So an escape right after the spaces
    that follow a closer (``_a_ \\# b``), or an unescaped one right after an opener that
    spaces precede (`` _- a_``), says those spaces were inside the element: they go back in."""
    lead = trail = ""
    first = start
    while first > 0 and _is_edge_space(block[first - 1]):
        first -= 1
    if first == 0 or block[first - 1] == "\n":  # at a line's start, ASCII spaces are its indentation
        while first < start and block[first] in " \t":
            first += 1
    line = block.rfind("\n", 0, start) + 1
    markers = _LINE_MARKERS.match(block, line)
    if markers and first < markers.end() <= start:  # nor are the spaces of an item's or heading's marker
        first = markers.end()
    if first < start and _UNESCAPED_START.match(block, start + len(mark)):
        lead = block[first:start]
    after = _SPACES_AFTER.match(block, pos + len(mark))
    if after and after.end() < len(block) and block[after.end()] != "\n" and (
            _ESCAPED_START.match(block, after.end()) or _ESCAPED_HASHES_END.search(block, max(0, pos - 8), pos)):
        trail = after.group(0)
    return lead, trail


_ONLY_MARKER = re.compile(r"^[ >]*(?:[*+-]|\d{1,9}[.)])[ ]*\Z")
_LINE_MARKERS = re.compile(r"^(?:[ ]{0,3}>[ ]?)*(?:[ ]*(?:[*+-]|\d{1,9}[.)])[ ]+)?(?:#{1,6}[ ]+)?")


def _protect_edge_nbsp(source: str) -> str:
    """A no-break space at the edge of a line is content; markdown-it would strip it as space."""
    if "\xa0" not in source:
        return source

    def fix(line: str) -> str:
        if line.startswith("    "):
            return line
        head = _LINE_MARKERS.match(line).group(0)  # type: ignore[union-attr]
        body = line[len(head):]
        core = body.strip("\xa0")
        if not core.strip(" "):
            return head + body.replace("\xa0", "&#160;")
        lead = len(body) - len(body.lstrip("\xa0"))
        trail = len(body) - len(body.rstrip("\xa0"))
        return head + "&#160;" * lead + core + "&#160;" * trail

    return "\n".join(fix(line) for line in source.split("\n"))


LIST_BREAK = "<!-- wfsync:list-break -->"
_ITEM = re.compile(r"^(?:\*   |\d+\.  )")


def _separate_adjacent_lists(source: str) -> str:
    """Turndown separates two lists (or two code blocks) by an empty line, and items of one loose
    list (lines of one code block) by an indented blank line; CommonMark reads both as one list
    (one code block). Mark the first kind."""
    lines = source.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if line == "" and i > 0 and lines[i - 1] != "" and (lines[i - 1].startswith("    ") or _ITEM.match(lines[i - 1])):
            j = i
            while j < len(lines) and lines[j] == "":
                j += 1
            # (an indented line there is a code block: inside an item Turndown indents blank lines too,
            # and inside a code block: an empty line there ends one code block and starts another)
            if (j < len(lines) and (_ITEM.match(lines[j]) or lines[j].startswith("    "))
                    and (_list_started(lines, i - 1) or lines[j].startswith("    "))):
                # right after the first empty line, so the blank lines after it still count
                out.extend([LIST_BREAK, ""])
    return "\n".join(out)


def _list_started(lines: list[str], j: int) -> bool:
    while j >= 0 and (lines[j].startswith("    ") or lines[j].strip() == ""):
        j -= 1
    return j >= 0 and bool(_ITEM.match(lines[j]))


def _is_list_break(group: list[Token]) -> bool:
    return len(group) == 1 and group[0].type == "html_block" and group[0].content.strip() == LIST_BREAK


def _top_level_groups(tokens: list[Token]) -> list[list[Token]]:
    groups: list[list[Token]] = []
    depth = 0
    for tok in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(tok)
        depth += tok.nesting
    return groups


def _render_group(md: MarkdownIt, group: list[Token], lines: Sequence[str] = ()) -> str:
    _figures(group)
    _item_paragraphs(group, lines)
    _bare_breaks_before_lists(group, lines)
    _unwrap_single_paragraph_quote(group)
    html = md.renderer.render(group, md.options, {})
    if any(t.type in ("html_block", "code_block", "fence") for t in group):
        return html.rstrip("\n")
    # (also after a paragraph followed by an item's bare last paragraph)
    # (and after a block that an item's bare text follows: ``<li><hr>a</li>``)
    return _RENDERER_NEWLINE.sub("", html).rstrip("\n")


_RENDERER_NEWLINE = re.compile(r"(?<=>)\n(?=<)|(?<=</p>)\n|(?<=<hr>)\n|(?<=</h[1-6]>)\n|(?<=</[uo]l>)\n"
                               r"|(?<=</blockquote>)\n|(?<=</pre>)\n")


def _figures(group: list[Token]) -> None:
    """A paragraph holding only an image becomes Webflow's image figure."""
    for i, tok in enumerate(group):
        if tok.type != "inline" or not tok.children or i == 0 or group[i - 1].type != "paragraph_open":
            continue
        kids = [c for c in tok.children if not (c.type == "text" and c.content == "")]
        if len(kids) == 1 and kids[0].type == "image" and group[i - 1].level == 0:
            img = kids[0]
            src = _escape(str(img.attrGet("src") or ""))
            alt = _escape("".join(c.content for c in (img.children or [])))
            title = img.attrGet("title")
            title_attr = f' title="{_escape(str(title))}"' if title else ""
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


_ITEM_GAP = re.compile(r"[ >]*    ")


def _bare_breaks_before_lists(group: list[Token], lines: Sequence[str]) -> None:
    """Breaks alone on their line right before a list (no blank line between) were an item's
    own breaks, not a paragraph: Turndown writes a paragraph with blank lines around it."""
    for i, tok in enumerate(group[:-2]):
        if (tok.type == "paragraph_open" and tok.map and tok.level > 0 and tok.map[1] < len(lines)
                and lines[tok.map[1]].strip(" ") != "" and group[i + 1].content.endswith(BREAK_MARK)
                and group[i + 1].content.replace(BREAK_MARK, "").replace("<br>", "") == ""):
            tok.hidden = group[i + 2].hidden = True


def _item_paragraphs(group: list[Token], lines: Sequence[str]) -> None:
    """In a loose list CommonMark puts every item's text in a <p>; Turndown wrote an item's
    last paragraph as a <p> only when an indented blank line follows it (``*   a⏎    ⏎*   b``
    is ``<li><p>a</p></li><li>b</li>``). The last paragraph of an item without it is bare."""
    for i, tok in enumerate(group):
        if tok.type != "list_item_open":
            continue
        depth, j, last = 0, i, None
        while j < len(group):
            t = group[j]
            depth += t.nesting
            if t.type == "paragraph_open" and t.level == tok.level + 1:
                last = j
            elif t.level == tok.level + 1 and t.nesting == 1:
                last = None  # the item ends with something else than a paragraph
            if depth == 0:
                break
            j += 1
        if last is None or group[last].hidden or not group[last].map:
            continue
        after = group[last].map[1]  # type: ignore[index]
        if after < len(lines) and _ITEM_GAP.fullmatch(lines[after]):
            continue
        close = next(k for k in range(last + 1, len(group)) if group[k].type == "paragraph_close"
                     and group[k].level == group[last].level)
        group[last].hidden = group[close].hidden = True


def _unwrap_single_paragraph_quote(group: list[Token]) -> None:
    if len(group) == 5 and group[0].type == "blockquote_open" and group[1].type == "paragraph_open":
        group[1].hidden = True
        group[3].hidden = True
