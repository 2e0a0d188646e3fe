"""What the Webflow API was found to support, remembered between runs.

Incremental reads lean on query parameters whose support on the live API is unproven
(``sortBy=lastUpdated``, ``lastUpdated[gte]``, ``lastPublished[gte]``). Every answer is
checked (``reads.py``); a parameter found not to work is remembered as missing, so later
runs do not pay for a useless call, and tried again every ``PROBE_EVERY`` runs in case the
API gained it. Kept in ``.wfsync/api.json``: machine-local like the cursors.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .store import atomic_write

log = logging.getLogger("wfsync.api")

API_FILE = "api.json"
#: runs between two attempts at a parameter found missing, and between two proofs of sorting
PROBE_EVERY = 24

SORT = "sortBy=lastUpdated"
FILTER_UPDATED = "lastUpdated[gte]"
FILTER_PUBLISHED = "lastPublished[gte]"
FALLBACK = {
    SORT: "reads every item of a collection instead of only the changed ones",
    FILTER_UPDATED: "checks for edits made during a push by reading the items themselves",
    FILTER_PUBLISHED: "reads the published dates from the items themselves",
}


@dataclass
class Capabilities:
    missing: dict[str, int] = field(default_factory=dict)  # parameter -> runs since it was found missing
    proven: dict[str, int] = field(default_factory=dict)  # parameter -> runs since an answer proved it works
    notices: list[dict[str, str]] = field(default_factory=list)  # found missing in this run: said once
    locales: list[dict[str, object]] | None = None  # the site's locales, as last read (``phases/variants.py``)

    def usable(self, name: str) -> bool:
        """Worth asking for: not known to be missing, or missing long enough to be tried again."""
        return self.missing.get(name, PROBE_EVERY) >= PROBE_EVERY

    def proven_recently(self, name: str) -> bool:
        # twice the interval: the proof made at each full read (every 24 runs) is still fresh at the next
        return self.proven.get(name, 2 * PROBE_EVERY) < 2 * PROBE_EVERY

    def lost(self, name: str, collection: str, why: str) -> None:
        """An answer showed the parameter does not work: fall back for this run and remember it."""
        known = name in self.missing
        self.missing[name] = 0
        self.proven.pop(name, None)
        if known:
            log.info("%s: %s still does not work (%s)", collection, name, why)
            return
        # said in the report (a notice); the log line is for -v
        log.info("%s: the API does not honour %s (%s); wfsync %s", collection, name, why, FALLBACK[name])
        self.notices.append({"collection": collection, "capability": name,
                             "message": f"the API does not honour {name} ({why}); wfsync {FALLBACK[name]} "
                                        f"and tries it again in {PROBE_EVERY} runs"})

    def works(self, name: str, proof: bool = False) -> None:
        if self.missing.pop(name, None) is not None:
            log.info("%s works again", name)
        if proof:
            self.proven[name] = 0

    def tick(self) -> None:
        """One run more since each finding."""
        self.missing = {k: v + 1 for k, v in self.missing.items()}
        self.proven = {k: v + 1 for k, v in self.proven.items()}


def load_capabilities(snapshot_root: Path) -> Capabilities:
    try:
        raw = json.loads((snapshot_root / ".wfsync" / API_FILE).read_text(encoding="utf-8"))
        return Capabilities({str(k): int(v) for k, v in raw.get("missing", {}).items()},
                            {str(k): int(v) for k, v in raw.get("proven", {}).items()}, locales=raw.get("locales"))
    except (FileNotFoundError, ValueError, TypeError, AttributeError):
        return Capabilities()  # nothing known: every parameter is tried and checked


def save_capabilities(snapshot_root: Path, caps: Capabilities) -> None:
    data: dict[str, object] = {"missing": dict(sorted(caps.missing.items())), "proven": dict(sorted(caps.proven.items()))}
    if caps.locales is not None:
        data["locales"] = caps.locales
    atomic_write(snapshot_root / ".wfsync" / API_FILE, (json.dumps(data, indent=1) + "\n").encode())
