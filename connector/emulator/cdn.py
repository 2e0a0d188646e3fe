"""Webflow's asset CDN, on loopback: ``GET /cdn/<site>/<fileId>_<name>`` answers real image bytes.

Every URL gets bytes of its own (a tiny real JPEG or PNG with the path written into a
comment segment, so each stays a valid image for image tools), except the pairs listed in
``fixtures.CDN_SAME_BYTES``: a re-upload of the same picture under another file id, as
copied sites have. Only the path counts: the exporter maps every CDN host to this route.
"""

from __future__ import annotations

import re
import struct
import zlib
from importlib import resources
from urllib.parse import unquote

from .fixtures import CDN_SAME_BYTES

PREFIX = "/cdn"
CDN_PATH = re.compile(r"^/[0-9a-f]{24}/[0-9a-f]{24}_[^/]+\Z")
_BASE: dict[str, bytes] = {}


def _base(name: str) -> bytes:
    if name not in _BASE:
        _BASE[name] = resources.files(__package__).joinpath(f"fixtures/cdn/{name}").read_bytes()
    return _BASE[name]


def _jpeg(tag: bytes) -> bytes:
    base = _base("base.jpg")
    segment = b"\xff\xfe" + struct.pack(">H", len(tag) + 2) + tag  # COM right after SOI
    return base[:2] + segment + base[2:]


def _png(tag: bytes) -> bytes:
    base = _base("base.png")
    data = b"Comment\x00" + tag
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return base[:33] + chunk + base[33:]  # after the signature and IHDR


def _svg(tag: bytes) -> bytes:
    return (b'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16"><!-- ' + tag.replace(b"--", b"")
            + b' --><rect width="24" height="16" fill="#3d7dd8"/></svg>\n')


def _pdf(tag: bytes) -> bytes:
    return (b"%PDF-1.4\n% " + tag + b"\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


KINDS = {"jpg": ("image/jpeg", _jpeg), "jpeg": ("image/jpeg", _jpeg), "png": ("image/png", _png),
         "svg": ("image/svg+xml", _svg), "pdf": ("application/pdf", _pdf)}


def asset(path: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of ``/<site>/<fileId>_<name>``, or None for a path that is no asset."""
    if not CDN_PATH.match(path):
        return None
    source = CDN_SAME_BYTES.get(path, path)
    ext = unquote(source).rsplit(".", 1)[-1].lower() if "." in source else ""
    content_type, make = KINDS.get(ext, ("application/octet-stream", lambda t: b"file " + t + b"\n"))
    return content_type, make(source.encode())
