"""The push side of a run: validation before any write, creates, updates, deletes, publishing.

A mixin of ``Engine``: it uses the engine's client, references, store and its
``_record``/``_save``/``_conflict``/``_write_remote``. Kept apart because it is the half
that writes to Webflow, and the one with the most rules.
"""

from __future__ import annotations

from typing import Any

from .convert import document_record, item_to_document, record_hash, record_to_field_data, render
from .client import WebflowClient
from .errors import LocalValidationError
from .history import record_move
from .model import RemoteItem
from .plan import Action, Op, Plan, Side
from .references import PendingReferences, References, has_pending
from .report import Report
from .runs import CollectionRun, RemoteView, RunOptions, iso_seconds
from .state import State
from .store import SnapshotStore
from .validate import FileProblem, validate_document


class PushSteps:
    """Methods of ``Engine`` that write to Webflow (see the module docstring)."""

    # provided by Engine
    client: WebflowClient
    refs: References
    store: SnapshotStore
    runs: list[CollectionRun]

    def _save(self, state: State) -> None:
        raise NotImplementedError

    def _record(self, run: CollectionRun, state: State, rv: RemoteView, data: bytes) -> None:
        raise NotImplementedError

    def _conflict(self, run: CollectionRun, action: Action, opts: RunOptions, report: Report) -> None:
        raise NotImplementedError

    def _write_remote(self, run: CollectionRun, state: State, key: str, opts: RunOptions, c: Any) -> None:
        raise NotImplementedError

    def _slug_of(self, run: CollectionRun, item_id: str) -> str:
        raise NotImplementedError

    def _pending(self, runs: list[CollectionRun]) -> dict[tuple[str, str], str]:
        return {(r.schema.id, r.local[a.key].path): a.key for r in runs if r.plan
                for a in r.plan.of(Op.PUSH_CREATE) if a.key in r.local}

    def _validate(self, runs: list[CollectionRun], opts: RunOptions, report: Report) -> None:
        refs = PendingReferences(self.refs, self._pending(runs))
        problems: list[FileProblem] = []
        for run in runs:
            assert run.plan is not None
            owners: dict[str, list[str]] = {}
            slug_key = run.mapping.key_for_field("slug")
            for key, view in run.local.items():
                slug = (view.document.front_matter.get(slug_key) if view.document and slug_key
                        else self._slug_of(run, key) if not key.startswith("new:") else None)
                if isinstance(slug, str):
                    owners.setdefault(slug, []).append(view.path)
            for item_id, rv in run.remote.items():
                if item_id not in run.local and rv.item.slug:
                    owners.setdefault(rv.item.slug, []).append(f"the Webflow item {item_id}")
            bad_keys = set()
            for action in run.plan.of(Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.MERGE):
                local = run.local.get(action.key)
                if local is None or local.document is None:
                    continue
                found = validate_document(local.path, local.document, run.mapping, run.schema, refs, owners)
                if found:
                    bad_keys.add(action.key)
                    problems.extend(found)
            if bad_keys and (opts.skip_invalid or opts.dry_run):
                run.plan = Plan(tuple(
                    Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged, "invalid file")
                    if a.key in bad_keys and a.blocked is None else a for a in run.plan.actions))
        for p in problems:
            report.problems.append({"collection": "", "item": p.path, "field": p.key, "message": p.message})
        if problems and not (opts.skip_invalid or opts.dry_run):
            raise LocalValidationError(f"{len(problems)} problem(s) in local files; nothing was sent to Webflow",
                                       problems=[str(p) for p in problems])

    # -- pushing ---------------------------------------------------------------------------
    def _local_record(self, run: CollectionRun, key: str) -> dict[str, Any]:
        view = run.local[key]
        assert view.document is not None, "a changed file is always parsed"
        return document_record(view.document, run.mapping)

    def _encode(self, run: CollectionRun, record: dict[str, Any], keys: set[str] | None,
                refs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        data, flags, problems = record_to_field_data(record, run.mapping, run.schema, refs, keys=keys)
        if problems:  # validation ran first: a file changed during the run
            error = LocalValidationError("; ".join(f"{k}: {m}" for k, m in problems), problems=problems)
            error.hint = ("A file changed while wfsync ran; what was sent so far is recorded. "
                          "Fix the file and run again.")
            raise error
        return data, flags

    def _push_creates(self, run: CollectionRun, state: State, opts: RunOptions, report: Report) -> None:
        assert run.plan is not None
        creates = run.plan.of(Op.PUSH_CREATE)
        if not creates:
            return
        c = report.of(run.schema.slug)
        if opts.dry_run:
            c.created += len(creates)
            return
        # files about to be created in any collection: references to them are filled in afterwards
        refs = PendingReferences(self.refs, self._pending(self.runs))
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
        for start in range(0, len(bodies), 100):
            created = self.client.create_items(run.schema.id, bodies[start:start + 100])
            by_slug = {i.slug: i for i in created}
            for key, body in zip(keys[start:start + 100], bodies[start:start + 100], strict=True):
                item = by_slug.get(body["fieldData"].get("slug"))
                if item is None:
                    continue
                old_path = run.local[key].path
                self.refs.add(run.schema.id, item.id, run.mapping.path_for(item.slug, item.id))
                self.refs.ids[(run.schema.id, old_path)] = item.id
                self._store_pushed(run, state, item, old_path)
                c.created += 1
                run.created += 1
                run.pushed[item.id] = None
                if key in later:
                    run.deferred.append((item.id, key))
            self._save(state)

    def _push_updates(self, run: CollectionRun, state: State, opts: RunOptions, report: Report) -> None:
        assert run.plan is not None
        c = report.of(run.schema.slug)
        updates: list[dict[str, Any]] = []
        merges = {}
        for action in run.plan.of(Op.PUSH_UPDATE, Op.MERGE):
            record = dict(action.merged) if action.op is Op.MERGE and action.merged is not None \
                else self._local_record(run, action.key)
            keys = set(action.push_keys)
            if action.op is Op.MERGE:
                merges[action.key] = action
            if not keys:
                continue
            data, flags = self._encode(run, record, keys, self.refs)
            entry: dict[str, Any] = {"id": action.key, "fieldData": data}
            entry.update(flags)
            updates.append(entry)
        for item_id, key in run.deferred:
            data, _ = self._encode(run, self._local_record(run, key), None, self.refs)
            refs_only = {k: v for k, v in data.items() if run.schema.field(k) and
                         run.schema.field(k).type in ("Reference", "MultiReference")}  # type: ignore[union-attr]
            if refs_only:
                updates.append({"id": item_id, "fieldData": refs_only})
        if opts.dry_run:
            c.updated += len([u for u in updates if u["id"] not in merges])
            c.merged += len(merges)
            return
        if updates:
            changed = self._changed_since_fetch(run, {u["id"] for u in updates})
            for item_id in changed:
                planned = next((a for a in run.plan.actions if a.key == item_id), None)
                updates = [u for u in updates if u["id"] != item_id]
                merges.pop(item_id, None)
                if planned is not None:
                    self._conflict(run, Action(item_id, Op.CONFLICT, "changed in Webflow during this run",
                                               conflict_keys=planned.push_keys), opts, report)
        deferred_ids = {i for i, _ in run.deferred}
        for start in range(0, len(updates), 100):
            batch = updates[start:start + 100]
            for item in self.client.update_items(run.schema.id, batch):
                path = run.local[item.id].path if item.id in run.local else None
                self._store_pushed(run, state, item, path)
                if item.id in merges:
                    c.merged += 1
                elif item.id not in deferred_ids or item.id not in run.pushed:
                    c.updated += 1
                if item.id not in run.pushed:
                    run.pushed[item.id] = None
            self._save(state)
        for key in merges:  # merges with nothing to send: Webflow already has the result
            if key not in {u["id"] for u in updates} and key in run.remote:
                self._write_remote(run, state, key, opts, c)
                c.merged += 1

    def _changed_since_fetch(self, run: CollectionRun, ids: set[str]) -> set[str]:
        """Items edited in Webflow after this run read them: they become conflicts, not overwrites."""
        seen = [rv.item.last_updated for rv in run.remote.values() if rv.item.last_updated]
        seen += [run.base[k].last_updated for k in run.unfetched if k in run.base]
        if not seen:
            return set()
        newest = max(seen, key=iso_seconds)
        changed = set()
        for item in self.client.iter_items(run.schema.id, params={"lastUpdated[gte]": newest}):
            fetched = run.remote.get(item.id)
            if item.id in ids and (fetched is None or fetched.item.last_updated != item.last_updated):
                changed.add(item.id)
        return changed

    def _push_deletes(self, run: CollectionRun, state: State, opts: RunOptions, report: Report) -> None:
        assert run.plan is not None
        deletes = [a.key for a in run.plan.of(Op.PUSH_DELETE)]
        if not deletes:
            return
        c = report.of(run.schema.slug)
        if opts.dry_run:
            c.deleted += len(deletes)
            return
        for start in range(0, len(deletes), 100):
            batch = deletes[start:start + 100]
            live = [i for i in batch if (run.remote[i].item.last_published if i in run.remote
                                         else run.base[i].last_published if i in run.base else None)]
            if live:
                self.client.delete_items(run.schema.id, live, live=True)  # unpublish first
            self.client.delete_items(run.schema.id, batch)
            for item_id in batch:
                state.drop(item_id)
            c.deleted += len(batch)
            run.deleted += len(batch)
            self._save(state)

    def _publish(self, run: CollectionRun, state: State, report: Report) -> None:
        ids = [i for i in run.pushed if i in state.items]
        drafts = {i for i in ids if run.published_flags.get(i)}
        ids = [i for i in ids if i not in drafts]  # drafts stay drafts
        if not ids:
            return
        result = self.client.publish_items(run.schema.id, ids)
        c = report.of(run.schema.slug)
        c.published += len(result.published_ids)
        for error in result.errors:
            report.problems.append({"collection": run.schema.slug, "item": "", "field": "(publish)", "message": error})
        oldest = min((state.items[i].last_updated for i in result.published_ids), key=iso_seconds) \
            if result.published_ids else None
        if oldest:
            wanted = set(result.published_ids)
            for item in self.client.iter_items(run.schema.id, params={"lastPublished[gte]": oldest}):
                if item.id in wanted:
                    self._store_pushed(run, state, item, state.items[item.id].path)

    def _store_pushed(self, run: CollectionRun, state: State, item: RemoteItem, old_path: str | None) -> None:
        """Webflow's answer becomes the file (new dates, same content) and the base."""
        converted = item_to_document(item, run.mapping, run.schema, self.refs)
        path = run.mapping.path_for(item.slug, item.id)
        side = Side(converted.record, record_hash(converted.record), iso_seconds(item.last_updated))
        rv = RemoteView(item, converted, path, side)
        run.remote[item.id] = rv
        run.published_flags[item.id] = item.is_draft
        data = render(converted.document).encode("utf-8")
        self.store.write(path, data)
        if old_path and old_path != path:
            record_move(self.store.root, run.mapping, item.id, old_path, item.slug)
            self.store.delete(old_path)
        self._record(run, state, rv, data)
