"""Localized sites, the pure parts: mapping keys, paths per locale, state keys, deletes across locales."""

from __future__ import annotations

import json

import pytest

from connector.errors import ConfigError, MappingError
from connector.locales import WITH_ITEM, for_locale, locale_path, selected, variant_deletes, whole_item_deletes
from connector.mapping import parse_mapping
from connector.model import Locale
from connector.plan import DELETE_NEEDS_PERMISSION, Action, Op, Plan
from connector.state import BaseEntry, State

FR = Locale("site-fr", "cms-fr", "fr", True)
DE = Locale("site-de", "cms-de", "de", False)
IT = Locale("site-it", "cms-it", "it", False)

MAPPING = """collection: infos
path: cms/infos/{slug}.md
front_matter:
  title: name
  slug: slug
"""


def test_the_default_layout_keeps_the_primary_path_and_puts_a_secondary_locale_under_its_tag() -> None:
    m = parse_mapping(MAPPING)
    assert for_locale(m, FR).path_for("bus", "1") == "cms/infos/bus.md"
    assert for_locale(m, DE).path_for("bus", "1") == "de/cms/infos/bus.md"


def test_a_path_with_locale_is_used_as_written_for_every_locale() -> None:
    m = parse_mapping(MAPPING.replace("cms/infos/{slug}.md", "'{locale}/infos/{slug}.md'"))
    assert for_locale(m, FR).path_for("bus", "1") == "fr/infos/bus.md"
    assert for_locale(m, DE).path_for("bus", "1") == "de/infos/bus.md"
    assert locale_path("content/{locale}/{slug}.md", DE) == "content/de/{slug}.md"


def test_locale_in_a_path_on_a_site_without_locales_is_a_named_mistake() -> None:
    m = parse_mapping(MAPPING.replace("cms/infos/{slug}.md", "'{locale}/infos/{slug}.md'"), source="infos.yaml")
    with pytest.raises(ConfigError, match=r"infos.yaml: path uses \{locale\}"):
        for_locale(m, None)


def test_front_matter_names_the_locale_only_when_the_mapping_asks() -> None:
    plain = parse_mapping(MAPPING)
    assert all(e.key != "lang" for e in for_locale(plain, DE).entries)
    asked = parse_mapping(MAPPING + "  lang: $locale\n")
    entry = next(e for e in for_locale(asked, DE).entries if e.key == "lang")
    assert entry.is_const and entry.const == "de"


def test_the_locales_key_limits_the_locales_and_an_unknown_tag_is_named() -> None:
    m = parse_mapping(MAPPING + "locales: [fr, de]\n", source="infos.yaml")
    assert selected(m, [FR, DE, IT]) == [FR, DE]
    assert selected(parse_mapping(MAPPING), [FR, DE, IT]) == [FR, DE, IT]
    with pytest.raises(ConfigError, match="infos.yaml: locales: the site has no locale 'es'"):
        selected(parse_mapping(MAPPING + "locales: [fr, es]\n", source="infos.yaml"), [FR, DE])
    with pytest.raises(MappingError, match="locales: a list of locale tags"):
        parse_mapping(MAPPING + "locales: de\n")


def test_a_primary_entry_keeps_the_state_format_and_a_variant_is_keyed_by_id_and_locale() -> None:
    state = State(site="s")
    primary = BaseEntry("i1", "c1", "cms/infos/bus.md", "2024-01-01T00:00:00.000Z", "h", {"title": "x"}, "f")
    variant = BaseEntry("i1", "c1", "de/cms/infos/bus.md", "2024-01-01T00:00:00.000Z", "h2", {"title": "y"}, "g",
                        locale="cms-de")
    state.put(primary)
    state.put(variant)
    data = json.loads(state.to_json())
    assert set(data["items"]) == {"i1", "i1@cms-de"}
    assert "locale" not in data["items"]["i1"] and data["items"]["i1@cms-de"]["locale"] == "cms-de"
    again = State.from_json(state.to_json())
    assert again.for_collection("c1") == {"i1": primary}
    assert again.for_collection("c1", "cms-de") == {"i1": variant}


def test_deleting_the_primary_file_deletes_the_item_in_every_locale_unless_a_variant_changed_or_is_translated() -> None:
    primary = Plan((Action("a", Op.PUSH_DELETE, "file deleted"), Action("b", Op.PUSH_DELETE, "file deleted"),
                    Action("c", Op.PUSH_DELETE, "file deleted"),
                    Action("d", Op.PUSH_DELETE, "file deleted", blocked=DELETE_NEEDS_PERMISSION)))
    de = Plan((Action("a", Op.NOTHING, "in step"), Action("b", Op.PULL, "changed in Webflow"),
               Action("c", Op.NOTHING, "in step"), Action("d", Op.PUSH_DELETE, "file deleted",
                                                          blocked=DELETE_NEEDS_PERMISSION)))
    paths = {"de": {k: f"de/cms/infos/{k}.md" for k in "abcd"}}
    out, plans = whole_item_deletes(primary, {"de": de}, paths, {"de": {"c", "d"}},
                                    {k: f"cms/infos/{k}.md" for k in "abcd"})
    a, b, c, d = out.actions
    assert a.active and "every locale (with de/cms/infos/a.md)" in a.reason
    assert not b.active and "de/cms/infos/b.md" in (b.blocked or "") and "not deleted in any locale" in (b.blocked or "")
    # a translation goes only when its file is deleted too (d: deleted, so it goes, with --allow-delete)
    assert not c.active and "de/cms/infos/c.md holds a translation" in (c.blocked or "")
    assert d.blocked == DELETE_NEEDS_PERMISSION and "with de/cms/infos/d.md" in d.reason
    da, db, dc, dd = plans["de"].actions
    assert da.op is Op.PUSH_DELETE and da.active and da.reason.startswith(WITH_ITEM) and "cms/infos/a.md" in da.reason
    assert db.op is Op.PULL and dc.op is Op.NOTHING
    assert dd.op is Op.PUSH_DELETE and dd.blocked == DELETE_NEEDS_PERMISSION and dd.reason.startswith(WITH_ITEM)


def test_deleting_a_secondary_file_deletes_that_variant_only() -> None:
    de = Plan((Action("a", Op.PUSH_DELETE, "file deleted"), Action("b", Op.PUSH_DELETE, f"{WITH_ITEM} (x)")))
    a, b = variant_deletes(de, "de").actions
    assert a.op is Op.PUSH_DELETE and "de variant only" in a.reason
    assert b.op is Op.PUSH_DELETE and b.reason.startswith(WITH_ITEM)


from hypothesis import given, strategies as st  # noqa: E402

TAGS = st.from_regex(r"[a-z]{2}(-[A-Z]{2})?", fullmatch=True)


@given(tags=st.lists(TAGS, min_size=1, max_size=5, unique=True), slug=st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True),
       with_locale=st.booleans())
def test_every_locale_of_an_item_has_a_file_of_its_own_and_the_primary_keeps_todays_path(
        tags: list[str], slug: str, with_locale: bool) -> None:
    path = "'{locale}/infos/{slug}.md'" if with_locale else "cms/infos/{slug}.md"
    m = parse_mapping(MAPPING.replace("cms/infos/{slug}.md", path))
    locales = [Locale(f"s{i}", f"c{i}", t, i == 0) for i, t in enumerate(tags)]
    paths = [for_locale(m, loc).path_for(slug, "id") for loc in locales]
    assert len(set(paths)) == len(paths)
    if not with_locale:
        assert paths[0] == m.path_for(slug, "id")
