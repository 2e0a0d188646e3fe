"""Webflow rich text (HTML) to Markdown, as Turndown 7.1 writes it with default options.

Files written by the earlier exporter came from Turndown, so its output is reproduced
exactly: whitespace collapsing, flanking whitespace, the join of blocks, its escaping,
``*   `` bullets, setext h1/h2, ``_``/``**``, ``  \\n`` line breaks.

Two things differ from Turndown on purpose:
- what Turndown drops or flattens (custom-code embeds, videos and other iframes, tables,
  image captions and alignment, linked images, ``sup``/``sub``, links with a ``target``)
  is kept as HTML inside the Markdown, so nothing the Webflow editor makes is lost;
- Webflow's empty paragraph (``<p>`` holding one U+200D) becomes an empty line.
"""

from __future__ import annotations

import re
from typing import Final

from .dom import Element, Node, Text
from .wellformed import parse_fragment

BLOCK: Final = frozenset({
    "ADDRESS", "ARTICLE", "ASIDE", "AUDIO", "BLOCKQUOTE", "BODY", "CANVAS", "CENTER", "DD", "DIR", "DIV", "DL", "DT",
    "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "FRAMESET", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER",
    "HGROUP", "HR", "HTML", "ISINDEX", "LI", "MAIN", "MENU", "NAV", "NOFRAMES", "NOSCRIPT", "OL", "OUTPUT", "P", "PRE",
    "SECTION", "TABLE", "TBODY", "TD", "TFOOT", "TH", "THEAD", "TR", "UL",
})
VOID: Final = frozenset({"AREA", "BASE", "BR", "COL", "COMMAND", "EMBED", "HR", "IMG", "INPUT", "KEYGEN", "LINK", "META",
                  "PARAM", "SOURCE", "TRACK", "WBR"})
MEANINGFUL_WHEN_BLANK: Final = frozenset({"A", "TABLE", "THEAD", "TBODY", "TFOOT", "TH", "TD", "IFRAME", "SCRIPT", "AUDIO", "VIDEO"})
_VOID_TAGS: Final = frozenset(t.lower() for t in VOID)
_MEANINGFUL_TAGS: Final = frozenset(t.lower() for t in MEANINGFUL_WHEN_BLANK)

# JavaScript's \s (String.prototype.trim and regex \s): not Python's
JS_WS: Final = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_WS_RE: Final = f"[{JS_WS}]"
_BLANK_RE: Final = re.compile(f"^{_JS_WS_RE}*$")
_EDGE_RE: Final = re.compile(
    rf"^(([ \t\r\n]*)({_JS_WS_RE}*))(?:(?={'[^' + JS_WS + ']'})[\s\S]*[^{JS_WS}])?(({_JS_WS_RE}*?)([ \t\r\n]*))\Z"
)
_ESCAPES: Final[list[tuple[re.Pattern[str], str]]] = [
    (re.compile(r"\\"), r"\\\\"),
    (re.compile(r"\*"), r"\\*"),
    (re.compile(r"^-"), r"\\-"),
    (re.compile(r"^\+ "), r"\\+ "),
    (re.compile(r"^(=+)"), r"\\\1"),
    (re.compile(r"^(#{1,6}) "), r"\\\1 "),
    (re.compile(r"`"), r"\\`"),
    (re.compile(r"^~~~"), r"\\~~~"),
    (re.compile(r"\["), r"\\["),
    (re.compile(r"\]"), r"\\]"),
    (re.compile(r"^>"), r"\\>"),
    (re.compile(r"_"), r"\\_"),
    (re.compile(r"^(\d+)\. "), r"\1\\. "),
]
ALIGN_DEFAULT: Final = "w-richtext-align-fullwidth"
_WS_RUN: Final = re.compile(r"[ \r\n\t]+")


_JS_WS_CHARS: Final = JS_WS.replace("\u2000-\u200a", "".join(chr(c) for c in range(0x2000, 0x200B)))
_JS_WS_SET: Final = frozenset(_JS_WS_CHARS)


def js_trim(text: str) -> str:
    return text.strip(_JS_WS_CHARS)


