"""``wfsync init --body FIELD``: a rich-text field as the Markdown body, where editors write."""

from __future__ import annotations

from typing import Any, Iterable

from .errors import ConfigError
from .model import Collection


def with_body(mapping: dict[str, Any], schema: Collection, bodies: Iterable[str]) -> dict[str, Any]:
    """``mapping`` (as ``default_mapping`` makes it) with the first of ``bodies`` this collection
    has as its body: the field leaves the front matter. A field of another type is refused."""
    fields = {f.slug: f for f in schema.fields}
    for slug in bodies:
        spec = fields.get(slug)
        if spec is None:
            continue
        if spec.type != "RichText":
            error = ConfigError(f"--body {slug}: in {schema.slug} it is a {spec.type} field, not rich text")
            error.hint = "Only a RichText field can be the Markdown body."
            raise error
        front = {k: v for k, v in mapping["front_matter"].items() if v != slug}
        return {**mapping, "body": slug, "front_matter": front}
    return mapping
