"""Round-trip measures over real Webflow rich text (tests/data/webflow-corpus) and the vectors.

A *block* is one top-level element of a rich-text value (a paragraph, a heading, a list, a
figure, an embed). Each value goes HTML -> Markdown -> HTML as a pull then a push would take it,
and the blocks before and after are lined up (difflib) and compared:

- text: the visible text, whitespace collapsed;
- structure: the element tree with href/src/alt, after the normalisations for what
  Turndown's Markdown cannot say (INEXPRESSIBLE below, each listed in the README);

and each value's Markdown is checked to be a fixed point of Markdown -> HTML -> Markdown.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from connector.richtext.dom import VOID, Element, Node, Text, parse_fragment
from connector.richtext.to_markdown import _is_blank, js_trim, keep_inline

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "webflow-corpus"

# What Turndown's Markdown has no way to say, and what the normalised tree therefore leaves out
# (README, "What Markdown cannot say"): each entry is (name, example).
INEXPRESSIBLE = [
    ("attributes other than href, src, alt (id, class, style, role, data-*) on ordinary elements",
     '<p id="intro" class="lead">'),
    ("elements Markdown has no syntax for, whose content is kept (span, u, s, font, div wrappers)",
     "<p><span>a</span></p>"),
    ("<b> and <i>, written like <strong> and <em>", "<b>a</b>"),
    ("<p> wrapping the content of a list item or quote", "<li><p>a</p></li>"),
    ("emphasis holding only spaces or line breaks (Turndown drops it with its breaks)",
     "<strong><br></strong>"),
    ("blank elements (Turndown drops them)", "<p> </p>, <h2></h2>"),
    ("markup inside inline code (a code span holds text only)", "<code>a<em>b</em></code>"),
    ("a <pre> without <code>, a <div> of text (both become paragraphs)", "<pre>a</pre>"),
]
def keep_as_block(el: Element) -> bool:
    """What the README promises to keep as HTML, decided here apart from the converter's own
    choice, so that a converter dropping one of them fails the measure."""
    if el.tag in ("iframe", "video", "audio", "table", "object", "embed") or el.tag.startswith("wf-"):
        return True
    if el.tag == "div":
        return "w-embed" in el.classes or el.get("data-rt-embed-type") is not None
    if el.tag != "figure":
        return False
    aligns = [c for c in el.classes if c.startswith("w-richtext-align-")]
    return ("w-richtext-figure-type-image" not in el.classes or aligns not in ([], ["w-richtext-align-fullwidth"])
            or any(e.tag in ("figcaption", "a", "iframe") for e in el.iter()))


EXPRESSIBLE = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
                         "hr", "br", "a", "img", "strong", "em"})
RENAMED = {"b": "strong", "i": "em"}
_WS = re.compile(r"\s+")
_JOINERS = frozenset("\u200c\u200d")


def _draws(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def drawn(text: str) -> str:
    """``text`` without the format characters (Unicode category Cf: zero-width space and
    joiners, word joiner, BOM, soft hyphen, direction marks) that draw nothing. A zero-width
    (non-)joiner between two characters that draw stays: there it changes how they are drawn
    (an emoji sequence, a ligature, a conjunct)."""
    if text.isascii():
        return text
    out = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) != "Cf" or (
                ch in _JOINERS and 0 < i < len(text) - 1 and _draws(text[i - 1]) and _draws(text[i + 1])):
            out.append(ch)
    return "".join(out)


def visible_text(node: Node) -> str:
    """The text a reader sees, whitespace collapsed; blocks (list items, cells) and line breaks
    are whitespace, and format characters that draw nothing are not text (``drawn``)."""
    def walk(n: Node) -> str:
        if isinstance(n, Text):
            return n.data
        assert isinstance(n, Element)
        inner = "".join(walk(c) for c in n.children)
        return f" {inner} " if n.tag in _BLOCK_TAGS or n.tag in ("li", "td", "th", "tr", "br") else inner
    return _WS.sub(" ", drawn(walk(node))).strip()


def _structure(node: Element, in_code: bool = False) -> list[object]:
    out: list[object] = []
    for child in node.children:
        if not isinstance(child, Element):
            continue
        tag = RENAMED.get(child.tag, child.tag)
        if keep_as_block(child):
            out.append(("raw", re.sub(r"\s+", " ", child.html()).strip()))
            continue
        if _is_blank(child) or (tag in ("strong", "em") and not js_trim(child.text_content)):
            continue
        if tag == "a" and child.get("href") is None:  # an anchor without a link: Turndown keeps its text
            out.extend(_structure(child, in_code))
            continue
        if keep_inline(child) and not in_code:  # kept as a tag around Markdown: its attributes count
            out.append((tag, tuple(sorted(child.attrs)), tuple(_structure(child))))
            continue
        inner = _structure(child, in_code or tag == "code")
        if not inner and tag not in ("br", "hr", "img") and not js_trim(child.text_content):
            continue  # emptied by the rules above: Turndown writes nothing for it
        if in_code or tag not in EXPRESSIBLE or (tag == "p" and node.tag in ("li", "blockquote")):
            out.extend(inner)  # no Markdown for the element itself: its content counts
            continue
        attrs = tuple((k, v) for k, v in sorted(child.attrs) if k in ("href", "src", "alt"))
        out.append((tag, attrs, tuple(inner)))
    return out


_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "figure",
                         "div", "table", "section", "article", "header", "footer", "aside", "main"})


def blocks(html: str) -> list[Node]:
    """Top-level blocks; a wrapper without Markdown (a div of blocks) counts as the blocks it holds."""
    def flat(nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for n in nodes:
            if isinstance(n, Text) and not n.data.strip():
                continue
            if (isinstance(n, Element) and n.tag not in EXPRESSIBLE and not keep_as_block(n)
                    and any(isinstance(c, Element) and c.tag in _BLOCK_TAGS for c in n.children)):
                out.extend(flat(n.children))
            else:
                out.append(n)
        return out
    return flat(parse_fragment(html).children)


def block_structure(node: Node, last: bool = False) -> object:
    if isinstance(node, Text):
        return ("text",)
    wrapper = Element("x-root")
    wrapper.children = [node]
    shape = _structure(wrapper)
    if (isinstance(node, Element) and node.tag == "div" and shape and not keep_as_block(node)
            and not any(isinstance(s, tuple) and s and s[0] in _BLOCK_TAGS | {"img"} for s in shape)):
        shape = [("p", (), tuple(shape))]  # a div of text comes back as a paragraph
    shape = [("img-block",) + s[2] if isinstance(s, tuple) and s[:1] in (("p",), ("figure",)) and len(s[2]) == 1
             and isinstance(s[2][0], tuple) and s[2][0][0] == "img" else s for s in shape]
    if last:  # Turndown trims the end of its output: line breaks that end the value go with it
        trimmed = [_without_final_breaks(s) for s in shape]
        shape = [t for s, t in zip(shape, trimmed) if not (s != t and isinstance(t, tuple) and t[0] == "p" and not t[2])]
    # a pre without code comes back as a paragraph
    return tuple(("p",) + s[1:] if isinstance(s, tuple) and s and s[0] in ("pre",) and not any(
        isinstance(c, tuple) and c and c[0] == "code" for c in s[2]) else s for s in shape)


def structures(found: list[Node]) -> list[object]:
    """The structure of each block; the last block that shows anything loses its final breaks
    (blank blocks after it write nothing)."""
    shapes = [block_structure(b) for b in found]
    last = max((n for n, s in enumerate(shapes) if s != ()), default=None)
    if last is not None:
        shapes[last] = block_structure(found[last], last=True)
    return shapes


def _without_final_breaks(shape: object) -> object:
    if not (isinstance(shape, tuple) and len(shape) == 3 and isinstance(shape[2], tuple)):
        return shape
    kids = list(shape[2])
    while kids and kids[-1] == ("br", (), ()):
        kids.pop()
    if kids:
        kids[-1] = _without_final_breaks(kids[-1])
    return (shape[0], shape[1], tuple(kids))


def _kept(before: list[object], after: list[object]) -> list[bool]:
    kept = [False] * len(before)
    matcher = difflib.SequenceMatcher(a=[repr(b) for b in before], b=[repr(a) for a in after], autojunk=False)
    for block in matcher.get_matching_blocks():
        for i in range(block.size):
            kept[block.a + i] = True
    return kept


def kept_text(before: list[str], after: list[str]) -> list[bool]:
    """Which blocks keep their text. Blocks are lined up as for the structure; where they are
    cut otherwise (a list read back as two lists, two paragraphs as one), a run of blocks
    whose words come back in the same order, with nothing between them, as a run of blocks,
    keeps its text: where a block ends is structure, not text (a block edge is whitespace)."""
    kept = [False] * len(before)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            kept[i1:i2] = [True] * (i2 - i1)
        elif op == "replace":
            for i in _same_words_recut(before[i1:i2], after[j1:j2]):
                kept[i1 + i] = True
    return kept


def _same_words_recut(before: list[str], after: list[str]) -> set[int]:
    """The blocks of ``before`` that, in order, have the words of a run of ``after`` blocks,
    or together with their neighbours the words of one ``after`` block."""
    found: set[int] = set()
    i = j = 0
    while i < len(before):
        for jj in range(j, len(after)):
            run = _words_run(before[i], after, jj)
            if run:
                found.add(i)
                i, j = i + 1, run
                break
            run = _words_run(after[jj], before, i)
            if run > i + 1:
                found.update(range(i, run))
                i, j = run, jj + 1
                break
        else:
            i += 1
    return found


def _words_run(text: str, blocks: list[str], start: int) -> int:
    """The end of the run of ``blocks`` from ``start`` whose words are those of ``text``; 0
    when there is none."""
    target, words, k = text.split(" "), [], start
    while k < len(blocks) and len(words) < len(target):
        words += blocks[k].split(" ")
        k += 1
    return k if words == target else 0


@dataclass
class Result:
    name: str
    html: str
    markdown: str
    back: str
    text_lost: list[str] = field(default_factory=list)
    block_html: list[str] = field(default_factory=list)
    structure_lost: list[str] = field(default_factory=list)
    blocks: int = 0
    fixed_point: bool = True
    pieces: int = 0  # (a push) top-level pieces of the value, but the edited one
    pieces_kept: int = 0  # of which the push sent byte for byte


def measure(name: str, html: str, to_markdown: Callable[[str], str], to_html: Callable[[str], str]) -> Result:
    markdown = to_markdown(html)
    back = to_html(markdown)
    result = Result(name, html, markdown, back)
    _compare(result, html, back)
    try:
        result.fixed_point = to_markdown(back) == markdown
    except Exception:  # a crash is not a fixed point
        result.fixed_point = False
    return result


def _compare(result: Result, html: str, back: str) -> None:
    """The blocks of ``html`` whose text, and whose structure, ``back`` loses."""
    before, after = blocks(html), blocks(back)
    result.blocks = len(before)
    result.block_html = [b.html() if isinstance(b, Element) else b.text_content for b in before]
    # text, block by block; blank blocks (Turndown drops them) count as kept when nothing shows
    texts_b = [visible_text(b) for b in before]
    texts_a = [t for t in (visible_text(a) for a in after) if t]
    kept = kept_text([t for t in texts_b if t], texts_a)
    it = iter(kept)
    for node, text in zip(before, texts_b):
        if text and not next(it):
            result.text_lost.append(node.html() if isinstance(node, Element) else node.text_content)
    shapes_b = structures(before)
    shapes_a = [s for s in structures(after) if s != ()]
    kept = _kept([s for s in shapes_b if s != ()], shapes_a)
    it = iter(kept)
    for node, shape in zip(before, shapes_b):
        if shape != () and not next(it):
            result.structure_lost.append(node.html() if isinstance(node, Element) else str(node.text_content))


def corpus() -> list[tuple[str, str]]:
    values = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.html"))]
    cases = json.loads((DATA / "turndown.json").read_text(encoding="utf-8"))["cases"]
    values += [(f"vector-{n}", c["html"]) for n, c in enumerate(cases)]
    return values


def summary(results: list[Result]) -> dict[str, float]:
    total = sum(r.blocks for r in results) or 1
    return {
        "blocks": total,
        "values": len(results),
        "text": 100.0 * (total - sum(len(r.text_lost) for r in results)) / total,
        "structure": 100.0 * (total - sum(len(r.structure_lost) for r in results)) / total,
        "fixed_point": 100.0 * sum(r.fixed_point for r in results) / (len(results) or 1),
    }


# -- a push of an edited value, against Webflow's current value --------------------------------
# The measure above is the converter alone (Markdown -> HTML, knowing nothing of Webflow). A push
# that updates an item knows Webflow's HTML: here one word of one block of each value is edited
# (in the HTML, so the file holds what Turndown writes for the edit), the file's Markdown is pushed
# against the original value, and every other block must keep its text and structure.
EDIT_MARK = "zqj"
_TEXT_RUN = re.compile(r"(?<=>)[^<>]+(?=<)")
_EDIT_WORD = re.compile(r"[A-Za-z]{3,}")
_LAST_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)[^<>]*>\Z")


def edits(html: str, most: int = 4) -> list[str]:
    """Up to ``most`` copies of ``html``, each with one word of one text run (spread over the
    value) followed by ``EDIT_MARK``."""
    spots = []
    for run in _TEXT_RUN.finditer(html):
        tag = _LAST_TAG.search(html, 0, run.start())
        word = _EDIT_WORD.search(run.group(0))
        if word and not (tag and tag.group(1).lower() in ("script", "style")):
            spots.append(run.start() + word.end())
    chosen = spots if len(spots) <= most else [spots[k * len(spots) // most] for k in range(most)]
    return [html[:at] + EDIT_MARK + html[at:] for at in chosen]


def measure_edit(name: str, original: str, edited: str, to_markdown: Callable[[str], str],
                 push: Callable[[str, str], str]) -> Result:
    """``push(markdown, webflow_html)`` of the file's Markdown after the edit, against the
    original: the blocks of the edited value (all but the edited one) whose text or structure
    the push loses."""
    markdown = to_markdown(edited)
    sent = push(markdown, original)
    result = Result(name, edited, markdown, sent)
    _compare(result, edited, sent)
    mine = [b for b in result.block_html if EDIT_MARK in b]
    result.blocks -= len(mine)
    result.text_lost = [b for b in result.text_lost if b not in mine]
    result.structure_lost = [b for b in result.structure_lost if b not in mine]
    result.fixed_point = to_markdown(sent) == markdown
    from connector.richtext.keep_blocks import cut

    pieces = [p for p in cut(edited) or [edited] if EDIT_MARK not in p and p.strip()]
    result.pieces, result.pieces_kept = len(pieces), sum(p.strip() in sent for p in pieces)
    return result


def push_against_webflow(markdown: str, webflow_html: str) -> str:
    """What a push sends for a rich-text field whose Webflow value is ``webflow_html``."""
    from connector.codecs import NoReferences, RichTextCodec
    from connector.model import Field
    from connector.richtext.keep_blocks import WebflowRichText
    from connector.richtext.to_markdown import to_markdown as _to_markdown

    spec = Field(id="rich", slug="rich", type="RichText", display_name="Rich text")
    return RichTextCodec().encode_against(markdown, spec, NoReferences(), WebflowRichText(_to_markdown(webflow_html), webflow_html))


def edit_summary(results: list[Result]) -> dict[str, float]:
    figures = summary(results)
    figures["pushes"] = figures.pop("values")
    figures["reads_as_the_file"] = figures.pop("fixed_point")
    figures["byte_for_byte"] = 100.0 * sum(r.pieces_kept for r in results) / (sum(r.pieces for r in results) or 1)
    return figures


def edited_pushes(values: list[tuple[str, str]], push: Callable[[str, str], str]) -> list[Result]:
    from connector.richtext.to_markdown import to_markdown as _to_markdown

    return [measure_edit(name, html, edited, _to_markdown, push) for name, html in values for edited in edits(html)]


# -- what Turndown's Markdown leaves ambiguous ----------------------------------------------
# A block lost in the round trip (or a value that is not a fixed point) is excused only when it
# holds one of these (README, "Known limits of the Turndown format"): (name, example, test).
def _elements(html: str) -> list[Element]:
    return list(parse_fragment(html).iter())


def _unbalanced_url(html: str) -> bool:
    return any(e.tag in ("a", "img") and (lambda u: u.count("(") != u.count(")"))(e.get("href") or e.get("src") or "")
               for e in _elements(html))


def _code_markup(html: str) -> bool:
    return any(e.tag == "code" and any(c.tag != "br" for c in e.iter()) for e in _elements(html))


_TEXT_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?(/?)>")
_TEXT_ENTITY = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#x[0-9a-fA-F]+);?|<!")


def _text_as_markup(html: str) -> bool:
    """Text that reads as markup: an entity, a comment, or a tag that has a partner in the text
    (a tag without one is read back as text), or one that needs none (``<br>``)."""
    text = parse_fragment(html).text_content
    if _TEXT_ENTITY.search(text):
        return True
    opened: dict[str, int] = {}
    for closing, name, alone in _TEXT_TAG.findall(text):
        name = name.lower()
        if name in VOID:
            return True
        if alone:
            continue  # ("<x/>" opens an element it never closes: read back as text)
        if not closing:
            opened[name] = opened.get(name, 0) + 1
        elif opened.get(name):
            return True
    return False


_BLOCKS_IN_ITEMS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "figure", "hr", "table", "div",
                              "iframe", "video", "p", "ul", "ol"})


def _nested_blocks(html: str) -> bool:
    """A list item or quote holding a heading, rule, code block, figure or embed, a block after
    inline text, text after a nested list, or an empty item: Turndown's indentation of these
    reads as other structure in CommonMark."""
    for e in _elements(html):
        if e.tag == "li":
            inline_seen = False
            for c in e.children:
                block = isinstance(c, Element) and c.tag in _BLOCKS_IN_ITEMS
                if block and (inline_seen or c.tag not in ("p", "ul", "ol")):
                    return True
                if isinstance(c, Element) and c.tag in ("ul", "ol") and c is not e.children[-1]:
                    return True
                inline_seen = inline_seen or (not block and bool(c.text_content.strip() or isinstance(c, Element)))
            if not e.text_content.strip(JS_SPACE) and not e.element_children:
                return True
        if e.tag == "blockquote" and any(c.tag in _BLOCKS_IN_ITEMS - {"p"} for c in e.element_children):
            return True
    return False


def _loose_inline(html: str) -> bool:
    found = blocks(html)
    return any(isinstance(b, Text) or (isinstance(b, Element) and b.tag not in _BLOCK_TAGS and not keep_as_block(b))
               for b in found)


def _only_empty_paragraphs(html: str) -> bool:
    return all(isinstance(b, Element) and b.tag == "p" and visible_text(b) in ("", "\u200d") for b in blocks(html))


JS_SPACE = " \t\n\r\x0b\x0c\xa0\ufeff\u2028\u2029\u202f\u205f\u3000\u1680" + "".join(map(chr, range(0x2000, 0x200B)))


# The next tests prove what they claim: they change the block and check that Turndown writes
# the same Markdown for both versions (two HTML inputs, one Markdown), or that the Markdown
# depends on an element the Markdown has no syntax for.
def _same_markdown_after(change: Callable[[Element], bool]) -> Callable[[str], bool]:
    def test(html: str) -> bool:
        from connector.richtext.to_markdown import to_markdown
        root = parse_fragment(html)
        return change(root) and to_markdown(root.inner_html()) == to_markdown(html)
    return test


_NOT_INLINE = _BLOCK_TAGS | {"li", "td", "th", "tr", "br", "img", "hr", "code"}


def _leaves(el: Element) -> list[Node]:
    out: list[Node] = []
    for child in el.children:
        if isinstance(child, Text):
            if child.data.strip(JS_SPACE):
                out.append(child)
        elif child.tag in ("br", "img"):
            out.append(child)
        else:
            out.extend(_leaves(child))
    return out


def _edge_breaks(root: Element) -> list[list[Node]]:
    """The line breaks at the edges of each inline element (inline code too) whose text starts
    or ends with a space: Turndown moves the space out and trims the element's Markdown,
    breaks included."""
    found: list[list[Node]] = []
    for el in root.iter():
        text = el.text_content
        if el.tag in _NOT_INLINE - {"code"} or not text or (text[0] not in JS_SPACE and text[-1] not in JS_SPACE):
            continue
        leaves = _leaves(el)
        for edge in (leaves, leaves[::-1]):  # (each edge apart: Turndown may trim one and not the other)
            doomed: list[Node] = []
            for leaf in edge:
                if not (isinstance(leaf, Element) and leaf.tag == "br"):
                    break
                doomed.append(leaf)
            if doomed:
                found.append(doomed)
    return found


def _breaks_trimmed_at_edges(html: str) -> bool:
    """Removing those breaks (all, or one element's: whitespace collapsing decides which spaces
    Turndown sees) gives the same Markdown."""
    from connector.richtext.to_markdown import to_markdown
    markdown = to_markdown(html)
    count = len(_edge_breaks(parse_fragment(html)))
    if not count:  # no such break: nothing to prove
        return False
    for only in [None] + list(range(count)):
        root = parse_fragment(html)
        groups = _edge_breaks(root)
        chosen = [n for g in groups for n in g] if only is None else groups[only]
        _remove_like_breaks(root, chosen)
        if to_markdown(root.inner_html()) == markdown:
            return True
    return False


def _in_order(node: Element) -> list[Node]:
    out: list[Node] = []
    for child in node.children:
        out.append(child)
        if isinstance(child, Element):
            out.extend(_in_order(child))
    return out


def _remove_like_breaks(root: Element, doomed: list[Node]) -> None:
    """Remove nodes that hold line breaks, and the spaces Turndown drops beside a <br> (the
    space that ends the text before it and the one that begins the text after it)."""
    order = _in_order(root)
    inside = {id(n) for d in doomed for n in ([d] + (_in_order(d) if isinstance(d, Element) else []))}
    for node in doomed:
        at = order.index(node)
        before = next((n for n in reversed(order[:at]) if isinstance(n, Text) and id(n) not in inside), None)
        after = next((n for n in order[at + 1:] if isinstance(n, Text) and id(n) not in inside), None)
        if before is not None:
            before.data = before.data.rstrip(" \t\r\n")
        if after is not None:
            after.data = after.data.lstrip(" \t\r\n")
    for node in sorted({id(n): n for n in doomed}.values(), key=lambda n: -n.index):
        if node.parent is not None and id(node.parent) not in inside:
            node.parent.remove(node)


def _blank_emphasis(root: Element) -> list[Element]:
    return [el for el in root.iter() if el.tag in ("strong", "em", "b", "i") and el.children
            and not el.text_content.strip(JS_SPACE) and not any(e.tag == "img" for e in el.iter())]


def _drop_blank_emphasis(root: Element) -> bool:
    """Remove emphasis holding only spaces or line breaks: Turndown writes nothing for it."""
    doomed = _blank_emphasis(root)
    _remove_like_breaks(root, doomed)
    return bool(doomed)


def _empty_blank_emphasis(root: Element) -> bool:
    """The same emphasis, emptied: Turndown writes nothing for it either, and the text nodes on
    either side stay apart (``a<strong><br></strong>1. x``: the escape of ``1.`` stays)."""
    found = _blank_emphasis(root)
    for el in found:
        for child in list(el.children):
            el.remove(child)
    return bool(found)


def _strip_spaces_beside(el: Element, before: bool, after: bool) -> None:
    siblings = el.parent.children if el.parent is not None else []
    if before and el.index > 0 and isinstance(siblings[el.index - 1], Text):
        siblings[el.index - 1].data = siblings[el.index - 1].data.rstrip(JS_SPACE)  # type: ignore[union-attr]
    if after and el.index + 1 < len(siblings) and isinstance(siblings[el.index + 1], Text):
        siblings[el.index + 1].data = siblings[el.index + 1].data.lstrip(JS_SPACE)  # type: ignore[union-attr]


def _empty_blank_emphasis_and_space(root: Element) -> bool:
    """The same emphasis emptied, and the spaces beside it gone: a line break in it makes
    Turndown drop them with it (``a <strong><br></strong> 1. x`` is written as
    ``a<strong></strong>1. x`` is: ``a1\\. x``)."""
    found = _blank_emphasis(root)
    for el in found:
        for child in list(el.children):
            el.remove(child)
        _strip_spaces_beside(el, True, True)
    return bool(found)


def _blank_emphasis_as_span(root: Element) -> bool:
    """The same emphasis as a span: what it held stays (a no-break space), the emphasis does not."""
    found = _blank_emphasis(root)
    for el in found:
        el.tag, el.node_name = "span", "SPAN"
    return bool(found)


def _either(*tests: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda html: any(test(html) for test in tests)


def _blank_heading_as_hashes(root: Element) -> bool:
    """A heading of only line breaks written last (h3-h6): the end of the value trims it to its
    ``#`` marks, which is how Turndown writes a paragraph of those ``#``."""
    found = [el for el in root.iter() if el.tag in ("h3", "h4", "h5", "h6") and not el.text_content.strip(JS_SPACE)
             and any(e.tag == "br" for e in el.iter())]
    for el in found:
        level = int(el.tag[1])
        el.tag, el.node_name, el.children = "p", "P", []
        el.append(Text("#" * level))
    return bool(found)


