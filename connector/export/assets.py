"""Webflow CDN assets: find every URL, download each file once, store it once per content hash.

A *key* is the canonical form of a CDN URL: its path, percent-decoded (``%2F`` is ``/``),
without host or query. The five CDN host names are aliases of one store and ``?v=3``
changes nothing, so they all give one key and one download. Files land in
``media/<readable-name>-<sha256[:8]>.<ext>``: the same bytes under two file ids
(a re-upload, a copied site) are one file. ``wfsync-assets.json`` lists them; a re-run
downloads only keys it does not list, or whose file is gone or changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import re
import tempfile
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote, unquote, urlsplit

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential
from ..store import new_file_mode

log = logging.getLogger("wfsync.export.assets")

CDN_HOSTS = ("cdn.prod.website-files.com", "uploads-ssl.webflow.com", "assets-global.website-files.com",
             "assets.website-files.com", "global-uploads.webflow.com")
_HOSTS = "|".join(re.escape(h) for h in CDN_HOSTS)
#: a CDN URL inside any text: Markdown, HTML attributes, srcset, CSS url(), a plain Link field
#: (an entity-encoded quote ends a URL too: ``url(&quot;https://…&quot;)`` in serialised embeds)
CDN_URL = re.compile(r"(?:https?:)?//(?:" + _HOSTS + r")(/(?:[^\s\"'<>()\\&]|&(?!quot;|#x27;|#39;|#34;|#x22;|apos;|lt;|gt;))+)",
                     re.I)
VARIANT = re.compile(r"-p-(?:500|800|1080|1600|2000|2600|3200)(?=\.[A-Za-z0-9]+\Z)")
MANIFEST = "wfsync-assets.json"
MAX_BYTES = 512 * 1024 * 1024  # one asset; past it the download is refused (hostile or broken input)
DEFAULT_ORIGIN = "https://cdn.prod.website-files.com"


def canonical(url: str) -> str | None:
    """The key of a CDN URL (its decoded path), or None for anything else."""
    m = CDN_URL.fullmatch(url.strip())
    if not m:
        return None
    path = unquote(m.group(1).split("?", 1)[0].split("#", 1)[0])
    return re.sub(r"/{2,}", "/", path)


def find_urls(text: str) -> Iterator[tuple[str, str]]:
    """(key, the URL as written) for every CDN URL in ``text``."""
    for m in CDN_URL.finditer(text):
        key = canonical(m.group(0))
        if key:
            yield key, m.group(0)


def rewrite(text: str, local: Callable[[str], str | None]) -> str:
    """Every CDN URL in ``text`` replaced by ``local(key)`` (left as it is when that is None)."""
    def one(m: re.Match[str]) -> str:
        key = canonical(m.group(0))
        found = local(key) if key else None
        return found if found is not None else m.group(0)

    return CDN_URL.sub(one, text)


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = r"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)')"""


def _attr(tag: str, name: str) -> str | None:
    m = re.search(_ATTR.format(name=name), tag, re.I)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def _is_variant_of(candidate: str, original: str) -> bool:
    """``…_photo-p-500.jpeg`` is a responsive variant of ``…_photo.JPG`` (extensions may differ)."""
    cand, orig = canonical(candidate), canonical(original)
    if not cand or not orig:
        return False
    if cand == orig:
        return True
    stem = VARIANT.sub("", cand)
    return stem != cand and stem.rsplit(".", 1)[0] == orig.rsplit(".", 1)[0]


def collapse_srcset(html: str) -> str:
    """Drop ``srcset``/``sizes`` of images whose candidates are all Webflow variants of their
    ``src``: the original is kept, the variants are never fetched (resizing is the generator's job)."""
    def one(m: re.Match[str]) -> str:
        tag = m.group(0)
        src, srcset = _attr(tag, "src"), _attr(tag, "srcset")
        if not src or srcset is None:
            return tag
        candidates = [c.strip().split()[0] for c in srcset.split(",") if c.strip()]
        if not candidates or not all(_is_variant_of(c, src) for c in candidates):
            return tag
        for name in ("srcset", "sizes"):
            tag = re.sub(_ATTR.format(name=name), "", tag, flags=re.I)
        return tag

    return _IMG.sub(one, html)


