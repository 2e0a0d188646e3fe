"""One codec per Webflow field type: decode/encode round trips both ways, and refusals."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.codecs import CODECS, References, canonical, codec_for
from connector.emulator.core import EmulatorState
from connector.errors import ValueProblem
from connector.model import Field

OPTIONS = {"options": [{"id": "a" * 24, "name": "Concert"}, {"id": "b" * 24, "name": "Marché"}]}
TARGET = {"collectionId": "c" * 24}


class Refs(References):
    def __init__(self) -> None:
        self.by_id = {"1" * 24: "cms/categories/sante-et-social.md", "2" * 24: "cms/categories/education.md"}

    def path_for(self, collection_id: str, item_id: str) -> str | None:
        return self.by_id.get(item_id) if collection_id == "c" * 24 else None

    def id_for(self, collection_id: str, path: str) -> str | None:
        return next((i for i, p in self.by_id.items() if p == path), None) if collection_id == "c" * 24 else None


REFS = Refs()


def fld(kind: str, validations: dict | None = None) -> Field:
    return Field("f" * 24, "x", kind, "X", validations=validations)


# (type, validations, wire value as Webflow sends it, front-matter value)
TABLE = [
    ("PlainText", None, "Bonjour « à tous »", "Bonjour « à tous »"),
    ("RichText", None, "<h3>Titre</h3><p>Un <strong>gras</strong>.</p><p>\u200d</p><p>fin</p>", "### Titre\n\nUn **gras**.\n\n\n\nfin"),
    ("Image", None, {"fileId": "9" * 24, "url": "https://cdn.test/a.jpg", "alt": None}, {"url": "https://cdn.test/a.jpg", "alt": None}),
    ("File", None, {"fileId": "9" * 24, "url": "https://cdn.test/a.pdf", "alt": "Programme"}, {"url": "https://cdn.test/a.pdf", "alt": "Programme"}),
    ("MultiImage", None, [{"fileId": "8" * 24, "url": "https://cdn.test/1.jpg", "alt": "un"}], [{"url": "https://cdn.test/1.jpg", "alt": "un"}]),
    ("VideoLink", None, "https://www.youtube.com/watch?v=x", "https://www.youtube.com/watch?v=x"),
    ("Link", None, "mailto:a@b.ch", "mailto:a@b.ch"),
    ("Email", None, "a@b.ch", "a@b.ch"),
    ("Phone", None, "+41 27 452 01 11", "+41 27 452 01 11"),
    ("Number", {"format": "decimal"}, 12.5, 12.5),
    ("Number", {"format": "integer"}, 42, 42),
    ("DateTime", None, "2024-03-26T02:51:06.637Z", "2024-03-26T02:51:06.637Z"),
    ("Switch", None, True, True),
    ("Color", None, "rgba(61, 125, 216, 0.8)", "rgba(61, 125, 216, 0.8)"),
    ("Option", OPTIONS, "b" * 24, "Marché"),
    ("Reference", TARGET, "1" * 24, "cms/categories/sante-et-social.md"),
    ("MultiReference", TARGET, ["1" * 24, "2" * 24], ["cms/categories/sante-et-social.md", "cms/categories/education.md"]),
    ("ExtFileRef", None, {"anything": [1, 2]}, {"anything": [1, 2]}),
]


def test_every_v2_field_type_has_a_codec() -> None:
    from connector.emulator.core import FIELD_TYPES
    assert set(FIELD_TYPES) - {"ExtFileRef"} <= set(CODECS)


@pytest.mark.parametrize("kind,rules,wire,front", TABLE, ids=[f"{t[0]}-{i}" for i, t in enumerate(TABLE)])
def test_decode_then_encode_is_accepted_and_the_same_content(kind: str, rules: dict | None, wire: object, front: object) -> None:
    codec, field = codec_for(kind), fld(kind, rules)
    decoded = codec.decode(wire, field, REFS)
    assert decoded == front
    encoded = codec.encode(decoded, field, REFS)
    assert codec.decode(encoded, field, REFS) == front  # same content (an image keeps url and alt)
    if kind in ("Image", "File"):
        assert "fileId" not in encoded and encoded["url"] == wire["url"]  # type: ignore[index]
    assert decoded is None or canonical(codec.decode(encoded, field, REFS)) == canonical(decoded)


@pytest.mark.parametrize("kind,rules,wire,front", TABLE, ids=[f"{t[0]}-{i}" for i, t in enumerate(TABLE)])
def test_encode_then_decode_gives_the_front_matter_back(kind: str, rules: dict | None, wire: object, front: object) -> None:
    codec, field = codec_for(kind), fld(kind, rules)
    assert codec.decode(codec.encode(front, field, REFS), field, REFS) == front
    assert codec.decode(None, field, REFS) is None and codec.encode(None, field, REFS) is None


def test_encoded_values_are_accepted_by_the_emulator_validation() -> None:
    state = EmulatorState()
    target = state.add_collection("s" * 24, id="c" * 24, display_name="T", singular_name="T", slug="t", fields=[])
    from connector.emulator.core import StoredItem
    for item_id in ("1" * 24, "2" * 24):
        target.items[item_id] = StoredItem(item_id, "l", "", {"fieldData": {}, "isDraft": False, "isArchived": False,
                                                              "lastUpdated": ""})
    fields = [{"id": str(n).zfill(24), "isEditable": True, "isRequired": False, "type": kind, "slug": f"f{n}",
               "displayName": kind, "validations": rules or {}} for n, (kind, rules, _, _) in enumerate(TABLE)]
    coll = state.add_collection("s" * 24, id="d" * 24, display_name="D", singular_name="D", slug="d", fields=fields)
    data = {f"f{n}": codec_for(kind).encode(front, fld(kind, rules), REFS) for n, (kind, rules, _, front) in enumerate(TABLE)}
    assert state.check_field_data(coll, data, creating=False) == []


@pytest.mark.parametrize("kind,rules,bad,needle", [
    ("PlainText", None, 2024, "quote it"),
    ("Number", {"format": "integer"}, 1.5, "whole number"),
    ("Number", None, "douze", "a number"),
    ("Switch", None, "yes", "true or false"),
    ("Email", None, "pas-une-adresse", "e-mail"),
    ("Image", None, "https://cdn.test/a.jpg", "{url"),
    ("Image", None, {"url": "https://cdn.test/a.jpg", "alt": None, "fileId": "x"}, "only url and alt"),
    ("Option", OPTIONS, "Opéra", "options: Concert, Marché"),
    ("Reference", TARGET, "cms/categories/nulle-part.md", "not the file of an item"),
    ("DateTime", None, "hier", "ISO 8601"),
    ("VideoLink", None, "ftp://x", "video URL"),
    ("Color", None, "#zzz", "a CSS color"),
    ("Color", None, "bleu", "a CSS color"),  # a word, but no CSS color name
    ("Number", {"format": "decimal", "precision": 2}, 12.555, "at most 2 decimal places"),
])
def test_bad_values_are_refused_with_what_was_expected(kind: str, rules: dict | None, bad: object, needle: str) -> None:
    with pytest.raises(ValueProblem) as info:
        codec_for(kind).encode(bad, fld(kind, rules), REFS)
    assert needle in str(info.value)


def test_unquoted_yaml_timestamps_are_accepted() -> None:
    value = datetime(2024, 3, 26, 2, 51, 6, 637000, tzinfo=timezone.utc)
    assert codec_for("DateTime").encode(value, fld("DateTime"), REFS) == "2024-03-26T02:51:06.637Z"


def test_a_quoted_date_is_midnight_utc_as_the_unquoted_one_and_color_names_pass() -> None:
    assert codec_for("DateTime").encode("2025-03-05", fld("DateTime"), REFS) == "2025-03-05T00:00:00.000Z"
    assert codec_for("Color").encode("RebeccaPurple", fld("Color"), REFS) == "RebeccaPurple"
    rules = {"format": "decimal", "precision": 2}
    assert codec_for("Number").encode(12.5, fld("Number", rules), REFS) == 12.5
    assert codec_for("Number").encode(12, fld("Number", rules), REFS) == 12


def test_a_reference_to_an_unknown_item_keeps_its_id() -> None:
    unknown = "7" * 24
    assert codec_for("Reference").decode(unknown, fld("Reference", TARGET), REFS) == unknown
    assert codec_for("Reference").encode(unknown, fld("Reference", TARGET), REFS) == unknown


@given(st.text(min_size=0, max_size=50))
def test_plain_text_round_trips(text: str) -> None:
    codec = codec_for("PlainText")
    assert codec.decode(codec.encode(text, fld("PlainText"), REFS), fld("PlainText"), REFS) == text


@given(st.one_of(st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=32)))
def test_numbers_round_trip(value: float) -> None:
    codec = codec_for("Number")
    assert codec.decode(codec.encode(value, fld("Number"), REFS), fld("Number"), REFS) == value


def test_a_trailing_newline_does_not_sneak_past_the_checks() -> None:
    from connector.validate import SLUG
    from connector.yamlstyle import dump
    assert not SLUG.match("social\n")
    with pytest.raises(ValueProblem):
        codec_for("Email").encode("a@b.ch\n", fld("Email"), REFS)
    assert dump({"a": "1:2\n"}) == "a: |\n  1:2\n"  # js-yaml's $ ends at the end of the text
