"""Acceptance data: real Turndown 7.1.3 and js-yaml 4.1.0 outputs (tests/data/*.json)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from connector.richtext.to_markdown import to_markdown
from connector.yamlstyle import dump

DATA = Path(__file__).parent / "data"
TURNDOWN = json.loads((DATA / "turndown.json").read_text(encoding="utf-8"))["cases"]
JSYAML = json.loads((DATA / "js-yaml.json").read_text(encoding="utf-8"))["cases"]


class _NestedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.nested = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "a":
            self.nested = self.nested or self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.depth = max(0, self.depth - 1)


def has_nested_links(html: str) -> bool:
    """Invalid HTML (a link inside a link) that browsers repair each their own way."""
    parser = _NestedLinks()
    parser.feed(html)
    return parser.nested


EXACT = [c for c in TURNDOWN if c["turndown_exact"]]


def test_every_exact_vector_is_checked_nested_links_too() -> None:
    # nested links are invalid HTML; the HTML5 parser repairs them as Turndown's own parser does
    assert len(EXACT) == 181 and sum(has_nested_links(c["html"]) for c in EXACT) >= 2


@pytest.mark.parametrize("case", EXACT, ids=lambda c: c["html"][:40])
def test_turndown_vector(case: dict) -> None:
    assert to_markdown(case["html"]) == case["expected"]


@pytest.mark.parametrize("case", JSYAML, ids=lambda c: json.dumps(c["data"], ensure_ascii=False)[:40])
def test_js_yaml_vector(case: dict) -> None:
    text = dump(case["data"])
    assert text == case["yaml"]
    assert yaml.safe_load(text) == case["data"]


def test_words_ending_in_an_underscore_stay_text() -> None:
    from connector.yamlstyle import load
    text = dump({"a": "1_", "b": "0_", "c": "1_000"})
    assert text == "a: 1_\nb: 0_\nc: '1_000'\n"  # as js-yaml writes them
    assert load(text) == {"a": "1_", "b": "0_", "c": "1_000"}


def test_reference_front_matter_is_js_yaml_exact() -> None:
    reference = (DATA / "reference-item.md").read_text(encoding="utf-8")
    front = reference.split("---\n")[1]
    assert dump(yaml.safe_load(front)) == front


def test_reference_rich_text_is_turndown_exact() -> None:
    reference = (DATA / "reference-item.md").read_text(encoding="utf-8")
    expected = yaml.safe_load(reference.split("---\n")[1])["f_contenu"]
    assert to_markdown((DATA / "reference-item.html").read_text(encoding="utf-8")) == expected


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

YAML_CHARS = list("abcXYZ019 .,:;#-?!&*|>=<'\"%@`[]{}~_\\/\t\n\r") + ["é", "😀", "\u00a0", "\ufeff", "\u2028", "\x1b"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(YAML_CHARS), min_size=1, max_size=90))
def test_fast_paths_choose_what_the_character_loop_chooses(text: str) -> None:
    """The emitter's regex shortcuts must not change a single byte."""
    import connector.yamlstyle as ys

    for width in (78, 76):  # at level 1 and level 2
        for iskey in (False, True):
            for inblock in (True, False):
                assert ys._style(text, width, iskey, inblock) == ys._style(text, width, iskey, inblock, shortcuts=False)
    fast = ys.dump({"k": text, "n": {"k": text}, text: 1})
    # read back as wfsync reads its files (PyYAML, with js-yaml's reading of "1_"-like words)
    from connector.yamlstyle import load
    assert load(fast) == {"k": text, "n": {"k": text}, text: 1}