def readable_name(key: str, content_type: str) -> tuple[str, str]:
    """(ascii slug, lowercased extension) from ``/<site>/<fileId>_<name>``."""
    name = key.rsplit("/", 1)[-1]
    name = re.sub(r"^[0-9a-f]{24}_", "", name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        stem, ext = name, (mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin")[1:]
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-") or "file"
    return slug, ext.lower()


@dataclass
class StoredFile:
    file: str  # the name under media/
    sha256: str
    bytes: int
    content_type: str
    sources: set[str] = field(default_factory=set)
    used_by: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "bytes": self.bytes, "content_type": self.content_type,
                "sources": sorted(self.sources), "used_by": sorted(self.used_by)}


@dataclass
class AssetReport:
    unique_urls: int = 0
    references: int = 0
    files: int = 0
    bytes: int = 0
    fetched: int = 0
    missing: list[dict[str, str]] = field(default_factory=list)


class MissingAsset(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class Retryable(Exception):
    pass


class AssetStore:
    """The media folder and its manifest."""

    def __init__(self, media_dir: Path, manifest_path: Path, *, origin: str | None = None, concurrency: int = 4,
                 session: requests.Session | None = None, attempts: int = 5, max_wait: float = 8.0) -> None:
        self.media = media_dir
        self.manifest_path = manifest_path
        self.origin = (origin or os.environ.get("WFSYNC_ASSET_ORIGIN") or "").rstrip("/")
        self.concurrency = max(1, concurrency)
        self.attempts = attempts
        self.max_wait = max_wait
        self.session = session or requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=self.concurrency)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.by_key: dict[str, StoredFile] = {}
        self.by_sha: dict[str, StoredFile] = {}
        self._lock = threading.Lock()
        self._load()

    # -- the manifest ------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
        for entry in data.get("files", []):
            try:
                stored = StoredFile(str(entry["file"]), str(entry["sha256"]), int(entry["bytes"]),
                                    str(entry.get("content_type", "")), set(entry.get("sources", [])))
            except (KeyError, TypeError, ValueError):
                continue
            if "/" in stored.file or stored.file.startswith(".") or not self._intact(stored):
                continue  # gone, changed or not ours: fetched again
            self.by_sha[stored.sha256] = stored
            for key in stored.sources:
                self.by_key[key] = stored

    def _intact(self, stored: StoredFile) -> bool:
        path = self.media / stored.file
        try:
            if path.stat().st_size != stored.bytes:
                return False
            return hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
        except OSError:
            return False

    def manifest_json(self, used_by: dict[str, set[str]], missing: list[dict[str, str]]) -> bytes:
        files: dict[str, StoredFile] = {}
        for key, users in used_by.items():
            stored = self.by_key.get(key)
            if stored is None:
                continue
            entry = files.setdefault(stored.file, StoredFile(stored.file, stored.sha256, stored.bytes,
                                                             stored.content_type))
            entry.sources.add(key)
            entry.used_by.update(users)
        data = {"version": 1, "files": [files[k].to_json() for k in sorted(files)],
                "missing": sorted(missing, key=lambda m: m["url"])}
        return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()

    # -- downloading ---------------------------------------------------------------
    def url_for(self, key: str, seen_as: str) -> str:
        """Where to fetch a key: the test origin when set, else the host it was seen on."""
        origin = self.origin
        if not origin:
            parts = urlsplit(seen_as if "://" in seen_as else "https:" + seen_as)
            origin = f"https://{parts.netloc.lower()}" if parts.netloc else DEFAULT_ORIGIN
        return origin + quote(key, safe="/")

    def to_fetch(self, wanted: dict[str, str]) -> list[str]:
        """The keys a ``fetch_all`` would download (not stored yet, or gone or changed)."""
        return sorted(k for k in wanted if k not in self.by_key)

    def fetch_all(self, wanted: dict[str, str], report: AssetReport,
                  progress: Callable[[int], None] | None = None) -> None:
        """Download every key not yet stored (``wanted``: key -> a URL it was seen as)."""
        todo = self.to_fetch(wanted)
        if not todo:
            return
        self.media.mkdir(parents=True, exist_ok=True)

        def one(key: str) -> None:
            try:
                self._download(key, self.url_for(key, wanted[key]))
                with self._lock:
                    report.fetched += 1
            except MissingAsset as exc:
                with self._lock:
                    report.missing.append({"url": wanted[key], "key": key, "error": str(exc)})
            except (requests.RequestException, Retryable, OSError) as exc:
                with self._lock:
                    report.missing.append({"url": wanted[key], "key": key, "error": f"download failed: {exc}"})
            if progress:
                progress(1)

        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="asset") as pool:
            list(pool.map(one, todo))
        self._settle_names()

    def _settle_names(self) -> None:
        """A file shared by several keys is named after the smallest one, whichever finished first."""
        for stored in self.by_sha.values():
            slug, ext = readable_name(min(stored.sources), stored.content_type)
            name = f"{slug}-{stored.sha256[:8]}.{ext}"
            if name != stored.file:
                os.replace(self.media / stored.file, self.media / name)
                stored.file = name

    def _download(self, key: str, url: str) -> None:
        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, (Retryable, requests.ConnectionError, requests.Timeout))),
            wait=wait_random_exponential(multiplier=0.2, max=self.max_wait),
            stop=stop_after_attempt(self.attempts), reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._download_once(key, url)

    def _download_once(self, key: str, url: str) -> None:
        with self.session.get(url, stream=True, timeout=30) as resp:
            if resp.status_code in (404, 403, 410):
                raise MissingAsset(resp.status_code)
            if resp.status_code == 429 or resp.status_code >= 500:
                raise Retryable(f"HTTP {resp.status_code}")
            if resp.status_code != 200:
                raise MissingAsset(resp.status_code)
            content_type = resp.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
            digest = hashlib.sha256()
            size = 0
            fd, tmp = tempfile.mkstemp(dir=self.media, prefix=".download.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    for chunk in resp.iter_content(64 * 1024):
                        size += len(chunk)
                        if size > MAX_BYTES:
                            raise MissingAsset(413)
                        digest.update(chunk)
                        fh.write(chunk)
                self._store(key, tmp, digest.hexdigest(), size, content_type)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)

    def _store(self, key: str, tmp: str, sha: str, size: int, content_type: str) -> None:
        with self._lock:
            stored = self.by_sha.get(sha)
            if stored is None:
                slug, ext = readable_name(key, content_type)
                stored = StoredFile(f"{slug}-{sha[:8]}.{ext}", sha, size, content_type)
                target = self.media / stored.file
                if not (target.exists() and self._intact(stored)):
                    os.chmod(tmp, new_file_mode())
                    os.replace(tmp, target)
                self.by_sha[sha] = stored
            stored.sources.add(key)
            self.by_key[key] = stored


def iter_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from iter_strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from iter_strings(v)
