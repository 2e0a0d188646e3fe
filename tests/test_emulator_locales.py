"""Localized sites in the emulator: one variant per item and locale, ``cmsLocaleId`` on every CMS call.

The demo site is French (primary, served at ``/``) and German (secondary, ``/de/``).
Each behaviour is checked through the client over HTTP, and the answers of the
locale forms against the OpenAPI reference (tests/data).
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from openapi_schema_validator import OAS31Validator

from connector.client import WebflowClient
from connector.emulator.core import EmulatorState
from connector.emulator.fixtures import CMS_LOCALE_ID as FR
from connector.emulator.fixtures import DE_CMS_LOCALE_ID as DE
from connector.emulator.fixtures import SITE_ID, demo_state
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from connector.errors import ConflictApiError, ValidationApiError
from connector.transport import Transport
from tests.conftest import TOKEN, NoSleep
from tests.test_emulator_openapi import call, check, response_schema  # noqa: F401 - call is a fixture


@pytest.fixture
def emulator(localized_emulator: EmulatorServer) -> EmulatorServer:
    """These tests are about the bilingual demo site."""
    return localized_emulator


def coll_id(client: WebflowClient, slug: str) -> str:
    return next(c.id for c in client.list_collections(SITE_ID) if c.slug == slug)


def by_slug(client: WebflowClient, cid: str, slug: str, locale: str | None = None) -> Any:
    found = client.find_by_slug(cid, slug, cms_locale_id=locale)
    assert found is not None, slug
    return found


# -- the site and reading --------------------------------------------------------

def test_demo_site_has_a_french_primary_and_a_german_secondary_locale(client: WebflowClient, call) -> None:
    site = client.get_site(SITE_ID)
    primary, = [loc for loc in site.locales if loc.primary]
    german, = site.secondary_locales
    assert (primary.tag, primary.subdirectory, primary.cms_locale_id) == ("fr", "", FR)
    assert (german.tag, german.subdirectory, german.cms_locale_id, german.enabled) == ("de", "de", DE, True)
    assert german.display_name == "German (Switzerland)"
    # CMS calls take cmsLocaleId, which is not the site locale id
    assert german.id != german.cms_locale_id
    check("/sites/{site_id}", "GET", call("GET", f"/sites/{SITE_ID}"), 200)


def test_a_list_without_locale_answers_the_primary_variants_only(client: WebflowClient) -> None:
    items = list(client.iter_items(coll_id(client, "infos")))
    assert len(items) == 15 and {i.cms_locale_id for i in items} == {FR}
    assert "social" in {i.slug for i in items} and "soziales" not in {i.slug for i in items}


def test_a_list_in_the_secondary_locale_answers_its_variants_with_the_same_ids(client: WebflowClient, call) -> None:
    cid = coll_id(client, "infos")
    french = {i.id: i for i in client.iter_items(cid)}
    german = {i.id: i for i in client.iter_items(cid, cms_locale_id=DE)}
    assert german.keys() == french.keys() and {i.cms_locale_id for i in german.values()} == {DE}
    social = next(i for i in french.values() if i.slug == "social")
    assert german[social.id].field_data["name"] == "Soziales" and german[social.id].slug == "soziales"
    # an untranslated item's German variant is still a copy of the French
    same = next(i for i in french.values() if i.slug == "ecoles-primaires")
    assert german[same.id].field_data == same.field_data
    check("/collections/{collection_id}/items", "GET", call("GET", f"/collections/{cid}/items",
                                                            params={"cmsLocaleId": DE}), 200)


def test_a_comma_separated_locale_list_answers_each_item_once_per_locale(client: WebflowClient, call) -> None:
    cid = coll_id(client, "categories")
    page = client.list_items_page(cid, limit=100, cms_locale_id=f"{FR},{DE}")
    assert page.total == 12 and len(page.items) == 12
    pairs = {(i.id, i.cms_locale_id) for i in page.items}
    assert len(pairs) == 12 and len({i.id for i in page.items}) == 6
    # pages of the joined list cover it all, without a repeat
    paged = [i for i in client.iter_items(cid, params={"limit": 5}, cms_locale_id=f"{DE},{FR}")]
    assert {(i.id, i.cms_locale_id) for i in paged} == pairs and len(paged) == 12
    live = check("/collections/{collection_id}/items/live", "GET",
                 call("GET", f"/collections/{cid}/items/live", params={"cmsLocaleId": f"{FR},{DE}"}), 200)
    assert len(live["items"]) == 12


def test_get_one_item_in_a_locale(client: WebflowClient, call) -> None:
    cid = coll_id(client, "infos")
    bus = by_slug(client, cid, "bus-urbains")
    assert client.get_item(cid, bus.id).field_data["name"] == "Bus urbains"
    assert client.get_item(cid, bus.id, cms_locale_id=DE).field_data["name"] == "Stadtbusse"
    assert client.get_item(cid, bus.id, live=True, cms_locale_id=DE).field_data["name"] == "Stadtbusse"
    body = check("/collections/{collection_id}/items/{item_id}", "GET",
                 call("GET", f"/collections/{cid}/items/{bus.id}", params={"cmsLocaleId": DE}), 200)
    assert body["cmsLocaleId"] == DE


def test_an_unknown_locale_is_refused(client: WebflowClient) -> None:
    cid = coll_id(client, "infos")
    with pytest.raises(ValidationApiError):
        client.list_items_page(cid, cms_locale_id="0" * 24)
    with pytest.raises(ValidationApiError):
        client.create_item(cid, {"fieldData": {"name": "X", "slug": "x"}}, cms_locale_id="0" * 24)


# -- writes ------------------------------------------------------------------------

def test_an_item_created_in_the_primary_gets_secondary_variants_that_copy_it(client: WebflowClient) -> None:
    cid = coll_id(client, "categories")
    made = client.create_item(cid, {"fieldData": {"name": "Sport", "slug": "sport", "couleur": "#000000"}})
    assert made.cms_locale_id == FR
    german = client.get_item(cid, made.id, cms_locale_id=DE)
    assert german.cms_locale_id == DE and german.field_data == made.field_data
    # the copy is its own variant: not published in German, whatever the French does
    assert german.last_published is None
    client.publish_items(cid, [made.id])
    assert client.get_item(cid, made.id).last_published is not None
    assert client.get_item(cid, made.id, cms_locale_id=DE).last_published is None


def test_an_update_in_a_locale_changes_that_variant_only(client: WebflowClient, call) -> None:
    cid = coll_id(client, "infos")
    piscines = by_slug(client, cid, "piscines")
    before = client.get_item(cid, piscines.id)
    answer = client.update_item(cid, piscines.id, {"fieldData": {"mini-description": "Hallenbad und Freibad."}},
                                cms_locale_id=DE)
    assert answer.cms_locale_id == DE and answer.field_data["mini-description"] == "Hallenbad und Freibad."
    after = client.get_item(cid, piscines.id)
    assert after.field_data == before.field_data and after.last_updated == before.last_updated
    # the bulk form takes the same id twice, once per locale
    both = client.update_items(cid, [
        {"id": piscines.id, "fieldData": {"tag-2": "Natation"}},
        {"id": piscines.id, "cmsLocaleId": DE, "fieldData": {"tag-2": "Schwimmen"}},
    ])
    assert [(i.cms_locale_id, i.field_data["tag-2"]) for i in both] == [(FR, "Natation"), (DE, "Schwimmen")]
    check("/collections/{collection_id}/items/{item_id}", "PATCH",
          call("PATCH", f"/collections/{cid}/items/{piscines.id}",
               json={"cmsLocaleId": DE, "fieldData": {"name": "Schwimmbad"}}), 200)


def test_slugs_are_unique_per_locale(client: WebflowClient) -> None:
    cid = coll_id(client, "infos")
    piscines = by_slug(client, cid, "piscines")
    # "social" is a French slug; in German that item is "soziales", so German may use it
    assert client.update_item(cid, piscines.id, {"fieldData": {"slug": "social"}}, cms_locale_id=DE).slug == "social"
    assert by_slug(client, cid, "social").id != piscines.id
    with pytest.raises(ValidationApiError) as taken:
        client.update_item(cid, piscines.id, {"fieldData": {"slug": "stadtbusse"}}, cms_locale_id=DE)
    assert "slug" in str(taken.value)
    with pytest.raises(ValidationApiError):
        client.update_item(cid, piscines.id, {"fieldData": {"slug": "bus-urbains"}})


def test_a_delete_removes_the_variants_it_names(client: WebflowClient, call) -> None:
    cid = coll_id(client, "infos")
    seniors, hopital, bus = (by_slug(client, cid, s) for s in ("seniors", "hopital", "bus-urbains"))
    client.delete_item(cid, seniors.id, cms_locale_id=DE)
    assert seniors.id in {i.id for i in client.iter_items(cid)}
    assert seniors.id not in {i.id for i in client.iter_items(cid, cms_locale_id=DE)}
    # without a locale only the primary goes: the German variant stays behind
    client.delete_item(cid, hopital.id)
    assert hopital.id not in {i.id for i in client.iter_items(cid)}
    assert hopital.id in {i.id for i in client.iter_items(cid, cms_locale_id=DE)}
    # every locale named: the whole item goes
    client.delete_items(cid, [bus.id], cms_locale_ids=[FR, DE])
    assert bus.id not in {i.id for i in client.iter_items(cid, cms_locale_id=f"{FR},{DE}")}
    tri = by_slug(client, cid, "tri-des-dechets")
    check("/collections/{collection_id}/items", "DELETE",
          call("DELETE", f"/collections/{cid}/items", json={"items": [{"id": tri.id, "cmsLocaleIds": [DE]}]}), 204)
    assert tri.id in {i.id for i in client.iter_items(cid)}


def test_publish_and_unpublish_per_locale(client: WebflowClient, call) -> None:
    cid = coll_id(client, "categories")
    mob = by_slug(client, cid, "mobilite")
    client.update_item(cid, mob.id, {"fieldData": {"name": "Mobilität und Verkehr"}}, cms_locale_id=DE)
    client.update_item(cid, mob.id, {"fieldData": {"name": "Mobilité douce"}})
    result = client.publish_items(cid, [mob.id], cms_locale_ids=[DE])
    assert result.published_ids == (mob.id,) and not result.errors
    assert client.get_item(cid, mob.id, live=True, cms_locale_id=DE).field_data["name"] == "Mobilität und Verkehr"
    assert client.get_item(cid, mob.id, live=True).field_data["name"] == "Mobilité"  # French not published
    # the itemIds form publishes the primary only
    client.publish_items(cid, [mob.id])
    assert client.get_item(cid, mob.id, live=True).field_data["name"] == "Mobilité douce"
    body = check("/collections/{collection_id}/items/publish", "POST",
                 call("POST", f"/collections/{cid}/items/publish",
                      json={"items": [{"id": mob.id, "cmsLocaleIds": [FR, DE]}]}), 202)
    assert body["publishedItemIds"] == [mob.id]
    client.delete_item(cid, mob.id, live=True, cms_locale_id=DE)
    assert mob.id not in {i.id for i in client.iter_items(cid, live=True, cms_locale_id=DE)}
    assert mob.id in {i.id for i in client.iter_items(cid, live=True)}
    assert client.get_item(cid, mob.id, cms_locale_id=DE).is_draft


def test_live_patch_of_a_variant_never_published_in_its_locale_conflicts(client: WebflowClient) -> None:
    cid = coll_id(client, "categories")
    made = client.create_item(cid, {"fieldData": {"name": "Neu", "slug": "neu"}}, live=True)
    assert client.get_item(cid, made.id, live=True).slug == "neu"
    with pytest.raises(ConflictApiError):
        client.update_item(cid, made.id, {"fieldData": {"name": "Neu 2"}}, live=True, cms_locale_id=DE)


def test_a_create_in_a_secondary_locale_creates_that_variant(client: WebflowClient) -> None:
    cid = coll_id(client, "categories")
    made = client.create_items(cid, [{"fieldData": {"name": "Kultur", "slug": "kultur"}}], cms_locale_id=DE)
    assert [i.cms_locale_id for i in made] == [DE]
    assert by_slug(client, cid, "kultur", DE).id == made[0].id


def test_the_multi_locale_bulk_create_answers_one_entry_per_item_and_locale(client: WebflowClient, call) -> None:
    cid = coll_id(client, "categories")
    made = client.create_items_in_locales(cid, [{"name": "Sport", "slug": "sport"}, {"name": "Jeunesse", "slug": "jeunesse"}],
                                          [FR, DE])
    assert [(i.slug, i.cms_locale_id) for i in made] == [("sport", FR), ("sport", DE), ("jeunesse", FR), ("jeunesse", DE)]
    assert made[0].id == made[1].id != made[2].id == made[3].id
    assert all(i.last_published is None for i in made)
    # without cmsLocaleIds the items go into the primary locale only
    answer = call("POST", f"/collections/{cid}/items/bulk",
                  json={"isDraft": False, "fieldData": [{"name": "Seul", "slug": "seul"}]})
    # the spec's examples answer a list one entry per item and locale, each an Item (its schema
    # types only the one-item answer, with cmsLocaleIds)
    assert answer.status_code == 202
    entry = response_schema("/collections/{collection_id}/items/{item_id}", "GET", 200)
    assert not [e for one in answer.json()["items"] for e in OAS31Validator(entry).iter_errors(one)]
    assert [i["cmsLocaleId"] for i in answer.json()["items"]] == [FR]
    assert client.find_by_slug(cid, "seul", cms_locale_id=DE) is None
    one = check("/collections/{collection_id}/items/bulk", "POST",
                call("POST", f"/collections/{cid}/items/bulk",
                     json={"cmsLocaleIds": [FR, DE], "isDraft": False, "fieldData": {"name": "Un", "slug": "un"}}), 202)
    assert one["cmsLocaleIds"] == [FR, DE]
    # a slug taken in any of the named locales refuses the whole request
    with pytest.raises(ValidationApiError):
        client.create_items_in_locales(cid, [{"name": "Mobil", "slug": "mobilitaet"}], [FR, DE])


def test_variants_survive_a_saved_and_reloaded_emulator(tmp_path) -> None:
    server = EmulatorServer(demo_state(), tokens={TOKEN: ALL_SCOPES}, data_dir=tmp_path)
    server.save()
    again = EmulatorState()
    import json

    again.load(json.loads((tmp_path / "emulator.json").read_text(encoding="utf-8")))
    infos = next(c for c in again.collections.values() if c.slug == "infos")
    assert len(infos.items) == 15 and len(infos.localized[DE]) == 15
    assert {i.staged["fieldData"]["slug"] for i in infos.localized[DE].values()} >= {"soziales", "stadtbusse"}


# -- a site without Localization -----------------------------------------------

@pytest.fixture
def plain_site() -> Iterator[WebflowClient]:
    with EmulatorServer(demo_state(localized=False), tokens={TOKEN: ALL_SCOPES}) as server:
        yield WebflowClient(Transport(server.base_url, TOKEN, sleep=NoSleep(), timeout=5))


def test_a_site_without_localization_has_one_variant_per_item(plain_site: WebflowClient) -> None:
    assert plain_site.get_site(SITE_ID).locales == ()
    cid = coll_id(plain_site, "categories")
    made = plain_site.create_item(cid, {"fieldData": {"name": "Sport", "slug": "sport"}})
    assert [i.id for i in plain_site.iter_items(cid)].count(made.id) == 1
    plain_site.delete_item(cid, made.id)
    assert made.id not in {i.id for i in plain_site.iter_items(cid)}
    with pytest.raises(ValidationApiError):
        plain_site.list_items_page(cid, cms_locale_id=DE)


class Recorder:
    """A transport that records each request instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, path: str, **kw: Any) -> Any:
        self.sent.append((method, path, kw))
        if method == "GET" and "/items/" in path:
            return {"id": "i1", "fieldData": {"slug": "a"}}
        if method == "GET":
            return {"items": [], "pagination": {"total": 0}}
        if method == "POST" and path.endswith("/publish"):
            return {"publishedItemIds": [], "errors": []}
        if method == "POST":
            one = {"id": "i1", "fieldData": {"slug": "a"}}
            return {"items": [one]} if "items" in kw["json"] or "cmsLocaleIds" in kw["json"] else one
        return {"items": []} if method == "PATCH" and path.endswith("/items") else \
            ({"id": "i1", "fieldData": {}} if method == "PATCH" else None)


