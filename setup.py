"""The optional compiled build: ``WFSYNC_COMPILE=1 pip install .`` compiles the rich-text
converter and the YAML emitter with mypyc (a C compiler is needed then). The same sources are
the pure-Python fallback, which a plain ``pip install .`` installs; both give the same bytes."""

import os

from setuptools import setup

COMPILED = [
    "connector/richtext/dom.py",
    "connector/richtext/wellformed.py",
    "connector/richtext/to_markdown.py",
    "connector/yamlstyle.py",
]

if os.environ.get("WFSYNC_COMPILE", "").strip() == "1":
    from mypyc.build import mypycify

    # the build environment holds mypy only: the libraries these modules import are typed as Any there
    setup(ext_modules=mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3", group_name="wfsync_native"))
else:
    setup()
