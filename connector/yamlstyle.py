"""A YAML emitter that writes exactly what js-yaml 4.1 ``dump()`` writes with default options.

Existing files were written by js-yaml, so byte-for-byte equal output is what keeps git
quiet. PyYAML and ruamel.yaml cannot be configured to match it (quoting choices, ``>-``
folding at 80 columns, double-quoted escapes), so the algorithm is reproduced here.
JavaScript measures strings in UTF-16 code units, and so do the width rules: the
emitter works on a UTF-16 view of each string (astral characters as surrogate pairs).
Reading stays with PyYAML ``safe_load``.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
import re
from typing import Any, Final

import yaml  # type: ignore[import-untyped,unused-ignore]

INDENT: Final = 2
LINE_WIDTH: Final = 80

_ESCAPES: Final = {
    0x00: "\\0", 0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
    0x1B: "\\e", 0x22: '\\"', 0x5C: "\\\\", 0x85: "\\N", 0xA0: "\\_", 0x2028: "\\L", 0x2029: "\\P",
}
_DEPRECATED_BOOLEANS: Final = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"}
_BASE60: Final = re.compile(r"^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?\Z")
_FLOAT: Final = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
_DATE: Final = re.compile(r"^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])\Z")
_TIMESTAMP: Final = re.compile(
    r"^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])"
    r"(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?\Z"
)
_PLAIN, _SINGLE, _LITERAL, _FOLDED, _DOUBLE = range(1, 6)
_SPACE, _TAB, _LF, _CR, _BOM = 0x20, 0x09, 0x0A, 0x0D, 0xFEFF
_FLOW_INDICATORS: Final = {ord(c) for c in ",[]{}"}
_NOT_FIRST: Final = {ord(c) for c in "-?:,[]{}#&*!|=>'\"%@`"}


def _loader() -> type:
    """PyYAML's safe loader, reading plain scalars as js-yaml wrote them.

    PyYAML follows YAML 1.1, js-yaml the 1.2 core schema. They agree on every plain scalar
    js-yaml writes but one kind: a number-like word ending in ``_`` (``1_``), which js-yaml
    leaves plain as text and PyYAML would read as an integer."""
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: Any = type("Loader", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp if tag not in _NUMERIC_TAGS else re.compile(r"^(?!.*_$)(?:" + regexp.pattern[1:-1] + r")$", re.X))
                for tag, regexp in resolvers]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader


_NUMERIC_TAGS: Final = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
LOADER: "type | None" = None


def loader_class() -> type:
    """The safe loader class ``load`` uses (for readers that add checks of their own)."""
    global LOADER
    if LOADER is None:
        LOADER = _loader()
    return LOADER


def load(text: str) -> Any:
    """Read YAML that js-yaml (or this module) wrote, with the values js-yaml meant."""
    return yaml.load(text, Loader=loader_class())  # noqa: S506 - a safe loader


def dump(data: Any) -> str:
    """The YAML text js-yaml would write for ``data`` (mappings, lists, scalars)."""
    return _node(data, 0, block=True, compact=True) + "\n"


def inline(value: Any) -> str:
    """A value read from front matter, written back on one line as YAML writes it (``true``,
    ``2024-01-05``, ``!!binary aGk=``, ``[a, b]``): how messages show a value, never Python's repr."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return "!!binary " + base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return "!!set {" + ", ".join(sorted(inline(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{inline(k)}: {inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, str):  # quoted when YAML would read it as something else ('2024', ' x')
        return _node(value, 0, False, False) if "\n" not in value else json.dumps(value, ensure_ascii=False)
    try:
        return _node(value, 0, False, False)
    except TypeError:
        return str(value)


# -- UTF-16 view ----------------------------------------------------------------
_ASTRAL: Final = re.compile(r"[\U00010000-\U0010ffff]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")  # a regex escape: no surrogate in the source


