"""`wfsync export` of a localized site: each secondary locale at Webflow's subdirectory (/de/...),
in each generator's i18n convention. The real builds of these exports are in test_export_generators."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from connector.emulator.fixtures import SITE_ID, demo_state
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from tests.conftest import TOKEN
from tests.test_export import front, report, tree

SOCIAL = "f22320c353821b46a1b2c3d4"


@pytest.mark.parametrize("profile,french,german,german_ref", [
    ("eleventy", "cms/infos/social.md", "de/cms/infos/soziales.md", "de/cms/categories/gesundheit-und-soziales.md"),
    ("hugo", "content/infos/social.md", "content/infos/soziales.de.md", "/categories/gesundheit-und-soziales"),
    ("astro", "src/content/infos/social.md", "src/content/infos/de/soziales.md", "de/gesundheit-und-soziales"),
])
def test_the_german_locale_is_written_in_the_generators_convention(emulator: EmulatorServer, tmp_path: Path,
                                                                    profile: str, french: str, german: str,
                                                                    german_ref: str) -> None:
    out = tmp_path / profile
    r = report(emulator, out, "--profile", profile)
    assert r["pages"] == 26 and r["locales"] == {"de": {"folder": "de", "pages": 26, "drafts": 0}}
    fm_fr, _ = front(out / french)
    fm_de, body = front(out / german)
    assert (fm_de["title"], fm_de["slug"], fm_de["lang"], fm_de["webflow_id"]) == ("Soziales", "soziales", "de", SOCIAL)
    assert "lang" not in fm_fr and fm_fr["title"] == "Social"
    assert "Soziale Kontakte sind **wesentlich**" in body
    # a reference points at the same locale's variant of the target
    assert fm_de["f_couleur"] == german_ref
    if profile == "eleventy":
        assert fm_de["permalink"] == "/de/infos/soziales/" and fm_de["tags"] == ["wf_infos_de"]
        assert (out / "de/pages/infos.liquid").read_text().count("permalink: /de/infos/") == 1
    if profile == "hugo":
        assert fm_de["url"] == "/de/infos/soziales/"
        assert fm_de["translationKey"] == fm_fr["translationKey"] == SOCIAL  # Hugo links the translations
        config = (out / "hugo.toml").read_text()
        assert 'defaultContentLanguage = "fr"' in config and "[languages.de]" in config
        assert front(out / "content/infos/_index.de.md")[0]["url"] == "/de/infos/"
    if profile == "astro":
        assert "i18n:" in (out / "astro.config.mjs").read_text()
        assert (out / "src/pages/de/infos/[slug].astro").is_file()
        assert "generateId" in (out / "src/wfsync/collections.ts").read_text()
    # an untranslated item is still there in German, under the French slug
    untranslated = {"eleventy": "de/cms/infos/ecoles-primaires.md", "hugo": "content/infos/ecoles-primaires.de.md",
                    "astro": "src/content/infos/de/ecoles-primaires.md"}[profile]
    assert front(out / untranslated)[0]["lang"] == "de"


@pytest.fixture
def emulator(localized_emulator: EmulatorServer) -> EmulatorServer:
    """These tests are about the bilingual demo site."""
    return localized_emulator


def test_german_urls_are_in_the_redirect_map(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    r = report(emulator, out, "--profile", "hugo", "--permalink", "infos=/guide/{slug}/")
    assert r["redirects"]["by_reason"]["collection prefix changed"] == 2
    fm, _ = front(out / "content/infos/soziales.de.md")
    assert fm["url"] == "/de/guide/soziales/"


def test_primary_only_leaves_the_other_locales_out(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    r = report(emulator, out, "--profile", "eleventy", "--primary-only")
    assert r["locales"] == {} and not (out / "de").exists()


@pytest.fixture
def plain_site() -> Iterator[EmulatorServer]:
    """The demo site without Localization (``locales: null``)."""
    with EmulatorServer(demo_state(localized=False), tokens={TOKEN: ALL_SCOPES}) as server:
        yield server


@pytest.mark.parametrize("profile", ["eleventy", "hugo", "astro"])
def test_a_site_without_localization_exports_as_before(plain_site: EmulatorServer, emulator: EmulatorServer,
                                                        tmp_path: Path, profile: str) -> None:
    r = report(plain_site, tmp_path / "plain", "--profile", profile)
    assert r["locales"] == {}
    files = tree(tmp_path / "plain")
    assert not any(p.startswith("de/") or "/de/" in p or p.endswith(".de.md") for p in files)
    text = b"\n".join(files.values())
    assert b"lang: " not in text and b"translationKey" not in text and b"[languages" not in text
    assert b"i18n:" not in text and b"generateId" not in text
    # the same files as the localized site's primary locale alone
    report(emulator, tmp_path / "primary", "--profile", profile, "--primary-only")
    assert tree(tmp_path / "primary") == files
