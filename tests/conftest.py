from __future__ import annotations

from typing import Iterator

import pytest

from connector.client import WebflowClient
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


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(demo_state(), tokens={TOKEN: ALL_SCOPES})
    with server:
        yield server


@pytest.fixture
def client(emulator: EmulatorServer) -> WebflowClient:
    return WebflowClient(Transport(emulator.base_url, TOKEN, sleep=NoSleep(), timeout=5))


@pytest.fixture
def site_id() -> str:
    return SITE_ID
