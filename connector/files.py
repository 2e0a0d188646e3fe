"""Images and files by Webflow's ``fileId``.

A file keeps ``{url, alt}``; the base keeps, per item, which ``fileId`` each URL is in Webflow.
A write sends a file Webflow already hosts as ``{fileId, alt}`` (an alt-only edit, or an
unchanged picture of a gallery), so nothing is imported again; only a new URL is sent as
``{url, alt}``, for Webflow to import. Webflow may drop a URL it cannot fetch
(``skipInvalidFiles``): ``skipped`` finds those in its answer.
"""

from __future__ import annotations

from typing import Any, Mapping

from .model import Collection

SINGLE = ("Image", "File")
FILE_TYPES = (*SINGLE, "MultiImage")


def _entries(value: Any) -> list[Mapping[str, Any]]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, Mapping)]


def file_ids(field_data: Mapping[str, Any], schema: Collection) -> dict[str, str]:
    """URL -> fileId of every file an item holds, as Webflow answered it."""
    out: dict[str, str] = {}
    for f in schema.fields:
        if f.type in FILE_TYPES:
            for entry in _entries(field_data.get(f.slug)):
                if isinstance(entry.get("url"), str) and isinstance(entry.get("fileId"), str):
                    out[entry["url"]] = entry["fileId"]
    return out


def with_file_ids(field_data: dict[str, Any], schema: Collection, known: Mapping[str, str]) -> dict[str, Any]:
    """The write's files that Webflow hosts already, by ``fileId``: only new URLs are imported."""
    if not known:
        return field_data

    def one(value: Any) -> Any:
        if isinstance(value, Mapping) and value.get("url") in known:
            return {"fileId": known[value["url"]], "alt": value.get("alt")}
        return value

    out = dict(field_data)
    for f in schema.fields:
        if f.type in FILE_TYPES and f.slug in out:
            value = out[f.slug]
            out[f.slug] = [one(v) for v in value] if isinstance(value, list) else one(value)
    return out


def skipped(sent: Mapping[str, Any], answer: Mapping[str, Any], schema: Collection) -> list[str]:
    """Slugs of the fields where a URL sent for import is missing from Webflow's answer."""
    out = []
    for f in schema.fields:
        if f.type not in FILE_TYPES or f.slug not in sent:
            continue
        imported = [e for e in _entries(sent[f.slug]) if "url" in e and "fileId" not in e]
        if not imported:
            continue
        if len(_entries(answer.get(f.slug))) < len(_entries(sent[f.slug])):
            out.append(f.slug)
    return out
