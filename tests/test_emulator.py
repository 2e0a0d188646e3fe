"""The client against the emulator over real HTTP: the emulator behaves as the v2 reference says."""

from __future__ import annotations

import json

import pytest
import requests

from connector.client import WebflowClient
from connector.emulator.core import EmulatorState
from connector.emulator.fixtures import demo_state
from connector.emulator.server import EmulatorServer, FaultPlan
from connector.errors import (
    AuthError,
    ConflictApiError,
    MissingScopeError,
    NotFoundError,
    RateLimitedError,
    ValidationApiError,
)
from connector.transport import Transport
from tests.conftest import TOKEN, NoSleep


def coll_id(client: WebflowClient, site_id: str, slug: str) -> str:
    return next(c.id for c in client.list_collections(site_id) if c.slug == slug)


def test_demo_site_has_the_documented_shape(client: WebflowClient, site_id: str) -> None:
    site = client.get_site(site_id)
    assert site.display_name == "Guide de Sierre" and site.primary_cms_locale
    slugs = {c.slug for c in client.list_collections(site_id)}
    assert {"infos", "categories", "evenements"} <= slugs
    events = client.get_collection(coll_id(client, site_id, "evenements"))
    from connector.emulator.core import FIELD_TYPES
    assert set(FIELD_TYPES) <= {f.type for f in events.fields}
    items = [i for c in client.list_collections(site_id) for i in client.iter_items(c.id)]
    assert len(items) >= 30
    assert any(i.is_draft and i.last_published is None for i in items)
    assert any(i.is_archived for i in items)
    social = client.find_by_slug(coll_id(client, site_id, "infos"), "social")
    assert social is not None and social.last_updated == "2024-03-26T02:51:06.637Z"


def test_item_with_unpublished_changes_differs_live(client: WebflowClient, site_id: str) -> None:
    cid = coll_id(client, site_id, "infos")
    staged = {i.id: i for i in client.iter_items(cid)}
    live = {i.id: i for i in client.iter_items(cid, live=True)}
    changed = [i for i in live if live[i].field_data != staged[i].field_data]
    assert changed and all(staged[i].last_updated > staged[i].last_published for i in changed)
    assert len(live) < len(staged)  # drafts are not live


