"""Apply: the local half of a plan (files and the base). ``LocalWriter`` writes Webflow's
version of an item into its file and records it as synced; the pusher uses it for Webflow's
answers too, so a file and its base entry are always written the same way."""

from __future__ import annotations


from ..context import RunContext, log
from ..convert import field_hashes, item_to_document, record_hash, render
from ..errors import FileChangedError, NotFoundError
from ..formerslug import synced_slug
from ..history import record_move, record_slug
from ..deadrefs import remember_gone
from ..relink import follow_rename, moved_line, report_dangling
from ..model import RemoteItem
from ..moves import slug_unchanged, where
from ..itemlines import action_fields
from ..locales import api
from ..plan import Action, BaseSide, Op, Side, winner
from ..resolved import keep_losing_side
from ..report import CollectionReport
from ..runs import CollectionRun, LazyRecord, RemoteView, conflict_copy_path, iso_seconds
from ..state import BaseEntry, remember_stat
from ..store import sha256


class LocalWriter:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    def apply(self, run: CollectionRun) -> None:
        """Every action of the plan that writes locally; the ones that write to Webflow are the pusher's."""
        assert run.plan is not None
        ctx = self.ctx
        c = ctx.report.of(run.schema.slug)
        ctx.progress.phase("writing", run.schema.slug, len(run.plan.actions))
        for action in run.plan.actions:
            ctx.progress.advance()
            if action.key not in run.early:  # those were carried out while Webflow was read
                self.apply_action(run, action, c)

    def apply_action(self, run: CollectionRun, action: Action, c: CollectionReport) -> None:
        """One action of the plan, if it writes locally."""
        ctx = self.ctx
        report, dry_run = ctx.report, ctx.opts.dry_run
        if action.op is not Op.NOTHING:
            rv, be = run.remote.get(action.key), run.base.get(action.key)
            report.actions.append({"collection": run.schema.slug, "key": action.key, "op": action.op.value,
                                   "path": (conflict_path if action.op is Op.CONFLICT else path_of)(run, action.key),
                                   "reason": action.reason,
                                   "blocked": action.blocked, "fields": action_fields(
                                       action, rv.side if rv else None,
                                       BaseSide(be.record_hash, be.fields) if be else None)})
            if action.blocked is None and winner(action) is not None:
                report.actions[-1]["kept"] = keep_losing_side(ctx, run, action)
        if action.blocked is not None:
            if action.op is not Op.NOTHING:
                c.pending += 1
            return
        if action.op is Op.NOTHING:
            self.refresh(run, action.key, c)
        elif action.op in (Op.PULL, Op.ADOPT):
            self.write_remote(run, action.key, c)
        elif action.op is Op.PULL_DELETE:
            entry = run.base[action.key]
            # where the file is now: moved (git mv) since the last sync, it is still this item's
            where = run.local[action.key].path if action.key in run.local else entry.path
            if dry_run:  # what the run would say: the files that would go on naming it
                report_dangling(ctx, run.schema.id, entry.path)
            else:
                if not self._gone(run, action.key):
                    return
                try:
                    ctx.store.remove(where)
                except FileChangedError:
                    self.kept(run, where, None, action.key)
                    return
                ctx.state.drop(run.state_key(action.key))
                if report_dangling(ctx, run.schema.id, entry.path) and run.locale is None:
                    remember_gone(ctx, run.schema.id, action.key, entry.path)
            c.removed += 1
        elif action.op is Op.FORGET:
            if not dry_run:
                ctx.state.drop(run.state_key(action.key))
        elif action.op is Op.CONFLICT:
            self.conflict(run, action)

    def _gone(self, run: CollectionRun, item_id: str) -> bool:
        """Whether Webflow confirms the item is deleted. An absence from a listing is not enough:
        offset paging skips an item when another one is deleted during the read."""
        try:
            api(self.ctx, run).get_item(run.schema.id, item_id)
        except NotFoundError:
            return True
        log.info("%s: item %s was missing from the listing but exists: its file is kept", run.schema.slug, item_id)
        return False

    def write_remote(self, run: CollectionRun, key: str, c: CollectionReport, count: bool = True) -> None:
        """Webflow's version of the item into its file (moving it when the slug changed). ``count``:
        False when the item is counted as something else (a merge or a conflict decided for Webflow)."""
        if not count:
            c = CollectionReport(c.collection)  # counted once, by the caller
        store = self.ctx.store
        rv = run.remote[key]
        data = rv.rendered()
        old = run.base.get(key)
        # the slug changed in Webflow, or the file was moved here (git mv): it moves to its path
        moved_from = run.local[key].path if key in run.local else old.path if old is not None else ""
        moves = old is not None and bool(moved_from) and moved_from != rv.path
        if self.ctx.opts.dry_run:
            if moves:
                moved_line(self.ctx, run, key, moved_from, rv.path)
            current = store.read(rv.path)
            c.written += current != data
            c.unchanged += current == data
            return
        try:
            if old is not None and old.path != rv.path:
                store.check(old.path)  # saved during the run: it stays where it is, no second copy
            written = store.replace(rv.path, data)
            if old is not None and not slug_unchanged(run, key, rv.item.slug):
                # the slug the item had, not the name of a file moved since (git mv)
                record_slug(store.root, run.mapping, rv.item.id, synced_slug(self.ctx, run, key, old.path),
                            rv.item.slug)
            if moves and old is not None:
                previous = store.read(moved_from)
                # this item's file as the plan saw it: the bytes as synced, or re-saved with the same
                # content (an editor's or a formatter's YAML style); never a file this run just wrote
                if previous is not None and (sha256(previous) == old.file_hash or (
                        key in run.local and not store.wrote(moved_from))):
                    store.remove(moved_from)
                    moved_line(self.ctx, run, key, moved_from, rv.path)  # the line says where the file was
        except FileChangedError as exc:
            self.kept(run, exc.path, data, key)
            return
        c.written += written
        c.unchanged += not written
        self.record(run, rv, data)
        if not isinstance(rv.converted.record, LazyRecord):
            rv.data = None  # written: the bytes need not stay in memory

    def kept(self, run: CollectionRun, path: str, webflow: bytes | None, key: str) -> None:
        """An editor saved ``path`` while this run was about to replace it: their file stays, and
        what Webflow has goes beside it (``webflow``), as in any conflict. The item is read again
        by the next run (the cursor waits for it): Webflow's side is still to be synced."""
        run.kept.add(key)
        copy = conflict_copy_path(path) if webflow is not None else None
        if copy is not None and webflow is not None:
            self.ctx.store.write(copy, webflow)
        self.ctx.report.of(run.schema.slug).conflicts += 1
        self.ctx.report.conflicts.append({
            "collection": run.schema.slug, "path": path, "remote_copy": copy, "fields": [],
            "reason": "the file was saved while wfsync ran: kept as saved, run again"})

    def record(self, run: CollectionRun, rv: RemoteView, data: bytes, kept: bool = False) -> None:
        """The item as synced: its base entry and its file's stat (``kept``: the file was not
        written, an editor's save is there, so its stat must not pass for wfsync's file)."""
        ctx = self.ctx
        info = None if kept else ctx.store.stat_as_written(rv.path)
        ctx.state.put(BaseEntry(
            id=rv.item.id, collection=run.schema.id, path=rv.path, last_updated=rv.item.last_updated,
            record_hash=rv.side.hash, fields=dict(rv.side.fields) if rv.side.fields is not None
            else field_hashes(rv.converted.record), file_hash=sha256(data),
            last_published=rv.item.last_published, files=rv.converted.files, locale=run.cms_locale,
        ))
        if info is not None:
            remember_stat(ctx.stats, rv.path, info.size, info.mtime_ns)
        # in step again: a copy left by an earlier conflict has served its purpose, unless it holds
        # a version that is not the one now synced (the side a resolved conflict decided against)
        copy = conflict_copy_path(rv.path)
        if not kept and ctx.store.read(copy) == data:
            ctx.store.delete(copy)

    def record_as_read(self, run: CollectionRun, key: str) -> None:
        """The base becomes the file's values as this run read them. Its date stays the last synced
        one, never Webflow's newer answer, so the next run reads the item again and sees what
        Webflow's side added."""
        lv, old = run.local.get(key), run.base.get(key)
        if lv is None or lv.side is None or old is None:
            return
        side = lv.side
        self.ctx.state.put(BaseEntry(
            id=old.id, collection=old.collection, path=lv.path, last_updated=old.last_updated,
            record_hash=side.hash, fields=dict(side.fields) if side.fields is not None else field_hashes(side.record),
            file_hash=old.file_hash, last_published=old.last_published, files=old.files,
        ))

    def refresh(self, run: CollectionRun, key: str, c: CollectionReport) -> None:
        """In step: rewrite the file only if Webflow's metadata moved and the file is as last written."""
        ctx = self.ctx
        rv = run.remote.get(key)
        base = run.base.get(key)
        lv = run.local.get(key)
        if rv is None or base is None or lv is None or key in run.unwritable:
            return
        data = rv.rendered()
        if sha256(data) == base.file_hash and lv.path == rv.path and \
                ctx.stats.get(lv.path) == (lv.info.size, lv.info.mtime_ns):
            c.unchanged += 1
            return
        current = ctx.store.read(lv.path)
        if current is not None and sha256(current) == base.file_hash and lv.path == rv.path and not ctx.opts.dry_run:
            try:
                written = ctx.store.replace(rv.path, data)
            except FileChangedError:
                c.unchanged += 1  # saved just now: the next run reads it
                return
            c.written += written
            c.unchanged += not written
            self.record(run, rv, data)
        else:
            c.unchanged += 1
            if not ctx.opts.dry_run and current is not None and lv.path == rv.path and current == data:
                self.record(run, rv, data)  # same bytes, new mtime (a git checkout): remember the stat

    def conflict(self, run: CollectionRun, action: Action, copy: bool = True, remote: RemoteView | None = None) -> None:
        """Reported, nothing overwritten: Webflow's version (``remote``, or as read) is written beside
        the file, unless ``copy`` is false."""
        report = self.ctx.report
        c = report.of(run.schema.slug)
        c.conflicts += 1
        rv = (remote or run.remote.get(action.key)) if copy else None
        path = conflict_path(run, action.key)
        copy = conflict_copy_path(path)
        if rv is not None and not self.ctx.opts.dry_run:
            self.ctx.store.write(copy, rv.rendered())
        # a dry run writes no copy, so it names none, unless an earlier run left one there
        written = rv is not None and (not self.ctx.opts.dry_run or self.ctx.store.stat(copy) is not None)
        report.conflicts.append({"collection": run.schema.slug, "path": path, "remote_copy": copy if written else None,
                                 "fields": sorted(k for k in action.conflict_keys if not k.startswith("\x00")),
                                 "reason": action.reason})

    def renamed_in_place(self, run: CollectionRun, item: RemoteItem, path: str, former: str | None = None) -> None:
        """A file the editor renamed along with its slug is already where the new slug puts it (or
        was moved there earlier, slug unchanged): the slug history and the files referring to its
        former path follow, as for any rename."""
        base = run.base.get(item.id)
        if base is None or slug_unchanged(run, item.id, item.slug):
            return
        record_slug(self.ctx.store.root, run.mapping, item.id,
                    former or synced_slug(self.ctx, run, item.id, base.path), item.slug)
        if run.locale is None and base.path != path:
            follow_rename(self.ctx, run.schema.id, item.id, base.path, path)

    def store_answer(self, run: CollectionRun, item: RemoteItem, old_path: str | None, keep_file: bool = False,
                     merged: bool = False) -> None:
        """Webflow's answer to a write becomes the file (new dates, same content) and the base.

        ``keep_file``: the answer lacks part of the file (references to items this run creates
        later, sent by a second write); the file stays as it is until that write is answered, so
        a run stopped in between still has them to send."""
        former = run.former_slugs.pop(item.id, None)  # Webflow's slug before this push changed it
        converted = item_to_document(item, run.mapping, run.schema, self.ctx.refs)
        path = where(run, self.ctx.store.root, item.id, run.mapping.path_for(item.slug, item.id), item.slug)
        side = Side(converted.record, record_hash(converted.record), iso_seconds(item.last_updated))
        rv = RemoteView(item, converted, path, side)
        run.remote[item.id] = rv
        run.published_flags[item.id] = item.is_draft
        data = render(converted.document).encode("utf-8")
        if keep_file and old_path == path:
            self.record(run, rv, data, kept=True)
            return
        kept = False
        try:
            if old_path and old_path != path:
                self.ctx.store.check(old_path)  # saved during the run: no second copy under the new name
            self.ctx.store.replace(path, data)
            if old_path and old_path != path:
                if not slug_unchanged(run, item.id, item.slug):
                    record_slug(self.ctx.store.root, run.mapping, item.id,
                                former or synced_slug(self.ctx, run, item.id, old_path), item.slug)
                self.ctx.store.remove(old_path)
                moved_line(self.ctx, run, item.id, old_path, path)
                if run.locale is None:  # references name the primary's files
                    follow_rename(self.ctx, run.schema.id, item.id, old_path, path)
            else:
                self.renamed_in_place(run, item, path, former)
        except FileChangedError as exc:
            # Webflow has what was sent (the base says so); the newer save stays, a local change
            self.kept(run, exc.path, None, item.id)
            kept = True
            if merged:
                # the answer holds Webflow's side of a merge, which the editor's file never got, and
                # the file as this run read it, which the save descends from: that is the last common
                # version, so the next run pushes what the save changed (an undo too) and pulls
                # Webflow's side
                self.record_as_read(run, item.id)
                return
            if exc.path == old_path:
                # the base follows the file the editor has; the next run pushes the save and moves it
                # (the former slug's path is remembered, so that file is not taken for one moved on purpose)
                if old_path != path:
                    record_move(self.ctx.store.root, run.mapping, item.id, old_path, item.slug)
                rv = RemoteView(item, converted, old_path, side)
                run.remote[item.id] = rv
        self.record(run, rv, data, kept=kept)


def conflict_path(run: CollectionRun, key: str) -> str:
    """The file a conflict is about: the one on disk (a slug changed on both sides leaves Webflow's
    path with no file), its copies beside it."""
    return run.local[key].path if key in run.local else path_of(run, key)


def path_of(run: CollectionRun, key: str) -> str:
    if key in run.remote:
        return run.remote[key].path
    if key in run.local:
        return run.local[key].path
    return run.base[key].path if key in run.base else ""
