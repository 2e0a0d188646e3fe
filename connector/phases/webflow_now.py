"""What Webflow has now for an item a push updates, as the file would hold it: rich text is
sent knowing it (``richtext.editing``: which ``_`` pairs are Webflow's emphasis, which trimmed
line ends were its line breaks), and knowing Webflow's HTML (``richtext.keep_blocks``: the
blocks that read as the file's go back as Webflow has them)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from ..context import RunContext
from ..convert import BODY_KEY, item_to_document
from ..errors import NotFoundError
from ..locales import api
from ..model import RemoteItem
from ..richtext.keep_blocks import WebflowRichText
from ..richtext.to_html import to_html
from ..runs import CollectionRun


def rich_text_fields(run: CollectionRun) -> dict[str, str]:
    """The record keys of the collection's rich-text fields, with their field slugs."""
    rich = {f.slug for f in run.schema.fields if f.type == "RichText"}
    keys = {e.key: e.field for e in run.mapping.entries if e.field in rich}
    return keys | ({BODY_KEY: run.mapping.body} if run.mapping.body in rich else {})


def rich_text_keys(run: CollectionRun) -> set[str]:
    """The record keys of the collection's rich-text fields."""
    return set(rich_text_fields(run))


def webflow_html(ctx: RunContext, run: CollectionRun, items: Iterable[RemoteItem]) -> dict[str, dict[str, bytes]]:
    """The rich-text HTML of the items read, by id and record key, for a run that may push
    (compressed: a large read keeps each item as its file's bytes, and this is kept beside them)."""
    fields = rich_text_fields(run) if ctx.opts.policy.push else {}
    if not fields:
        return {}
    return {item.id: {key: zlib.compress(html.encode("utf-8"), 1) for key, slug in fields.items()
                      if isinstance(html := item.field_data.get(slug), str) and html}
            for item in items}


def _with_html(run: CollectionRun, record: Any, html: dict[str, str]) -> dict[str, Any]:
    """The record, each rich-text value whose HTML is known as a ``WebflowRichText``."""
    out = dict(record)
    for key in rich_text_keys(run) & set(html):
        if isinstance(out.get(key), str):
            out[key] = WebflowRichText(out[key], html[key])
    return out


def current_record(ctx: RunContext, run: CollectionRun, item_id: str, keys: set[str]) -> dict[str, Any] | None:
    """The record of Webflow's version of ``item_id``: as this run read it, or, for an item not
    read again (unchanged since the last sync) whose rich text is about to be sent, one GET.
    Its rich-text values carry Webflow's HTML where it is known."""
    read = run.remote.get(item_id)
    if read is not None:
        kept = read.html or {}
        return _with_html(run, read.converted.record, {k: zlib.decompress(v).decode("utf-8") for k, v in kept.items()})
    if not keys & rich_text_keys(run):
        return None
    try:
        item = api(ctx, run).get_item(run.schema.id, item_id)
    except NotFoundError:
        return None  # deleted in Webflow: the update says so
    html = {k: v for k, slug in rich_text_fields(run).items() if isinstance(v := item.field_data.get(slug), str)}
    return _with_html(run, item_to_document(item, run.mapping, run.schema, ctx.refs).record, html)


def warn_lost_breaks(ctx: RunContext, run: CollectionRun, item_id: str, sent: dict[str, Any],
                     current: dict[str, Any] | None) -> None:
    """A rich-text value about to be sent with fewer line breaks than Webflow's: said, per file
    and key (an editor that trims trailing spaces on save removes Turndown's breaks; those of the
    lines not edited come back, not those of a line edited too)."""
    if not current:
        return
    fields = {e.key: e.field for e in run.mapping.entries} | {BODY_KEY: run.mapping.body}
    for entry_key in rich_text_keys(run) & set(current):
        theirs, mine = current.get(entry_key), sent.get(fields.get(entry_key) or "")
        if isinstance(theirs, WebflowRichText):
            theirs = theirs.markdown
        if not isinstance(theirs, str) or not isinstance(mine, str):
            continue
        lost = to_html(theirs).count("<br>") - mine.count("<br>")
        if lost > 0:
            where = run.local[item_id].path if item_id in run.local else item_id
            key = "(body)" if entry_key == BODY_KEY else entry_key
            ctx.report.warnings.append({"path": where, "message": (
                f"{key}: {lost} line break(s) Webflow has are not in the file (trailing spaces trimmed on save?) "
                "and go with this push; end a line with a backslash to keep its break")})
