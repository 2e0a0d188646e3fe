"""References that follow a re-created item. An item deleted in Webflow whose file had changed is
created again, under a new id; the files that refer to it name its path, which now means the new
id, while their Webflow items still hold the dead one. Their reference fields are pushed as a
local change, so both sides name the same, live item."""

from __future__ import annotations

from typing import Any

from .codecs import DELETED_MARK
from .context import RunContext
from .convert import record_to_field_data
from .plan import Op
from .convert import document_record
from .reading import read_document
from .relink import documents_naming, refers_to, reference_keys
from .runs import CollectionRun

#: ops of a referring item whose reference fields may be sent: the file is unchanged, or only
#: changed in ways the push sends anyway (a Webflow side held only because of the dead reference)
_SENDABLE = (Op.NOTHING, Op.PUSH_UPDATE, Op.PULL)


def follow_recreated(ctx: RunContext, runs: list[CollectionRun], target: str, path: str, refs: Any = None) -> None:
    """Queue, in each run, the reference fields of the files that refer to ``path`` (of the
    collection ``target``), just re-created in Webflow: sent with the run's updates. (``refs``: how
    paths resolve, when not yet by ``ctx.refs``: a dry run creates nothing.)"""
    for run in runs:
        keys = reference_keys(run, target)
        if not keys or run.plan is None:
            continue
        ops = {a.key: a for a in run.plan.actions}
        for key, view, _, doc in documents_naming(ctx, run, path):
            action = ops.get(key)
            if key not in run.base or action is None or action.op not in _SENDABLE:
                continue
            if action.op is Op.PULL and key not in run.unwritable:
                continue  # Webflow changed it and the change can be written: the pull has it
            hits = [k for k in keys if refers_to(doc.front_matter.get(k), path)]
            if not hits or not encodable(run, document_record(doc, run.mapping), refs or ctx.refs):
                continue  # another reference of the file names nothing: validation reports it
            _queue(ctx, run, key, view, doc,
                   f"{', '.join(hits)}: now refers to the item re-created from {ctx.shown(path)}")


def follow_live_references(ctx: RunContext, run: CollectionRun) -> None:
    """The next run's half (a run stopped between a re-create and these pushes, or an older
    version's leftovers, found by a full read): an item Webflow cannot give its file because it
    refers to a dead item, while its unchanged file refers to live ones, gets the file's references."""
    if run.plan is None or not run.unwritable:
        return
    ops = {a.key: a for a in run.plan.actions}
    live = set(ctx.state.items) | {i for r in ctx.runs for i in r.remote}
    for key in sorted(run.unwritable):
        action, view, base = ops.get(key), run.local.get(key), run.base.get(key)
        if action is None or action.op is not Op.PULL or view is None or base is None or view.side is None \
                or view.side.hash != base.record_hash:
            continue
        raw = ctx.store.read(view.path)
        doc = read_document(view.path, raw, run.mapping, set(base.fields)).document if raw is not None else None
        if doc is None:
            continue
        data, _, problems = record_to_field_data(document_record(doc, run.mapping), run.mapping, run.schema, ctx.refs)
        ref_keys = [k for k in data if (f := run.schema.field(k)) is not None and f.type in ("Reference",
                                                                                              "MultiReference")]
        ids = {i for k in ref_keys for i in (data[k] if isinstance(data[k], list) else [data[k]]) if i}
        if problems or not ref_keys or not ids <= live:
            continue
        _queue(ctx, run, key, view, doc, "references: the file's, which Webflow had lost (an item it refers "
                                         "to was re-created)")


def _queue(ctx: RunContext, run: CollectionRun, key: str, view: Any, doc: Any, reason: str) -> None:
    """The item's reference fields are sent with the run's updates, as a local change."""
    if ctx.opts.dry_run:  # said, and counted, as the real run would
        _report(ctx, run, key, view.path, reason)
        ctx.report.of(run.schema.slug).updated += 1
        return
    if view.document is None:
        view.document = doc
    # unchanged since the last sync when not re-read: its version is the base's
    run.planned_versions.setdefault(key, run.base[key].last_updated)
    if all(k != key for _, k in run.deferred):
        run.deferred.append((key, key))
    _report(ctx, run, key, view.path, reason)


def _report(ctx: RunContext, run: CollectionRun, key: str, file: str, reason: str) -> None:
    """The item's line says its references are pushed (not held: the dead reference Webflow held is
    what this fixes, so its problem goes too)."""
    report = ctx.report
    entry = next((a for a in report.actions if a["key"] == key and a["collection"] == run.schema.slug), None)
    if entry is not None and entry.get("blocked"):
        report.of(run.schema.slug).pending -= 1
    if entry is None:
        entry = {"collection": run.schema.slug, "key": key, "path": file}
        report.actions.append(entry)
    entry.update(op="push-update", reason=reason, blocked=None, fields=[])
    report.problems[:] = [p for p in report.problems
                          if not (p.get("path") == file and DELETED_MARK in p.get("message", ""))]


def encodable(run: CollectionRun, record: dict[str, Any], refs: Any) -> bool:
    """Whether every reference of ``record`` names an item Webflow has (else nothing is sent)."""
    return not record_to_field_data(record, run.mapping, run.schema, refs)[2]