def _merge_code_side_by_side(root: Element) -> bool:
    """Two inline code spans side by side as one: Turndown delimits code with the shortest run of
    backticks the code does not hold, so ``<code>c``c</code>`` is also `` `c``c` ``."""
    merged = False
    for el in list(root.iter()):
        while (el.tag == "code" and isinstance(nxt := el.next_sibling, Element) and nxt.tag == "code"
               and el.parent is not None):
            el.append(Text("``"))
            for child in list(nxt.children):
                nxt.remove(child)
                el.append(child)
            el.parent.remove(nxt)
            merged = True
    return merged


def _emphasis_edge_to_edge(html: str) -> bool:
    """<em> opening or closing right where an enclosing <em> does: Turndown writes ``__``, which
    is also what editors type for bold, and is read as bold."""
    from connector.richtext.to_markdown import to_markdown
    return any(e.tag in ("em", "i") and any(a.tag in ("em", "i") for a in e.iter()) for e in _elements(html)) \
        and re.search(r"(?<![\\_])__|__(?!_)", to_markdown(html)) is not None


_SAME_KIND = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}


def _emphasis_inside_its_kind(html: str) -> bool:
    """Bold inside bold (or emphasis inside emphasis) away from its edges:
    ``<strong>a<strong>b</strong>c</strong>`` and ``<strong>a</strong>b<strong>c</strong>`` are
    both ``**a**b**c**`` (the proof: the HTML read back has the same Markdown)."""
    from connector.richtext.to_html import to_html
    from connector.richtext.to_markdown import to_markdown
    nested = any(e.tag in _SAME_KIND and any(_SAME_KIND.get(a.tag) == _SAME_KIND[e.tag] for a in e.iter())
                 for e in _elements(html))
    if not nested:
        return False
    markdown = to_markdown(html)
    back = to_html(markdown)
    return back != html and to_markdown(back) == markdown


