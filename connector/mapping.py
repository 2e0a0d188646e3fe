"""Mapping files (``mappings/*.yaml``): how one collection becomes Markdown files.

    collection: infos                  # the collection's slug or id
    path: cms/infos/{slug}.md          # under the snapshot root; {slug}, {id}, {collection}
    body: null                         # a field written as the Markdown body, if any
    drafts: true                       # pull draft items (default true)
    archived: false                    # pull archived items (default false)
    front_matter:                      # the keys, in file order, and what each comes from
      title: name                      #   a field slug
      updated-on: $lastUpdated         #   item metadata: $lastUpdated $createdOn $lastPublished
      layout: {const: '[info].html'}   #   a constant written on pull   $isDraft $isArchived $id

Loading checks a mapping against the collection's schema and reports every problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .errors import MappingError
from .model import Collection
from .yamlstyle import dump
from .words import plural

META = {
    "$lastUpdated": "lastUpdated",
    "$createdOn": "createdOn",
    "$lastPublished": "lastPublished",
    "$isDraft": "isDraft",
    "$isArchived": "isArchived",
    "$id": "id",
    "$locale": "locale",  # the locale's tag (de): a constant per locale, see ``locales.for_locale``
}
WRITABLE_META = {"isDraft", "isArchived"}
DEFAULT_PATH = "cms/{collection}/{slug}.md"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Entry:
    """One front-matter key and its source: a field, item metadata or a constant."""

    key: str
    field: str | None = None
    meta: str | None = None
    const: Any = None

    @property
    def is_const(self) -> bool:
        return self.field is None and self.meta is None


@dataclass(frozen=True)
class Mapping:
    collection: str
    path: str = DEFAULT_PATH
    body: str | None = None
    drafts: bool = True
    archived: bool = False
    entries: tuple[Entry, ...] = ()
    source: str = ""
    collection_id: str = ""
    collection_slug: str = ""
    locales: tuple[str, ...] | None = None  # the locale tags to sync (None: all the site has)

    def key_for_field(self, slug: str) -> str | None:
        return next((e.key for e in self.entries if e.field == slug), None)

    def path_for(self, slug: str, item_id: str) -> str:
        values = {"slug": slug, "id": item_id, "collection": self.collection_slug or self.collection}
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], self.path)


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe loading that refuses a key given twice (PyYAML would keep the last one)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise MappingError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def check_path_template(template: str) -> list[str]:
    problems = []
    unknown = set(PLACEHOLDER.findall(template)) - {"slug", "id", "collection", "locale"}
    if unknown:
        problems.append(f"path: unknown {plural(len(unknown), 'placeholder')} {', '.join(sorted(unknown))}")
    if "{slug}" not in template and "{id}" not in template:
        problems.append("path: needs {slug} or {id}, or every item would share one file")
    pure = PurePosixPath(template)
    if template.startswith(("/", "\\")) or pure.is_absolute() or re.match(r"^[A-Za-z]:", template):
        problems.append("path: must be relative to the snapshot root")
    if any(part == ".." for part in re.split(r"[\\/]", template)):
        problems.append("path: '..' would leave the snapshot root")
    if not template.endswith(".md"):
        problems.append("path: must end with .md")
    return problems


def parse_mapping(text: str, source: str = "<mapping>") -> Mapping:
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except MappingError as exc:
        raise MappingError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise MappingError(f"{source}: a mapping file holds a YAML mapping")
    problems: list[str] = []
    known = {"collection", "path", "body", "drafts", "archived", "front_matter", "locales"}
    for key in raw:
        if key not in known:
            problems.append(f"unknown setting {key!r} (known: {', '.join(sorted(known))})")
    collection = raw.get("collection")
    if not isinstance(collection, str) or not collection:
        problems.append("collection: required (the collection's slug or id)")
    path = raw.get("path", DEFAULT_PATH)
    if not isinstance(path, str):
        problems.append("path: must be text")
    else:
        problems.extend(check_path_template(path))
    for flag in ("drafts", "archived"):
        if flag in raw and not isinstance(raw[flag], bool):
            problems.append(f"{flag}: must be true or false")
    entries: list[Entry] = []
    fm = raw.get("front_matter")
    if not isinstance(fm, dict) or not fm:
        problems.append("front_matter: required, an ordered mapping of key: source")
        fm = {}
    for key, src in fm.items():
        if not isinstance(key, str) or not key:
            problems.append(f"front_matter: key {key!r} must be text")
            continue
        if isinstance(src, dict) and set(src) == {"const"}:
            entries.append(Entry(key, const=src["const"]))
        elif isinstance(src, str) and src.startswith("$"):
            if src not in META:
                problems.append(f"front_matter.{key}: unknown metadata {src!r} (known: {', '.join(META)})")
            else:
                entries.append(Entry(key, meta=META[src]))
        elif isinstance(src, str) and src:
            entries.append(Entry(key, field=src))
        else:
            problems.append(f"front_matter.{key}: a field slug, $metadata, or {{const: value}}")
    body = raw.get("body")
    if body is not None and not isinstance(body, str):
        problems.append("body: a field slug or null")
    locales = raw.get("locales")
    if locales is not None and (not isinstance(locales, list) or not locales
                                or not all(isinstance(t, str) and t for t in locales)):
        problems.append("locales: a list of locale tags (e.g. [fr, de]), or leave it out for all the site's locales")
        locales = None
    if problems:
        raise MappingError(f"{source}: " + "; ".join(problems))
    return Mapping(collection=str(collection), path=path, body=body, drafts=raw.get("drafts", True),
                   archived=raw.get("archived", False), entries=tuple(entries), source=source,
                   locales=tuple(locales) if locales is not None else None)


def bind(mapping: Mapping, schema: Collection) -> Mapping:
    """Check a mapping against the collection's schema; return it with the collection resolved."""
    fields = {f.slug: f for f in schema.fields}
    problems = []
    for entry in mapping.entries:
        if entry.field and entry.field not in fields:
            problems.append(f"front_matter.{entry.key}: the collection has no field {entry.field!r}")
    if mapping.body and mapping.body not in fields:
        problems.append(f"body: the collection has no field {mapping.body!r}")
    if mapping.body and mapping.key_for_field(mapping.body):
        problems.append(f"body: field {mapping.body!r} is also a front-matter key")
    mapped = {e.field for e in mapping.entries} | {mapping.body}
    for required in ("name", "slug"):
        if required not in mapped:
            problems.append(f"front_matter: field {required!r} must be mapped (Webflow requires it)")
    if problems:
        raise MappingError(f"{mapping.source}: " + "; ".join(problems))
    return Mapping(**{**mapping.__dict__, "collection_id": schema.id, "collection_slug": schema.slug})