def utf16_len(text: str) -> int:
    """The length JavaScript gives a string: astral characters count twice."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


_ANCHOR_FIRST: Final = "-+=#~>0123456789"  # the characters Turndown's start-of-text escapes can begin with
_ANYWHERE: Final = re.compile(r"[\\*`\[\]_]")  # Turndown's escapes that apply anywhere: \\ * ` [ ] _


def _backslash(m: re.Match[str]) -> str:
    return "\\" + m.group()


def escape_markdown(text: str) -> str:
    """Turndown's escaping: its rule list in its order (a backslash before each of ``\\ * ` [ ] _``
    anywhere, and before a line start that reads as a list item, heading, rule, quote or fence).
    The anywhere-rules only add a backslash before their own character, the backslash first, so
    they are one substitution; the start-of-text ones can only apply when the first character
    can start one, and only then is the list run in order."""
    if text[:1] and text[0] in _ANCHOR_FIRST:
        # Turndown applies its rules in one fixed order; the anchored ones interleave with
        # the others only through the first character, which these cannot share
        for pattern, replacement in _ESCAPES:
            text = pattern.sub(replacement, text)
        return text
    if not ("_" in text or "*" in text or "[" in text or "]" in text or "`" in text or "\\" in text):
        return text  # _ANYWHERE.search(text) is None, found by the string's own search
    return _ANYWHERE.sub(_backslash, text)


def to_markdown(html: str) -> str:
    """Markdown for one rich-text value, empty Webflow paragraphs as empty lines."""
    if html == "":
        return ""
    return _empty_lone_zwj_lines(turndown(html))


def _empty_lone_zwj_lines(markdown: str) -> str:
    """``^\u200d$`` (multiline) replaced by nothing: the lines that are one U+200D become empty."""
    if "\u200d" not in markdown:
        return markdown
    return "\n".join(["" if line == "\u200d" else line for line in markdown.split("\n")])


def turndown(html: str) -> str:
    root = parse_fragment(html)
    markdown = convert_tree(root)
    _release(root)
    return markdown


def _release(root: Element) -> None:
    """Drop the parent links of a tree no longer needed: without its cycles, reference counting
    frees it at once, instead of leaving it (and the collections it triggers) to the cycle
    collector."""
    elements = [root]
    while elements:
        for child in elements.pop().children:
            child.parent = None
            if isinstance(child, Element):
                elements.append(child)


def convert_tree(root: Element) -> str:
    """Turndown's conversion of a parsed fragment (the tree is changed: whitespace collapsed)."""
    _collapse_whitespace(root)
    return _post_process(_Converter().process(root))


# -- Webflow content Turndown would lose: kept as HTML ------------------------------
def keep_as_block(el: Element) -> bool:
    """Elements written as raw HTML blocks: embeds, video, tables, non-plain figures."""
    if el.keep is None:
        el.keep = _keep_as_block(el)
    return el.keep


def _keep_as_block(el: Element) -> bool:
    tag = el.tag
    if tag in ("iframe", "video", "audio", "table", "object", "embed"):
        return True
    if tag.startswith("wf-"):
        return True  # a component instance (<wf-component>): Markdown would keep only its text
    if tag == "div":
        # a custom-code embed, as the published page and as the API write it
        return "w-embed" in el.classes or el.get("data-rt-embed-type") is not None
    if tag == "figure":
        classes = el.classes
        if "w-richtext-figure-type-image" not in classes:
            return True  # video and unknown figures
        aligns = [c for c in classes if c.startswith("w-richtext-align-")]
        if aligns and aligns != [ALIGN_DEFAULT]:
            return True
        return el.has_descendant(frozenset({"figcaption", "a", "iframe"}))
    return False


def keep_inline(el: Element) -> bool:
    """Inline elements written as HTML tags around Markdown content."""
    # an empty id="" (Webflow adds it to many elements) carries nothing to keep
    return el.tag in ("sup", "sub") or (el.tag == "a" and el.get("href") is not None
                                        and any(k not in ("href", "title") and (k, v) != ("id", "")
                                                for k, v in el.attrs))


def _open_tag(el: Element) -> str:
    return Element(el.tag, list(el.attrs)).html().split("</", 1)[0]


_BLANK_LINE: Final = re.compile(r"\n[ \t]*(?=\n)")


