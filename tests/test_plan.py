"""The pure planner: every row of the decision table, merges, conflicts, guards, and a
randomised multi-round simulation in which both sides converge and no edit is lost silently."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.convert import field_hashes, record_hash
from connector.plan import (
    BaseSide,
    DeleteLimitError,
    EmptySideError,
    Op,
    Policy,
    Side,
    check_delete_limit,
    check_empty_sides,
    decide,
    plan,
)

BOTH = Policy(pull=True, push=True, allow_delete=True)


def side(record: dict[str, Any], updated: float = 0.0) -> Side:
    return Side(record, record_hash(record), updated)


def base(record: dict[str, Any]) -> BaseSide:
    return BaseSide(record_hash(record), field_hashes(record))


B = {"title": "A", "body": "x"}
L = {"title": "A local", "body": "x"}
R = {"title": "A", "body": "x remote"}


@pytest.mark.parametrize("b,l,r,op", [
    (None, None, B, Op.PULL),
    (None, B, None, Op.PUSH_CREATE),
    (None, B, B, Op.ADOPT),
    (None, L, R, Op.CONFLICT),
    (B, B, B, Op.NOTHING),
    (B, L, B, Op.PUSH_UPDATE),
    (B, B, R, Op.PULL),
    (B, L, R, Op.MERGE),
    (B, L, L, Op.ADOPT),
    (B, None, B, Op.PUSH_DELETE),
    (B, B, None, Op.PULL_DELETE),
    (B, None, R, Op.PULL),  # modification beats deletion: restore the file
    (B, L, None, Op.PUSH_CREATE),  # modification beats deletion: re-create the item
    (B, None, None, Op.FORGET),
])
def test_decision_table(b: dict | None, l: dict | None, r: dict | None, op: Op) -> None:
    action = decide("k", side(l) if l else None, side(r) if r else None, base(b) if b else None, BOTH)
    assert action.op is op


def test_merge_takes_each_side_changes() -> None:
    action = decide("k", side(L), side(R), base(B), BOTH)
    assert action.merged == {"title": "A local", "body": "x remote"}
    assert action.push_keys == {"title"}


def test_same_field_changed_differently_is_a_conflict() -> None:
    action = decide("k", side({"title": "one", "body": "x"}), side({"title": "two", "body": "x"}), base(B), BOTH)
    assert action.op is Op.CONFLICT and action.conflict_keys == {"title"}


@pytest.mark.parametrize("policy,winner", [("local", "one"), ("remote", "two")])
def test_chosen_winner_resolves(policy: str, winner: str) -> None:
    action = decide("k", side({"title": "one", "body": "y"}), side({"title": "two", "body": "x"}), base(B),
                    Policy(on_conflict=policy))
    assert action.op is Op.MERGE and action.merged == {"title": winner, "body": "y"}


def test_newer_wins_by_time() -> None:
    action = decide("k", side({"title": "one", "body": "x"}, updated=200), side({"title": "two", "body": "x"}, updated=100),
                    base(B), Policy(on_conflict="newer"))
    assert action.merged["title"] == "one"  # type: ignore[index]


def test_directions_and_delete_permission_block_actions() -> None:
    p = plan({"a": side(L), "c": side(B)}, {"a": side(B), "b": side(R), "d": side(B)},
             {"a": base(B), "b": base(B), "c": base(B), "d": base(B)}, Policy(pull=True, push=False))
    by_key = {a.key: a for a in p.actions}
    assert by_key["a"].op is Op.PUSH_UPDATE and by_key["a"].blocked
    assert by_key["b"].op is Op.PULL and not by_key["b"].blocked
    assert by_key["d"].op is Op.PUSH_DELETE and by_key["d"].blocked


def test_delete_limit_and_empty_sides() -> None:
    check_delete_limit(1, 100, "1")
    check_delete_limit(5, 100, "5%")
    with pytest.raises(DeleteLimitError):
        check_delete_limit(6, 100, "5%")
    with pytest.raises(EmptySideError):
        check_empty_sides("infos", 0, 10, 10)
    check_empty_sides("infos", 0, 0, 0)


# -- a randomised multi-round simulation ------------------------------------------------------
KEYS = ["title", "body", "tag"]
Edit = tuple[str, str, str, str]  # (side, item, key, value) or (side, item, "__delete__", "")


def apply_plan(local: dict, remote: dict, base_: dict, actions: list) -> tuple[dict, dict, dict, list]:
    """A model executor: what the engine does with each action, on dictionaries."""
    conflicts = []
    for a in actions:
        k = a.key
        if a.op in (Op.PULL, Op.ADOPT):
            local[k] = dict(remote[k])
            base_[k] = dict(remote[k])
        elif a.op is Op.PUSH_CREATE or a.op is Op.PUSH_UPDATE:
            remote[k] = dict(local[k])
            base_[k] = dict(local[k])
        elif a.op is Op.MERGE:
            remote[k] = dict(a.merged)
            local[k] = dict(a.merged)
            base_[k] = dict(a.merged)
        elif a.op is Op.PULL_DELETE:
            local.pop(k, None)
            base_.pop(k, None)
        elif a.op is Op.PUSH_DELETE:
            remote.pop(k, None)
            base_.pop(k, None)
        elif a.op is Op.FORGET:
            base_.pop(k, None)
        elif a.op is Op.CONFLICT:
            conflicts.append(k)
    return local, remote, base_, conflicts


def run_plan(local: dict, remote: dict, base_: dict) -> list:
    return list(plan({k: side(v) for k, v in local.items()}, {k: side(v) for k, v in remote.items()},
                     {k: base(v) for k, v in base_.items()}, BOTH).actions)


edits = st.lists(st.tuples(st.sampled_from(["local", "remote"]), st.sampled_from(["i1", "i2", "i3"]),
                           st.sampled_from(KEYS + ["__delete__"]), st.sampled_from(["a", "b", "c"])), max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(edits, min_size=1, max_size=4))
def test_rounds_converge_and_lose_no_edit(rounds: list[list[Edit]]) -> None:
    start = {"i1": {"title": "1", "body": "x", "tag": "t"}, "i2": {"title": "2", "body": "y", "tag": "t"}}
    local, remote, base_ = {k: dict(v) for k, v in start.items()}, {k: dict(v) for k, v in start.items()}, \
        {k: dict(v) for k, v in start.items()}
    for round_edits in rounds:
        edited: set[tuple[str, str, str]] = set()
        for where, item, key, value in round_edits:
            target = local if where == "local" else remote
            if key == "__delete__":
                target.pop(item, None)
            else:
                target.setdefault(item, {"title": item, "body": "", "tag": ""})[key] = value
                edited.add((where, item, key))
        # the value each side ended the round with, for every key it really changed
        final = {(w, i, k): (local if w == "local" else remote)[i][k] for w, i, k in edited
                 if i in (local if w == "local" else remote)
                 and (local if w == "local" else remote)[i][k] != base_.get(i, {}).get(k)}
        actions = run_plan(local, remote, base_)
        local, remote, base_, conflicts = apply_plan(local, remote, base_, actions)
        for (where, item, key), value in final.items():
            # synced to both sides, or the item is reported as a conflict: never silently dropped
            if item in conflicts:
                continue
            other_where = "remote" if where == "local" else "local"
            overwritten_by_same_key = (other_where, item, key) in final and final[(other_where, item, key)] != value
            assert not overwritten_by_same_key, "a clash on one key must be a conflict"
            assert local.get(item, {}).get(key) == value and remote.get(item, {}).get(key) == value, (where, item, key)
        # conflicts are resolved by a person: here, the local version wins by hand
        for item in conflicts:
            remote[item] = dict(local[item])
            base_[item] = dict(local[item])
    # with no new edits, one more round changes nothing and both sides agree
    actions = run_plan(local, remote, base_)
    local, remote, base_, conflicts = apply_plan(local, remote, base_, actions)
    assert not conflicts
    assert local == remote
    assert all(a.op is Op.NOTHING for a in run_plan(local, remote, base_))