_ESCAPED_AT_NODE_START = re.compile(r"-|\+ |=|#{1,6} |>|\d+\. |~~~")


def _escape_at_element_start(html: str) -> bool:
    """Text beginning an inline element Markdown has no syntax for (a span), with a character
    Turndown escapes only where a text node begins (``a<span>- b</span>`` is ``a\\- b``): the
    escape says where the span began; without it (``a- b``) Turndown writes no escape."""
    from connector.richtext.to_markdown import to_markdown
    root = parse_fragment(html)
    for el in root.iter():
        if (el.tag in EXPRESSIBLE or el.tag in _NOT_INLINE or keep_inline(el) or keep_as_block(el)
                or not _ESCAPED_AT_NODE_START.match(el.text_content) or el.parent is None):
            continue
        parent, at = el.parent, el.index
        parent.remove(el)
        for n, child in enumerate(list(el.children)):
            el.remove(child)
            child.parent, child.index = parent, at + n
            parent.children.insert(at + n, child)
        for i, child in enumerate(parent.children):
            child.index = i
        if to_markdown(root.inner_html()) != to_markdown(html):
            return True
        root = parse_fragment(html)
    return False

def _tail_into_nested_list(root: Element) -> bool:
    """What follows a nested list in a list item, moved to the end of that list's last item (in
    a span): Turndown writes it right after that item's text (``*   a⏎    1.  xtail``)."""
    moved = False
    for li in [e for e in root.iter() if e.tag == "li"]:
        lists = [k for k in li.children if isinstance(k, Element) and k.tag in ("ul", "ol")]
        items = [c for c in lists[-1].children if isinstance(c, Element) and c.tag == "li"] if lists else []
        tail = li.children[lists[-1].index + 1:] if items else []
        if not tail or any(isinstance(t, Element) and t.tag in _BLOCKS_IN_ITEMS for t in tail):
            continue
        span = Element("span")  # where the text began (Turndown escapes "- " only there)
        for node in tail:
            li.remove(node)
            span.append(node)
        items[-1].append(span)
        moved = True
    return moved


