from __future__ import annotations

from typing import Iterator

import pytest

from connector.client import WebflowClient
from connector.emulator.core import EmulatorState
from connector.emulator.fixtures import SITE_ID, demo_state
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from connector.transport import Transport

TOKEN = "test-token-0123456789abcdef"


class NoSleep:
    """Records the sleeps a client asked for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def single_locale_demo() -> EmulatorState:
    """The demo site with its primary locale only (no secondary locale, as before German was added):
    the site every test written before locales is about."""
    state = demo_state()
    for coll in state.collections.values():
        coll.localized.clear()
    state.sites[SITE_ID]["locales"]["secondary"] = []
    return state


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(single_locale_demo(), tokens={TOKEN: ALL_SCOPES})
    with server:
        yield server


@pytest.fixture
def localized_emulator() -> Iterator[EmulatorServer]:
    """The demo site as `wfsync demo` serves it: French (primary) and German."""
    with EmulatorServer(demo_state(), tokens={TOKEN: ALL_SCOPES}) as server:
        yield server


@pytest.fixture
def client(emulator: EmulatorServer) -> WebflowClient:
    return WebflowClient(Transport(emulator.base_url, TOKEN, sleep=NoSleep(), timeout=5))


@pytest.fixture
def site_id() -> str:
    return SITE_ID
