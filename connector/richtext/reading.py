"""Reading Turndown's Markdown back the way Turndown meant it, where CommonMark reads it otherwise.

The converter to Markdown writes Turndown 7.1's output byte for byte, and Turndown wrote for
people, not for a CommonMark parser: a ``<br>`` is two spaces and a newline wherever it falls
(at the start of a block, at its end, on a line of its own), an h1/h2 is always setext even when
its text ends with a line break, URLs go into links as they are (spaces included), and HTML
kept inside the Markdown is not escaped. These functions rewrite such spans of the Markdown
source into what CommonMark reads the same way, before markdown-it parses it; raw HTML blocks
are taken out first and put back byte for byte.
"""

from __future__ import annotations

import re
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock

RAW_PLACEHOLDER = "<!--wfsync-raw-{}-->"
_RAW_PLACEHOLDER_RE = re.compile(r"<!--wfsync-raw-(\d+)-->")
# HTML blocks CommonMark does not know as blocks but Webflow's rich text holds as one:
# media, component instances (<wf-component>) and other custom elements
_EXTRA_RAW_BLOCK = re.compile(r"<(?:video|audio|object|embed|picture|svg|[a-z][a-z0-9]*-[a-z0-9-]*)(?=[\s/>]|$)",
                              re.IGNORECASE)


