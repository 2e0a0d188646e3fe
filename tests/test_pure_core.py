"""The core takes values and returns values: it imports no network, file or process library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "connector"
PURE = ["plan.py", "codecs.py", "convert.py", "yamlstyle.py", "mapping.py", "validate.py", "diff.py",
        "references.py", "richtext/to_markdown.py", "richtext/to_html.py", "richtext/dom.py"]
IO = {"requests", "socket", "http", "urllib", "subprocess", "os", "pathlib", "shutil", "tempfile", "time", "logging"}


@pytest.mark.parametrize("module", PURE)
def test_core_module_imports_no_io(module: str) -> None:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    allowed_for_mapping = {"pathlib"} if module == "mapping.py" else set()  # load_mappings reads the folder
    assert not (names & IO) - allowed_for_mapping, names & IO
