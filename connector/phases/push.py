"""Push: the Webflow half of a plan (creates, updates and merges, deletes), in bulk calls of
100, each batch recorded in the base as soon as Webflow answered it."""

from __future__ import annotations

from typing import Any

from .. import bulk
from ..context import RunContext
from ..convert import document_record, item_to_document, record_hash, record_to_field_data, value_hash
from ..errors import ApiError, LeftOutError, LocalValidationError, NotFoundError, ValidationApiError
from ..files import skipped, with_file_ids
from ..formerslug import note_former_slug
from ..heldslugs import held_in_webflow, report_held_slug
from ..locales import api
from ..model import RemoteItem
from ..normalise import same_content
from ..plan import Action, Op, Side, winner
from ..reads import updated_since
from ..references import PendingReferences, has_pending
from ..refollow import follow_live_references, follow_recreated
from ..relink import moved_line
from ..report import CollectionReport
from ..runs import CollectionRun, RemoteView, iso_seconds, iso_text
from . import variants
from .apply import LocalWriter, path_of
from .validate import pending_creates
from .webflow_now import current_record, warn_lost_breaks


class Pusher:
    """Carries out the push actions of each collection's plan; Webflow's answers are written
    back through the ``LocalWriter``."""

    def __init__(self, ctx: RunContext, writer: LocalWriter) -> None:
        self.ctx = ctx
        self.writer = writer

    def _local_record(self, run: CollectionRun, key: str) -> dict[str, Any]:
        view = run.local[key]
        assert view.document is not None, "a changed file is always parsed"
        return document_record(view.document, run.mapping)

    def _encode(self, run: CollectionRun, record: dict[str, Any], keys: set[str] | None,
                refs: Any, current: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        data, flags, problems = record_to_field_data(record, run.mapping, run.schema, refs, keys=keys, current=current)
        if problems:  # validation ran first: a file changed during the run
            error = LocalValidationError("; ".join(f"{k}: {m}" for k, m in problems), problems=problems)
            error.hint = ("A file changed while wfsync ran; what was sent so far is recorded. "
                          "Fix the file and run again.")
            raise error
        return data, flags

    def creates(self, run: CollectionRun) -> None:
        assert run.plan is not None
        ctx = self.ctx
        creates = run.plan.of(Op.PUSH_CREATE)
        if not creates:
            return
        c = ctx.report.of(run.schema.slug)
        if ctx.opts.dry_run:
            c.created += len(creates)
            refs = PendingReferences(ctx.refs, pending_creates(ctx.runs))
            for action in creates:  # a re-create takes the references along: say so
                if action.key in run.base and action.key in run.local and run.locale is None:
                    follow_recreated(ctx, ctx.runs, run.schema.id, run.local[action.key].path, refs)
            return
        if run.locale is not None:  # a new file in a secondary locale's folder
            variants.place_new_files(ctx, self, run, creates)
            return
        # files about to be created in any collection: references to them are filled in afterwards
        refs = PendingReferences(ctx.refs, pending_creates(ctx.runs))
        bodies, keys, later = [], [], []
        for action in creates:
            record = self._local_record(run, action.key)
            data, flags = self._encode(run, record, None, refs)
            deferred = {k for k, v in data.items() if has_pending(v)}
            for k in deferred:
                data.pop(k)
            bodies.append({"fieldData": data, "isDraft": flags.get("isDraft", False),
                           "isArchived": flags.get("isArchived", False)})
            keys.append(action.key)
            if deferred:
                later.append(action.key)
        ctx.progress.phase("pushing", run.schema.slug, len(bodies))
        for start in range(0, len(bodies), 100):
            batch_keys = keys[start:start + 100]
            ctx.progress.advance(len(batch_keys))
            ctx.emit("before:create", collection=run.schema.id, keys=batch_keys)
            outcome = bulk.create(api(ctx, run), run.schema.id, bodies[start:start + 100])
            ctx.emit("after:create", collection=run.schema.id, keys=batch_keys)
            by_slug = {i.slug: i for i in outcome.done}
            for key, body in zip(batch_keys, bodies[start:start + 100], strict=True):
                slug = str(body["fieldData"].get("slug"))
                item = by_slug.get(slug)
                if item is None:
                    if slug in outcome.failed:
                        self._create_refused(run, key, slug, outcome.failed[slug])
                    continue
                self._created(run, key, item, deferred=key in later or self._files_skipped(run, item, body["fieldData"],
                                                                                        run.local[key].path))
                c.created += 1
                run.created += 1
                run.pushed[item.id] = None
                if key in later:
                    run.deferred.append((item.id, key))
            ctx.save()

    def _created(self, run: CollectionRun, key: str, item: RemoteItem, deferred: bool = False) -> None:
        """The file of ``key`` is now Webflow's item: its answer becomes the file and the base
        (``deferred``: some references are still to be sent, the file keeps them meanwhile)."""
        ctx = self.ctx
        old_path = run.local[key].path
        if run.locale is None:  # references name the primary's files
            ctx.refs.add(run.schema.id, item.id, run.mapping.path_for(item.slug, item.id))
            ctx.refs.ids[(run.schema.id, old_path)] = item.id
        self.writer.store_answer(run, item, old_path, keep_file=deferred)
        now = run.remote[item.id].path
        if now != old_path and not deferred and ctx.store.stat(old_path) is None:
            # the file went to the mapping's path for its slug: the line (keyed by the file) says so
            moved_line(ctx, run, key, old_path, now)
        run.planned_versions[item.id] = item.last_updated
        if key != item.id:
            # re-created (the item was deleted in Webflow): the old id is gone for good, and the
            # items that refer to it follow the new one (references name primary files)
            ctx.state.drop(run.state_key(key))
            if key in run.base and run.locale is None:
                follow_recreated(ctx, ctx.runs, run.schema.id, old_path)

    def _files_skipped(self, run: CollectionRun, item: RemoteItem, sent: dict[str, Any] | None,
                       path: str | None = None) -> bool:
        """Files sent for import that Webflow's answer lacks (it could not fetch them): each is a
        problem named by file and key, and the file keeps what the user wrote (the base takes
        Webflow's answer, so the next run sees the file as a change and tries again)."""
        missing = skipped(sent or {}, item.field_data, run.schema)
        keys = [run.mapping.key_for_field(slug) or slug for slug in missing]
        for action in self.ctx.report.actions:  # the item's line says it, not only the problem below
            if keys and action.get("collection") == run.schema.slug and (
                    action.get("key") == item.id or (path and action.get("path") == path)):
                action["not_imported"] = keys
        for slug in missing:
            self.ctx.report.problems.append({
                "collection": run.schema.slug, "item": path or path_of(run, item.id),
                "field": run.mapping.key_for_field(slug) or slug,
                "message": "Webflow did not import this file (it could not fetch the URL?); the file keeps "
                           "your value: fix the URL and run again"})
        return bool(missing)

    def _create_refused(self, run: CollectionRun, key: str, slug: str, error: ApiError) -> None:
        """A slug Webflow already has (an item made there, or by a run that died before recording
        it, and not read by this incremental run): the same content is adopted, another one is a
        conflict, every run until resolved. Any other refusal is reported against the file."""
        ctx = self.ctx
        local = run.local[key]
        slug_taken = isinstance(error, ValidationApiError) and any(d.param.endswith("slug") for d in error.details)
        found = api(ctx, run).find_by_slug(run.schema.id, slug) if slug_taken else None
        if found is not None and held_in_webflow(ctx, run, found):  # never bound to it silently
            report_held_slug(ctx, run, local.path, slug, found.id, bool(found.is_archived))
            not_sent(ctx.report.actions, run.schema.slug, key, "the slug belongs to an item archived (or a draft) "
                     "in Webflow: see the problem below")
            return
        if found is None:
            ctx.report.problems.append({"collection": run.schema.slug, "item": local.path,
                                        "field": ", ".join(d.param for d in getattr(error, "details", ())) or "(item)",
                                        "message": f"Webflow refused to create it: {error}"})
            not_sent(ctx.report.actions, run.schema.slug, key, "Webflow refused it, nothing was created: see the "
                     "problem below")
            return
        converted = item_to_document(found, run.mapping, run.schema, ctx.refs)
        record = self._local_record(run, key)
        if same_content(record, converted.record, run.mapping, run.schema, ctx.refs):
            self._created(run, key, found)
            adopted(ctx.report.actions, run.schema.slug, key)
            return
        remote = RemoteView(found, converted, local.path,
                            Side(converted.record, record_hash(converted.record), iso_seconds(found.last_updated)))
        differing = {k for k in set(record) | set(converted.record)
                     if value_hash(record.get(k)) != value_hash(converted.record.get(k))}
        self.writer.conflict(run, Action(key, Op.CONFLICT, "new on both sides, different (the slug is taken in Webflow)",
                                         conflict_keys=frozenset(differing)), remote=remote)

    def updates(self, run: CollectionRun) -> None:
        """Updates and merges (and the references of new items, filled in now they exist)."""
        assert run.plan is not None
        ctx = self.ctx
        c = ctx.report.of(run.schema.slug)
        updates: list[dict[str, Any]] = []
        merges = {}
        follow_live_references(ctx, run)
        for action in run.plan.of(Op.PUSH_UPDATE, Op.MERGE):
            record = dict(action.merged) if action.op is Op.MERGE and action.merged is not None \
                else self._local_record(run, action.key)
            keys = set(action.push_keys)
            if action.op is Op.MERGE:
                merges[action.key] = action
            if not keys:
                continue
            note_former_slug(ctx, run, action.key, keys)
            current = current_record(ctx, run, action.key, keys)
            data, flags = self._encode(run, record, keys, ctx.refs, current)
            warn_lost_breaks(ctx, run, action.key, data, current)
            base = run.base.get(action.key)
            data = with_file_ids(data, run.schema, base.files if base else {})  # hosted files by fileId
            entry: dict[str, Any] = {"id": action.key, "fieldData": data}
            entry.update(flags)
            updates.append(entry)
        for item_id, key in run.deferred:
            data, _ = self._encode(run, self._local_record(run, key), None, ctx.refs)
            refs_only = {k: v for k, v in data.items() if run.schema.field(k) and
                         run.schema.field(k).type in ("Reference", "MultiReference")}  # type: ignore[union-attr]
            same = next((u for u in updates if u["id"] == item_id), None)
            if same is not None:  # already updated by this run: one entry per item in a bulk call
                same["fieldData"].update(refs_only)
            elif refs_only:
                updates.append({"id": item_id, "fieldData": refs_only})
        if ctx.opts.dry_run:
            c.updated += len([u for u in updates if u["id"] not in merges])
            c.merged += len([a for a in merges.values() if winner(a) is None])
            c.resolved += len([a for a in merges.values() if winner(a) is not None])
            return
        if updates:
            changed = self._changed_since_planned(run, {u["id"] for u in updates})
            for item_id in changed:
                planned = next((a for a in run.plan.actions if a.key == item_id), None)
                updates = [u for u in updates if u["id"] != item_id]
                merges.pop(item_id, None)
                if planned is not None:
                    self.writer.conflict(run, Action(item_id, Op.CONFLICT, "changed in Webflow during this run",
                                                     conflict_keys=planned.push_keys))
        deferred_ids = {i for i, _ in run.deferred}
        if updates:
            ctx.progress.phase("pushing", run.schema.slug, len(updates))
        for start in range(0, len(updates), 100):
            batch = updates[start:start + 100]
            ctx.progress.advance(len(batch))
            outcome = self.send_updates(run, batch)
            sent = {u["id"]: u["fieldData"] for u in batch}
            for item in outcome.done:
                path = run.local[item.id].path if item.id in run.local else None
                self.writer.store_answer(run, item, path, keep_file=self._files_skipped(run, item, sent.get(item.id)),
                                         merged=item.id in merges)
                if item.id in merges:
                    _count_merge(c, merges[item.id])
                elif item.id not in deferred_ids or item.id not in run.pushed:
                    c.updated += 1
                if item.id not in run.pushed:
                    run.pushed[item.id] = None
            ctx.save()
        for key in merges:  # merges with nothing to send: Webflow already has the result
            if key not in {u["id"] for u in updates} and key in run.remote:
                self.writer.write_remote(run, key, c, count=False)  # one item: merged or resolved, not also pulled
                _count_merge(c, merges[key])

    def send_updates(self, run: CollectionRun, batch: list[dict[str, Any]]) -> bulk.Outcome:
        """One bulk update (of ``run``'s locale), announced to the hook; refusals reported."""
        ids = [u["id"] for u in batch]
        self.ctx.emit("before:update", collection=run.schema.id, ids=ids)
        outcome = bulk.update(api(self.ctx, run), run.schema.id, batch)
        self.ctx.emit("after:update", collection=run.schema.id, ids=ids)
        for item_id, error in outcome.failed.items():
            self._update_refused(run, item_id, error)
        return outcome

    def _update_refused(self, run: CollectionRun, item_id: str, error: ApiError) -> None:
        """Deleted in Webflow during the run: the edit is kept (the next run re-creates the item, a
        modification beats a deletion). Any other refusal is reported against the file."""
        if isinstance(error, NotFoundError):
            self.writer.conflict(run, Action(item_id, Op.CONFLICT, "deleted in Webflow during this run"), copy=False)
            return
        left_out = isinstance(error, LeftOutError)
        self.ctx.report.problems.append({
            "collection": run.schema.slug, "item": path_of(run, item_id),
            "field": ", ".join(run.mapping.key_for_field(d.param) or d.param
                               for d in getattr(error, "details", ())) or "(item)",
            "message": str(error) if left_out else f"Webflow refused the update: {error}"})
        # its line says held, not pushed; the file keeps the edit, the next run sends it again
        not_sent(self.ctx.report.actions, run.schema.slug, item_id,
                 ("Webflow held it back, not recorded as pushed" if left_out else
                  "Webflow refused it, nothing was changed") + ": see the problem below")
        self.ctx.report.of(run.schema.slug).pending += 1

    def _changed_since_planned(self, run: CollectionRun, ids: set[str]) -> set[str]:
        """The items of ``ids`` whose version in Webflow is no longer the one the plan was made on:
        edited in Webflow during this run. They become conflicts, not overwrites.

        Each item is compared with its own planned version. The listing only has to reach back to
        when this run read: any later edit is newer than everything read. It never starts from
        this run's own writes, which are newer than an edit made between the read and them."""
        if not ids:
            return set()
        planned = run.planned_versions
        since = run.read_mark if run.read_mark else \
            min((iso_seconds(planned.get(i)) for i in ids), default=0.0)
        changed = {i for i in ids if not planned.get(i)}
        for item in updated_since(api(self.ctx, run), run.schema.id, run.schema.slug, iso_text(since), self.ctx.caps,
                                  ids=ids):
            if item.id in ids and iso_seconds(item.last_updated) != iso_seconds(planned.get(item.id)):
                changed.add(item.id)
        return changed

    def deletes(self, run: CollectionRun) -> None:
        assert run.plan is not None
        ctx = self.ctx
        deletes = [a.key for a in run.plan.of(Op.PUSH_DELETE)]
        if not deletes:
            return
        c = ctx.report.of(run.schema.slug)
        if ctx.opts.dry_run:
            c.deleted += len(deletes)
            return
        # variants that go with their whole item: the primary's run deleted them (``remove_variants``)
        deletes = [k for k in deletes if k not in run.with_item]
        if not deletes:
            return
        changed = self._changed_since_planned(run, set(deletes))
        for key in sorted(changed):
            # a delete, like an update, is only carried out on the version the plan saw; the
            # next run restores the file with the edit (a modification beats a deletion)
            self.writer.conflict(run, Action(key, Op.CONFLICT, "changed in Webflow during this run: not deleted"),
                                 copy=False)
        deletes = [k for k in deletes if k not in changed]
        for start in range(0, len(deletes), 100):
            batch = deletes[start:start + 100]
            live = [i for i in batch if (run.remote[i].item.last_published if i in run.remote
                                         else run.base[i].last_published if i in run.base else None)]
            ctx.state.deleting.update(run.state_key(i) for i in batch)  # a run killed from here on is finished by the next one
            ctx.state.dirty = True
            ctx.save()
            failed: dict[str, ApiError] = {}
            if live:
                ctx.emit("before:unpublish", collection=run.schema.id, ids=live)
                failed.update(bulk.delete(api(ctx, run, whole=True), run.schema.id, live, live=True).failed)  # unpublish first
                ctx.emit("after:unpublish", collection=run.schema.id, ids=live)
            batch = [i for i in batch if i not in failed]
            ctx.emit("before:delete", collection=run.schema.id, ids=batch)
            outcome = bulk.delete(api(ctx, run, whole=True), run.schema.id, batch) if batch else bulk.Outcome()
            ctx.emit("after:delete", collection=run.schema.id, ids=batch)
            failed.update(outcome.failed)
            for item_id in outcome.done_ids:
                ctx.state.drop(run.state_key(item_id))
                ctx.state.deleting.discard(run.state_key(item_id))
            for item_id, error in failed.items():
                ctx.state.deleting.discard(run.state_key(item_id))
                ctx.report.problems.append({"collection": run.schema.slug, "item": path_of(run, item_id),
                                            "field": "(delete)", "message": f"Webflow refused the delete: {error}"})
            c.deleted += len(outcome.done_ids)
            run.deleted += len(outcome.done_ids)
            variants.remove_variants(ctx, self.writer, run, outcome.done_ids)
            ctx.state.dirty = True
            ctx.save()


def _count_merge(c: CollectionReport, action: Action) -> None:
    """A merge of both sides' edits, or a conflict decided for one side."""
    if winner(action) is None:
        c.merged += 1
    else:
        c.resolved += 1


def not_sent(actions: list[dict[str, Any]], collection: str, key: str, why: str) -> None:
    """A planned write Webflow refused: its line says it was held, and why, not that it was done."""
    for entry in reversed(actions):
        if entry["collection"] == collection and entry["key"] == key and entry["blocked"] is None:
            entry["blocked"] = why
            return


def adopted(actions: list[dict[str, Any]], collection: str, key: str) -> None:
    """A create Webflow refused because it already had the item (same slug, same content): the line
    says the file is now synced with it, not that anything was created."""
    for entry in reversed(actions):
        if entry["collection"] == collection and entry["key"] == key and entry["op"] == "push-create":
            entry.update(op="adopt", reason="Webflow already had this item (same slug, same content): "
                                            "recorded as synced, nothing was created", found_in_webflow=True)
            return
