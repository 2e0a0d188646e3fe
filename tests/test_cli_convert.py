"""`wfsync convert`: one rich-text value converted exactly as pull and push do."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from connector.cli import main

DATA = Path(__file__).parent / "data"


def test_to_markdown_from_a_file_matches_the_reference() -> None:
    result = CliRunner().invoke(main, ["convert", "to-markdown", str(DATA / "reference-item.html")])
    assert result.exit_code == 0
    expected = yaml.safe_load((DATA / "reference-item.md").read_text(encoding="utf-8").split("---\n")[1])["f_contenu"]
    assert result.output == expected


def test_to_html_from_stdin() -> None:
    result = CliRunner().invoke(main, ["convert", "to-html"], input="**  \nOBJECTIFS**\n\n\n\nfin")
    assert result.exit_code == 0
    assert result.output == "<p><strong><br>OBJECTIFS</strong></p><p>\u200d</p><p>fin</p>"