def raw_block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line opening with one of ``_EXTRA_RAW_BLOCK``'s tags starts an HTML block that runs
    to the next blank line (as CommonMark's own block tags do)."""
    if state.is_code_block(start):
        return False
    pos = state.bMarks[start] + state.tShift[start]
    if not _EXTRA_RAW_BLOCK.match(state.src, pos, state.eMarks[start]):
        return False
    if silent:
        return True
    line = start + 1
    while line < end and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        line += 1
    state.line = line
    token = state.push("html_block", "", 0)
    token.map = [start, line]
    token.content = state.getLines(start, line, state.blkIndent, True)
    return True


def protect_raw_blocks(md: MarkdownIt, source: str) -> tuple[str, list[str]]:
    """Replace every HTML block by a placeholder comment, so that nothing done to the Markdown
    before parsing touches it (``var a_b = c_d`` in an embed is not emphasis); the blocks are
    put back by ``restore_raw_blocks``, byte for byte."""
    if "<" not in source:
        return source, []
    lines = source.split("\n")
    raws: list[str] = []
    for token in reversed([t for t in md.parse(source) if t.type == "html_block" and t.map]):
        first, last = token.map  # type: ignore[misc]
        content = token.content.rstrip("\n")
        head = content.split("\n", 1)[0]
        at = lines[first].find(head) if head else -1
        if at < 0 or last <= first:
            continue  # tabs or an odd container: leave this block as it is
        lines[first:last] = [lines[first][:at] + RAW_PLACEHOLDER.format(len(raws))]
        raws.append(content)
    return "\n".join(lines), raws


def restore_raw_blocks(html: str, raws: Sequence[str]) -> str:
    html = html.replace(BREAK_MARK, "")
    if not raws:
        return html
    return _RAW_PLACEHOLDER_RE.sub(lambda m: raws[int(m.group(1))] if int(m.group(1)) < len(raws) else m.group(0),
                                   html)


# -- link and image destinations with spaces ---------------------------------------------
def angle_destinations(source: str) -> str:
    """Turndown writes ``[t](a b.html)`` and ``![x](images/a b.png)`` with the URL as it is;
    CommonMark takes a destination with a space only in angle brackets (``](<a b.html>)``)."""
    if "](" not in source:
        return source
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        if ch == "`":
            run = len(source[i:]) - len(source[i:].lstrip("`"))
            close = source.find("`" * run, i + run)
            stop = close + run if close != -1 else i + run
            out.append(source[i:stop])
            i = stop
            continue
        if source.startswith("](", i):
            end = _destination_end(source, i + 2)
            if end is not None:
                dest, title = _split_title(source[i + 2:end])
                fixed = title
                if title.count('"') > 2:  # Turndown does not escape quotes inside a title
                    fixed = ' "' + title[2:-1].replace("\\", "\\\\").replace('"', '\\"') + '"'
                spaced = " " in dest and not any(c in dest for c in "\n<>")
                if spaced or fixed != title:
                    out.append("](" + (f"<{dest}>" if spaced else dest) + fixed + ")")
                    i = end + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def _destination_end(source: str, start: int) -> int | None:
    """Index of the ``)`` closing a link opened at ``start`` (balanced parentheses, one line)."""
    depth, j = 0, start
    while j < len(source) and source[j] != "\n":
        if source[j] == "(":
            depth += 1
        elif source[j] == ")":
            if depth == 0:
                return j
            depth -= 1
        j += 1
    return None


def _split_title(inner: str) -> tuple[str, str]:
    m = re.match(r'^(.*?)( "[^\n]*")$', inner)
    return (m.group(1), m.group(2)) if m else (inner, "")


# -- line breaks ---------------------------------------------------------------------------
# Turndown writes <br> as "  \n" wherever it is. CommonMark drops a hard break at the end of a
# block, cannot start a block with one, and reads a line of only spaces as a blank line. Such
# breaks become explicit <br> tags on the line they belong to.
_LINE = re.compile(r"^( *)((?:> )*)(.*)$")
_MARKER_ONLY = re.compile(r"^((?:\* {3}|\d+\. {2})*(?:\* {3}|\d+\. {2}|#{1,6} ))( {2,})$")  # (nested items on one line too)
_ITEM_START = re.compile(r"^ *(?:\* {3}|\d+\. {2})")
_UNDERLINE = re.compile(r"^(?:=+|-+)$")
_ATX = re.compile(r"#{1,6} ")
_ITEM_MARKERS = re.compile(r"(?:\* {3}|\d+\. {2})*")  # (a heading can open a list item: ``*   ##### a``)


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _parts(line: str) -> tuple[str, str]:
    """(container prefix: indentation and quote markers, rest)."""
    m = _LINE.match(line)
    assert m is not None
    indent, quotes, rest = m.groups()
    if not quotes and not rest.strip(" "):
        return "", indent + rest
    return indent + quotes, rest


def _is_break_only(line: str) -> bool:
    """A line that is one <br>: the container's indentation (4 spaces a level) plus two spaces."""
    _, rest = _parts(line)
    return rest != "" and rest.strip(" ") == "" and len(rest) % 4 == 2


def _is_blank(line: str) -> bool:
    return line.strip(" >") == ""


_CONTAINER = re.compile(r"^[ >]*")
_MARKER_HEAD = re.compile(r"^[ >]*(?:\* {3}|\d{1,9}\. {1,2})")


def _inside(line: str, prefix: str) -> tuple[str, str] | None:
    """(head, text) of a line inside the container whose lines begin with ``prefix`` (its
    indentation and quote markers): the head is the prefix, or the list marker of the item's
    first line, as wide. None for a line outside it."""
    if line.startswith(prefix):
        return prefix, line[len(prefix):]
    if line.rstrip(" ") == prefix.rstrip(" "):
        return line, ""
    marker = _MARKER_HEAD.match(line)
    if marker and len(marker.group(0)) == len(prefix) and marker.group(0).replace("*", " ").strip(" >0123456789.") == "":
        return marker.group(0), line[len(prefix):]
    return None


def read_setext(source: str) -> str:
    """An h1/h2 whose text ends with a <br> (``a  \\n\\n----``: Turndown puts the break's newline
    before the underline, and an underline as long as the text with its break) and an h1/h2
    holding only a zero-width joiner (whose line the Markdown writes empty) are headings:
    Turndown writes a real <hr> as ``* * *``, never as a line of ``-``. Inside a list item or a
    quote the same lines carry the container's indentation and markers."""
    if "-" not in source and "=" not in source:
        return source
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        prefix = _CONTAINER.match(line).group(0)  # type: ignore[union-attr]
        before = _inside(lines[i - 1], prefix) if i >= 1 else None
        if _UNDERLINE.match(line[len(prefix):]) and before is not None and before[1] == "":
            above = _inside(lines[i - 2], prefix) if i >= 2 else None
            if above is None or above[1] == "":
                if len(line) - len(prefix) == 1 and (i == 1 or above is not None):
                    lines[i - 1] = prefix + "\u200d"  # <h2>&zwj;</h2>
            else:
                start = i - 2
                heads = [above[0]]
                texts = [above[1]]
                while start > 0 and heads[0] == prefix:
                    up = _inside(lines[start - 1], prefix)
                    if up is None or up[1] == "":
                        break
                    start -= 1
                    heads.insert(0, up[0])
                    texts.insert(0, up[1])
                text = "\n".join(texts) + "\n"
                underline = len(line) - len(prefix)
                if texts[-1].endswith("  ") and underline in (_utf16_len(text), _utf16_len(text) + 1):
                    zwj = "\u200d" if underline == _utf16_len(text) + 1 else ""
                    count = 1
                    while len(texts) > 1 and _is_break_only(texts[-1]):
                        texts.pop()
                        heads.pop()
                        count += 1
                    texts[-1] = texts[-1].rstrip(" ") + "<br>" * count + zwj
                    if len(texts) == 1 and re.fullmatch(r"(?:<br>)+\u200d?", texts[0]):
                        # a line of only <br> would open an HTML block: the ATX form says the same
                        lines[start:i + 1] = [heads[0] + "#" * (1 if line[-1] == "=" else 2) + " " + texts[0]]
                        i = start + 1
                        continue
                    body = [h + t for h, t in zip(heads, texts)]
                    lines[start:i] = body
                    i = start + len(body)
                    continue
        i += 1
    return "\n".join(lines)


BREAK_MARK = "<!--wfsync-br-->"


def _lone_joiner_line(lines: list[str], at: int) -> None:
    """After a line ending in a break, the line Webflow's lone zero-width joiner stood on is
    written empty: one blank line more than the join of two blocks (an odd count at the end)."""
    nxt = at + 1
    blanks = 0
    while nxt + blanks < len(lines) and lines[nxt + blanks] == "":
        blanks += 1
    at_end = nxt + blanks == len(lines)
    if blanks and (blanks % 2 == 1 if at_end else blanks % 2 == 0):
        lines[at] += "\u200d"
        del lines[nxt]


def _drop_item_gap(lines: list[str], at: int) -> None:
    """The indented empty line Turndown leaves after an item ending in a break is no gap
    between items (CommonMark would make the list loose)."""
    if (at + 1 < len(lines) and lines[at] and lines[at].strip(" ") == "" and len(lines[at]) % 4 == 0
            and _ITEM_START.match(lines[at + 1])):
        del lines[at]


_CODE_SPACE = "\ue000"  # a code line's trailing space while the breaks are read


def read_breaks_outside_code(md: MarkdownIt, source: str) -> str:
    """``read_breaks``, except on the lines of code blocks: their trailing spaces are the code's
    (Turndown writes a code block's text as it is), not line breaks."""
    if ("  \n" not in source and not source.endswith("  ")) or _CODE_SPACE in source:
        return read_breaks(source)
    lines = source.split("\n")
    protected = False
    # (read with the rules in items as they will be read: ``*   * * *`` holds no code block)
    for tok in md.parse(read_item_rules(source)):
        if tok.type not in ("code_block", "fence") or not tok.map:
            continue
        if tok.type == "code_block" and _after_item_break(lines, tok.map[0]):
            continue
        for n in range(tok.map[0] + (tok.type == "fence"), min(tok.map[1], len(lines))):
            bare = lines[n].rstrip(" ")
            if bare != lines[n]:
                lines[n] = bare + _CODE_SPACE * (len(lines[n]) - len(bare))
                protected = True
    if not protected:
        return read_breaks(source)
    return read_breaks("\n".join(lines)).replace(_CODE_SPACE, " ")


_BARE_MARKER = re.compile(r"^[ >]*(?:[*+-]|\d{1,9}[.)])[ ]*$")


def _after_item_break(lines: list[str], first: int) -> bool:
    """Whether an indented block at line ``first`` is not one Turndown wrote (it writes a blank
    line before a code block): it follows a line of text (``*   **`` is a rule to CommonMark
    alone), a line break alone on its line, or a list item that opens with one (an item cannot
    begin with a blank line): the item's own lines, which CommonMark alone reads as code."""
    if first > 0 and (_is_break_only(lines[first - 1]) or not _is_blank(lines[first - 1])):
        return True
    n = first - 1
    while n >= 0 and _is_blank(lines[n]):
        n -= 1
    return n >= 0 and _BARE_MARKER.match(lines[n]) is not None


def _opens_quote(line: str, prefix: str) -> bool:
    """Whether ``line`` opens a quote inside the container ``prefix`` is in."""
    inner = _inside(line, prefix)
    return inner is not None and inner[1].lstrip(" ").startswith(">") and len(inner[1]) - len(inner[1].lstrip(" ")) < 4


def _before_break(text: str) -> str:
    """Text a ``<br>`` is about to follow, without its trailing spaces: a backslash ending it is
    a backslash (CommonMark reads none at the end of a block), which must not escape the tag."""
    bare = text.rstrip(" ")
    return bare + "\\" if (len(bare) - len(bare.rstrip("\\"))) % 2 else bare


def read_breaks(source: str) -> str:
    if "  \n" not in source and not source.endswith("  "):
        return source
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        prefix, rest = _parts(line)
        if not prefix and len(rest) > 2 and _is_break_only(line):
            prefix = rest[:-2]  # a break alone between blocks of a list item: the item's indentation
        marker = _MARKER_ONLY.match(rest)
        starts_block = (_is_break_only(line) and (i == 0 or _is_blank(lines[i - 1]))
                        and not (i > 0 and lines[i - 1].strip(" ") != "" and lines[i - 1].endswith("  ")))
        hard_break = rest.strip(" ") != "" and rest.endswith("  ") and not marker
        if not (starts_block or hard_break or marker):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and _is_break_only(lines[j]):
            j += 1
        k = j - i - 1  # break-only lines after this one
        following = lines[j] if j < len(lines) else None
        # (a quote opening on the next line is a block of its own: CommonMark reads a line of
        # spaces as a blank line, and Turndown escapes a ">" that is text)
        quote_next = following is not None and _opens_quote(following, prefix)
        continues = (following is not None and not _is_blank(following) and not _UNDERLINE.match(following)
                     and not quote_next)
        if continues:
            assert following is not None
            if _ITEM_START.match(following) and following.startswith(" "):
                # breaks before an item's nested list: explicit, and the list stays on its own line
                head = prefix + (marker.group(1) if marker else "" if starts_block else _before_break(rest))
                lines[i:j] = [head + "<br>" * (k + 1) + BREAK_MARK]
                i += 1
                continue
            heading = _ATX.match(rest, len(_ITEM_MARKERS.match(rest).group(0)))  # type: ignore[union-attr]
            if hard_break and k == 0 and not heading:
                i += 1
                continue  # an ordinary hard break inside a paragraph: CommonMark reads it
            head = (prefix + marker.group(1)) if marker else (prefix if starts_block else prefix + _before_break(rest))
            _, next_rest = _parts(following)
            lines[i:j + 1] = [head + "<br>" * (k + 1) + next_rest.lstrip(" ")]
            continue
        if starts_block or marker:
            if starts_block and (following is None or _is_blank(following) or quote_next):
                # a paragraph of only line breaks (the mark keeps <br> inline)
                if prefix:
                    lines[i:j] = [prefix + "<br>" * (k + 1) + BREAK_MARK]
                else:
                    lines[i:j] = ["<br>" * (k + 1)]
                    _lone_joiner_line(lines, i)
                    lines[i] = "<p>" + lines[i] + "</p>"
                if quote_next:
                    lines.insert(i + 1, prefix.rstrip(" "))  # (an HTML line runs on up to a blank line)
                i += 1
                continue
            if marker:  # a heading or list item of only line breaks (the mark keeps <br> inline)
                lines[i:j] = [prefix + marker.group(1) + "<br>" * (k + 1)]
                if not prefix and marker.group(1).startswith("#"):
                    _lone_joiner_line(lines, i)
                lines[i] += BREAK_MARK
                _drop_item_gap(lines, i + 1)
                i += 1
                continue
            i = j
            continue
        # breaks at the end of a block: explicit tags (CommonMark drops a trailing hard break)
        lines[i:j] = [prefix + _before_break(rest) + "<br>" * (k + 1)]
        nxt = i + 1
        if _ITEM_START.match(line) or line.startswith("    "):
            _drop_item_gap(lines, nxt)
        elif prefix == "":
            _lone_joiner_line(lines, i)
        i = nxt
    return "\n".join(lines)


# -- a number and a dot alone -------------------------------------------------------------
_LONE_NUMBER = re.compile(r"^([ >]*?)(\d{1,9})\.$")


_ITEM_LONE_NUMBER = re.compile(r"^((?:[ >]*(?:\* {3}|\d{1,9}\. {2}))+)(\d{1,9})\.$")
# an item's text "1." then a line break: a nested item holding a break would be "1.    "
_NUMBER_BREAK = re.compile(r"^((?: {4}|> ?)+)(\d{1,9})\.(  )$")
_ITEM_NUMBER_BREAK = re.compile(r"^((?:[ >]*(?:\* {3}|\d{1,9}\. {2}))+)(\d{1,9})\.(  )$")


def read_lone_numbers(source: str) -> str:
    """Turndown escapes ``1. `` only with its space, so a paragraph ``1.`` (or a list item's
    text ``1.`` before a block, which takes its space) is written as it is; a list item is
    never written so except at the very end (an item holding only a line break, whose spaces
    the end of the value trims). CommonMark reads ``1.`` as an empty item."""
    if "." not in source:
        return source
    lines = source.split("\n")
    for i, line in enumerate(lines[:-1]):
        m = _LONE_NUMBER.match(line)
        if m and (i == 0 or _is_blank(lines[i - 1])):
            lines[i] = f"{m.group(1)}{m.group(2)}\\."
        elif item := _ITEM_LONE_NUMBER.match(line):
            lines[i] = f"{item.group(1)}{item.group(2)}\\."
    for i, line in enumerate(lines):
        if broken := _ITEM_NUMBER_BREAK.match(line):
            lines[i] = f"{broken.group(1)}{broken.group(2)}\\.{broken.group(3)}"
        elif (after := _NUMBER_BREAK.match(line)) and (i == 0 or _is_blank(lines[i - 1])) \
                and i + 1 < len(lines) and lines[i + 1].startswith(after.group(1)) \
                and lines[i + 1][len(after.group(1)):][:1] not in ("", " "):
            # an item's paragraph "1." then a line break, its text going on below at the same indent
            lines[i] = f"{after.group(1)}{after.group(2)}\\.{after.group(3)}"
    return "\n".join(lines)


_RULE_IN_ITEM = re.compile(r"(?m)^((?:[ >]*(?:\* {3}|\d{1,9}\. {2}))+)\* \* \*$")


def read_item_rules(source: str) -> str:
    """Turndown writes an <hr> as ``* * *`` and a bulleted item as ``*   ``: an item that begins
    with a rule is ``*   * * *``, which CommonMark reads as one rule (and what follows in the
    item as a code block). The rule is written ``- - -`` after the item's marker."""
    if "* * *" not in source:
        return source
    return _RULE_IN_ITEM.sub(lambda m: m.group(1) + "- - -", source)


_FINAL_MARKER = re.compile(r"([ >]*)(\*|\d{1,9}\.)$")


def read_final_marker(source: str) -> str:
    """Turndown writes nothing for an empty list item, so a bare marker ending the value is an
    item of only line breaks whose spaces the end of the value trimmed: the break goes back."""
    last = source.rfind("\n") + 1
    m = _FINAL_MARKER.match(source, last)
    if not m:
        return source
    return source[:last] + m.group(1) + m.group(2) + (" " * 3 if m.group(2) == "*" else " " * 2) + "  "


_BREAKS_THEN_SPACE = re.compile(r"(?m)^((?:[ >]|\* {3}|\d{1,9}\. {2})*(?:<br>)+)([^\S\n]*)$")


def keep_breaks_inline(source: str) -> str:
    """A line that is <br> then only spaces opens an HTML block in CommonMark (the rest of the
    paragraph would go as literal text); where those spaces hold a no-break or other Unicode
    space (content), it is written as an entity so that the line stays a paragraph line."""
    if "<br>" not in source:
        return source

    def fix(m: re.Match[str]) -> str:
        spaces = m.group(2)
        if spaces.strip(" \t") == "":
            return m.group(0)
        lead = len(spaces) - len(spaces.lstrip(" \t"))
        return m.group(1) + spaces[:lead] + "".join(
            ch if ch in " \t" else f"&#{ord(ch)};" for ch in spaces[lead:])

    return _BREAKS_THEN_SPACE.sub(fix, source)
