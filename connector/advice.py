"""Advice printed as prose: wrapped to a terminal's width, never inside a `backticked command`
(a command cut by a line break does not work once pasted), and not wrapped at all into a pipe or
a file, where a reader searches and pastes whole lines."""

from __future__ import annotations

import re
import textwrap

from rich.console import Console

#: a space that textwrap does not break at (it only breaks at ASCII whitespace)
_KEEP = "\u00a0"
_COMMAND = re.compile(r"`[^`]*`")


def wrapped(text: str, width: int) -> list[str]:
    """The lines of ``text`` at most ``width`` wide, except a backticked command longer than that,
    which stays on one line of its own. Hyphens are no break points: `--on-conflict` stays whole."""
    kept = _COMMAND.sub(lambda m: m.group(0).replace(" ", _KEEP), text)
    lines = textwrap.wrap(kept, width=max(width, 20), break_long_words=False, break_on_hyphens=False)
    return [line.replace(_KEEP, " ") for line in lines] or [""]


def print_advice(console: Console, text: str) -> None:
    """Print ``text`` wrapped at the terminal's width, or as one line when not writing to one."""
    lines = wrapped(text, console.width) if console.is_terminal else [text]
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
