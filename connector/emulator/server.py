"""The emulator over real sockets: auth, scopes, rate limits, faults, a request log.

Binds to 127.0.0.1 only. ``EmulatorServer(...).start()`` serves on a free port in
a background thread; ``base_url`` is what ``WEBFLOW_API_BASE`` should be set to.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

from .core import ApiFailure, EmulatorState
from .routes import match

ALL_SCOPES = frozenset({"sites:read", "sites:write", "cms:read", "cms:write", "assets:read", "assets:write"})
API_PREFIX = "/v2"


@dataclass
class FaultPlan:
    """Seeded fault injection: a share of requests fail in one of the chosen ways.

    ``after_commit`` is the share of 5xx and dropped answers that happen *after* the
    request was applied, the case where a client cannot know whether a create
    happened.
    """

    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = ("500", "503", "drop", "slow", "429")
    slow_seconds: float = 0.2
    after_commit: float = 0.5
    retry_after: int = 1
    #: at most this many faults in a row for one path (None: no bound). Concurrent clients take
    #: the seeded draws in an order the threads decide; a bound per path keeps "a client that
    #: retries N times always gets through" true whatever that order is
    max_in_a_row: int | None = None
    rng: random.Random = field(init=False, repr=False)
    _in_a_row: dict[str, int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def draw(self, key: str = "") -> tuple[str | None, bool]:
        if self.rate <= 0 or self.rng.random() >= self.rate or \
                (self.max_in_a_row is not None and self._in_a_row.get(key, 0) >= self.max_in_a_row):
            self._in_a_row.pop(key, None)
            return None, False
        self._in_a_row[key] = self._in_a_row.get(key, 0) + 1
        return self.rng.choice(self.kinds), self.rng.random() < self.after_commit


@dataclass
class RateLimiter:
    """A per-token budget per minute window, as Webflow's per-key limits."""

    limit: int | None
    clock: Callable[[], float]
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def take(self, token: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the window resets)."""
        if self.limit is None:
            return True, 10**6, 0.0
        now = self.clock()
        start, used = self.windows.get(token, (now, 0))
        if now - start >= 60:
            start, used = now, 0
        reset = max(0.0, start + 60 - now)
        if used >= self.limit:
            self.windows[token] = (start, used)
            return False, 0, reset
        used += 1
        self.windows[token] = (start, used)
        return True, self.limit - used, reset


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int | None
    fault: str | None
    token_ok: bool


class EmulatorServer:
    def __init__(
        self,
        state: EmulatorState,
        *,
        tokens: dict[str, frozenset[str] | set[str]] | None = None,
        port: int = 0,
        rate_limit: int | None = None,
        faults: FaultPlan | None = None,
        clock: Callable[[], float] = time.monotonic,
        data_dir: str | Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        before_request: Callable[[str, str, dict[str, str]], None] | None = None,
        after_request: Callable[["LoggedRequest"], None] | None = None,
        deviations: Iterable[str] = (),
    ) -> None:
        self.state = state.deviate(deviations) if deviations else state
        #: called with (method, path, query) before each authorised request: tests use it to
        #: make "someone else" edit in Webflow at a precise moment
        self.before_request = before_request
        #: called after a request was applied, before its answer is sent (a crash test kills
        #: the client here: the write happened, the client never learns it)
        self.after_request = after_request
        self.tokens = {t: frozenset(s) for t, s in (tokens or {"demo-token": ALL_SCOPES}).items()}
        self.rate = RateLimiter(rate_limit, clock)
        self.faults = faults or FaultPlan()
        self.data_dir = Path(data_dir) if data_dir else None
        self.sleep = sleep
        self.log: list[LoggedRequest] = []
        #: the asset CDN (``/cdn/...``): paths answered 404, and its own fault plan (the API's by default)
        self.cdn_missing: set[str] = set()
        self.cdn_faults = self.faults
        self._log_lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def asset_origin(self) -> str:
        """What ``WFSYNC_ASSET_ORIGIN`` should be set to: every Webflow CDN host maps here."""
        from .cdn import PREFIX

        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="webflow-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the request log -----------------------------------------------------
    def requests(self, method: str | None = None, contains: str = "") -> list[LoggedRequest]:
        with self._log_lock:
            return [r for r in self.log if (method is None or r.method == method) and contains in r.path]

    def clear_log(self) -> None:
        with self._log_lock:
            self.log.clear()

    # -- persistence -----------------------------------------------------------
    def save(self) -> None:
        if self.data_dir is None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        target = self.data_dir / "emulator.json"
        fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".emulator.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.state.dump(), fh)
        os.replace(tmp, target)

    # -- handling --------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes) -> tuple[int, dict[str, str], Any, str | None]:
        """Answer one request: (status, extra headers, JSON body or None, fault)."""
        parts = urlsplit(raw_path)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path.startswith("/cdn/"):
            return self._cdn(method, path, query)
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        scopes = self.tokens.get(token)
        entry = LoggedRequest(method, path, query, None, None, scopes is not None)
        with self._log_lock:
            self.log.append(entry)
        if scopes is None:
            entry.status = 401
            return 401, {}, ApiFailure(401, "not_authorized", "Request not authorized").body(), None
        allowed, remaining, reset = self.rate.take(token)
        rate_headers = {"X-RateLimit-Limit": str(self.rate.limit or 1000), "X-RateLimit-Remaining": str(remaining)}
        if not allowed:
            entry.status = 429
            return 429, {**rate_headers, "Retry-After": str(max(1, math.ceil(reset)))}, \
                {"message": "Too Many Requests", "code": "too_many_requests", "details": []}, None
        if self.before_request is not None:
            self.before_request(method, path, query)
        fault, after = self.faults.draw()
        entry.fault = fault
        if fault == "slow":
            self.sleep(self.faults.slow_seconds)
        if fault == "429":
            entry.status = 429
            return 429, {**rate_headers, "Retry-After": str(self.faults.retry_after)}, \
                {"message": "Too Many Requests", "code": "too_many_requests", "details": []}, None
        if fault in ("500", "503", "drop") and not after:
            entry.status = None if fault == "drop" else int(fault)
            return _fault_answer(fault, rate_headers)
        try:
            status, body = self._dispatch(method, path, query, raw_body, scopes)
        except ApiFailure as failure:
            status, body = failure.status, failure.body()
        if fault in ("500", "503", "drop"):
            entry.status = None if fault == "drop" else int(fault)
            return _fault_answer(fault, rate_headers)
        entry.status = status
        if self.after_request is not None:
            self.after_request(entry)
        return status, rate_headers, body, None

    def _cdn(self, method: str, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any, str | None]:
        """The asset CDN: public (no token), bytes not JSON, with the same fault injection."""
        from .cdn import PREFIX, asset

        entry = LoggedRequest(method, path, query, None, None, True)
        with self._log_lock:  # also one draw at a time: the seeded sequence and per-path counts stay whole
            self.log.append(entry)
            fault, _ = self.cdn_faults.draw(path)
        entry.fault = fault
        if fault == "slow":
            self.sleep(self.cdn_faults.slow_seconds)
        if fault in ("500", "503", "drop"):
            entry.status = None if fault == "drop" else int(fault)
            return _fault_answer(fault, {})
        if fault == "429":
            entry.status = 429
            return 429, {"Retry-After": str(self.cdn_faults.retry_after)}, {"message": "Too Many Requests"}, None
        rel = path[len(PREFIX):]
        found = None if rel in self.cdn_missing or method != "GET" else asset(rel)
        if found is None:
            entry.status = 404
            return 404, {"Content-Type": "text/plain"}, b"Not Found", None
        entry.status = 200
        return 200, {"Content-Type": found[0], "Cache-Control": "public, max-age=31536000"}, found[1], None

    def _dispatch(self, method: str, path: str, query: dict[str, str], raw_body: bytes, scopes: frozenset[str]) -> tuple[int, Any]:
        if not path.startswith(API_PREFIX + "/"):
            raise ApiFailure(404, "resource_not_found", f"Requested resource not found: {path}")
        found = match(method, path[len(API_PREFIX):])
        if found is None:
            raise ApiFailure(404, "resource_not_found", f"Requested resource not found: {path}")
        route, params = found
        if route.scope not in scopes:
            raise ApiFailure(403, "missing_scopes", f"OAuthForbidden: You are missing the following scopes - {route.scope}")
        body: Any = None
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                raise ApiFailure(400, "bad_request", "Bad Request: Request is malformed") from None
        with self.state.lock:
            status, answer = route.handler(self.state, params, query, body)
            if route.writes:
                self.save()
        return status, answer

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "webflow-emulator"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                return  # the request log is the record; stderr stays quiet

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, body, fault = server.handle(self.command, self.path, headers, raw)
                if fault == "drop":
                    self.close_connection = True
                    return
                raw_bytes = isinstance(body, bytes)  # the asset CDN answers bytes, with their own type
                payload = body if raw_bytes else b"" if body is None or status == 204 else json.dumps(body).encode()
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                if payload and not raw_bytes:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

        return Handler


def _fault_answer(fault: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any, str | None]:
    if fault == "drop":
        return 0, {}, None, "drop"
    code = "internal_error" if fault == "500" else "service_unavailable"
    message = "An Internal Error occurred" if fault == "500" else "Service Unavailable"
    return int(fault), headers, {"code": code, "message": message, "details": []}, None