def _markup_codes(root: Element) -> list[Element]:
    """Inline code holding markup (other than line breaks), outermost first."""
    return [e for e in _outer_codes(root) if any(c.tag != "br" for c in e.iter() if c is not e)]


def _outer_codes(root: Element) -> list[Element]:
    return [e for e in root.iter() if e.tag == "code" and not any(a.tag == "code" for a in _ancestors(e))]


def _ancestors(el: Element) -> list[Element]:
    out, up = [], el.parent
    while up is not None:
        out.append(up)
        up = up.parent
    return out


def _code_readings(root: Element, code: Element, markdown: str) -> list[str]:
    """What the code that Turndown's Markdown reads back as holds (``<code>a<em>b</em></code>``
    is ```a_b_```, which is ``<code>a_b_</code>``), as HTML: in its place, from the reading of the
    whole block's ``markdown`` (the spaces Turndown keeps there depend on what is around it), and
    alone (for a block that reads back with its code spans cut otherwise)."""
    from connector.richtext.to_html import to_html
    from connector.richtext.to_markdown import to_markdown
    found: list[str] = []
    written = [c for c in _outer_codes(root) if to_markdown(f"<p>{c.html()}</p>")]  # (empty code: nothing)
    back = _outer_codes(parse_fragment(to_html(markdown)))
    if any(c is code for c in written) and len(back) == len(written):
        found.append(back[next(n for n, c in enumerate(written) if c is code)].inner_html())
    alone = [e for e in parse_fragment(to_html(to_markdown(f"<p>x{code.html()}x</p>"))).iter() if e.tag == "code"]
    if len(alone) == 1 and alone[0].inner_html() not in found:
        found.append(alone[0].inner_html())
    # a line break and one more space in code (four spaces in the Markdown, as inner code's
    # delimiters write them) is read as a space then <br>; Turndown drops a space before a <br>,
    # but keeps one after an element that writes nothing and draws nothing (a <wbr>)
    found += [spaced for spaced in (re.sub(r" ((?:<br>)+)", r"\1<wbr> ", f) for f in found) if spaced not in found]
    return found


