"""The transport and client against canned answers (responses): retry, pacing, errors, paging."""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses

from connector.client import WebflowClient
from connector.errors import (
    AuthError,
    MissingScopeError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ValidationApiError,
)
from connector.transport import Pacer, Transport, parse_retry_after
from tests.conftest import NoSleep

BASE = "https://api.test/v2"
SECRET = "secret-token-must-not-leak"
CID = "a" * 24


def make(sleep: NoSleep | None = None, clock=None, **kw) -> WebflowClient:
    extra = {"clock": clock} if clock else {}
    return WebflowClient(Transport(BASE, SECRET, sleep=sleep or NoSleep(), jitter=lambda: 0.0, **extra, **kw))


def item(n: int) -> dict:
    return {"id": f"{n:024x}", "cmsLocaleId": "c" * 24, "lastPublished": None, "lastUpdated": "2024-01-01T00:00:00.000Z",
            "createdOn": "2024-01-01T00:00:00.000Z", "isArchived": False, "isDraft": False,
            "fieldData": {"name": f"Item {n}", "slug": f"item-{n}"}}


@responses.activate
def test_pages_of_100_until_total() -> None:
    total = 250
    for offset in (0, 100, 200):
        responses.get(f"{BASE}/collections/{CID}/items", match=[responses.matchers.query_param_matcher(
            {"offset": str(offset), "limit": "100"})],
            json={"items": [item(n) for n in range(offset, min(offset + 100, total))],
                  "pagination": {"limit": 100, "offset": offset, "total": total}})
    client = make()
    items = list(client.iter_items(CID))
    assert [i.slug for i in items] == [f"item-{n}" for n in range(total)]
    assert client.stats.total == 3


@responses.activate
def test_429_waits_retry_after_then_succeeds() -> None:
    url = f"{BASE}/collections/{CID}"
    responses.get(url, status=429, headers={"Retry-After": "7"},
                  json={"message": "Too Many Requests", "code": "too_many_requests", "details": []})
    responses.get(url, json={"id": CID, "displayName": "X", "singularName": "X", "fields": []})
    sleep = NoSleep()
    coll = make(sleep).get_collection(CID)
    assert coll.id == CID
    assert sleep.calls == [7.0]


@responses.activate
def test_429_every_time_gives_a_rate_limited_error() -> None:
    responses.get(f"{BASE}/sites", status=429, headers={"Retry-After": "1"}, json={"code": "too_many_requests", "message": "x"})
    sleep = NoSleep()
    client = make(sleep, max_attempts=3)
    with pytest.raises(RateLimitedError):
        client.list_sites()
    assert len(sleep.calls) == 2 and client.stats.total == 3


@responses.activate
def test_5xx_is_retried_with_backoff() -> None:
    url = f"{BASE}/sites"
    responses.get(url, status=503, json={"code": "service_unavailable", "message": "down"})
    responses.get(url, status=500, json={"code": "internal_error", "message": "boom"})
    responses.get(url, json={"sites": [{"id": "s" * 24, "displayName": "S", "shortName": "s"}]})
    sleep = NoSleep()
    sites = make(sleep).list_sites()
    assert [s.display_name for s in sites] == ["S"]
    assert len(sleep.calls) == 2 and sleep.calls[0] < sleep.calls[1]  # exponential


@responses.activate
@pytest.mark.parametrize("status,code,error", [
    (400, "validation_error", ValidationApiError), (401, "not_authorized", AuthError),
    (403, "missing_scopes", MissingScopeError), (404, "resource_not_found", NotFoundError),
])
def test_client_errors_are_not_retried(status: int, code: str, error: type) -> None:
    responses.get(f"{BASE}/sites", status=status, json={
        "code": code, "message": "nope", "details": [{"param": "slug", "description": "Unique value is already in database: 'x'"}]})
    sleep = NoSleep()
    client = make(sleep)
    with pytest.raises(error) as info:
        client.list_sites()
    assert client.stats.total == 1 and sleep.calls == []
    assert info.value.status == status and info.value.hint


