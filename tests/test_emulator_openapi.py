"""Every emulator endpoint the client uses answers in the shape Webflow's OpenAPI spec documents.

The spec extract lives in tests/data (see tests/tools/extract_cms_spec.py). Two
documented deviations of the live API from the spec are allowed, each on purpose:
- ``lastPublished`` is ``null`` for a never-published item (the spec types it as a
  string, but its own bulk-create examples show ``null``);
- a create with the ``{"items": [...]}`` body answers ``{"items": [...]}`` (the spec
  types the 202 as one item; the live API and the SDKs' fixes show the list form);
- the bulk update answers (``PATCH .../items`` and ``.../items/live``) put the item's
  ``required`` list at the top of a schema whose other branch is the list form, which
  no list can satisfy; there each listed item is checked against the item schema.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_schema_validator import OAS31Validator

from connector.emulator.server import EmulatorServer
from tests.conftest import TOKEN

SPEC = json.loads((Path(__file__).parent / "data" / "webflow-cms-openapi.json").read_text(encoding="utf-8"))


def allow_null_last_published(schema: Any) -> Any:
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict) and "lastPublished" in props and "fieldData" in props:
                props["lastPublished"] = {**props["lastPublished"], "type": ["string", "null"]}
            if isinstance(node.get("items"), list):
                # the error schema writes ``details.items`` as a list of alternatives
                # (a draft-4 tuple), which JSON Schema 2020-12 does not allow
                node["items"] = {"anyOf": node["items"]}
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def response_schema(template: str, method: str, status: int) -> dict[str, Any]:
    responses = SPEC["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} does not document {status}"
    content = responses[str(status)].get("content")
    return allow_null_last_published(content["application/json"]["schema"]) if content else {}


def item_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The one-item schema inside a list-answer schema."""
    if "fieldData" in schema.get("properties", {}):
        return schema
    for branch in schema.get("oneOf", []):
        if "fieldData" in branch.get("properties", {}):
            return branch
    return schema["properties"]["items"]["items"]


def check(template: str, method: str, answer: requests.Response, expected_status: int, list_form: bool = False) -> Any:
    assert answer.status_code == expected_status, answer.text
    schema = response_schema(template, method, answer.status_code)
    if answer.status_code == 204:
        assert answer.content == b""
        return None
    body = answer.json()
    if list_form:
        assert set(body) == {"items"}
        errors = [e for one in body["items"] for e in OAS31Validator(item_schema(schema)).iter_errors(one)]
        assert body["items"] and not errors, errors[:1]
        return body
    errors = sorted(OAS31Validator(schema).iter_errors(body), key=str)
    assert not errors, f"{method} {template}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return body


@pytest.fixture
def call(emulator: EmulatorServer):
    def do(method: str, path: str, **kw: Any) -> requests.Response:
        return requests.request(method, emulator.base_url + path, headers={"Authorization": f"Bearer {TOKEN}"},
                                timeout=5, **kw)
    return do


def test_read_endpoints_match_the_spec(call, site_id: str) -> None:
    check("/sites", "GET", call("GET", "/sites"), 200)
    check("/sites/{site_id}", "GET", call("GET", f"/sites/{site_id}"), 200)
    collections = check("/sites/{site_id}/collections", "GET", call("GET", f"/sites/{site_id}/collections"), 200)
    for c in collections["collections"]:
        check("/collections/{collection_id}", "GET", call("GET", f"/collections/{c['id']}"), 200)
        page = check("/collections/{collection_id}/items", "GET", call("GET", f"/collections/{c['id']}/items"), 200)
        live = check("/collections/{collection_id}/items/live", "GET", call("GET", f"/collections/{c['id']}/items/live"), 200)
        first = page["items"][0]["id"]
        check("/collections/{collection_id}/items/{item_id}", "GET", call("GET", f"/collections/{c['id']}/items/{first}"), 200)
        live_id = live["items"][0]["id"]
        check("/collections/{collection_id}/items/{item_id}/live", "GET",
              call("GET", f"/collections/{c['id']}/items/{live_id}/live"), 200)
    check("/sites/{site_id}/assets", "GET", call("GET", f"/sites/{site_id}/assets"), 200)