def test_pagination_and_limit_over_100(client: WebflowClient, emulator: EmulatorServer, site_id: str) -> None:
    cid = coll_id(client, site_id, "categories")
    page = client.list_items_page(cid, offset=2, limit=3)
    assert (page.offset, page.limit, page.total, len(page.items)) == (2, 3, 6, 3)
    answer = requests.get(f"{emulator.base_url}/collections/{cid}/items", params={"limit": 101},
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["code"] == "validation_error"


def test_create_update_publish_delete_cycle(client: WebflowClient, emulator: EmulatorServer, site_id: str) -> None:
    cid = coll_id(client, site_id, "categories")
    raw = requests.post(f"{emulator.base_url}/collections/{cid}/items", timeout=5,
                        headers={"Authorization": f"Bearer {TOKEN}"},
                        json={"isDraft": False, "fieldData": {"name": "Sport", "slug": "sport", "couleur": "#123456"}})
    assert raw.status_code == 202
    made = raw.json()
    assert made["lastPublished"] is None and made["createdOn"].endswith("Z") and len(made["createdOn"]) == 24
    with pytest.raises(ConflictApiError):  # never published: live PATCH is refused
        client.update_items(cid, [{"id": made["id"], "fieldData": {"name": "Sports"}}], live=True)
    updated = client.update_items(cid, [{"id": made["id"], "fieldData": {"name": "Sports"}}])[0]
    assert updated.name == "Sports" and updated.last_updated > made["lastUpdated"]
    assert updated.slug == "sport"  # only the fields sent change
    result = client.publish_items(cid, [made["id"], "0" * 24])
    assert result.published_ids == (made["id"],) and "not found" in result.errors[0]
    live = client.get_item(cid, made["id"], live=True)
    assert live.name == "Sports" and client.get_item(cid, made["id"]).last_published
    client.delete_items(cid, [made["id"]], live=True)  # unpublish
    assert client.get_item(cid, made["id"]).is_draft
    with pytest.raises(NotFoundError):
        client.get_item(cid, made["id"], live=True)
    client.delete_items(cid, [made["id"]])
    with pytest.raises(NotFoundError):
        client.get_item(cid, made["id"])


def test_validation_like_webflow(client: WebflowClient, site_id: str) -> None:
    cid = coll_id(client, site_id, "evenements")
    with pytest.raises(ValidationApiError) as info:
        client.create_items(cid, [{"fieldData": {
            "name": "", "slug": "fete-du-vin", "nope": 1, "type": "not-an-option", "categorie": "f" * 24,
            "places": 1.5, "resume": "x" * 141, "contact": "not-an-email", "gratuit": "yes", "couleur": "#12",
            "date": "yesterday", "affiche": {"url": "ftp://x"},
        }}])
    params = {d.param: d.description for d in info.value.details}
    assert "Unique value is already in database: 'fete-du-vin'" in params["slug"]
    assert "not described in schema" in params["nope"]
    for key in ("name", "type", "categorie", "places", "resume", "contact", "gratuit", "couleur", "date", "affiche"):
        assert key in params, key
    with pytest.raises(ValidationApiError) as info:
        client.create_items(cid, [{"fieldData": {"name": "A", "slug": "Bad Slug"}}])
    assert info.value.details[0].param == "slug"


def test_filters_and_sorting(client: WebflowClient, site_id: str) -> None:
    cid = coll_id(client, site_id, "infos")
    everything = list(client.iter_items(cid))
    newest = max(everything, key=lambda i: i.last_updated)
    recent = list(client.iter_items(cid, params={"lastUpdated[gte]": newest.last_updated}))
    assert [i.id for i in recent] == [newest.id]
    by_name = list(client.iter_items(cid, params={"sortBy": "name", "sortOrder": "desc"}))
    assert [i.name for i in by_name] == sorted((i.name for i in everything), reverse=True)
    assert client.find_by_slug(cid, "social").name == "Social"
    assert client.find_by_slug(cid, "nothing-here") is None


def test_auth_and_scopes(emulator: EmulatorServer, site_id: str) -> None:
    bad = WebflowClient(Transport(emulator.base_url, "wrong", sleep=NoSleep()))
    with pytest.raises(AuthError):
        bad.list_sites()
    emulator.tokens["read-only"] = frozenset({"sites:read", "cms:read"})
    reader = WebflowClient(Transport(emulator.base_url, "read-only", sleep=NoSleep()))
    cid = reader.list_collections(site_id)[0].id
    with pytest.raises(MissingScopeError) as info:
        reader.create_items(cid, [{"fieldData": {"name": "x", "slug": "x"}}])
    assert "cms:write" in str(info.value)


def test_rate_limit_headers_and_429() -> None:
    now = [0.0]
    server = EmulatorServer(demo_state(), tokens={TOKEN: {"sites:read"}}, rate_limit=3, clock=lambda: now[0])
    with server:
        url = f"{server.base_url}/sites"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        seen = [requests.get(url, headers=headers, timeout=5) for _ in range(4)]
        assert [r.headers["X-RateLimit-Remaining"] for r in seen[:3]] == ["2", "1", "0"]
        assert seen[3].status_code == 429 and seen[3].json()["code"] == "too_many_requests"
        assert int(seen[3].headers["Retry-After"]) == 60
        now[0] = 61.0
        assert requests.get(url, headers=headers, timeout=5).status_code == 200


def test_client_paces_itself_and_never_sees_429() -> None:
    now = [0.0]
    server = EmulatorServer(demo_state(), tokens={TOKEN: {"sites:read"}}, rate_limit=5, clock=lambda: now[0])

    def sleep(seconds: float) -> None:  # the client's sleep moves the emulator's clock
        now[0] += seconds

    with server:
        client = WebflowClient(Transport(server.base_url, TOKEN, sleep=sleep, clock=lambda: now[0]))
        for _ in range(12):
            client.list_sites()
        assert not [r for r in server.log if r.status == 429]
        assert client.stats.total == 12 and now[0] >= 120


def test_seeded_faults_are_survived_and_logged() -> None:
    server = EmulatorServer(demo_state(), tokens={TOKEN: {"sites:read", "cms:read"}},
                            faults=FaultPlan(rate=0.3, seed=7, slow_seconds=0.01), sleep=lambda s: None)
    with server:
        client = WebflowClient(Transport(server.base_url, TOKEN, sleep=NoSleep(), max_attempts=10))
        site = client.list_sites()[0]
        counts = {c.slug: sum(1 for _ in client.iter_items(c.id)) for c in client.list_collections(site.id)}
        assert counts == {"categories": 6, "infos": 15, "evenements": 12}
        faults = {r.fault for r in server.log if r.fault}
        assert {"500", "503", "drop"} & faults and client.stats.retries > 0


def test_rate_limited_client_gives_up_after_attempts() -> None:
    server = EmulatorServer(demo_state(), tokens={TOKEN: {"sites:read"}},
                            faults=FaultPlan(rate=1.0, kinds=("429",)))
    with server:
        client = WebflowClient(Transport(server.base_url, TOKEN, sleep=NoSleep(), max_attempts=3))
        with pytest.raises(RateLimitedError):
            client.list_sites()
        assert len(server.requests("GET", "/sites")) == 3


def test_persistence_across_restarts(tmp_path) -> None:
    first = EmulatorServer(demo_state(), tokens={TOKEN: {"cms:read", "cms:write", "sites:read"}}, data_dir=tmp_path)
    with first:
        client = WebflowClient(Transport(first.base_url, TOKEN, sleep=NoSleep()))
        cid = client.list_collections(client.list_sites()[0].id)[0].id
        client.create_items(cid, [{"fieldData": {"name": "Persisté", "slug": "persiste"}}])
    state = EmulatorState()
    state.load(json.loads((tmp_path / "emulator.json").read_text()))
    with EmulatorServer(state, tokens={TOKEN: {"cms:read"}}) as second:
        again = WebflowClient(Transport(second.base_url, TOKEN, sleep=NoSleep()))
        assert again.find_by_slug(cid, "persiste").name == "Persisté"


def test_single_item_calls_and_assets(client: WebflowClient, emulator: EmulatorServer, site_id: str) -> None:
    cid = coll_id(client, site_id, "categories")
    made = client.create_item(cid, {"fieldData": {"name": "Seul", "slug": "seul", "couleur": "#010203"}})
    assert [r.method for r in emulator.requests("POST")] == ["POST"] and made.slug == "seul"
    updated = client.update_item(cid, made.id, {"fieldData": {"name": "Seul modifié"}})
    assert updated.name == "Seul modifié" and emulator.requests("PATCH")[0].path.endswith(made.id)
    client.publish_items(cid, [made.id])
    live = client.update_item(cid, made.id, {"fieldData": {"name": "En ligne"}}, live=True)
    assert client.get_item(cid, made.id, live=True).name == "En ligne" == live.name
    client.delete_item(cid, made.id, live=True)
    client.delete_item(cid, made.id)
    client.delete_item(cid, made.id)  # already gone: no error
    with pytest.raises(NotFoundError):
        client.get_item(cid, made.id)
    assets = list(client.iter_assets(site_id))
    assert assets and all(a.hosted_url.startswith("https://") for a in assets)
    assert any("Sant%C3%A9" in a.hosted_url for a in assets)