@responses.activate
def test_validation_details_are_parsed_in_both_shapes() -> None:
    responses.post(f"{BASE}/collections/{CID}/items", status=400, json={
        "code": "validation_error", "message": "Validation Error",
        "details": [{"param": "slug", "description": "Unique value"}, {"field": "name", "message": "required"}, "plain"]})
    with pytest.raises(ValidationApiError) as info:
        make().create_items(CID, [{"fieldData": {"name": "a", "slug": "a"}}])
    assert [(d.param, d.description) for d in info.value.details] == [("slug", "Unique value"), ("name", "required"), ("", "plain")]
    assert "slug: Unique value" in str(info.value)


@responses.activate
def test_pacing_from_headers_sleeps_until_the_window_ends() -> None:
    now = [1000.0]
    url = f"{BASE}/sites"
    responses.get(url, json={"sites": []}, headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "1"})
    responses.get(url, json={"sites": []}, headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59"})
    sleep = NoSleep()
    client = make(sleep, clock=lambda: now[0])
    client.list_sites()
    now[0] += 10
    client.list_sites()
    # one left (the reserve): wait for the rest of the minute, not for a 429
    assert len(sleep.calls) == 1 and 50 <= sleep.calls[0] <= 51


def test_pacer_does_not_wait_with_budget_left() -> None:
    pacer = Pacer(clock=lambda: 0.0)
    pacer.observe({"X-RateLimit-Remaining": "30", "X-RateLimit-Limit": "60"}, 0.0)
    assert pacer.delay() == 0.0


@responses.activate
def test_post_server_error_is_not_blindly_resent_but_recovered_by_slug() -> None:
    url = f"{BASE}/collections/{CID}/items"
    responses.post(url, status=500, json={"code": "internal_error", "message": "x"})
    # the create did happen: the slug lookup finds it, nothing is sent twice
    responses.get(url, json={"items": [item(1)], "pagination": {"limit": 1, "offset": 0, "total": 1}})
    client = make()
    created = client.create_items(CID, [{"fieldData": {"name": "Item 1", "slug": "item-1"}}])
    assert [c.slug for c in created] == ["item-1"]
    posts = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posts) == 1


@responses.activate
def test_post_lost_answer_recreates_only_missing_items() -> None:
    url = f"{BASE}/collections/{CID}/items"
    responses.post(url, body=requests.ConnectionError("Connection aborted. RemoteDisconnected"))
    responses.get(url, json={"items": [], "pagination": {"limit": 1, "offset": 0, "total": 0}})
    responses.post(url, status=202, json={"items": [item(2)]})
    created = make().create_items(CID, [{"fieldData": {"name": "Item 2", "slug": "item-2"}}])
    assert [c.slug for c in created] == ["item-2"]
    second = json.loads([c for c in responses.calls if c.request.method == "POST"][1].request.body)
    assert second["items"][0]["fieldData"]["slug"] == "item-2"


@responses.activate
def test_token_is_never_in_errors_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    responses.get(f"{BASE}/sites", status=500, json={"code": "internal_error", "message": "x"})
    client = make(max_attempts=2)
    with pytest.raises(ServerError) as info:
        client.list_sites()
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {SECRET}"
    texts = [str(info.value), repr(info.value), repr(client.t), caplog.text, repr(vars(info.value))]
    assert all(SECRET not in t for t in texts)


@responses.activate
def test_writes_are_batched_by_100() -> None:
    url = f"{BASE}/collections/{CID}/items"
    responses.patch(url, json={"items": []})
    responses.delete(url, status=204)
    responses.post(f"{url}/publish", status=202, json={"publishedItemIds": ["x"], "errors": []})
    client = make()
    client.update_items(CID, [{"id": f"{n:024x}", "fieldData": {"name": "n"}} for n in range(250)])
    client.delete_items(CID, [f"{n:024x}" for n in range(101)])
    client.publish_items(CID, [f"{n:024x}" for n in range(100)])
    sizes = [(c.request.method, len(json.loads(c.request.body).get("items") or json.loads(c.request.body)["itemIds"]))
             for c in responses.calls]
    assert sizes == [("PATCH", 100), ("PATCH", 100), ("PATCH", 50), ("DELETE", 100), ("DELETE", 1), ("POST", 100)]


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=0.0) == 60.0
    assert parse_retry_after("garbage") is None


@responses.activate
def test_408_is_retried() -> None:
    url = f"{BASE}/sites"
    responses.get(url, status=408, json={"message": "Request Timeout"})
    responses.get(url, json={"sites": []})
    sleep = NoSleep()
    assert make(sleep).list_sites() == [] and len(sleep.calls) == 1
