"""Local files checked against the collection schema before anything is sent.

Pure: a document, its mapping and schema, and what is known about slugs and references
in, a list of problems out (file, key, message). The engine collects the problems of
every changed file and makes no write call while there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping as TMapping

from .codecs import References, codec_for
from .convert import Document
from .errors import ValueProblem
from .mapping import WRITABLE_META, Mapping
from .model import Collection, Field
from .words import counted

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


@dataclass(frozen=True)
class FileProblem:
    path: str
    key: str
    message: str
    line: int | None = None  # counted in the file, when the problem is on a line

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.message}"


def validate_document(path: str, doc: Document, mapping: Mapping, schema: Collection, refs: References,
                      slug_owners: TMapping[str, list[str]],
                      shown: Callable[[str], str] = lambda p: p,
                      typed: TMapping[str, str] | None = None) -> list[FileProblem]:
    """Every problem of one file. ``slug_owners`` maps a slug to the files and items using it, as
    messages name them; ``shown`` names ``path`` the same way (files: from the project root);
    ``typed``: each key's value as written in the file, how a problem shows it."""
    typed = typed or {}
    problems: list[FileProblem] = []
    fields = {f.slug: f for f in schema.fields}
    # unknown and missing keys are reading problems (``reading``): the file is held for them
    for entry in mapping.entries:
        value = doc.front_matter.get(entry.key)
        if entry.field:
            spec = fields[entry.field]
            problems.extend(FileProblem(path, entry.key, m) for m in check_value(spec, value, refs,
                                                                                 typed.get(entry.key)))
        elif entry.meta in WRITABLE_META and entry.key in doc.front_matter and not isinstance(value, bool):
            problems.append(FileProblem(path, entry.key, "expected true or false"))
    if mapping.body:
        spec = fields[mapping.body]
        problems.extend(FileProblem(path, "(body)", m) for m in check_value(spec, doc.body, refs))
    slug_key = mapping.key_for_field("slug")
    slug = doc.front_matter.get(slug_key) if slug_key else None
    if isinstance(slug, str) and slug:
        if not SLUG.match(slug):
            problems.append(FileProblem(path, slug_key or "slug", f"{typed.get(slug_key or '', slug)}: use "
                                        "lowercase letters, digits and single hyphens (a-z, 0-9, -)"))
        elif len(slug_owners.get(slug, [])) > 1:
            others = ", ".join(o for o in slug_owners[slug] if o != shown(path))
            problems.append(FileProblem(path, slug_key or "slug", f"{slug!r} is also used by {others}"))
    return problems


def check_value(spec: Field, value: Any, refs: References, typed: str | None = None) -> list[str]:
    """The problems of one value; ``typed``: the value as written in the file, how they show it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.is_required or spec.slug in ("name", "slug"):
            return ["required: Webflow needs a value" + (" (this one is only spaces)" if value else "")]
        if value is None or value == "":
            return []
    try:
        encoded = codec_for(spec.type).encode(value, spec, refs)
    except ValueProblem as exc:
        # the value as typed (yes, not true), unless the problem is about a part of it
        return [exc.shown_as(typed) if typed is not None and getattr(exc, "found", None) is value else str(exc)]
    return check_rules(spec, encoded)


def check_rules(spec: Field, value: Any) -> list[str]:
    """The field's validations, as Webflow applies them to the encoded value."""
    rules = spec.validations or {}
    out: list[str] = []
    if spec.type in ("PlainText", "RichText") and isinstance(value, str):
        if rules.get("maxLength") is not None and len(value) > int(rules["maxLength"]):
            out.append(f"too long: {counted(len(value), 'character')}, at most {rules['maxLength']}")
        if rules.get("minLength") and len(value) < int(rules["minLength"]):
            out.append(f"too short: {counted(len(value), 'character')}, at least {rules['minLength']}")
        if spec.type == "PlainText" and rules.get("singleLine") and "\n" in value:
            out.append("must be a single line")
    if spec.type == "Number" and isinstance(value, (int, float)):
        if rules.get("allowZero") is False and value == 0:
            out.append("must not be zero")
        if rules.get("allowNegative") is False and value < 0:
            out.append("must not be negative")
        if rules.get("minValue") is not None and value < rules["minValue"]:
            out.append(f"must be at least {rules['minValue']}")
        if rules.get("maxValue") is not None and value > rules["maxValue"]:
            out.append(f"must be at most {rules['maxValue']}")
    return out