def _raw_block(el: Element) -> str:
    # an HTML block ends at a blank line in CommonMark: keep the block in one piece
    return _BLANK_LINE.sub("", el.html())


# -- Turndown's whitespace collapsing ---------------------------------------------------
def _is_pre(node: Node) -> bool:
    return isinstance(node, Element) and (node.tag == "pre" or keep_as_block(node))


class _Collapsing:
    """Where Turndown's whitespace collapsing is: the last text kept, and whether a leading
    space of the next text is kept (after an inline void or pre element)."""

    __slots__ = ("prev_text", "keep_leading")

    def __init__(self) -> None:
        self.prev_text: Text | None = None
        self.keep_leading = False


def _collapse_whitespace(root: Element) -> None:
    """Turndown's collapseWhitespace. Turndown walks the tree node by node (in document order,
    elements once on the way in and once on the way out, not into pre elements), removing
    the texts that become empty one at a time; here each child list is walked by recursion
    and rebuilt once, with the same visits in the same order."""
    if not root.children or _is_pre(root):
        return
    state = _Collapsing()
    _collapse_children(root, state)
    last = state.prev_text
    if last is not None:
        last.data = last.data[:-1] if last.data.endswith(" ") else last.data
        if not last.data and last.parent is not None:
            parent = last.parent
            parent.children.pop(last.index)
            _reindex(parent.children)


def _collapse_children(parent: Element, state: _Collapsing) -> None:
    kept: list[Node] = []
    for node in parent.children:
        if isinstance(node, Text):
            data = node.data
            text = _WS_RUN.sub(" ", data) if ("  " in data or "\n" in data or "\t" in data or "\r" in data) else data
            if text[:1] == " " and not state.keep_leading and (state.prev_text is None
                                                                or state.prev_text.data.endswith(" ")):
                text = text[1:]
            if not text:
                continue  # removed
            node.data = text
            state.prev_text = node
        elif isinstance(node, Element):
            pre = node.tag == "pre" or keep_as_block(node)  # _is_pre, once for both visits
            _visit_element(node, state, pre)
            if node.children and not pre:
                _collapse_children(node, state)
                _visit_element(node, state, pre)  # on the way out
        kept.append(node)
    if len(kept) != len(parent.children):
        parent.children = kept
        _reindex(kept)


def _reindex(children: list[Node]) -> None:
    for i, child in enumerate(children):
        child.index = i


def _visit_element(node: Element, state: _Collapsing, pre: bool) -> None:
    if node.node_name in BLOCK or node.tag == "br":
        prev = state.prev_text
        if prev is not None and prev.data.endswith(" "):
            prev.data = prev.data[:-1]
        state.prev_text = None
        state.keep_leading = False
    elif node.node_name in VOID or pre:
        state.prev_text = None
        state.keep_leading = True
    elif state.prev_text is not None:
        state.keep_leading = False


# -- conversion --------------------------------------------------------------------------
def text_of(el: Element) -> str:
    """``text_content``, kept on the element: the converter reads it for every element (blank,
    flanking whitespace, siblings) once the tree no longer changes."""
    text = el.text
    if text is None:
        text = "".join([c.data if isinstance(c, Text) else text_of(c) for c in el.children  # type: ignore[arg-type]
                        if isinstance(c, (Text, Element))])
        el.text = text
    return text


def _is_blank(el: Element) -> bool:
    first = el.children[0] if el.children else None
    if isinstance(first, Text) and first.data[:1] and first.data[0] not in _JS_WS_SET:
        return False  # the text starts with it: not blank, and no need to build the text of a paragraph
    text = text_of(el)
    if text and (text[0] not in _JS_WS_SET or not _BLANK_RE.match(text)):
        return False  # the usual answer, from the cheapest of Turndown's conditions
    return (
        el.node_name not in VOID
        and el.node_name not in MEANINGFUL_WHEN_BLANK
        and not el.has_descendant(_VOID_TAGS)
        and not el.has_descendant(_MEANINGFUL_TAGS)
    )