def _put(parent: Element, at: int, node: Node) -> None:
    parent.children.insert(at, node)
    node.parent = parent
    for i, child in enumerate(parent.children):
        child.index = i


_ASCII_SPACE = " \t\n\r\f"


def _text_beside(root: Element, code: Element, step: int) -> Text | None:
    """The text node right before (``step`` -1) or after (1) the code, outside it, in document
    order: the one whose space Turndown collapses against the code's."""
    order = _in_order(root)
    inside = set(map(id, _in_order(code)))
    at = order.index(code)
    k = at - 1 if step < 0 else at + 1 + len(inside)
    while 0 <= k < len(order):
        node = order[k]
        if isinstance(node, Text) and id(node) not in inside:
            return node
        if isinstance(node, Element) and node.tag in _NOT_INLINE - {"code"}:
            return None  # a block or a break in between: no collapsing across it
        k += step
    return None


def _code_markup_twin(html: str, markdown: str) -> str:
    """Each inline code holding markup, one at a time, as the code its Markdown reads back as
    (``_code_readings``), kept only where the whole block's Markdown stays ``markdown``.
    Turndown moves the spaces at the code's edges out of it (``<code> <em>a</em></code>`` is
    `` `_a_` `` after a space) and collapses them against the text beside it, so the rebuilt
    code gets them outside, and the text beside may lose its own: each placement is tried, and
    only one giving the very same Markdown makes the twin."""
    from itertools import product

    from connector.richtext.to_markdown import to_markdown
    current, k = html, 0
    while k < (count := len(_markup_codes(parse_fragment(current)))):
        code = _markup_codes(parse_fragment(current))[k]
        text = code.text_content
        lead = text[:len(text) - len(text.lstrip(JS_SPACE))] if text.strip(JS_SPACE) else text
        trail = text[len(text.rstrip(JS_SPACE)):] if text.strip(JS_SPACE) else ""
        root = parse_fragment(current)
        readings = _code_readings(root, _markup_codes(root)[k], markdown)
        for reading, out_lead, out_trail, strip_before, strip_after in sorted(
                product(readings, (False, True), (False, True), (False, True), (False, True)),
                key=lambda v: sum(v[1:])):
            if (out_lead and not lead) or (out_trail and not trail):
                continue
            root = parse_fragment(current)
            code = _markup_codes(root)[k]
            parent = code.parent
            assert parent is not None
            before = _text_beside(root, code, -1) if strip_before else None
            after = _text_beside(root, code, 1) if strip_after else None
            if (strip_before and before is None) or (strip_after and after is None):
                continue
            if before is not None:
                before.data = before.data.rstrip(_ASCII_SPACE)
            if after is not None:
                after.data = after.data.lstrip(_ASCII_SPACE)
            for child in list(code.children):
                code.remove(child)
            rebuilt = parse_fragment(reading)
            for child in list(rebuilt.children):
                rebuilt.remove(child)
                code.append(child)
            if out_trail:
                _put(parent, code.index + 1, Text(trail))
            if out_lead:
                _put(parent, code.index, Text(lead))
            if to_markdown(root.inner_html()) == markdown:
                current = root.inner_html()
                break
        if len(_markup_codes(parse_fragment(current))) == count:
            k += 1  # not rewritten (or still holding markup): the next one
    return current


