"""The one place that talks HTTP: base URL, auth, timeout, pacing, retry, error mapping.

Everything else asks ``Transport.request`` for a JSON answer. The token lives in
the session's headers only: it is never logged, never in a repr, never in an error.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_any

from . import __version__
from .errors import (
    ApiError,
    AuthError,
    ConflictApiError,
    FieldDetail,
    MissingScopeError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnreachableError,
    ValidationApiError,
)
from .model import CallStats

log = logging.getLogger("wfsync.http")

Sleep = Callable[[float], None]
Clock = Callable[[], float]

#: a refused connection is tried this many times, a second apart at most: a server that is down
#: or a wrong port is said at once, not after minutes of backoff
UNREACHABLE_ATTEMPTS = 3
#: Retry-After can be large ("typically 60 seconds"); past this we give up the attempt
MAX_RETRY_AFTER = 120.0
WINDOW_SECONDS = 60.0


@dataclass
class Pacer:
    """Slows down before the per-minute budget runs out.

    Webflow sends ``X-RateLimit-Limit``/``X-RateLimit-Remaining`` but no reset time,
    so the window start is estimated as the moment the remaining count went up
    (a new window) or was first seen.
    """

    clock: Clock
    reserve: int = 1
    limit: int | None = None
    remaining: int | None = None
    window_start: float | None = None

    def observe(self, headers: Mapping[str, str], sent_at: float) -> None:
        remaining = _int_header(headers, "X-RateLimit-Remaining")
        limit = _int_header(headers, "X-RateLimit-Limit")
        if remaining is None:
            return
        if self.remaining is None or remaining > self.remaining or self.window_start is None:
            self.window_start = sent_at
        self.remaining = remaining
        self.limit = limit

    def delay(self) -> float:
        """Seconds to wait before the next request (0 when the budget allows it)."""
        if self.remaining is None or self.remaining > self.reserve:
            return 0.0
        start = self.window_start if self.window_start is not None else self.clock()
        return max(0.0, start + WINDOW_SECONDS + 0.5 - self.clock())

    def waited(self) -> None:
        # after sleeping out the window, the budget is unknown until the next answer
        self.remaining = None
        self.window_start = None


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: ValidationApiError,
    401: AuthError,
    404: NotFoundError,
    408: TransportError,  # the server gave up waiting for the request: safe to send again
    409: ConflictApiError,
    429: RateLimitedError,
}


def error_from_response(status: int, body: Any, method: str, path: str, headers: Mapping[str, str]) -> ApiError:
    """Build the typed error for an error answer (v2 body ``{code, message, details}``)."""
    code = body.get("code") if isinstance(body, dict) else None
    message = (body.get("message") if isinstance(body, dict) else None) or f"HTTP {status}"
    raw_details = body.get("details") if isinstance(body, dict) else None
    details: list[FieldDetail] = []
    for entry in raw_details or []:
        # Webflow documents {field, message} but sends {param, description}; strings happen too
        if isinstance(entry, dict):
            param = str(entry.get("param") or entry.get("field") or "")
            text = str(entry.get("description") or entry.get("message") or "")
            details.append(FieldDetail(param, text))
        else:
            details.append(FieldDetail("", str(entry)))
    if status == 403:
        cls: type[ApiError] = MissingScopeError if code == "missing_scopes" else AuthError
    elif status >= 500:
        cls = ServerError
    else:
        cls = _STATUS_ERRORS.get(status, ApiError)
    if status == 400 and code not in (None, "validation_error"):
        cls = ApiError
    return cls(
        str(message),
        status=status,
        code=str(code) if code else None,
        details=tuple(details),
        method=method,
        path=path,
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


class Transport:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        session: requests.Session | None = None,
        rate_reserve: int = 1,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.stats = CallStats()
        self.pacer = Pacer(clock=clock, reserve=rate_reserve)
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": f"wfsync/{__version__}",
            }
        )

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r})"

    # -- retry policy ------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, UnreachableError):
            return 0.5 * state.attempt_number
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            return min(exc.retry_after, MAX_RETRY_AFTER)
        # exponential backoff with full jitter on its upper half: 1, 2, 4 ... 30 s
        base = min(30.0, 2.0 ** (state.attempt_number - 1))
        return base / 2 + base / 2 * self.jitter()

    def _do_sleep(self, seconds: float) -> None:
        self.stats.retries += 1
        self.stats.waited_seconds += seconds
        log.info("retrying in %.1fs", seconds)
        self.sleep(seconds)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        kind: str | None = None,
    ) -> Any:
        """Send one API request, retrying what is safe to retry; return the decoded body.

        ``idempotent=False`` (the default for POST) means a 5xx or a lost answer is
        not retried but raised as ``OutcomeUnknownError``: the caller recovers.
        """
        if idempotent is None:
            idempotent = method.upper() != "POST"
        retrying = Retrying(
            stop=stop_any(stop_after_attempt(self.max_attempts), _stop_unreachable),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, ApiError) and e.retryable),
            sleep=self._do_sleep,
            reraise=True,
        )
        return retrying(self._attempt, method, path, params, json, idempotent, kind or f"{method} {path}")

    def _attempt(self, method: str, path: str, params: Any, body: Any, idempotent: bool, kind: str) -> Any:
        delay = self.pacer.delay()
        if delay > 0:
            log.info("rate budget low (%s left): pausing %.1fs", self.pacer.remaining, delay)
            self.stats.waited_seconds += delay
            self.sleep(delay)
            self.pacer.waited()
        url = self.base_url + path
        self.stats.count(kind)
        sent_at = self.clock()
        try:
            response = self.session.request(method, url, params=params, json=body, timeout=self.timeout)
        except requests.ConnectTimeout as exc:
            raise TransportError(f"connection timed out: {type(exc).__name__}", method=method, path=path) from None
        except requests.ConnectionError as exc:
            # a refused connection never reached the server; anything later may have
            reached = not _is_connect_failure(exc)
            if reached and not idempotent:
                raise OutcomeUnknownError("connection lost after sending", method=method, path=path) from None
            if not reached:
                host = urlsplit(self.base_url).netloc
                why = "unknown host" if "NameResolution" in repr(exc) else "connection refused"
                raise UnreachableError(f"cannot reach {host}: {why}", method=method, path=path) from None
            raise TransportError(f"connection failed: {type(exc).__name__}", method=method, path=path) from None
        except requests.Timeout:
            if not idempotent:
                raise OutcomeUnknownError("no answer before the timeout", method=method, path=path) from None
            raise TransportError("no answer before the timeout", method=method, path=path) from None
        self.pacer.observe(response.headers, sent_at)
        log.debug("%s %s -> %s", method, path, response.status_code)
        if response.status_code == 204 or not response.content:
            if response.status_code < 400:
                return None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 400:
            error = error_from_response(response.status_code, payload, method, path, response.headers)
            if not idempotent and isinstance(error, ServerError):
                raise OutcomeUnknownError(
                    f"server error {error.status} after sending", status=error.status, code=error.code,
                    method=method, path=path,
                )
            raise error
        return payload


def _stop_unreachable(state: RetryCallState) -> bool:
    exc = state.outcome.exception() if state.outcome else None
    return isinstance(exc, UnreachableError) and state.attempt_number >= UNREACHABLE_ATTEMPTS


def _is_connect_failure(exc: requests.ConnectionError) -> bool:
    text = repr(exc)
    return any(marker in text for marker in ("NewConnectionError", "Connection refused", "NameResolution"))
