"""Pairing Turndown's emphasis delimiters the way Turndown wrote them.

Turndown writes ``**`` and ``_`` around whatever ``<strong>``/``<em>`` held, nested ones included
(``<strong>a<strong>b</strong></strong>`` is ``**a**b****``), and escapes every literal ``*`` and
``_``. So every unescaped delimiter is an opener or a closer, the pairs nest, an emphasis is never
empty nor only spaces and breaks (Turndown writes nothing for those), and an opener is never followed by a space (nor a closer
preceded by one) except a hard line break: Turndown moves an element's edge spaces outside it.
CommonMark pairs ``****`` runs and neighbouring ``_`` otherwise; this finds the one nesting those
rules allow, trying the reading that closes first.
"""

from __future__ import annotations

import re
from typing import Sequence

_BREAK_TAGS = re.compile(r"<br>|<!--wfsync-br-->")  # breaks already made explicit (headings)
_BREAK_BEFORE = re.compile(r" {2,}\n(?:[ ]*>)*[ ]*$")
# bounds on backtracking over hostile input; past them, CommonMark's own reading stays
_STEPS = 20_000
_MOST = 400


def _space(ch: str) -> bool:
    return ch.isspace() or ch == "\ufeff"


def _opens(text: str, end: int) -> bool:
    after = text[end:end + 1]
    return after != "" and (not _space(after) or text.startswith("  \n", end) or text.startswith("   \n", end))


def _closes(text: str, start: int) -> bool:
    before = text[start - 1:start]
    return before != "" and (not _space(before) or bool(_BREAK_BEFORE.search(text, 0, start)))


def _holds_something(text: str, start: int, end: int) -> bool:
    """Turndown writes nothing for an emphasis of only spaces and line breaks (a quote's
    markers on a continued line are not content: Turndown escapes a ``>`` of the text)."""
    return any(not _space(ch) and ch != ">" for ch in _BREAK_TAGS.sub("", text[start:end]))


def turndown_pairs(text: str, delimiters: Sequence[tuple[int, str]]) -> list[tuple[int, int]] | None:
    """Indices (opener, closer) into ``delimiters`` ((position, mark) in order), or None when no
    nesting fits (Markdown Turndown did not write)."""
    n = len(delimiters)
    opens = [_opens(text, p + len(m)) for p, m in delimiters]
    closes = [_closes(text, p) for p, m in delimiters]
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    steps = 0

    def walk(k: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > _STEPS or len(stack) > n - k:
            return False
        if k == n:
            return not stack
        pos, mark = delimiters[k]
        if stack and closes[k]:
            top = stack[-1]
            top_pos, top_mark = delimiters[top]
            if top_mark == mark and _holds_something(text, top_pos + len(top_mark), pos):
                stack.pop()
                pairs.append((top, k))
                if walk(k + 1):
                    return True
                pairs.pop()
                stack.append(top)
        if opens[k]:
            stack.append(k)
            if walk(k + 1):
                return True
            stack.pop()
        return False

    if n > _MOST:
        return None
    return pairs if walk(0) else None
