"""Reading a snapshot file as its editor wrote it: every problem with file, key and line.

Pure: bytes in, a document and a list of problems out. A file with a problem is never
taken at a guessed value: the engine holds it (not pushed, never overwritten) until it
is fixed. The rules, in the order they apply:

- at most ``MAX_FILE_BYTES``; UTF-8, with or without a BOM; LF or CRLF line ends;
- front matter between a first line ``---`` and a closing ``---`` line;
- YAML read safely, without anchors, aliases or deep nesting (front matter written by
  wfsync never has them, and they are how a few bytes become gigabytes), in at most
  ``MAX_TOKENS`` tokens, so hostile input fails fast;
- no key twice, every key known to the mapping, and text below the front matter only
  when the mapping has a ``body`` field;
- in a synced file every key the last sync wrote is present (a key that vanished is never
  read as a cleared field: ``key: null`` clears one on purpose); in a new file,
  ``true``/``false`` for the mapped ``$isDraft``/``$isArchived`` keys.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from .convert import Document
from .mapping import WRITABLE_META, Mapping
from .yamlstyle import loader_class
from .yamlversions import ambiguity

MAX_FILE_BYTES = 2_000_000
MAX_TOKENS = 20_000
MAX_DEPTH = 32
FILE = "(file)"
BODY = "(body)"
_BOM = b"\xef\xbb\xbf"
_OPEN = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
         yaml.FlowSequenceStartToken)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


@dataclass(frozen=True)
class ReadProblem:
    """What is wrong in a file: where (the path as the user sees it, the key, the line) and what."""

    path: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.key}: {self.message}"

    def as_dict(self, collection: str) -> dict[str, Any]:
        return {"collection": collection, "item": self.path, "field": self.key, "message": self.message,
                "line": self.line}


@dataclass
class ReadResult:
    document: Document | None  # None: the file could not be read at all
    problems: list[ReadProblem] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)  # each front-matter key's line, counted in the file
    key_texts: dict[str, str] = field(default_factory=dict)  # each value as typed (one line), for problems


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def too_large(path: str, size: int) -> ReadProblem | None:
    """Checked on the file's size before it is read."""
    if size > MAX_FILE_BYTES:
        return ReadProblem(path, FILE, f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} bytes "
                                       "wfsync reads; nothing in it was read")
    return None


def read_document(path: str, raw: bytes, mapping: Mapping, base_keys: Collection[str] | None = ()) -> ReadResult:
    """The document in ``raw`` and every problem found in it. ``base_keys``: the keys the last sync
    wrote in this file (each is expected in it still); None for a new file."""
    big = too_large(path, len(raw))
    if big:
        return ReadResult(None, [big])
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return ReadResult(None, [ReadProblem(path, FILE, f"not UTF-8 (byte 0x{raw[exc.start]:02x}): save the file "
                                                         "as UTF-8", line)])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ReadResult(None, [ReadProblem(path, FILE, "the file is empty: it needs front matter (a line ---, "
                                                         "the keys, a line ---)", 1)])
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return ReadResult(None, [ReadProblem(path, FILE, "no front matter: the file must start with a line --- "
                                                         "followed by the keys and a closing line ---", 1)])
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        return ReadResult(None, [ReadProblem(path, FILE, "the front matter is not closed: no second line ---", 1)])
    yaml_text = "\n".join(lines[1:end]) + "\n"
    body = "\n".join(lines[end + 1:])
    if body.startswith("\n"):
        body = body[1:]
    if body.endswith("\n"):
        body = body[:-1]
    try:
        data, key_lines, key_texts, problems = _load(path, yaml_text)
    except _Refused as exc:
        return ReadResult(None, [ReadProblem(path, _key_at(lines, exc.line), str(exc), exc.line)])
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return ReadResult(None, [ReadProblem(path, FILE, "the front matter is not a list of `key: value` lines", 2)])
    doc = Document(data, body)
    text_line = next((i + 1 for i in range(end + 1, len(lines)) if lines[i].strip()), 0)
    problems.extend(_check_keys(path, doc, key_lines, mapping, base_keys, body_line=text_line))
    return ReadResult(doc, problems, {k: v for k, v in key_lines.items() if isinstance(k, str)},
                      {k: v for k, v in key_texts.items() if isinstance(k, str)})


