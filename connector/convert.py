"""Remote item <-> record <-> document, through a mapping and the codecs.

A *document* is one Markdown file: ordered front matter and a body. Its *record* is the
content wfsync syncs: the values of the keys that come from fields (and the writable
``$isDraft``/``$isArchived``), canonicalised, plus the body. Metadata such as
``updated-on`` and constants such as ``layout`` are written on pull but are not content.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping as TMapping

import frontmatter

from .codecs import References, canonical, codec_for
from .errors import DanglingReference, DeletedReference, ValueProblem
from .files import file_ids
from .mapping import WRITABLE_META, Mapping
from .model import Collection, Field, RemoteItem
from .yamlstyle import dump
from .yamlstyle import load as load_yaml

BODY_KEY = "\x00body"  # the record key of the Markdown body (never a front-matter key)


@dataclass(frozen=True)
class Problem:
    """A value that could not be converted: where it is and what is wrong."""

    collection: str
    item: str
    field: str
    message: str
    hold: bool = False  # the file must not be written with this value (a dangling reference)
    dead: tuple[str, ...] = ()  # ids of deleted items the value refers to (kept as ids in it)

    def __str__(self) -> str:
        return f"{self.collection}/{self.item}: {self.field}: {self.message}"


@dataclass
class Document:
    front_matter: dict[str, Any]
    body: str = ""


@dataclass
class Converted:
    document: Document
    record: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    item: RemoteItem | None = None  # what it was converted from, without its field values
    files: dict[str, str] = field(default_factory=dict)  # url -> Webflow's fileId, of the item's files


def render(doc: Document) -> str:
    """The file's text: ``---``, js-yaml front matter, ``---``, a blank line, the body."""
    return "---\n" + dump(doc.front_matter) + "---\n\n" + doc.body + "\n"


_EXACT = re.compile(r"\A---\n(.*?\n)?---\n\n", re.S)


def parse(text: str) -> Document:
    """Read a file wfsync wrote (exactly) or one written by hand (leniently)."""
    m = _EXACT.match(text)
    if m and text.endswith("\n"):
        data = load_yaml(m.group(1) or "") or {}
        body = text[m.end():-1]
    else:
        post = frontmatter.loads(text)
        data, body = dict(post.metadata), post.content
    if not isinstance(data, dict):
        raise ValueProblem("the front matter is not a YAML mapping")
    return Document(dict(data), body)


#: ``json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)``, the canonical text every
#: hash is taken of; one encoder for all (``json.dumps`` with options builds a new one each call)
_canonical_json = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str).encode


def record_hash(record: TMapping[str, Any]) -> str:
    return hashlib.sha256(_canonical_json(record).encode()).hexdigest()


def value_hash(value: Any) -> str:
    return hashlib.sha256(_canonical_json(value).encode()).hexdigest()[:16]


def field_hashes(record: TMapping[str, Any]) -> dict[str, str]:
    return {k: value_hash(v) for k, v in record.items()}


def hashes(record: TMapping[str, Any]) -> tuple[str, dict[str, str]]:
    """``(record_hash(record), field_hashes(record))``, each value encoded once: the canonical
    JSON of a record whose keys are all strings is ``{`` + its sorted ``"key": value`` pairs
    joined by ``, `` + ``}``, each value as encoded on its own (what the JSON encoder does)."""
    if not all(isinstance(k, str) for k in record):
        return record_hash(record), field_hashes(record)
    texts = {k: _canonical_json(v) for k, v in record.items()}
    whole = "{" + ", ".join(f"{_canonical_json(k)}: {texts[k]}" for k in sorted(texts)) + "}"
    digest = hashlib.sha256(whole.encode()).hexdigest()
    return digest, {k: hashlib.sha256(t.encode()).hexdigest()[:16] for k, t in texts.items()}


