"""Words that YAML 1.1 and YAML 1.2 read differently, in a file typed by hand.

The files are written as js-yaml writes them (YAML 1.2, core schema), which quotes every such
word; they are read with PyYAML, which follows YAML 1.1. For what an editor types, the two
disagree on a few plain words: ``yes``/``no``/``on``/``off`` (1.1: a switch; 1.2: text), a
number with a leading zero (``0123``: 1.1 octal 83, 1.2 decimal 123), base 60 (``12:30``: 1.1
the integer 750, 1.2 text), ``0b101`` and ``1_000`` (1.1 numbers, 1.2 text). Either reading
could be what was meant, and a wrong guess sends wrong data without a word: such a value is
a problem that says how to write it so that both read it alike.
"""

from __future__ import annotations

import re
from typing import Final

_BOOL: Final = "tag:yaml.org,2002:bool"
_INT: Final = "tag:yaml.org,2002:int"
_FLOAT: Final = "tag:yaml.org,2002:float"

# YAML 1.2 core schema: the plain words that are not text
_CORE_BOOL: Final = re.compile(r"true|True|TRUE|false|False|FALSE")
_CORE_INT: Final = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT: Final = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def _core_int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def ambiguity(tag: str, text: str) -> str | None:
    """How to write the plain word ``text`` (which YAML 1.1 resolved to ``tag``) when YAML 1.2
    reads it otherwise; None when both read it alike."""
    if tag == _BOOL and not _CORE_BOOL.fullmatch(text):
        return (f"{text} is a switch value in YAML 1.1 but text in YAML 1.2: write true or false for a "
                f"switch, or '{text}' in quotes for text")
    if tag == _INT:
        if _CORE_INT.fullmatch(text):
            plain = text.lstrip("+-")
            if not (len(plain) > 1 and plain[0] == "0" and plain[1:2].isdigit()):
                return None  # 1.1 and 1.2 agree (a sign, 0x…)
            decimal = _core_int(text)
            return (f"{text} is {int(text, 8) if re.fullmatch(r'[-+]?0[0-7]+', text) else 'no number'} in "
                    f"YAML 1.1 (octal) but {decimal} in YAML 1.2: write {decimal} for a number, or '{text}' in "
                    "quotes for text")
        digits = text.replace("_", "")
        number = f"write {int(digits)} for a number, or " if _CORE_INT.fullmatch(digits) else "write "
        return f"{text} is a number in YAML 1.1 but text in YAML 1.2: {number}'{text}' in quotes for text"
    if tag == _FLOAT and not _CORE_FLOAT.fullmatch(text):
        return f"{text} is a number in YAML 1.1 but text in YAML 1.2: write '{text}' in quotes for text"
    return None