def _flanked(side: str, node: Node) -> bool:
    sibling = node.previous_sibling if side == "left" else node.next_sibling
    if sibling is None:
        return False
    if isinstance(sibling, Text):
        return sibling.data.endswith(" ") if side == "left" else sibling.data.startswith(" ")
    if isinstance(sibling, Element) and sibling.node_name not in BLOCK:
        text = text_of(sibling)
        return text.endswith(" ") if side == "left" else text.startswith(" ")
    return False


def _edges(text: str) -> tuple[str, str, str, str, str, str]:
    """Turndown's edgeWhitespace: (leading, its ASCII part, the rest; trailing, its non-ASCII
    part, the ASCII rest), by its regular expression, or at once when both ends are not spaces."""
    if text and text[0] not in _JS_WS_SET and text[-1] not in _JS_WS_SET:
        return "", "", "", "", "", ""
    m = _EDGE_RE.match(text)
    assert m is not None
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)


def _flanking_whitespace(el: Element) -> tuple[str, str]:
    if el.node_name in BLOCK:
        return "", ""
    leading, leading_ascii, leading_other, trailing, trailing_other, trailing_ascii = _edges(text_of(el))
    if leading_ascii and _flanked("left", el):
        leading = leading_other
    if trailing_ascii and _flanked("right", el):
        trailing = trailing_other
    return leading, trailing


_NEWLINES: Final = ("", "\n", "\n\n")


def _join_all(replacements: list[str]) -> str:
    """Turndown's join of each replacement onto the output, which recopies the output each time:
    here the output is kept as parts and a count of the newlines it ends with. Join trims the
    output's trailing and the replacement's leading newlines and puts back as many as the larger
    of the two counts, at most two. Without a newline anywhere there is nothing to trim or put
    back: the join is a concatenation (the inline content of a paragraph, a link, a list item)."""
    joined = "".join(replacements)
    if "\n" not in joined:
        return joined
    parts: list[str] = []
    tail = 0
    for replacement in replacements:
        s2 = replacement.lstrip("\n")
        leading = len(replacement) - len(s2)
        newlines = tail if tail > leading else leading
        if newlines > 2:
            newlines = 2
        if s2:
            if newlines:
                parts.append(_NEWLINES[newlines])
            body = s2.rstrip("\n")
            parts.append(body)
            tail = len(s2) - len(body)
        else:
            tail = newlines
    if tail:
        parts.append("\n" * tail)
    return "".join(parts)


def _post_process(output: str) -> str:
    r"""Turndown's ``replace(/^[\t\r\n]+/, '').replace(/[\t\r\n\s]+$/, '')``: strips, with the
    same characters (JavaScript's \s for the end)."""
    return output.lstrip("\t\r\n").rstrip(_JS_WS_CHARS)


_LINE_BREAK: Final = re.compile("(\r\n?|[\n\u2028\u2029])")


def _prefix_lines(text: str, prefix: str) -> str:
    # JavaScript's multiline ^ also starts a line after \r, U+2028 and U+2029
    return prefix + _LINE_BREAK.sub(lambda m: m.group(1) + prefix, text)


_ATTRIBUTE_BREAKS: Final = re.compile(rf"(\n+{_JS_WS_RE}*)+")


def _clean_attribute(value: str | None) -> str:
    return _ATTRIBUTE_BREAKS.sub("\n", value) if value else ""


