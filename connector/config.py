"""Settings, from the environment (and flags, which the CLI passes in).

``WEBFLOW_TOKEN`` (or ``WEBFLOW_TOKEN_FILE``), ``WEBFLOW_SITE_ID``, ``WEBFLOW_API_BASE``
(default: the real API, so pointing it at the emulator changes nothing else).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

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
        api_base=(api_base or env.get("WEBFLOW_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
        site_id=site_id or env.get("WEBFLOW_SITE_ID") or None,
        root=root or Path(env.get("WFSYNC_ROOT", ".")),
        timeout=float(env.get("WFSYNC_TIMEOUT", "30")),
    )