def load_mappings(folder: Path) -> list[Mapping]:
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        # named as every other path in messages: from the project root (``mappings/infos.yaml``)
        out.append(parse_mapping(path.read_text(encoding="utf-8"), source=f"{folder.name}/{path.name}"))
    names = [m.collection for m in out]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise MappingError(f"more than one mapping file for {plural(len(dupes), 'collection')}: "
                           f"{', '.join(sorted(dupes))}")
    return out


def default_mapping(schema: Collection) -> dict[str, Any]:
    """The reference item's conventions: name -> title, slug, custom field X -> f_X, dates, Eleventy."""
    fm: dict[str, Any] = {"title": "name", "slug": "slug"}
    for f in schema.fields:
        if f.slug not in ("name", "slug"):
            fm[f"f_{f.slug}"] = f.slug
    fm.update({"updated-on": "$lastUpdated", "created-on": "$createdOn", "published-on": "$lastPublished"})
    plain = unicodedata.normalize("NFKD", schema.singular_name or schema.slug).encode("ascii", "ignore").decode()
    tag = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or schema.slug
    fm["layout"] = {"const": f"[{tag}].html"}
    fm["tags"] = {"const": tag}
    return {"collection": schema.slug, "path": DEFAULT_PATH.replace("{collection}", schema.slug),
            "body": None, "drafts": True, "archived": False, "front_matter": fm}


def render_mapping(data: dict[str, Any]) -> str:
    header = ("# wfsync mapping: one collection to Markdown files. Keys are written in this order.\n"
              "# Sources: a field slug, $lastUpdated/$createdOn/$lastPublished/$isDraft/$isArchived/$id,\n"
              "# or {const: value}. `path` is relative to the snapshot root.\n")
    return header + dump(data)