class _Converter:
    def __init__(self) -> None:
        self._code_depth: dict[int, bool] = {}

    def process(self, parent: Element, in_code: bool = False) -> str:
        replacements: list[str] = []
        for node in parent.children:
            if isinstance(node, Text):
                replacements.append(node.data if in_code else escape_markdown(node.data))
            elif isinstance(node, Element):
                replacements.append(self.replacement_for(node, in_code or node.tag == "code"))
        return _join_all(replacements)

    def replacement_for(self, el: Element, in_code: bool) -> str:
        content = self.process(el, in_code) if not (el.tag != "code" and keep_as_block(el)) else ""
        if el.node_name in BLOCK:
            return self.rule(el, content, in_code)  # no flanking whitespace (_flanking_whitespace)
        leading, trailing = _flanking_whitespace(el)
        if leading or trailing:
            content = js_trim(content)
        return leading + self.rule(el, content, in_code) + trailing

    def rule(self, el: Element, content: str, in_code: bool = False) -> str:
        name = el.node_name
        is_block = name in BLOCK
        if keep_as_block(el) and (el.tag != "figure" or not _is_blank(el)):
            # before the blank test: an embed holding only a whitespace <style> is still code
            return "\n\n" + _raw_block(el) + "\n\n"
        if _is_blank(el):
            return "\n\n" if is_block else ""
        if keep_inline(el) and not in_code:
            return _open_tag(el) + content + f"</{el.tag}>"
        # Turndown's rules for these elements are keyed by distinct names, so their order here
        # changes nothing: the most frequent come first
        if name == "P":
            return "\n\n" + content + "\n\n"
        if name in ("STRONG", "B"):
            return "**" + content + "**" if js_trim(content) else ""
        if name == "A" and el.get("href"):
            title = _clean_attribute(el.get("title"))
            return "[" + content + "](" + (el.get("href") or "") + (f' "{title}"' if title else "") + ")"
        if name == "LI":
            return self._list_item(el, content)
        if name in ("EM", "I"):
            return "_" + content + "_" if js_trim(content) else ""
        if name == "BR":
            return "  \n"
        if name in ("H1", "H2", "H3", "H4", "H5", "H6"):
            level = int(name[1])
            if level < 3:
                return "\n\n" + content + "\n" + ("=" if level == 1 else "-") * utf16_len(content) + "\n\n"
            return "\n\n" + "#" * level + " " + content + "\n\n"
        if name == "BLOCKQUOTE":
            content = content.strip("\n")  # re.sub(r"^\n+|\n+$", "", content)
            return "\n\n" + _prefix_lines(content, "> ") + "\n\n"
        if name in ("UL", "OL"):
            parent = el.parent
            if parent is not None and parent.node_name == "LI" and parent.element_children[-1:] == [el]:
                return "\n" + content
            return "\n\n" + content + "\n\n"
        if name == "PRE" and isinstance(el.first_child, Element) and el.first_child.node_name == "CODE":
            return "\n\n    " + text_of(el.first_child).replace("\n", "\n    ") + "\n\n"
        if name == "HR":
            return "\n\n* * *\n\n"
        if name == "CODE" and not (el.parent is not None and el.parent.node_name == "PRE"
                                   and el.previous_sibling is None and el.next_sibling is None):
            return self._code(content)
        if name == "IMG":
            src = el.get("src") or ""
            title = _clean_attribute(el.get("title"))
            return f"![{_clean_attribute(el.get('alt'))}]({src}{f' {chr(34)}{title}{chr(34)}' if title else ''})" if src else ""
        return "\n\n" + content + "\n\n" if is_block else content

    @staticmethod
    def _list_item(el: Element, content: str) -> str:
        content = content.lstrip("\n")  # re.sub(r"^\n+", "", content)
        if content.endswith("\n"):  # re.sub(r"\n+$", "\n", content)
            content = content.rstrip("\n") + "\n"
        content = content.replace("\n", "\n    ")
        prefix = "*   "
        parent = el.parent
        if parent is not None and parent.node_name == "OL":
            start = parent.get("start")
            index = 0  # among the list's elements
            for c in parent.children[:el.index]:
                if isinstance(c, Element):
                    index += 1
            prefix = f"{_js_number(start, index) if start else index + 1}.  "
        nxt = el.next_sibling
        return prefix + content + ("\n" if nxt is not None and not content.endswith("\n") else "")

    @staticmethod
    def _code(content: str) -> str:
        if not content:
            return ""
        content = _CODE_BREAK.sub(" ", content)
        extra = " " if _CODE_PAD.search(content) else ""
        delimiter = "`"
        runs = _BACKTICKS.findall(content)
        while delimiter in runs:
            delimiter += "`"
        return delimiter + extra + content + extra + delimiter


_CODE_BREAK: Final = re.compile(r"\r?\n|\r")
_CODE_PAD: Final = re.compile(r"^`|^ .*?[^ ].* $|`$")
_BACKTICKS: Final = re.compile(r"`+")


def _js_number(start: str, index: int) -> str:
    """``Number(start) + index`` as JavaScript prints it (Turndown does that arithmetic)."""
    text = start.strip()
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return "NaN"
    total = value + index
    return str(int(total)) if total.is_integer() else repr(total)
