"""A Webflow Data API v2 emulator: an in-memory core and a loopback HTTP server.

``core`` owns the state and the rules (validation, publishing, pagination);
``routes`` maps v2 paths onto it; ``server`` serves it over real sockets with
auth, rate limits, fault injection and a request log; ``fixtures`` builds the
demo site.
"""

from typing import Any

__all__ = ["ApiFailure", "EmulatorState", "EmulatorServer", "FaultPlan"]


def __getattr__(name: str) -> Any:
    # loaded when asked for: the command line reads only ``deviations`` (its help) on every run
    if name in ("ApiFailure", "EmulatorState"):
        from . import core
        return getattr(core, name)
    if name in ("EmulatorServer", "FaultPlan"):
        from . import server
        return getattr(server, name)
    raise AttributeError(name)
