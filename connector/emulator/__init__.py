"""A Webflow Data API v2 emulator: an in-memory core and a loopback HTTP server.

``core`` owns the state and the rules (validation, publishing, pagination);
``routes`` maps v2 paths onto it; ``server`` serves it over real sockets with
auth, rate limits, fault injection and a request log; ``fixtures`` builds the
demo site.
"""

from .core import ApiFailure, EmulatorState
from .server import EmulatorServer, FaultPlan

__all__ = ["ApiFailure", "EmulatorState", "EmulatorServer", "FaultPlan"]
