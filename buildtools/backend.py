"""setuptools' build backend, which also asks for mypy when ``WFSYNC_COMPILE=1`` wants the
compiled converter (setup.py then compiles it with mypyc). Without it nothing changes: a plain
``pip install .`` needs no C compiler and installs the pure-Python modules."""

from __future__ import annotations

import os
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403 - the other hooks, unchanged

MYPYC = ["mypy>=1.17"]


def _compile() -> bool:
    return os.environ.get("WFSYNC_COMPILE", "").strip() == "1"


# setuptools would run setup.py to list its requirements, which needs mypyc already: the project
# has no setup_requires, so the list is known without it
def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return ["wheel", *MYPYC] if _compile() else _setuptools.get_requires_for_build_wheel(config_settings)


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    return ["wheel", *MYPYC] if _compile() else _setuptools.get_requires_for_build_editable(config_settings)