def test_calls_without_a_locale_send_exactly_what_they_always_sent() -> None:
    rec = Recorder()
    client = WebflowClient(rec)  # type: ignore[arg-type]
    c, item = "c" * 24, {"fieldData": {"name": "A", "slug": "a"}}
    list(client.iter_items(c))
    client.get_item(c, "i1", live=True)
    client.find_by_slug(c, "a")
    client.create_items(c, [item])
    client.create_item(c, item)
    client.update_item(c, "i1", {"fieldData": {"name": "B"}})
    client.update_items(c, [{"id": "i1", "fieldData": {"name": "B"}}])
    client.delete_item(c, "i1", live=True)
    client.delete_items(c, ["i1"])
    client.publish_items(c, ["i1"])
    flags = {"isDraft": False, "isArchived": False}
    assert rec.sent == [
        ("GET", f"/collections/{c}/items", {"params": {"offset": 0, "limit": 100}, "kind": "list items"}),
        ("GET", f"/collections/{c}/items/i1/live", {"kind": "get item"}),
        ("GET", f"/collections/{c}/items", {"params": {"offset": 0, "limit": 1, "slug": "a"}, "kind": "list items"}),
        ("POST", f"/collections/{c}/items", {"json": {"items": [{**item, **flags}]}, "idempotent": False,
                                             "kind": "create items"}),
        ("POST", f"/collections/{c}/items", {"json": {**item, **flags}, "idempotent": False, "kind": "create item"}),
        ("PATCH", f"/collections/{c}/items/i1", {"json": {"fieldData": {"name": "B"}}, "kind": "update item"}),
        ("PATCH", f"/collections/{c}/items", {"json": {"items": [{"id": "i1", "fieldData": {"name": "B"}}]},
                                              "kind": "update items"}),
        ("DELETE", f"/collections/{c}/items/i1/live", {"kind": "delete item"}),
        ("DELETE", f"/collections/{c}/items", {"json": {"items": [{"id": "i1"}]}, "kind": "delete items"}),
        ("POST", f"/collections/{c}/items/publish", {"json": {"itemIds": ["i1"]}, "idempotent": True,
                                                     "kind": "publish items"}),
    ]