def item_to_document(item: RemoteItem, mapping: Mapping, schema: Collection, refs: References) -> Converted:
    fields = {f.slug: f for f in schema.fields}
    fm: dict[str, Any] = {}
    record: dict[str, Any] = {}
    problems: list[Problem] = []
    meta = {
        "lastUpdated": item.last_updated, "createdOn": item.created_on, "lastPublished": item.last_published,
        "isDraft": item.is_draft, "isArchived": item.is_archived, "id": item.id,
    }
    for entry in mapping.entries:
        if entry.field:
            value = _decode(item, fields[entry.field], mapping, refs, problems, entry.key)
            fm[entry.key] = value
            record[entry.key] = canonical(value)
        elif entry.meta:
            fm[entry.key] = meta[entry.meta]
            if entry.meta in WRITABLE_META:
                record[entry.key] = meta[entry.meta]
        else:
            fm[entry.key] = entry.const
    body = ""
    if mapping.body:
        value = _decode(item, fields[mapping.body], mapping, refs, problems, "(body)")
        body = value if isinstance(value, str) else ""
        record[BODY_KEY] = body
    slim = RemoteItem(item.id, {k: item.field_data[k] for k in ("name", "slug") if k in item.field_data},
                      item.created_on, item.last_updated, item.last_published, item.is_draft, item.is_archived,
                      item.cms_locale_id)
    return Converted(Document(fm, body), record, problems, slim, file_ids(item.field_data, schema))


def _decode(item: RemoteItem, spec: Field, mapping: Mapping, refs: References, problems: list[Problem],
            key: str) -> Any:
    raw = item.field_data.get(spec.slug)
    try:
        return codec_for(spec.type).decode(raw, spec, refs)
    except DeletedReference as exc:
        # the ids of deleted items kept as they are, the rest as files (``phases.convert`` decides)
        problems.append(Problem(mapping.collection_slug or mapping.collection, item.slug or item.id, key, str(exc),
                                hold=True, dead=exc.ids))
        return exc.value
    except ValueProblem as exc:
        # keep the API's value untouched rather than lose it; report it (under the file's key)
        problems.append(Problem(mapping.collection_slug or mapping.collection, item.slug or item.id, key, str(exc),
                                hold=isinstance(exc, DanglingReference)))
        return raw


def document_record(doc: Document, mapping: Mapping) -> dict[str, Any]:
    """The content of a local file, comparable with a remote item's record."""
    record: dict[str, Any] = {}
    for entry in mapping.entries:
        if entry.field or (entry.meta in WRITABLE_META):
            record[entry.key] = canonical(doc.front_matter.get(entry.key))
    if mapping.body:
        record[BODY_KEY] = doc.body
    return record


def record_to_field_data(record: TMapping[str, Any], mapping: Mapping, schema: Collection, refs: References,
                         keys: set[str] | None = None, current: TMapping[str, Any] | None = None,
                         ) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]]]:
    """Encode a record's content for the API: (fieldData, item flags, [(key, problem)]).
    ``current``: the record of Webflow's version of the item, when known (see ``Codec.encode_against``)."""
    fields = {f.slug: f for f in schema.fields}
    now = current or {}
    data: dict[str, Any] = {}
    flags: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for entry in mapping.entries:
        if keys is not None and entry.key not in keys:
            continue
        value = record.get(entry.key)
        if entry.field:
            spec = fields[entry.field]
            if not spec.is_editable:
                continue
            try:
                data[entry.field] = codec_for(spec.type).encode_against(value, spec, refs, now.get(entry.key))
            except ValueProblem as exc:
                problems.append((entry.key, str(exc)))
        elif entry.meta in WRITABLE_META:
            if not isinstance(value, bool):
                problems.append((entry.key, "expected true or false"))
            else:
                flags[entry.meta] = value
    if mapping.body and (keys is None or BODY_KEY in keys):
        spec = fields[mapping.body]
        try:
            data[mapping.body] = codec_for(spec.type).encode_against(record.get(BODY_KEY, ""), spec, refs,
                                                                      now.get(BODY_KEY))
        except ValueProblem as exc:
            problems.append(("(body)", str(exc)))
    return data, flags, problems
