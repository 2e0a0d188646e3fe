"""The export's pure parts: CDN URLs, srcset variants, names, rich text, redirect rules, the site checker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.export.assets import CDN_HOSTS, canonical, collapse_srcset, find_urls, readable_name, rewrite
from connector.export.redirects import Rule, build_rules, expand, render_netlify, render_nginx, render_vercel
from connector.export.richtext import to_export_markdown
from tests.export_site import check_built_site

FILE = "/5d4d6299e11fbef0e969850a/5e4287df7ad055a2dd51b17e_Sant%C3%A9%20-%20cms.jpg"


def test_host_aliases_query_strings_and_encodings_are_one_url() -> None:
    keys = {canonical(f"https://{host}{FILE}") for host in CDN_HOSTS}
    keys |= {canonical(f"https://cdn.prod.website-files.com{FILE}?v=3"), canonical(f"//uploads-ssl.webflow.com{FILE}"),
             canonical("https://uploads-ssl.webflow.com/5d4d6299e11fbef0e969850a/5e4287df7ad055a2dd51b17e_Santé%20-%20cms.jpg"),
             canonical("https://uploads-ssl.webflow.com/5d4d6299e11fbef0e969850a%2F5e4287df7ad055a2dd51b17e_Sant%c3%a9%20-%20cms.jpg")}
    assert keys == {"/5d4d6299e11fbef0e969850a/5e4287df7ad055a2dd51b17e_Santé - cms.jpg"}
    assert canonical("https://example.com" + FILE) is None


def test_urls_are_found_in_markdown_html_css_and_srcset() -> None:
    text = (f'![a](https://uploads-ssl.webflow.com{FILE}) <img src="https://cdn.prod.website-files.com{FILE}?v=2"> '
            f'<div style="background:url(&quot;https://uploads-ssl.webflow.com/aa/bb_x.png&quot;)"></div> '
            f"url('https://assets.website-files.com/aa/cc_y.svg')")
    assert [k for k, _ in find_urls(text)] == [canonical("https://uploads-ssl.webflow.com" + FILE)] * 2 + \
        ["/aa/bb_x.png", "/aa/cc_y.svg"]
    out = rewrite(text, lambda key: "/media/" + key.rsplit("_", 1)[-1])
    assert "webflow.com" not in out and "website-files" not in out
    assert "url(&quot;/media/x.png&quot;)" in out and "url('/media/y.svg')" in out


def test_srcset_of_variants_collapses_to_the_original() -> None:
    src = "https://uploads-ssl.webflow.com/aa/5e3e9d0d596fd37f5a623582_Photo.JPG"
    html = (f'<img src="{src}" srcset="https://uploads-ssl.webflow.com/aa/5e3e9d0d596fd37f5a623582_Photo-p-500.jpeg 500w, '
            f'https://cdn.prod.website-files.com/aa/5e3e9d0d596fd37f5a623582_Photo-p-1080.jpeg 1080w, {src} 2000w" '
            f'sizes="100vw" alt="x">')
    assert collapse_srcset(html) == f'<img src="{src}" alt="x">'
    other = f'<img src="{src}" srcset="https://uploads-ssl.webflow.com/aa/bbbbbbbbbbbbbbbbbbbbbbbb_Other.jpg 2x">'
    assert collapse_srcset(other) == other  # an art-directed srcset is not Webflow's variants: kept


def test_readable_names() -> None:
    assert readable_name(canonical("https://uploads-ssl.webflow.com" + FILE) or "", "image/jpeg") == ("sante-cms", "jpg")
    assert readable_name("/aa/5e3e9d0d596fd37f5a623582_IMG_01.JPEG", "") == ("img-01", "jpeg")
    assert readable_name("/aa/5e3e9d0d596fd37f5a623582_", "image/png") == ("file", "png")


def test_rich_text_is_markdown_where_markdown_shows_the_same() -> None:
    html = ("<h3>TITRE</h3><p>Un <strong>mot</strong> et <em>un autre</em>.</p><p>‍</p>"
            "<p><strong><br>OBJECTIFS</strong></p><ul><li>un</li><li>deux</li></ul><p>a &lt;b&gt; c</p>")
    md = to_export_markdown(html)
    assert md.split("\n\n") == ["### TITRE", "Un **mot** et _un autre_.", "<p>‍</p>",
                                "<p><strong><br>OBJECTIFS</strong></p>", "*   un\n*   deux", "<p>a &lt;b&gt; c</p>"]


def test_no_rule_for_a_trailing_slash_and_static_rules_before_splats() -> None:
    pages = {"/infos/social": "/infos/social/", "/infos": "/infos/", "/evenements/x": "/agenda/x/",
             "/evenements": "/agenda/"}
    rules, notes = build_rules(pages, {"evenements": "/agenda/"}, [("/infos/old", "/infos/social/")],
                               [{"from": "/infos/social", "to": "/infos/social"}, {"from": "/blog/(.*)", "to": "/news/%1"},
                                {"from": "/a[b]", "to": "/c"}, {"from": "/infos", "to": "/evenements"}])
    assert [r.source for r in rules] == ["/infos/old", "/blog/*", "/evenements/*"]
    assert any("/a[b]" in n for n in notes) and any(n.startswith("/infos:") for n in notes)
    assert render_netlify(rules).splitlines()[1:] == ["/infos/old /infos/social/ 301", "/blog/* /news/:splat 301",
                                                      "/evenements/* /agenda/:splat 301"]
    vercel = json.loads(render_vercel(rules))
    assert vercel["trailingSlash"] is True and vercel["redirects"][1] == {
        "source": "/blog/:splat*", "destination": "/news/:splat*", "statusCode": 301}
    mapping, snippet = render_nginx(rules)
    assert '"/infos/old" "/infos/social/";' in mapping and '"/infos/old/" "/infos/social/";' in mapping
    assert "rewrite ^/blog/(.*)$ /news/$1 permanent;" in snippet
    assert expand(rules, pages) == [("/evenements/x", "/agenda/x/"), ("/infos/old", "/infos/social/")]


def _site(tmp_path: Path, html: str, rules: list[Rule] | None = None) -> Path:
    site = tmp_path / "site"
    (site / "media").mkdir(parents=True)
    (site / "media/a.jpg").write_bytes(b"x")
    (site / "index.html").write_text(html)
    (tmp_path / "redirects.json").write_text(json.dumps({"redirects": [r.to_json() for r in rules or []]}))
    return site


@pytest.mark.parametrize("html,rules,drafts,problem", [
    ('<img src="https://uploads-ssl.webflow.com/5d4d/x.jpg">', None, [], "Webflow's CDN"),
    ('<a href="/media/b.jpg">b</a>', None, [], "does not resolve"),
    ('<img srcset="/media/a.jpg 1x, /media/c.jpg 2x">', None, [], "/media/c.jpg does not resolve"),
    ("<p>ok</p>", None, ["/"], "draft page"),
    ("<p>ok</p>", [Rule("/old", "/new/", "x")], [], "target does not exist"),
])
def test_the_site_checker_finds_what_a_visitor_would(tmp_path: Path, html: str, rules: list[Rule] | None,
                                                     drafts: list[str], problem: str) -> None:
    site = _site(tmp_path, html, rules)
    with pytest.raises(AssertionError, match=problem):
        check_built_site(site, tmp_path, drafts)
    ok = _site(tmp_path / "ok", '<img src="/media/a.jpg"><a href="/">home</a>')
    assert check_built_site(ok, tmp_path / "ok", [])["local_refs"] == 2


NAME = st.text(alphabet="abcdéè XYZ-_()'", min_size=1, max_size=20)


@given(host=st.sampled_from(CDN_HOSTS), name=NAME, query=st.sampled_from(["", "?v=3", "?a=1&b=2"]),
       prefix=st.sampled_from(['<img src="', "](", "url('", " ", '<a href="']))
def test_every_cdn_url_is_rewritten_and_aliases_share_a_key(host: str, name: str, query: str, prefix: str) -> None:
    from urllib.parse import quote

    url = f"https://{host}/5d4d6299e11fbef0e969850a/5e4287df7ad055a2dd51b17e_{quote(name)}{query}"
    key = canonical(url)
    assert key == canonical(f"https://uploads-ssl.webflow.com/5d4d6299e11fbef0e969850a/5e4287df7ad055a2dd51b17e_{quote(name)}")
    text = prefix + url + ("')" if prefix == "url('" else '">' if '"' in prefix else ")")
    assert host not in rewrite(text, lambda k: "/media/f.jpg")