def _parenthesis_into_url(root: Element) -> bool:
    """A link whose URL opens a parenthesis it does not close, followed by ``)``: the same
    link with the ``)`` inside its URL (``[x](/a_(b))`` both)."""
    changed = False
    for el in [e for e in root.iter() if e.tag == "a" and e.get("href")]:
        href = el.get("href") or ""
        nxt = el.next_sibling
        if href.count("(") > href.count(")") and isinstance(nxt, Text) and nxt.data.startswith(")"):
            el.attrs = [(k, v + ")" if k == "href" else v) for k, v in el.attrs]
            nxt.data = nxt.data[1:]
            changed = True
    return changed


_TWIN_REWRITES: list[Callable[[Element], bool]] = [
    _drop_blank_emphasis, _empty_blank_emphasis, _blank_emphasis_as_span, _blank_heading_as_hashes,
    _merge_code_side_by_side,
    _tail_into_nested_list, _parenthesis_into_url]


def text_twin(html: str) -> str | None:
    """Another HTML that Turndown writes as the same Markdown, made by the listed rewrites: each
    one (and each group of edge breaks removed) is kept only when the Markdown stays the same."""
    from connector.richtext.to_markdown import to_markdown
    markdown = to_markdown(html)
    current = html
    count = len(_edge_breaks(parse_fragment(html)))
    for only in [None] + list(range(count)):
        root = parse_fragment(current)
        groups = _edge_breaks(root)
        if not groups or (only is not None and only >= len(groups)):
            continue
        _remove_like_breaks(root, [n for g in groups for n in g] if only is None else groups[only])
        if to_markdown(root.inner_html()) == markdown:
            current = root.inner_html()
    for rewrite in _TWIN_REWRITES:
        root = parse_fragment(current)
        if rewrite(root) and to_markdown(root.inner_html()) == markdown:
            current = root.inner_html()
    current = _code_markup_twin(current, markdown)
    # one blank emphasis at a time (a space in one of them is text, a break in another is not)
    # (or its line breaks as <wbr>: an element Turndown keeps as HTML, <sup>, stays when emphasis
    # in it holds something, and a <wbr> writes nothing and draws nothing, as the break did not)
    k = 0
    while k < len(_blank_emphasis(parse_fragment(current))):
        for before, after, wbr in ((False, False, False), (True, False, False), (False, True, False),
                                   (True, True, False), (False, False, True)):
            root = parse_fragment(current)
            el = _blank_emphasis(root)[k]
            breaks = [e for e in el.iter() if e.tag == "br"]
            if wbr and not breaks:
                continue
            for br in breaks if wbr else []:
                br.tag, br.node_name = "wbr", "WBR"
            for child in [] if wbr else list(el.children):
                el.remove(child)
            _strip_spaces_beside(el, before, after)
            if to_markdown(root.inner_html()) == markdown:
                current = root.inner_html()
                k += wbr  # (still holding something: the next one)
                break
        else:
            k += 1
    return current if current != html else None


