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
from dataclasses import dataclass

from .dom import Element, Node, Text, parse_fragment

BLOCK = frozenset({
    "ADDRESS", "ARTICLE", "ASIDE", "AUDIO", "BLOCKQUOTE", "BODY", "CANVAS", "CENTER", "DD", "DIR", "DIV", "DL", "DT",
    "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "FRAMESET", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER",
    "HGROUP", "HR", "HTML", "ISINDEX", "LI", "MAIN", "MENU", "NAV", "NOFRAMES", "NOSCRIPT", "OL", "OUTPUT", "P", "PRE",
    "SECTION", "TABLE", "TBODY", "TD", "TFOOT", "TH", "THEAD", "TR", "UL",
})
VOID = frozenset({"AREA", "BASE", "BR", "COL", "COMMAND", "EMBED", "HR", "IMG", "INPUT", "KEYGEN", "LINK", "META",
                  "PARAM", "SOURCE", "TRACK", "WBR"})
MEANINGFUL_WHEN_BLANK = frozenset({"A", "TABLE", "THEAD", "TBODY", "TFOOT", "TH", "TD", "IFRAME", "SCRIPT", "AUDIO", "VIDEO"})
_VOID_TAGS = frozenset(t.lower() for t in VOID)
_MEANINGFUL_TAGS = frozenset(t.lower() for t in MEANINGFUL_WHEN_BLANK)