def test_write_endpoints_match_the_spec(call, site_id: str) -> None:
    cid = next(c["id"] for c in call("GET", f"/sites/{site_id}/collections").json()["collections"] if c["slug"] == "categories")
    base = f"/collections/{cid}/items"
    one = check("/collections/{collection_id}/items", "POST",
                call("POST", base, json={"isDraft": False, "fieldData": {"name": "Un", "slug": "un"}}), 202)
    check("/collections/{collection_id}/items", "POST",
          call("POST", base, json={"items": [{"isDraft": False, "fieldData": {"name": "Deux", "slug": "deux"}}]}), 202,
          list_form=True)
    bulk = check("/collections/{collection_id}/items/bulk", "POST",
                 call("POST", base + "/bulk", json={"isDraft": False, "fieldData": {"name": "Trois", "slug": "trois"}}), 202)
    check("/collections/{collection_id}/items/live", "POST",
          call("POST", base + "/live", json={"isDraft": False, "fieldData": {"name": "Quatre", "slug": "quatre"}}), 202)
    check("/collections/{collection_id}/items/{item_id}", "PATCH",
          call("PATCH", f"{base}/{one['id']}", json={"fieldData": {"name": "Un bis"}}), 200)
    check("/collections/{collection_id}/items", "PATCH",
          call("PATCH", base, json={"items": [{"id": one["id"], "fieldData": {"name": "Un ter"}}]}), 200, list_form=True)
    check("/collections/{collection_id}/items/publish", "POST",
          call("POST", base + "/publish", json={"itemIds": [one["id"]]}), 202)
    check("/collections/{collection_id}/items/live", "PATCH",
          call("PATCH", base + "/live", json={"items": [{"id": one["id"], "fieldData": {"name": "Un live"}}]}), 200,
          list_form=True)
    check("/collections/{collection_id}/items/{item_id}/live", "PATCH",
          call("PATCH", f"{base}/{one['id']}/live", json={"fieldData": {"name": "Un live 2"}}), 200)
    check("/collections/{collection_id}/items/{item_id}/live", "DELETE", call("DELETE", f"{base}/{one['id']}/live"), 204)
    check("/collections/{collection_id}/items/live", "DELETE",
          call("DELETE", base + "/live", json={"items": [{"id": bulk["id"]}]}), 204)
    check("/collections/{collection_id}/items/{item_id}", "DELETE", call("DELETE", f"{base}/{one['id']}"), 204)
    check("/collections/{collection_id}/items", "DELETE",
          call("DELETE", base, json={"items": [{"id": bulk["id"]}]}), 204)


def test_error_answers_match_the_spec(call, site_id: str) -> None:
    cid = call("GET", f"/sites/{site_id}/collections").json()["collections"][0]["id"]
    base = f"/collections/{cid}/items"
    body = check("/collections/{collection_id}/items", "POST", call("POST", base, json={"fieldData": {"name": "x"}}), 400)
    assert body["code"] == "validation_error" and body["details"][0]["param"] == "slug"
    check("/collections/{collection_id}/items", "GET", call("GET", base, params={"limit": 500}), 400)
    body = check("/collections/{collection_id}/items/{item_id}", "GET", call("GET", f"{base}/{'0' * 24}"), 404)
    assert body["code"] == "resource_not_found"
    bad = requests.get(f"{call('GET', '/sites').url}", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert check("/sites", "GET", bad, 401)["code"] == "not_authorized"


def test_rate_limit_and_scope_answers_match_the_spec(site_id: str) -> None:
    from connector.emulator.fixtures import demo_state

    now = [0.0]
    server = EmulatorServer(demo_state(), tokens={TOKEN: {"sites:read"}}, rate_limit=1, clock=lambda: now[0])
    with server:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        requests.get(f"{server.base_url}/sites", headers=headers, timeout=5)
        limited = requests.get(f"{server.base_url}/sites", headers=headers, timeout=5)
        assert check("/sites", "GET", limited, 429)["code"] == "too_many_requests"
        assert limited.headers["Retry-After"] and limited.headers["X-RateLimit-Remaining"] == "0"
    server = EmulatorServer(demo_state(), tokens={TOKEN: {"sites:read"}})
    with server:
        denied = requests.get(f"{server.base_url}/sites/{site_id}/collections",
                              headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert denied.status_code == 403 and denied.json()["code"] == "missing_scopes"