def _key_at(lines: list[str], line: int | None) -> str:
    """The top-level key written on a line of the file (for a problem found there), else ``(file)``."""
    if not line or line > len(lines):
        return FILE
    m = re.match(r"^([^\s#'\"\-?:][^:#]*?):(?:\s|$)", lines[line - 1])
    return m.group(1) if m else FILE


def _load(path: str, text: str) -> tuple[Any, dict[Any, int], dict[Any, str], list[ReadProblem]]:
    """Safe YAML with the hostile parts refused before anything is composed."""
    depth = tokens = 0
    try:
        for token in yaml.scan(text, Loader=loader_class()):
            tokens += 1
            if tokens > MAX_TOKENS:
                raise _Refused(f"the front matter has more than {MAX_TOKENS:,} YAML tokens; wfsync reads no more",
                               token.start_mark.line + 2)
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                kind = "an anchor (&)" if isinstance(token, yaml.AnchorToken) else "an alias (*)"
                raise _Refused(f"{kind} is not allowed in front matter: write the value out (quote text that "
                               "starts with & or *)", token.start_mark.line + 2)
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(f"values nested more than {MAX_DEPTH} deep", token.start_mark.line + 2)
            elif isinstance(token, _CLOSE):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _Refused(_yaml_message(exc, text), _yaml_line(exc, text)) from None
    loader = _strict_loader()(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _Refused(_yaml_message(exc, text), _yaml_line(exc, text)) from None
    finally:
        loader.dispose()
    found = [*loader.duplicates, *loader.ambiguous]
    return data, loader.key_lines, loader.key_texts, [ReadProblem(path, k, m, ln) for k, m, ln in found]


def _ambiguous_words(top: yaml.Node) -> Iterator[tuple[str, str, int]]:
    """(top-level key, how to write it, line) for each plain word in the values that YAML 1.1 and
    1.2 read otherwise (``yamlversions``)."""
    if not isinstance(top, yaml.MappingNode):
        return
    for key_node, value_node in top.value:
        key = str(getattr(key_node, "value", FILE))
        stack = [value_node]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.ScalarNode):
                how = ambiguity(node.tag, node.value) if not node.style else None
                if how:
                    yield key, how, node.start_mark.line + 2
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(v for _, v in node.value)


def _yaml_line(exc: yaml.YAMLError, text: str) -> int | None:
    # a quote or bracket left open is reported at the end of the text: where it opened says more
    first = "context_mark" if isinstance(exc, yaml.scanner.ScannerError) and not _tab(exc, text) else "problem_mark"
    mark = getattr(exc, first, None) or getattr(exc, "problem_mark", None)
    return mark.line + 2 if mark is not None else None