def text_is_a_twins(block_html: str) -> bool:
    """The text that comes back is that of another HTML Turndown writes the same way (``text_twin``):
    no reader of the Markdown can tell which of the two it was, so the text it gives is right
    for one of them."""
    from connector.richtext.to_html import to_html
    from connector.richtext.to_markdown import to_markdown
    twin = text_twin(block_html)
    return twin is not None and visible_text(parse_fragment(twin)) == visible_text(
        parse_fragment(to_html(to_markdown(block_html))))


AMBIGUOUS: list[tuple[str, str, Callable[[str], bool]]] = [
    ("a URL with an unbalanced parenthesis, followed by text", '<a href="/a_(b">x</a>)', _unbalanced_url),
    ("markup inside inline code (Turndown writes its Markdown, unescaped)", "<code>a<em>b</em></code>",
     _code_markup),
    ("text that reads as a tag pair, a line break or an entity", "<p>&lt;b&gt;x&lt;/b&gt; or &amp;amp;</p>",
     _text_as_markup),
    ("a value of only empty paragraphs (Turndown writes nothing)", "<p>\u200d</p>", _only_empty_paragraphs),
    ("text or inline markup outside any block, beside blocks (it joins a paragraph)", "a<p>b</p>", _loose_inline),
    ("a line break at the edge of an inline element whose text begins or ends with a space",
     "<p>x<em> a<br></em></p>", _breaks_trimmed_at_edges),
    ("emphasis holding only spaces or line breaks, and the space they made", "<p>a<em><br></em>b</p>",
     _either(_same_markdown_after(_drop_blank_emphasis), _same_markdown_after(_empty_blank_emphasis),
             _same_markdown_after(_empty_blank_emphasis_and_space), _same_markdown_after(_blank_emphasis_as_span))),
    ("a heading h3-h6 of only line breaks, last in the value", "<h5><br></h5>",
     _same_markdown_after(_blank_heading_as_hashes)),
    ("emphasis opening or closing where an enclosing emphasis does (``__x__`` reads as bold)",
     "<em><em>x</em></em>", _emphasis_edge_to_edge),
    ("bold inside bold, or emphasis inside emphasis, away from its edges",
     "<p><strong>a<strong>b</strong>c</strong></p>", _emphasis_inside_its_kind),
    ("two inline code spans side by side (they read as one)", "<p><code>c</code><code>c</code></p>",
     _same_markdown_after(_merge_code_side_by_side)),
    ("text beginning a span (or another element without Markdown) with - # = > + or 1.",
     "<p>a<span>- b</span></p>", _escape_at_element_start),
    ("text after a nested list in a list item (it joins the nested list's last item)",
     "<ul><li>a<ol><li>x</li></ol>tail</li></ul>", _same_markdown_after(_tail_into_nested_list)),
    # last, and never an excuse for text (text_excused): the indentation of these blocks reads
    # otherwise in CommonMark; what is left of it is the element tree and the Markdown's spacing
    ("headings, rules, code blocks, figures or embeds inside a list item or a quote (their element tree "
     "and spacing; their text comes back)", "<li>a<h4>b</h4></li>", _nested_blocks),
]


