"""Mapping files: loading, validation against the schema, init's conventions."""

from __future__ import annotations

import pytest

from connector.errors import MappingError
from connector.mapping import bind, default_mapping, parse_mapping, render_mapping
from connector.model import Collection, Field

SCHEMA = Collection("c" * 24, "Infos", "Info", "infos", (
    Field("1", "name", "PlainText", "Name", True), Field("2", "slug", "PlainText", "Slug", True),
    Field("3", "contenu", "RichText", "Contenu"), Field("4", "tag-2", "PlainText", "Tag 2"),
))

GOOD = """collection: infos
front_matter:
  title: name
  slug: slug
  f_contenu: contenu
  updated-on: $lastUpdated
  layout: {const: '[info].html'}
"""


def test_a_good_mapping_binds_to_the_schema() -> None:
    m = bind(parse_mapping(GOOD, "infos.yaml"), SCHEMA)
    assert [e.key for e in m.entries] == ["title", "slug", "f_contenu", "updated-on", "layout"]
    assert m.collection_id == "c" * 24 and m.path_for("social", "x") == "cms/infos/social.md"


@pytest.mark.parametrize("text,needle", [
    (GOOD.replace("f_contenu: contenu", "f_nope: nope"), "no field 'nope'"),
    (GOOD + "  title: name\n", "duplicate key 'title'"),
    (GOOD + "path: ../outside/{slug}.md\n", "'..' would leave the snapshot root"),
    (GOOD + "path: /etc/{slug}.md\n", "must be relative"),
    (GOOD + "path: cms/all.md\n", "needs {slug} or {id}"),
    (GOOD + "colour: red\n", "unknown setting 'colour'"),
    (GOOD.replace("$lastUpdated", "$lastModified"), "unknown metadata '$lastModified'"),
    (GOOD.replace("  slug: slug\n", ""), "field 'slug' must be mapped"),
    ("collection: infos\nfront_matter: [1, 2]\n", "front_matter: required"),
    ("a: [", "not valid YAML"),
    ("!!python/object/apply:os.system ['true']\n", "not valid YAML"),
])
def test_bad_mappings_say_what_is_wrong(text: str, needle: str) -> None:
    with pytest.raises(MappingError) as info:
        bind(parse_mapping(text, "infos.yaml"), SCHEMA)
    assert needle in str(info.value) and "infos.yaml" in str(info.value)


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD + "path: ../x.md\ncolour: red\n"
    with pytest.raises(MappingError) as info:
        parse_mapping(text, "infos.yaml")
    message = str(info.value)
    assert "colour" in message and "'..'" in message and "needs {slug}" in message


def test_init_uses_the_reference_conventions_and_loads_back() -> None:
    data = default_mapping(Collection("e" * 24, "Événements", "Événement", "evenements", SCHEMA.fields))
    assert list(data["front_matter"])[:4] == ["title", "slug", "f_contenu", "f_tag-2"]
    assert data["front_matter"]["layout"] == {"const": "[evenement].html"}
    loaded = bind(parse_mapping(render_mapping(data), "evenements.yaml"), SCHEMA)
    assert loaded.path == "cms/evenements/{slug}.md"