def _tab(exc: yaml.YAMLError, text: str) -> bool:
    """A tab where YAML wants indentation: the tab's own line says more than where the value began."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return False
    rows = text.split("\n")
    row = rows[mark.line] if 0 <= mark.line < len(rows) else ""
    return row[mark.column:mark.column + 1] == "\t" or "tab character" in (getattr(exc, "problem", None) or "")


#: what YAML says it was doing when it stopped -> what was left open, in the user's words
_LEFT_OPEN = {"while scanning a quoted scalar": "quote", "while parsing a flow sequence": "[",
              "while parsing a flow mapping": "{"}


def _yaml_message(exc: yaml.YAMLError, text: str) -> str:
    """What is wrong, said as the user would fix it: a quote or bracket left open names itself and
    the line it opened on; a ': ' inside a value asks for quotes; anything else says what YAML says."""
    context, problem = getattr(exc, "context", None), getattr(exc, "problem", None)
    opened = getattr(exc, "context_mark", None)
    left = _LEFT_OPEN.get(context or "")
    if left and opened is not None:
        line = _yaml_line(exc, text)
        if left == "quote":
            lines = text.split("\n")
            row = lines[opened.line] if 0 <= opened.line < len(lines) else ""
            char = row[opened.column] if 0 <= opened.column < len(row) and row[opened.column] in "'\"" else '"'
            return (f"not valid YAML: the quote {char} opened on line {line} is never closed; end the value "
                    f"with {char} on the same line (or remove the opening {char})")
        close = "]" if left == "[" else "}"
        return f"not valid YAML: the {left} opened on line {line} is never closed with {close}"
    if _tab(exc, text):
        return (f"not valid YAML: a tab on line {_yaml_line(exc, text)}; YAML indents with spaces only: replace it with "
                "spaces (a key of the front matter starts its line)")
    if (problem or "").startswith("mapping values are not allowed"):
        return ("not valid YAML: ': ' inside a value that is not in quotes; put the whole value in quotes "
                "(title: \"a: b\")")
    said = ", ".join(p for p in (context, problem) if p) or str(exc).splitlines()[0]
    return f"not valid YAML ({said}); quote a value that holds ': ', ' #' or starts with a quote"


_STRICT: type | None = None


def _strict_loader() -> type:
    """The reader of ``yamlstyle`` that also records each top-level key's line and refuses a key
    given twice (PyYAML would keep the last one silently)."""
    global _STRICT
    if _STRICT is not None:
        return _STRICT

    class Strict(loader_class()):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.key_lines: dict[Any, int] = {}
            self.source = stream
            self.key_texts: dict[Any, str] = {}  # each top-level value as typed, when on one line
            self.duplicates: list[tuple[str, str, int]] = []
            self.ambiguous: list[tuple[str, str, int]] = []  # words YAML 1.1 and 1.2 read otherwise
            self.top: yaml.Node | None = None

        def construct_document(self, node: yaml.Node) -> Any:
            self.top = node
            self.ambiguous = list(_ambiguous_words(node))
            return super().construct_document(node)

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 2
                try:
                    hash(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(None, None, "a key must be text", key_node.start_mark)
                if key in seen:
                    self.duplicates.append((_shown(key, key_node), f"given twice (lines {seen[key]} and {line}): "
                                            "keep one", line))
                seen[key] = line
                if node is self.top:
                    self.key_lines[key] = line
                    typed = self.source[value_node.start_mark.index:value_node.end_mark.index].strip()
                    if typed and "\n" not in typed:
                        self.key_texts[key] = typed
                    if not isinstance(key, str):
                        self.key_lines[("raw", key)] = key_node.value  # type: ignore[index]
            return super().construct_mapping(node, deep=deep)

    def timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
        # an impossible date (2024-02-30) stays the text typed: its field says what is wrong with it
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    Strict.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    _STRICT = Strict
    return Strict


def _shown(key: Any, node: yaml.Node) -> str:
    return key if isinstance(key, str) else str(getattr(node, "value", key))


def _check_keys(path: str, doc: Document, key_lines: dict[Any, int], mapping: Mapping,
                base_keys: Collection[str] | None, body_line: int) -> list[ReadProblem]:
    problems: list[ReadProblem] = []
    known = {e.key: e for e in mapping.entries}
    for key in doc.front_matter:
        if isinstance(key, str) and key in known:
            continue
        line = key_lines.get(key)
        if not isinstance(key, str):
            raw = str(key_lines.get(("raw", key), key))  # type: ignore[call-overload]
            shown = repr(key).lower() if isinstance(key, bool) or key is None else repr(key)
            problems.append(ReadProblem(path, raw, f"YAML reads this key as {shown}, not as the text {raw!r}: "
                                        f"quote it ('{raw}':)" + ("" if raw in known else
                                                                 "; and the mapping has no such key"), line))
        elif base_keys and key in base_keys:  # synced until the mapping lost it
            problems.append(ReadProblem(path, key, "no longer in the mapping (the last sync wrote it), so it is "
                                        "not synced: delete this line; Webflow keeps its value (if the mapping now "
                                        "puts that field elsewhere, such as the body, move your edit of it there)",
                                        line))
        else:
            problems.append(ReadProblem(path, key, "unknown key: not in the mapping, so it would never reach "
                                        "Webflow (a typo? or add it to the mapping)", line))
    if body_line and not mapping.body:
        problems.append(ReadProblem(path, BODY, "text below the front matter is not synced: the mapping has "
                                    "`body: null` (move the text into a front-matter key, or map a rich-text field "
                                    "as `body`)", body_line))
    strkeys = {k for k in doc.front_matter if isinstance(k, str)}
    for entry in mapping.entries:
        if entry.key in strkeys:
            continue
        if base_keys is not None and entry.key in base_keys:
            problems.append(ReadProblem(path, entry.key, f"missing: the last sync wrote `{entry.key}`; to clear "
                                        f"the field on purpose write `{entry.key}: null`"))
        elif base_keys is None and entry.meta in WRITABLE_META:
            problems.append(ReadProblem(path, entry.key, f"missing: write `{entry.key}: false` (or true)"))
    return problems