# JavaScript's \s (String.prototype.trim and regex \s): not Python's
JS_WS = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_WS_RE = f"[{JS_WS}]"
_BLANK_RE = re.compile(f"^{_JS_WS_RE}*$")
_EDGE_RE = re.compile(
    rf"^(([ \t\r\n]*)({_JS_WS_RE}*))(?:(?={'[^' + JS_WS + ']'})[\s\S]*[^{JS_WS}])?(({_JS_WS_RE}*?)([ \t\r\n]*))\Z"
)
_TRAIL_RE = re.compile(rf"[\t\r\n{JS_WS}]+$")
_LEAD_RE = re.compile(r"^[\t\r\n]+")
_ESCAPES: list[tuple[re.Pattern[str], str]] = [
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
_LONE_ZWJ_LINE = re.compile("^\u200d$", re.M)
ALIGN_DEFAULT = "w-richtext-align-fullwidth"
_WS_RUN = re.compile(r"[ \r\n\t]+")


def js_trim(text: str) -> str:
    return text.strip(JS_WS.replace("\u2000-\u200a", "".join(chr(c) for c in range(0x2000, 0x200B))))


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


_ANCHORED = [e for e in _ESCAPES if e[0].pattern.startswith("^")]
_GLOBAL_CHARS = ("\\", "*", "`", "[", "]", "_")  # Turndown's escapes that apply anywhere, in its order


def escape_markdown(text: str) -> str:
    """Turndown's escaping. The anywhere-escapes are plain replacements (in Turndown's order,
    the backslash first); the start-of-text ones are tried only when the first character can start one."""
    if text[:1] in "-+=#~>0123456789" and text:
        # Turndown applies its rules in one fixed order; the anchored ones interleave with
        # the others only through the first character, which these cannot share
        for pattern, replacement in _ESCAPES:
            text = pattern.sub(replacement, text)
        return text
    for ch in _GLOBAL_CHARS:
        if ch in text:
            text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(html: str) -> str:
    """Markdown for one rich-text value, empty Webflow paragraphs as empty lines."""
    if html == "":
        return ""
    return _LONE_ZWJ_LINE.sub("", turndown(html))


def turndown(html: str) -> str:
    root = parse_fragment(html)
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
    classes = el.classes
    if tag == "div" and ("w-embed" in classes or el.get("data-rt-embed-type") is not None):
        return True  # a custom-code embed, as the published page and as the API write it
    if tag == "figure":
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


def _raw_block(el: Element) -> str:
    # an HTML block ends at a blank line in CommonMark: keep the block in one piece
    return re.sub(r"\n[ \t]*(?=\n)", "", el.html())


# -- Turndown's whitespace collapsing ---------------------------------------------------
def _is_pre(node: Node) -> bool:
    return isinstance(node, Element) and (node.tag == "pre" or keep_as_block(node))


def _next(prev: Node | None, current: Node) -> Node | None:
    if (prev is not None and prev.parent is current) or _is_pre(current):
        return current.next_sibling or current.parent
    if isinstance(current, Element) and current.children:
        return current.children[0]
    return current.next_sibling or current.parent


def _remove(node: Node) -> Node | None:
    nxt = node.next_sibling or node.parent
    assert node.parent is not None
    node.parent.remove(node)
    return nxt


def _collapse_whitespace(root: Element) -> None:
    if not root.children or _is_pre(root):
        return
    prev_text: Text | None = None
    keep_leading = False
    prev: Node | None = None
    node = _next(prev, root)
    while node is not root and node is not None:
        if isinstance(node, Text):
            data = node.data
            text = _WS_RUN.sub(" ", data) if ("  " in data or "\n" in data or "\t" in data or "\r" in data) else data
            if (prev_text is None or prev_text.data.endswith(" ")) and not keep_leading and text[:1] == " ":
                text = text[1:]
            if not text:
                node = _remove(node)
                continue
            node.data = text
            prev_text = node
        elif isinstance(node, Element):
            if node.node_name in BLOCK or node.tag == "br":
                if prev_text is not None:
                    prev_text.data = re.sub(r" $", "", prev_text.data)
                prev_text = None
                keep_leading = False
            elif node.node_name in VOID or _is_pre(node):
                prev_text = None
                keep_leading = True
            elif prev_text is not None:
                keep_leading = False
        nxt = _next(prev, node)
        prev = node
        node = nxt
    if prev_text is not None:
        prev_text.data = re.sub(r" $", "", prev_text.data)
        if not prev_text.data:
            _remove(prev_text)


# -- conversion --------------------------------------------------------------------------
@dataclass
class _Flank:
    leading: str
    trailing: str


def _is_blank(el: Element) -> bool:
    return (
        el.node_name not in VOID
        and el.node_name not in MEANINGFUL_WHEN_BLANK
        and bool(_BLANK_RE.match(el.text_content))
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
        text = sibling.text_content
        return text.endswith(" ") if side == "left" else text.startswith(" ")
    return False


def _flanking_whitespace(el: Element) -> _Flank:
    if el.node_name in BLOCK:
        return _Flank("", "")
    m = _EDGE_RE.match(el.text_content)
    assert m is not None
    leading, leading_ascii, leading_other = m.group(1), m.group(2), m.group(3)
    trailing, trailing_other, trailing_ascii = m.group(4), m.group(5), m.group(6)
    if leading_ascii and _flanked("left", el):
        leading = leading_other
    if trailing_ascii and _flanked("right", el):
        trailing = trailing_other
    return _Flank(leading, trailing)


def _trim_leading_newlines(text: str) -> str:
    return text.lstrip("\n")


def _trim_trailing_newlines(text: str) -> str:
    return text.rstrip("\n")


def _join(output: str, replacement: str) -> str:
    s1 = _trim_trailing_newlines(output)
    s2 = _trim_leading_newlines(replacement)
    newlines = max(len(output) - len(s1), len(replacement) - len(s2))
    return s1 + "\n\n"[:newlines] + s2


def _post_process(output: str) -> str:
    return _TRAIL_RE.sub("", _LEAD_RE.sub("", output))


def _prefix_lines(text: str, prefix: str) -> str:
    # JavaScript's multiline ^ also starts a line after \r, U+2028 and U+2029
    return prefix + re.sub("(\r\n?|[\n\u2028\u2029])", lambda m: m.group(1) + prefix, text)


def _clean_attribute(value: str | None) -> str:
    return re.sub(rf"(\n+{_JS_WS_RE}*)+", "\n", value) if value else ""


class _Converter:
    def __init__(self) -> None:
        self._code_depth: dict[int, bool] = {}

    def process(self, parent: Element, in_code: bool = False) -> str:
        output = ""
        for node in list(parent.children):
            if isinstance(node, Text):
                replacement = node.data if in_code else escape_markdown(node.data)
            elif isinstance(node, Element):
                replacement = self.replacement_for(node, in_code or node.tag == "code")
            else:  # pragma: no cover - the builder makes only text and elements
                replacement = ""
            output = _join(output, replacement)
        return output

    def replacement_for(self, el: Element, in_code: bool) -> str:
        content = self.process(el, in_code) if not (el.tag != "code" and keep_as_block(el)) else ""
        flank = _flanking_whitespace(el)
        if flank.leading or flank.trailing:
            content = js_trim(content)
        return flank.leading + self.rule(el, content, in_code) + flank.trailing

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
        if name == "P":
            return "\n\n" + content + "\n\n"
        if name == "BR":
            return "  \n"
        if name in ("H1", "H2", "H3", "H4", "H5", "H6"):
            level = int(name[1])
            if level < 3:
                return "\n\n" + content + "\n" + ("=" if level == 1 else "-") * utf16_len(content) + "\n\n"
            return "\n\n" + "#" * level + " " + content + "\n\n"
        if name == "BLOCKQUOTE":
            content = re.sub(r"^\n+|\n+$", "", content)
            return "\n\n" + _prefix_lines(content, "> ") + "\n\n"
        if name in ("UL", "OL"):
            parent = el.parent
            if parent is not None and parent.node_name == "LI" and parent.element_children[-1:] == [el]:
                return "\n" + content
            return "\n\n" + content + "\n\n"
        if name == "LI":
            return self._list_item(el, content)
        if name == "PRE" and isinstance(el.first_child, Element) and el.first_child.node_name == "CODE":
            return "\n\n    " + el.first_child.text_content.replace("\n", "\n    ") + "\n\n"
        if name == "HR":
            return "\n\n* * *\n\n"
        if name == "A" and el.get("href"):
            title = _clean_attribute(el.get("title"))
            return "[" + content + "](" + (el.get("href") or "") + (f' "{title}"' if title else "") + ")"
        if name in ("EM", "I"):
            return "_" + content + "_" if js_trim(content) else ""
        if name in ("STRONG", "B"):
            return "**" + content + "**" if js_trim(content) else ""
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
        content = re.sub(r"^\n+", "", content)
        content = re.sub(r"\n+$", "\n", content)
        content = content.replace("\n", "\n    ")
        prefix = "*   "
        parent = el.parent
        if parent is not None and parent.node_name == "OL":
            start = parent.get("start")
            index = next(i for i, c in enumerate(parent.element_children) if c is el)
            prefix = f"{_js_number(start, index) if start else index + 1}.  "
        nxt = el.next_sibling
        return prefix + content + ("\n" if nxt is not None and not content.endswith("\n") else "")

    @staticmethod
    def _code(content: str) -> str:
        if not content:
            return ""
        content = re.sub(r"\r?\n|\r", " ", content)
        extra = " " if re.search(r"^`|^ .*?[^ ].* $|`$", content) else ""
        delimiter = "`"
        runs = re.findall(r"`+", content)
        while delimiter in runs:
            delimiter += "`"
        return delimiter + extra + content + extra + delimiter


def _js_number(start: str, index: int) -> str:
    """``Number(start) + index`` as JavaScript prints it (Turndown does that arithmetic)."""
    text = start.strip()
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return "NaN"
    total = value + index
    return str(int(total)) if total.is_integer() else repr(total)
