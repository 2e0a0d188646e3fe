"""Validate: every file a push would send is checked against its collection's schema before the
first write; all problems are reported at once and nothing is sent if there is one."""

from __future__ import annotations

from dataclasses import replace

from ..context import RunContext
from ..errors import LocalValidationError
from ..plan import Action, Op, Plan
from ..references import PendingReferences
from ..relink import check_referenced_deletes
from ..runs import CollectionRun
from ..validate import FileProblem, validate_document
from ..words import counted
from . import variants
from .scan import slug_of


def pending_creates(runs: list[CollectionRun]) -> dict[tuple[str, str], str]:
    """(collection id, path) -> key of every file this run is about to create in Webflow."""
    return {(r.schema.id, r.local[a.key].path): a.key for r in runs if r.plan
            for a in r.plan.of(Op.PUSH_CREATE) if a.key in r.local}


def left_for_sync(ctx: RunContext) -> list[FileProblem]:
    """A push that cannot carry out a merge says so, per file, instead of finishing quietly."""
    if ctx.opts.policy.pull:
        return []
    out = []
    for run in ctx.runs:
        for a in run.plan.of(Op.MERGE, active_only=False) if run.plan else ():
            if a.blocked and a.key in run.local:
                # reported, not raised: the other files still go, and the run ends non-zero
                out.append(FileProblem(run.local[a.key].path, "(item)", "changed in Webflow too, so push sends "
                                       "nothing for it: run `wfsync sync` to merge both sides (or `wfsync pull` "
                                       "first)"))
    return out


def validate(ctx: RunContext) -> None:
    opts, report = ctx.opts, ctx.report
    refs = PendingReferences(ctx.refs, pending_creates(ctx.runs))
    problems: list[FileProblem] = []
    already = {(p["item"], p["field"]) for p in report.problems}  # reading problems, said once
    for run in ctx.runs:
        assert run.plan is not None
        owners: dict[str, list[str]] = {}
        slug_key = run.mapping.key_for_field("slug")
        for key, view in run.local.items():
            slug = (view.document.front_matter.get(slug_key) if view.document and slug_key
                    else slug_of(ctx, run, key) if not key.startswith("new:") else None)
            if isinstance(slug, str):
                owners.setdefault(slug, []).append(ctx.shown(view.path))  # as the user sees it
        for item_id, rv in run.remote.items():
            if item_id not in run.local and rv.item.slug:
                owners.setdefault(rv.item.slug, []).append(f"the Webflow item {item_id}")
        bad_keys = set()
        # every file a push could send, also those it holds or leaves for sync: all problems at once
        for action in run.plan.of(Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.MERGE, Op.HOLD, active_only=False):
            local = run.local.get(action.key)
            if local is None or local.document is None:
                continue
            found = validate_document(local.path, local.document, run.mapping, run.schema, refs, owners, ctx.shown,
                                      typed=local.key_texts)
            found = [replace(p, line=local.key_lines.get(p.key)) for p in found if (p.path, p.key) not in already]
            if found:
                bad_keys.add(action.key)
                problems.extend(found)
        for key, problem in variants.new_file_problems(ctx, run).items():  # a secondary locale's new files
            if key not in bad_keys and (problem.path, problem.key) not in already:
                bad_keys.add(key)
                problems.append(problem)
        if bad_keys and (opts.skip_invalid or opts.dry_run):
            run.plan = Plan(tuple(
                Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged, "invalid file")
                if a.key in bad_keys and a.blocked is None else a for a in run.plan.actions))
    referenced = check_referenced_deletes(ctx)
    problems.extend(referenced)
    if referenced:
        _hold_referenced_deletes(ctx, {p.path for p in referenced})
    for p in problems + left_for_sync(ctx):
        report.problems.append({"collection": "", "item": p.path, "field": p.key, "message": p.message,
                                "line": p.line})
    held = {r.local[a.key].path for r in ctx.runs if r.plan for a in r.plan.of(Op.HOLD, Op.CONFLICT, active_only=False)
            if _unreadable(r, a.key)}
    if held and not (opts.skip_invalid or opts.dry_run):
        # files that cannot be read are files a push could send: nothing goes until they are fixed
        problems.extend(FileProblem(p["item"], p["field"], p["message"], p.get("line")) for p in report.problems
                        if p["item"] in held)
    if problems and not (opts.skip_invalid or opts.dry_run):
        raise LocalValidationError(f"{counted(len(problems), 'problem')} in local files; nothing was sent to Webflow",
                                   problems=list(problems))


def _hold_referenced_deletes(ctx: RunContext, paths: set[str]) -> None:
    """A deletion other files still refer to is refused: held in the plan too, so a dry run says
    what the real run does (no "would delete")."""
    for run in ctx.runs:
        if run.plan is None:
            continue
        run.plan = Plan(tuple(
            Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged,
                   "other files still refer to it (see the problem below)")
            if a.op is Op.PUSH_DELETE and a.active and a.key in run.base and run.base[a.key].path in paths else a
            for a in run.plan.actions))


def _unreadable(run: CollectionRun, key: str) -> bool:
    """A file that cannot be read (held, or in conflict with Webflow's change): a push sends nothing."""
    view = run.local.get(key)
    return view is not None and view.side is not None and bool(view.side.hold)
