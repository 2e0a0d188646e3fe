"""Scan: the snapshot's files, each matched to its item (by the base, the slug or the id) and
read only when its size or mtime moved since it was last written."""

from __future__ import annotations

from ..context import RunContext
from ..convert import document_record, record_hash, value_hash
from ..plan import Side
from ..reading import ReadResult, read_document, too_large
from ..runs import CollectionRun, LocalView, template_prefix, template_regex
from ..heldslugs import claim_held_slugs, held_item_kind, report_held_slug
from ..moves import keep_moved_files, moved_paths_mean_their_items
from ..state import remember_stat
from ..store import FileInfo, sha256


def scan(ctx: RunContext, run: CollectionRun) -> None:
    report = ctx.report
    pattern = template_regex(run.mapping)
    by_path = ctx.state.by_path()
    slugs = {rv.item.slug: rid for rid, rv in run.remote.items()}
    slugs.update({slug_of(ctx, run, i): i for i in run.held})
    written_early = {run.remote[k].path for k in run.early if k in run.remote}
    for info in ctx.store.scan(template_prefix(run.mapping)):
        match = pattern.match(info.rel)
        if not match or info.rel in written_early:  # carried out while Webflow was read (``pagewrites``)
            continue
        base = by_path.get(info.rel)
        if base is not None and base.collection == run.schema.id and base.locale == run.cms_locale:
            key = recreated(run, base.id, slugs.get(match.groupdict().get("slug") or "")) or base.id
        else:
            found = slugs.get(match.groupdict().get("slug") or "") or (match.groupdict().get("id") if
                                                                       match.groupdict().get("id") in run.remote else None)
            key = found or f"new:{run.schema.id}:{info.rel}"
        early = run.scanned.pop(info.rel, None)  # read while Webflow was read, for the same item
        run.local[key] = early[1] if early is not None and early[0] == key and early[1].info == info \
            else local_view(ctx, run, info, key)
        if key in run.held and key not in run.base:
            report_held_slug(ctx, run, info.rel, match.groupdict().get("slug") or "", key,
                             held_item_kind(ctx, run, key))
    claim_held_slugs(ctx, run, run.mapping.key_for_field("slug"))
    adopt_moved_files(run)
    keep_moved_files(run, ctx.store.root)
    moved_paths_mean_their_items(ctx, run)
    for skipped in report.skipped:  # an item left alone is named by its file where the editor has it
        if skipped["collection"] == run.schema.slug and skipped["item"] in run.local:
            skipped["path"] = run.local[skipped["item"]].path


def recreated(run: CollectionRun, key: str, same_slug: str | None) -> str | None:
    """The new item that re-created this file's item: the old one is gone from Webflow (a full
    read), and an item the base does not know has the file's slug. A run killed after Webflow made
    the re-create, before it was recorded, leaves exactly that; the file is the new item's."""
    if same_slug is None or same_slug in run.base or key in run.remote or key in run.unfetched or key in run.held:
        return None
    return same_slug


def local_view(ctx: RunContext, run: CollectionRun, info: FileInfo, key: str) -> LocalView:
    """The file ``info`` as the local side of item ``key``."""
    view = LocalView(info.rel, info)
    base_entry = run.base.get(key)
    if base_entry and base_entry.path == info.rel and ctx.stats.get(info.rel) == (info.size, info.mtime_ns):
        # unchanged since the last sync by size and mtime: no need to read or parse it
        view.side = Side({}, base_entry.record_hash, info.mtime_ns / 1e9)
        ctx.store.saw(info.rel, base_entry.file_hash)
    else:
        view.side = read_local(ctx, run, info, key, view)
    return view