def text_excused(block_html: str) -> str | None:
    """Why a block's text may come back otherwise: the text that came back is another HTML's
    that Turndown writes the same way (``text_is_a_twins``), or one of the constructs of
    ``TEXT_AMBIGUOUS`` (README). A listed construct that does not explain the text is no excuse."""
    if text_is_a_twins(block_html):
        return "twin"
    return next((name for name, _, test in AMBIGUOUS if test in TEXT_AMBIGUOUS and test(block_html)), None)


def excused(block_html: str) -> str | None:
    for name, _, test in AMBIGUOUS:
        if test(block_html):
            return name
    return None


# constructs whose text loss is not proven by a twin on every block (README): text that reads as
# a tag pair or an entity, text outside any block, and ``__`` read as an editor types it (bold, or
# literal inside a word) where Turndown meant emphasis inside emphasis. (Markup inside inline
# code is not one of them: each such block is proven by its twin, ``_code_markup_twin``.)
TEXT_AMBIGUOUS = frozenset({_text_as_markup, _loose_inline, _emphasis_edge_to_edge})


def unexcused(result: Result) -> list[tuple[str, str]]:
    """What the round trip lost that no listed ambiguity explains (a block, or the one before
    it, holding one: an HTML block opened by text such as "<div>" runs on into the next)."""
    out: list[tuple[str, str]] = []
    for kind, lost in (("text", result.text_lost), ("structure", result.structure_lost)):
        for block in lost:
            at = result.block_html.index(block) if block in result.block_html else -1
            near = [block] + ([result.block_html[at - 1]] if at > 0 else [])
            if kind == "text" and not any(text_excused(b) for b in near):
                out.append((kind, block))
            elif kind != "text" and not any(excused(b) for b in near):
                out.append((kind, block))
    if not result.fixed_point and not any(excused(b) for b in result.block_html + [result.html]):
        out.append(("fixed point", result.markdown))
    return out


if __name__ == "__main__":  # python -m tests.richtext_corpus: the figures
    from connector.richtext.to_html import to_html as _to_html
    from connector.richtext.to_markdown import to_markdown as _to_markdown

    results = [measure(n, h, _to_markdown, _to_html) for n, h in corpus()]
    print("converter alone (HTML -> Markdown -> HTML):")
    print(json.dumps(summary(results), indent=1))
    real = [r for r in results if not r.name.startswith("vector-")]
    print("real corpus only:", json.dumps(summary(real)))
    lost = [b for r in results for b in r.text_lost]
    print(f"blocks whose text is not kept: {len(lost)}, proven by the other HTML Turndown writes the same way:",
          sum(text_is_a_twins(b) for b in lost), "(markup inside inline code:", sum(_code_markup(b) for b in lost), end=")\n")
    pushed = edited_pushes(corpus(), push_against_webflow)
    blind = edited_pushes(corpus(), lambda md, webflow: _to_html(md, _to_markdown(webflow)))
    print("push of an edited value, against Webflow's current value (every block but the edited one):")
    print(json.dumps(edit_summary(pushed), indent=1))
    print("the same pushes, the converter alone (what a push sent before):", json.dumps(edit_summary(blind)))
    for r in pushed:
        for what, lost in (("text", r.text_lost), ("structure", r.structure_lost)):
            for b in lost:
                print(f"push {r.name}: {what}: {b[:160]!r}")
    for r in results:
        for what, lost in (("text", r.text_lost), ("structure", r.structure_lost)):
            for b in lost:
                print(f"{r.name}: {what}: {b[:160]!r}")
        if not r.fixed_point:
            print(f"{r.name}: not a fixed point: {r.markdown[:120]!r}")