def test_calls_with_a_locale_name_it_as_the_reference_documents() -> None:
    rec = Recorder()
    client = WebflowClient(rec)  # type: ignore[arg-type]
    c = "c" * 24
    client.list_items_page(c, cms_locale_id=f"{FR},{DE}")
    client.get_item(c, "i1", cms_locale_id=DE)
    client.create_item(c, {"fieldData": {"name": "A", "slug": "a"}}, cms_locale_id=DE)
    client.update_items(c, [{"id": "i1", "fieldData": {}}], cms_locale_id=DE)
    client.delete_item(c, "i1", cms_locale_id=DE)
    client.delete_items(c, ["i1"], cms_locale_ids=[FR, DE])
    client.publish_items(c, ["i1"], cms_locale_ids=[DE])
    client.create_items_in_locales(c, [{"name": "A", "slug": "a"}], [FR, DE])
    sent = rec.sent
    assert sent[0][2]["params"]["cmsLocaleId"] == f"{FR},{DE}"
    assert sent[1][2]["params"] == {"cmsLocaleId": DE}
    assert sent[2][2]["json"]["cmsLocaleId"] == DE
    assert sent[3][2]["json"]["items"][0]["cmsLocaleId"] == DE
    assert sent[4][2]["params"] == {"cmsLocaleId": DE}
    assert sent[5][2]["json"] == {"items": [{"id": "i1", "cmsLocaleIds": [FR, DE]}]}
    assert sent[6][2]["json"] == {"items": [{"id": "i1", "cmsLocaleIds": [DE]}]}
    assert sent[7][:2] == ("POST", f"/collections/{c}/items/bulk")
    assert sent[7][2]["json"]["cmsLocaleIds"] == [FR, DE]
