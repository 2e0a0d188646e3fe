"""Reading a Markdown value an editor changed, against the value Webflow has now.

Turndown's Markdown and what editors type disagree in two places, and the text alone cannot
tell which was meant:

- Turndown escapes every literal ``_``, so in a pulled file ``snake_case_word`` is
  ``snake<em>case</em>word``; in CommonMark (what an editor types and previews) an ``_`` pair
  CommonMark cannot read as emphasis, inside a word above all, is plain text. Such a pair is
  emphasis only where the Markdown of Webflow's current value of the field has the same word,
  spelled the same way (Webflow's HTML has that emphasis there); elsewhere it is typed text.
- Turndown writes a ``<br>`` as two trailing spaces, which editors set to trim trailing
  whitespace on save remove. A line that Webflow's current value has, apart from its trailing
  spaces, gets the trailing spaces it has there back, so the breaks of lines nobody edited stay.

And an HTML comment typed in rich text is refused: a pull drops every comment (Turndown
does), so the next push of that field would remove it from Webflow without a word.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_WORD_BEFORE = re.compile(r"(?:\\.|\w)*\Z", re.S)
_WORD_AFTER = re.compile(r"(?:\\.|\w)*", re.S)
_EDGE_TAGS = re.compile(r"\A(?:<[^<>]*>)+|(?:<[^<>]*>)+\Z")
_ENDS_IN_SPACE = re.compile(r" \n| \Z")
COMMENT = re.compile(r"<!--(?![ ]?wfsync[-:]).*?-->", re.S)  # not the reading's own marks


def webflow_has_pair(block: str, start: int, end: int, current: str) -> bool:
    """Whether the ``_`` pair at ``block[start]`` and ``block[end]`` (one CommonMark reads as
    plain text) is, with the word it sits in, in ``current``: the Markdown of Webflow's value."""
    left = _WORD_BEFORE.search(block, 0, start)
    right = _WORD_AFTER.match(block, end + 1)
    first = left.start() if left else start
    last = right.end() if right else end + 1
    core = _EDGE_TAGS.sub("", block[first:last])  # breaks made explicit by the reading
    if "_" not in core:
        return False
    return re.search(r"(?<![\w\\])" + re.escape(core) + r"(?!\w)", current) is not None


def restore_line_ends(markdown: str, current: str) -> str:
    """The trailing spaces (hard line breaks, indented blank lines) of ``current`` put back on
    the lines of ``markdown`` that lost them and are otherwise Webflow's lines, in the same
    order. A blank line becomes a line of spaces only between two such lines."""
    if not current or not _ENDS_IN_SPACE.search(current):
        return markdown
    mine = markdown.split("\n")
    theirs = current.split("\n")
    bare_mine = [line.rstrip(" \t") for line in mine]
    bare_theirs = [line.rstrip(" \t") for line in theirs]
    matcher = SequenceMatcher(None, bare_mine, bare_theirs, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag != "equal":
            continue
        for k in range(i2 - i1):
            i, j = i1 + k, j1 + k
            if mine[i] != bare_mine[i] or theirs[j] == bare_theirs[j]:
                continue  # the editor kept (or typed) its own trailing spaces, or Webflow has none
            if bare_mine[i] == "" and not i1 < i < i2 - 1:
                continue  # a blank line at the edge of what matched: the editor's own paragraph break
            mine[i] = theirs[j]
    return "\n".join(mine)


def comments_dropped(html: str) -> list[str]:
    """The HTML comments of a value about to be sent (a pull drops every one of them)."""
    return COMMENT.findall(html) if "<!--" in html else []


def comment_problem(comment: str) -> str:
    shown = comment if len(comment) <= 40 else comment[:37] + "..."
    return (f"an HTML comment ({shown}) cannot be kept in rich text: a pull drops it, so the next push "
            "of this field would remove it from Webflow; delete it (or keep the note outside the field)")
