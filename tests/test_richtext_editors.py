"""What an editor types into pulled rich text, and what editors do to it on save, arrives in
Webflow as they expect, and content nobody touched stays as Webflow has it.

- ``snake_case_word`` typed is text (CommonMark), while ``snake<em>case</em>word`` pulled
  (Turndown writes it ``snake_case_word``) stays emphasis where Webflow has it;
- trailing spaces trimmed on save (Turndown's ``<br>``) come back from Webflow's value for the
  lines nobody edited, and inline markup never lands outside a block;
- an HTML comment (which a pull drops) is refused, naming the file and key, before anything is sent.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from selectolax.lexbor import LexborHTMLParser

from connector.cli import main
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.richtext.to_html import to_html
from connector.richtext.to_markdown import to_markdown
from tests.helpers import pulled_project, snapshot, wfsync, wfsync_json

BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "figure", "div", "hr"}


def _top_level(html: str) -> list[str]:
    """The tags (or "#text") of the value's top-level nodes."""
    body = LexborHTMLParser(f"<body>{html}</body>").body
    assert body is not None
    return [n.tag for n in body.iter(include_text=True) if not (n.tag == "-text" and not (n.text() or "").strip())]


def _item(emulator: EmulatorServer, slug: str):  # noqa: ANN202
    coll = next(c for c in emulator.state.collections.values() if c.slug == "infos")
    return next(i for i in coll.items.values() if i.staged["fieldData"]["slug"] == slug)


def _pulled(emulator: EmulatorServer, tmp_path: Path, html: str) -> tuple[dict, Path, Path]:  # type: ignore[type-arg]
    """The demo item piscines with ``html`` as its rich text, pulled: (its fieldData in
    Webflow, the project, its file)."""
    item = _item(emulator, "piscines")
    item.staged["fieldData"]["contenu"] = html
    root = pulled_project(emulator, SITE_ID, tmp_path)
    return item.staged["fieldData"], root, snapshot(root) / "cms/infos/piscines.md"


def _writes(emulator: EmulatorServer) -> list:
    return [r for r in emulator.log if r.method in ("POST", "PATCH", "DELETE")]


# -- 1. an underscore pair inside a word ---------------------------------------------------------

PULLED = "<p>Formule H<em>2</em>O et snake<em>case</em>word.</p><p>Autre paragraphe.</p>"


def test_typed_snake_case_word_and_file_names_arrive_as_text() -> None:
    typed = "2 \\* 3 = 6 et my_var_name, mon_fichier_final.pdf."
    current = to_markdown(PULLED)
    html = to_html(current + "\n\n" + typed, current)
    assert html == PULLED + "<p>2 * 3 = 6 et my_var_name, mon_fichier_final.pdf.</p>"
    # a new item (nothing in Webflow yet) and `wfsync convert to-html` read it the same way
    assert to_html(typed.replace("my_var_name", "snake_case_word"), "") == \
        "<p>2 * 3 = 6 et snake_case_word, mon_fichier_final.pdf.</p>"
    result = CliRunner().invoke(main, ["convert", "to-html"], input="snake_case_word et mon_fichier_final.pdf")
    assert result.exit_code == 0
    assert result.output == "<p>snake_case_word et mon_fichier_final.pdf</p>"


def test_pulled_intraword_emphasis_stays_when_another_paragraph_is_edited() -> None:
    current = to_markdown(PULLED)
    assert current == "Formule H_2_O et snake_case_word.\n\nAutre paragraphe."
    edited = current.replace("Autre paragraphe", "Autre paragraphe, revu")
    assert to_html(edited, current) == PULLED.replace("Autre paragraphe", "Autre paragraphe, revu")
    # and in the paragraph itself, where another word changed: the emphasis of this word stays
    edited = current.replace("Formule", "La formule")
    assert to_html(edited, current) == PULLED.replace("Formule", "La formule")


def test_push_sends_typed_underscores_as_text_and_keeps_webflow_emphasis(emulator: EmulatorServer,
                                                                        tmp_path: Path) -> None:
    webflow, root, file = _pulled(emulator, tmp_path, PULLED)
    text = file.read_text(encoding="utf-8")
    assert "snake_case_word" in text
    file.write_text(text.replace("Autre paragraphe.", "2 * 3 = 6 et my_var_name, mon_fichier_final.pdf."),
                    encoding="utf-8")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert webflow["contenu"] == (
        "<p>Formule H<em>2</em>O et snake<em>case</em>word.</p>"
        "<p>2 * 3 = 6 et my_var_name, mon_fichier_final.pdf.</p>")
    # the file now reads as a pull writes what Webflow has: the typed underscores are escaped
    after = file.read_text(encoding="utf-8")
    assert "snake_case_word" in after and "my\\_var\\_name" in after
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []


# -- 2. trailing whitespace trimmed on save ------------------------------------------------------

ADDRESS = ("<p><strong><br>OBJECTIFS</strong></p>"
           "<p><strong>Horaires :</strong> lundi<br><strong>Téléphone :</strong> 079</p><p>Fin.</p>")


def test_inline_markup_never_lands_outside_a_block() -> None:
    html = to_html("**\nOBJECTIFS**\n\n**Horaires :** lundi\n**Téléphone :** 079\n", "")
    assert html.startswith("<p><strong><br>OBJECTIFS</strong></p>")
    assert set(_top_level(html)) <= BLOCKS
    # a line end between an opener and its closer is one break, not a tag cut in two
    assert to_html("**\n**", "") == to_html("**  \n**", "") == "<p><strong><br></strong></p>"


# emphasis delimiters beside words, spaces, line ends (bare, as trimmed, or breaks) and escapes
_PIECES = st.sampled_from(["**", "_", "a", "b c", " ", "\n", "a  \n", "\n\n", "\\_", "`c`", "é"])


@settings(max_examples=int(os.environ.get("WFSYNC_EXAMPLES", "300")), deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join).filter(lambda s: "    " not in s))  # (no code blocks)
def test_typed_markdown_without_html_gives_blocks_only(markdown: str) -> None:
    for current in (None, ""):
        html = to_html(markdown, current)
        assert set(_top_level(html)) <= BLOCKS, markdown
        assert "br&gt;" not in html, markdown  # no tag of the reading's own cut in two


def test_lines_trimmed_on_save_keep_webflow_line_breaks() -> None:
    current = to_markdown(ADDRESS)
    assert "  \n" in current
    trimmed = re.sub(r"(?m) +$", "", current).replace("Fin.", "Fin, revu.")
    assert to_html(trimmed, current) == ADDRESS.replace("Fin.", "Fin, revu.")


def test_push_after_trailing_spaces_were_trimmed_keeps_the_line_breaks(emulator: EmulatorServer,
                                                                       tmp_path: Path) -> None:
    webflow, root, file = _pulled(emulator, tmp_path, ADDRESS)
    # what "trim trailing whitespace" does on save, and an edit elsewhere in the field
    text = file.read_text(encoding="utf-8")
    file.write_text(re.sub(r"(?m) +$", "", text).replace("Fin.", "Fin, revu."), encoding="utf-8")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert webflow["contenu"] == ADDRESS.replace("Fin.", "Fin, revu.")


def test_a_push_that_drops_line_breaks_webflow_has_says_so(emulator: EmulatorServer, tmp_path: Path) -> None:
    webflow, root, file = _pulled(emulator, tmp_path, ADDRESS)
    # trimmed on save, and the line that held a break edited too: that break cannot come back
    text = re.sub(r"(?m) +$", "", file.read_text(encoding="utf-8"))
    file.write_text(text.replace("lundi", "lundi et mardi"), encoding="utf-8")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert webflow["contenu"] == ADDRESS.replace("lundi<br>", "lundi et mardi\n")
    [warning] = report["warnings"]
    assert warning["path"].endswith("cms/infos/piscines.md")
    assert warning["message"].startswith("f_contenu: 1 line break(s) Webflow has are not in the file")
    # nothing said when the breaks are kept
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("Fin.", "Fin, revu."), encoding="utf-8")
    assert wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")["warnings"] == []


def test_a_backslash_line_break_is_a_line_break() -> None:
    assert to_html("**Horaires :** lundi\\\n**Téléphone :** 079", "") == (
        "<p><strong>Horaires :</strong> lundi<br><strong>Téléphone :</strong> 079</p>")


# -- 3. an HTML comment --------------------------------------------------------------------------

def test_an_html_comment_in_rich_text_is_refused_before_anything_is_sent(emulator: EmulatorServer,
                                                                         tmp_path: Path) -> None:
    webflow, root, file = _pulled(emulator, tmp_path, ADDRESS)
    text = file.read_text(encoding="utf-8")
    assert text.count("Fin.") == 1
    file.write_text(text.replace("Fin.", "Fin.\n\n  <!-- un commentaire -->"), encoding="utf-8")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", code=1)
    assert _writes(emulator) == []
    assert webflow["contenu"] == ADDRESS
    [problem] = [p for p in report["problems"] if "comment" in p["message"]]
    assert (problem["path"], problem["key"]) == ("snapshots/demo/cms/infos/piscines.md", "f_contenu")
    assert "<!-- un commentaire -->" in problem["message"] and "a pull drops it" in problem["message"]
    # the file keeps it, for the editor to decide
    assert "<!-- un commentaire -->" in file.read_text(encoding="utf-8")
    result = wfsync(emulator, SITE_ID, root, "convert", "to-html", str(file))
    assert result.exit_code == 1 and "un commentaire" in result.output