def adopt_moved_files(run: CollectionRun) -> None:
    """A file moved or renamed (git mv) with its slug unchanged is the same item, not a new one."""
    slug_key = run.mapping.key_for_field("slug")
    pattern = template_regex(run.mapping)
    missing = {}
    for key, entry in run.base.items():
        m = pattern.match(entry.path)
        if key not in run.local and m and m.groupdict().get("slug"):
            missing[m.group("slug")] = key
    # the slug as last synced, by its hash in the base: a file moved twice has a path that tells none
    by_hash = {entry.fields[slug_key]: key for key, entry in run.base.items()
               if key not in run.local and slug_key and slug_key in entry.fields}
    for key, view in list(run.local.items()):
        slug = view.document.front_matter.get(slug_key) if slug_key and view.document else None
        if not key.startswith("new:") or not isinstance(slug, str):
            continue
        found = missing.pop(slug, None) or by_hash.pop(value_hash(slug), None)
        if found is not None and found not in run.local:
            run.local[found] = run.local.pop(key)
    adopt_renamed_files(run, slug_key)


def adopt_renamed_files(run: CollectionRun, slug_key: str | None) -> None:
    """A file renamed together with its slug (an editor's rename, then the slug typed to match) is
    the same item with a new slug, not a new item beside a deleted one: a new file whose every
    value but the slug is the value a vanished file had at the last sync. Only an exact match
    counts (any other edit in the same go leaves a new file and a deletion, both shown)."""
    if not slug_key:
        return
    vanished = {key: entry for key, entry in run.base.items() if key not in run.local}
    if not vanished:
        return
    for key, view in list(run.local.items()):
        side = view.side
        if not key.startswith("new:") or side is None or side.hold is not None or not side.record:
            continue
        matches = [k for k, entry in vanished.items()
                   if entry.fields.get(slug_key) != side.field_hash(slug_key)
                   and all(side.field_hash(f) == entry.fields.get(f, value_hash(None))
                           for f in (side.keys() | set(entry.fields)) - {slug_key})]
        if len(matches) == 1:  # two vanished twins: nothing tells which one was renamed
            run.local[matches[0]] = run.local.pop(key)
            del vanished[matches[0]]


def read_local(ctx: RunContext, run: CollectionRun, info: FileInfo, key: str, view: LocalView) -> Side:
    """A file not known unchanged: read it. One with problems is held as a local change: reported
    with file, key and line, never overwritten, never sent."""
    base_entry = run.base.get(key)
    big = too_large(info.rel, info.size)
    raw = b"" if big else ctx.store.read(info.rel) or b""
    ctx.store.saw(info.rel, None if big else sha256(raw))
    if base_entry and base_entry.path == info.rel and sha256(raw) == base_entry.file_hash:
        remember_stat(ctx.stats, info.rel, info.size, info.mtime_ns)  # same bytes, new mtime (a git checkout)
        return Side({}, base_entry.record_hash, info.mtime_ns / 1e9)
    result = ReadResult(None, [big]) if big else read_document(
        info.rel, raw, run.mapping, base_keys=set(base_entry.fields) if base_entry else None)
    view.document, view.key_lines, view.key_texts = result.document, result.key_lines, result.key_texts
    if result.problems:
        ctx.report.problems.extend(p.as_dict(run.schema.slug) for p in result.problems)
        return Side({}, "held:" + sha256(raw), info.mtime_ns / 1e9,
                    hold="; ".join(f"{p.key}: {p.message}" for p in result.problems))
    assert result.document is not None
    record = document_record(result.document, run.mapping)
    # a Windows editor's BOM and CRLF are not an edit; anything else that differs from wfsync's bytes is
    same = raw.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    edited = base_entry is not None and sha256(same) != base_entry.file_hash
    return Side(record, record_hash(record), info.mtime_ns / 1e9, edited=edited)


def slug_of(ctx: RunContext, run: CollectionRun, item_id: str) -> str:
    """The slug of an item's file, from the path references know it by."""
    # (a secondary locale's files are not in the references, which name primary files)
    path = (ctx.refs.path_for(run.schema.id, item_id) if run.locale is None
            else run.base[item_id].path if item_id in run.base else None) or ""
    m = template_regex(run.mapping).match(path)
    return (m.groupdict().get("slug") or "") if m else ""