def _pair(m: re.Match[str]) -> str:
    cp = ord(m.group(0)) - 0x10000
    return chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF))


def _to16(text: str) -> str:
    # no astral character (as many UTF-16 code units as characters): the string is its own view,
    # found by the encoder rather than by a pattern's character-by-character scan
    if text.isascii() or _utf16_len(text) == len(text):
        return text
    return _ASTRAL.sub(_pair, text)


def _from16(text: str) -> str:
    if text.isascii() or not _has_surrogate(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _has_surrogate(text: str) -> bool:
    """``_SURROGATE.search(text)``: the strict UTF-16 encoder refuses exactly the surrogate code
    points, and finds them faster than the pattern's character-by-character scan."""
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        return True
    return False


def _code_point(s: str, i: int) -> int:
    first = ord(s[i])
    if 0xD800 <= first <= 0xDBFF and i + 1 < len(s):
        second = ord(s[i + 1])
        if 0xDC00 <= second <= 0xDFFF:
            return (first - 0xD800) * 0x400 + second - 0xDC00 + 0x10000
    return first


# -- character classes (YAML 1.2 productions, as js-yaml reads them) --------------
def _printable(c: int) -> bool:
    return (
        0x20 <= c <= 0x7E
        or (0xA1 <= c <= 0xD7FF and c not in (0x2028, 0x2029))
        or (0xE000 <= c <= 0xFFFD and c != _BOM)
        or 0x10000 <= c <= 0x10FFFF
    )


def _ns_char_or_ws(c: int) -> bool:
    return _printable(c) and c != _BOM and c != _CR and c != _LF


def _plain_safe(c: int, prev: int | None, inblock: bool) -> bool:
    c_ns_or_ws = _ns_char_or_ws(c)
    c_ns = c_ns_or_ws and c not in (_SPACE, _TAB)
    safe = c_ns_or_ws if inblock else (c_ns_or_ws and c not in _FLOW_INDICATORS)
    return (
        (safe and c != 0x23 and not (prev == 0x3A and not c_ns))
        or (prev is not None and _ns_char_or_ws(prev) and prev not in (_SPACE, _TAB) and c == 0x23)
        or (prev == 0x3A and c_ns)
    )


def _plain_safe_first(c: int) -> bool:
    return _printable(c) and c != _BOM and c not in (_SPACE, _TAB) and c not in _NOT_FIRST


def _plain_safe_last(c: int) -> bool:
    return c not in (_SPACE, _TAB) and c != 0x3A


# -- implicit types: a string that would read back as something else ----------------
def _is_int(s: str) -> bool:
    n = len(s)
    if not n:
        return False
    i = 0
    ch = s[0]
    if ch in "-+":
        i += 1
        ch = s[i] if i < n else ""
    if ch == "0":
        if i + 1 == n:
            return True
        i += 1
        ch = s[i]
        for prefix, digits in (("b", "01"), ("x", "0123456789abcdefABCDEF"), ("o", "01234567")):
            if ch == prefix:
                i += 1
                has = False
                while i < n:
                    ch = s[i]
                    if ch != "_":
                        if ch not in digits:
                            return False
                        has = True
                    i += 1
                return has and ch != "_"
    if ch == "_":
        return False
    has = False
    while i < n:
        ch = s[i]
        if ch != "_":
            if not ("0" <= ch <= "9"):
                return False
            has = True
        i += 1
    return has and ch != "_"


def _is_float(s: str) -> bool:
    return bool(_FLOAT.match(s)) and not s.endswith("_")


# the first characters of the words below: null, booleans, numbers, dates, "<<"
_AMBIGUOUS_FIRST: Final = frozenset("~nNtTfF-+.0123456789<")


def _ambiguous(s: str) -> bool:
    if s and s[0] not in _AMBIGUOUS_FIRST:
        return False  # none of the rules of _implicitly_typed can match
    return _implicitly_typed(s)


def _implicitly_typed(s: str) -> bool:
    """Whether the core schema reads ``s`` as something other than a string."""
    return (
        s in ("~", "null", "Null", "NULL", "")
        or s in ("true", "True", "TRUE", "false", "False", "FALSE")
        or _is_int(s)
        or _is_float(s)
        or bool(_DATE.match(s) or _TIMESTAMP.match(s))
        or s == "<<"
    )


# -- scalars ------------------------------------------------------------------------
# js-yaml's non-printable characters (see _printable), listed: a class of BMP ranges is a bitmap to the regex engine
_NOT_PRINTABLE: Final = re.compile(r"[\x00-\x1f\x7f-\xa0\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_NOT_PRINTABLE_BUT_LF: Final = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\xa0\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _utf16_len(text: str) -> int:
    """The length JavaScript gives a string: astral characters count twice."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _finds_non_printable(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern.search(text)`` for a class of js-yaml's non-printable characters (_NOT_PRINTABLE or
    a part of it). Python's non-printable characters include all of js-yaml's (and a few it prints,
    such as U+200D), so a text Python finds printable needs no character-by-character scan."""
    return not text.isprintable() and pattern.search(text) is not None


def _long_text_style(text: str, line_width: int) -> int | None:
    """The style of a value with a line break or a line too long to keep, decided without the
    character-by-character plain-scalar scan (which cannot matter for such values), or None."""
    lines = text.split("\n")
    foldable = False
    for line in lines:
        if len(line) > line_width and line[0] != " " and _utf16_len(line) > line_width:
            foldable = True
            break
    if len(lines) == 1 and not foldable:
        return None
    if _finds_non_printable(_NOT_PRINTABLE_BUT_LF, text.replace("\n", " ")):
        return _DOUBLE
    return _FOLDED if foldable else _LITERAL


# js-yaml's plain-scalar rules for one printable line in block context, as one expression: no
# indicator first, no ": " or " #", no space or colon last (its character loop decides the rest)
_SIMPLE_PLAIN: Final = re.compile(r"[^-?:,\[\]{}#&*!|=>'\"%@`\s](?:(?!: | #)[^\n\r])*(?<![\s:])\Z|[^-?:,\[\]{}#&*!|=>'\"%@`\s]\Z")


def _choose_style(s: str, single_line: bool, line_width: int, inblock: bool) -> int:
    plain = _plain_safe_first(_code_point(s, 0)) and _plain_safe_last(_code_point(s, len(s) - 1))
    has_break = False
    foldable = False
    prev_break = -1
    prev: int | None = None
    i = 0
    n = len(s)
    while i < n:
        c = _code_point(s, i)
        if not single_line and c == _LF:
            has_break = True
            foldable = foldable or (i - prev_break - 1 > line_width and s[prev_break + 1] != " ")
            prev_break = i
        elif not _printable(c):  # js-yaml 4.1.0: a tab forces double quotes too
            return _DOUBLE
        plain = plain and _plain_safe(c, prev, inblock)
        prev = c
        i += 2 if c >= 0x10000 else 1
    if not single_line:
        foldable = foldable or (i - prev_break - 1 > line_width and s[prev_break + 1] != " ")
    if not has_break and not foldable:
        return _PLAIN if plain and not _ambiguous(_from16(s)) else _SINGLE
    # block indentation indicators have one digit: irrelevant at indent 2
    return _FOLDED if foldable else _LITERAL


def _scalar(text: str, level: int, iskey: bool, inblock: bool) -> str:
    if not text:
        return "''"
    if text in _DEPRECATED_BOOLEANS or _BASE60.match(text):
        return "'" + text + "'"
    indent = INDENT * max(1, level)
    width = max(min(LINE_WIDTH, 40), LINE_WIDTH - indent)
    style = _style(text, width, iskey, inblock)
    if style == _PLAIN:
        return text
    if style == _SINGLE:
        return "'" + text.replace("'", "''") + "'"
    if style == _LITERAL:
        return "|" + _block_header(text) + _drop_ending_newline(_indent(text, indent))
    if style == _FOLDED:
        return ">" + _block_header(text) + _drop_ending_newline(_indent(_from16(_fold(_to16(text), width)), indent))
    return '"' + _escape(text) + '"'


def _style(text: str, width: int, iskey: bool, inblock: bool, shortcuts: bool = True) -> int:
    """js-yaml's choice of style for a non-empty string: its character loop (_choose_style), or,
    with shortcuts, the same answer from two regular-expression decisions when they apply."""
    if shortcuts:
        style = None if iskey or len(text) < 40 else _long_text_style(text, width)
        if style is not None:
            return style
        if inblock and (iskey or _utf16_len(text) <= width) and _SIMPLE_PLAIN.match(text) \
                and not _finds_non_printable(_NOT_PRINTABLE, text):
            return _SINGLE if _ambiguous(text) else _PLAIN
    return _choose_style(_to16(text), iskey, width, inblock)


def _block_header(s: str) -> str:
    # the same on a string and on its UTF-16 view: only line breaks and spaces at its ends count
    indicator = str(INDENT) if re.match(r"^\n* ", s) else ""
    clip = s.endswith("\n")
    keep = clip and (s[-2:-1] == "\n" or s == "\n")
    return indicator + ("+" if keep else "" if clip else "-") + "\n"


def _drop_ending_newline(s: str) -> str:
    return s[:-1] if s.endswith("\n") else s


def _indent(s: str, spaces: int) -> str:
    """js-yaml's indentString (tests/reference_rules.py): each line that is not empty, as split
    on LF only, gets the indentation."""
    pad = " " * spaces
    return "\n".join([pad + line if line else line for line in s.split("\n")])


_LINE_RE: Final = re.compile(r"(\n+)([^\n]*)")


def _fold(s: str, width: int) -> str:
    first_lf = s.find("\n")
    first_lf = first_lf if first_lf != -1 else len(s)
    result = _fold_line(s[:first_lf], width)
    prev_more_indented = s[:1] in ("\n", " ")
    for m in _LINE_RE.finditer(s, first_lf):
        prefix, line = m.group(1), m.group(2)
        more_indented = line[:1] == " "
        result += prefix + ("\n" if not prev_more_indented and not more_indented and line != "" else "") + _fold_line(line, width)
        prev_more_indented = more_indented
    return result


_CHUNKS: dict[int, re.Pattern[str]] = {}


def _chunk(width: int) -> re.Pattern[str]:
    """The text before the break a folded line is cut at: the last break (a space before a
    non-space) at most ``width`` characters from the start, else the first one after."""
    pattern = _CHUNKS.get(width)
    if pattern is None:
        pattern = re.compile(r"(?:.{1,%d}|.{%d,}?)(?= [^ ])" % (width, width + 1), re.DOTALL)
        _CHUNKS[width] = pattern
    return pattern


def _fold_line(line: str, width: int) -> str:
    """js-yaml's foldLine (word by word: tests/reference_rules.py). It keeps the last break
    within ``width`` of the start of the line being written, and cuts there once the next break
    is beyond it (or at that next break when there is none within); at the end of the text it
    cuts once more if what is left is too long. That is: while more than ``width`` characters
    are left, cut at the break _chunk finds, if there is one; the pattern does that search in C."""
    if line == "" or line[0] == " " or len(line) <= width:
        return line
    pattern = _chunk(width)
    parts: list[str] = []
    start = 0
    while len(line) - start > width:
        m = pattern.match(line, start)
        if m is None:
            break
        end = m.end()
        parts.append(line[start:end])
        start = end + 1
    parts.append(line[start:])
    return "\n".join(parts)


def _escape_char(ch: str) -> str:
    """js-yaml's double-quoted form of one character: its named escape, itself if printable,
    else ``\\xXX``/``\\uXXXX``/``\\UXXXXXXXX``."""
    c = ord(ch)
    seq = _ESCAPES.get(c)
    if seq is not None:
        return seq
    if _printable(c):
        return ch
    if c <= 0xFF:
        return f"\\x{c:02X}"
    if c <= 0xFFFF:
        return f"\\u{c:04X}"
    return f"\\U{c:08X}"


# the characters _escape_char changes: the non-printable ones (as in _NOT_PRINTABLE) and those with a
# printable named escape, " and \\
_NEEDS_ESCAPE: Final = re.compile(r'[\x00-\x1f"\\\x7f-\xa0\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')


def _escape_match(m: re.Match[str]) -> str:
    return _escape_char(m.group())


# the same without the four common ones, which _escape replaces first
_NEEDS_RARE_ESCAPE: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\xa0\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _escape(text: str) -> str:
    """js-yaml's escapeString: each character through _escape_char. The printable runs are
    copied as they are; the common escapes (backslash first, so that no added backslash is
    escaped again; then the quote, line feed, tab, and the no-break space and U+FEFF of French
    text) are plain replacements; the pattern finds the rest, when Python finds any character
    it does not print (see _finds_non_printable)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\xa0" in text:
        text = text.replace("\xa0", "\\_")
    if "\ufeff" in text:
        text = text.replace("\ufeff", "\\uFEFF")
    if not _finds_non_printable(_NEEDS_RARE_ESCAPE, text):
        return text
    return _NEEDS_RARE_ESCAPE.sub(_escape_match, text)


# -- numbers as JavaScript prints them ----------------------------------------------
def js_number(value: float | int) -> str:
    if isinstance(value, int) and abs(value) < 10**21:
        return str(value)
    x = float(value)
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exp) if exp else 0)
    if whole == "0":  # 0.00123 -> digits 123, point after leading zeros
        stripped = frac.lstrip("0")
        point = -(len(frac) - len(stripped)) + (int(exp) if exp else 0)
        digits = stripped
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    text = sign + text
    if isinstance(value, float) and not x.is_integer():
        # js-yaml's float representer: YAML needs a dot before an exponent
        if re.match(r"^[-+]?[0-9]+e", text):
            text = text.replace("e", ".e", 1)
    return text


# -- collections ----------------------------------------------------------------------
def _next_line(level: int) -> str:
    return "\n" + " " * (INDENT * level)


def _node(value: Any, level: int, block: bool, compact: bool, iskey: bool = False) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return _scalar(value, level, iskey, block)
    if isinstance(value, dict):
        if block and value:
            return _block_mapping(value, level, compact)
        return "{" + ", ".join(f"{_node(k, level, False, False)}: {_node(v, level, False, False)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        if block and value:
            return _block_sequence(value, level, compact)
        return "[" + ", ".join(_node(v, level, False, False) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def _block_sequence(items: Any, level: int, compact: bool) -> str:
    out = ""
    for value in items:
        dumped = _node(value, level + 1, True, True)
        if not compact or out:
            out += _next_line(level)
        out += ("-" if dumped.startswith("\n") else "- ") + dumped
    return out


def _block_mapping(mapping: dict[Any, Any], level: int, compact: bool) -> str:
    out = ""
    for key, value in mapping.items():
        pair = _next_line(level) if (not compact or out) else ""
        key_text = _node(key if isinstance(key, str) else js_number(key) if isinstance(key, (int, float)) else str(key),
                         level + 1, True, True, iskey=True)
        explicit = len(key_text) > 1024
        if explicit:
            pair += "?" if key_text.startswith("\n") else "? "
        pair += key_text
        if explicit:
            pair += _next_line(level)
        dumped = _node(value, level + 1, True, explicit)
        pair += (":" if dumped.startswith("\n") else ": ") + dumped
        out += pair
    return out
