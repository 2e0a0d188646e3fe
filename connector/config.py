"""Settings, from the environment (and flags, which the CLI passes in).

``WEBFLOW_TOKEN`` (or ``WEBFLOW_TOKEN_FILE``), ``WEBFLOW_SITE_ID``, ``WEBFLOW_API_BASE``
(default: the real API, so pointing it at the emulator changes nothing else).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from .errors import ConfigError

DEFAULT_API_BASE = "https://api.webflow.com/v2"


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    site_id: str | None = None
    root: Path = Path(".")
    timeout: float = 30.0

    @property
    def mappings_dir(self) -> Path:
        return self.root / "mappings"

    @property
    def snapshots_dir(self) -> Path:
        return self.root / "snapshots"


def read_token(env: Mapping[str, str]) -> str:
    token = env.get("WEBFLOW_TOKEN", "").strip()
    if not token and env.get("WEBFLOW_TOKEN_FILE"):
        path = Path(env["WEBFLOW_TOKEN_FILE"]).expanduser()
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read WEBFLOW_TOKEN_FILE ({path}): {exc.strerror}") from None
    if not token:
        raise ConfigError("no API token: set WEBFLOW_TOKEN (or WEBFLOW_TOKEN_FILE)")
    return token


def load_settings(env: Mapping[str, str] | None = None, *, root: Path | None = None,
                  site_id: str | None = None, api_base: str | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        token=read_token(env),
        api_base=check_api_base(api_base or env.get("WEBFLOW_API_BASE") or DEFAULT_API_BASE),
        site_id=site_id or env.get("WEBFLOW_SITE_ID") or None,
        root=root or Path(env.get("WFSYNC_ROOT", ".")),
        timeout=read_timeout(env.get("WFSYNC_TIMEOUT", "30")),
    )


def check_api_base(value: str) -> str:
    """The API base as a URL wfsync can use: scheme, host, and the version path (``/v2``)."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        error = ConfigError(f"WEBFLOW_API_BASE {value!r} is not an http(s) URL")
        error.hint = (f"Write it with its scheme, e.g. https://api.webflow.com/v2 or "
                      f"http://{url.split('/')[0] or '127.0.0.1:8765'}/v2 for the emulator.")
        raise error
    if not parts.path.endswith("/v2"):
        error = ConfigError(f"WEBFLOW_API_BASE {value!r} does not end with the API version /v2")
        error.hint = f"Add the version: {url}/v2 (wfsync speaks the Webflow Data API v2)."
        raise error
    return url


def read_timeout(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        error = ConfigError(f"WFSYNC_TIMEOUT {value!r} is not a number of seconds")
        error.hint = "Set WFSYNC_TIMEOUT to a positive number of seconds, e.g. 30."
        raise error
    return seconds
