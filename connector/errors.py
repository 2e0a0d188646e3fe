"""The exception tree.

Exceptions carry data as keyword attributes and a one-line ``__str__``; the CLI
(``cli.explain``) turns each type into advice and an exit code. No exception
ever holds the API token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class WfsyncError(Exception):
    """Base of every error wfsync raises on purpose."""

    #: what the user can do about it; the CLI prints it under the message
    hint: str = ""

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        for key, value in data.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message


class ConfigError(WfsyncError):
    hint = "Check the settings: WEBFLOW_TOKEN, WEBFLOW_API_BASE, WEBFLOW_SITE_ID, and the mapping files."


class MappingError(ConfigError):
    hint = "Fix the mapping file named above (or regenerate it with `wfsync init`)."


class StateFileError(ConfigError):
    """The sync state (``.wfsync/state.json``) cannot be read: the hint is set per case."""


class UnsafePathError(WfsyncError):
    hint = "A slug or a mapping path would write outside the snapshot root; nothing was written there."


class ValueProblem(WfsyncError):
    """A field value that does not fit its type (one item, one field). ``found``: the value at
    fault, when the message shows it; ``template``: the message with ``{found}`` where it does."""

    def shown_as(self, text: str) -> str:
        """The message showing the value as ``text`` (as the user typed it in the file)."""
        template = getattr(self, "template", None)
        return template.replace("{found}", text) if isinstance(template, str) else self.message


class DanglingReference(ValueProblem):
    """A reference to an item of a mapped collection that is in no file and not in Webflow."""


class DeletedReference(DanglingReference):
    """A reference Webflow holds to an item it no longer has: ``value`` is the field's value with
    each such id kept as it is (the others as their files), ``ids`` those ids."""

    def __init__(self, message: str, value: object, ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.value = value
        self.ids = ids


@dataclass(frozen=True)
class FieldDetail:
    param: str
    description: str


class ApiError(WfsyncError):
    """An error answer from the Webflow API (or none at all)."""

    retryable: bool = False
    hint = "See the message; the Webflow API refused the request."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: tuple[FieldDetail, ...] = (),
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details
        self.method = method
        self.path = path
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        head = f"{self.status} {self.code or ''}".strip() if self.status else "no answer"
        text = f"{head}: {self.message}"
        if self.details:
            text += " (" + "; ".join(f"{d.param}: {d.description}" for d in self.details) + ")"
        return f"{text} [{where}]" if where else text


class AuthError(ApiError):
    hint = "The token was refused: set WEBFLOW_TOKEN to a valid site API token for this site."


class MissingScopeError(ApiError):
    hint = "The token lacks a scope: create a site token with cms:read and cms:write (and sites:read)."


class NotFoundError(ApiError):
    hint = "Check the site id, the collection in the mapping, or run `wfsync init` again."


class ValidationApiError(ApiError):
    hint = "Webflow rejected a value; the details name the field. Fix the file and run again."


class ConflictApiError(ApiError):
    hint = "Webflow reported a conflict (for example a live update of a never-published item)."


class LeftOutError(ApiError):
    """Webflow answered a bulk write without one of its items, and without an error for it."""

    hint = "Run again: what Webflow holds for the item is unknown, so it was not recorded as synced."


class RateLimitedError(ApiError):
    retryable = True
    hint = "The API rate limit was hit repeatedly; wait a minute or lower the run's frequency."


class ServerError(ApiError):
    retryable = True
    hint = "Webflow had a server error; the run can simply be started again."


class TransportError(ApiError):
    """The request got no answer (timeout, connection reset)."""

    retryable = True
    hint = "The network or the API did not answer; check connectivity and run again."


class UnreachableError(TransportError):
    """Nothing answered at the API's address (connection refused, unknown host): retried briefly only."""

    hint = ("Nothing answers at that address: check WEBFLOW_API_BASE (scheme, host, port) and, "
            "with the emulator, that `wfsync emulator serve` is running.")


class OutcomeUnknownError(ApiError):
    """A write whose effect is unknown (timeout or 5xx after sending a create)."""

    hint = "A create may or may not have happened; run again: wfsync recognises created items by slug."


class LocalValidationError(WfsyncError):
    hint = "Fix the files listed (file, key, what is wrong); nothing was sent to Webflow."

    def __init__(self, message: str, problems: list[Any] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class FileChangedError(WfsyncError):
    """A file is no longer what the run read (or last wrote): someone saved it meanwhile."""

    hint = "The file was saved while wfsync ran and was kept as saved; run again to sync it."


class LockedError(WfsyncError):
    hint = "Another wfsync run holds the lock on this snapshot; wait for it to finish."
