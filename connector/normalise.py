"""Two records with the same content in different spellings: ``*fête*`` and ``_fête_`` are one
emphasis. A value is normalised by a round trip through its field's codec (what Webflow would
store, read back as wfsync writes it); pure, no I/O.

Used where a difference of spelling must not become a conflict: an item created (or updated)
in Webflow just before a crash, whose file still has the user's spelling."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from typing import Any

from .codecs import References, canonical, codec_for
from .convert import BODY_KEY, value_hash
from .errors import ValueProblem
from .mapping import Mapping
from .model import Collection


def same_content(local: MappingABC[str, Any], remote: MappingABC[str, Any], mapping: Mapping, schema: Collection,
                 refs: References) -> bool:
    """Whether every value of ``local`` reads back as ``remote``'s once sent to Webflow."""
    fields = {f.slug: f for f in schema.fields}
    sources = {e.key: e.field for e in mapping.entries}
    if mapping.body:
        sources[BODY_KEY] = mapping.body
    for key in set(local) | set(remote):
        mine, theirs = local.get(key), remote.get(key)
        if value_hash(mine) == value_hash(theirs):
            continue
        spec = fields.get(sources.get(key) or "")
        if spec is None:
            return False
        codec = codec_for(spec.type)
        try:
            again = canonical(codec.decode(codec.encode_against(mine, spec, refs, theirs), spec, refs))
        except ValueProblem:
            return False
        if value_hash(again) != value_hash(theirs):
            return False
    return True
