"""Counts as the user reads them: "1 conflict", "2 conflicts", never "1 conflicts" or "problem(s)"."""

from __future__ import annotations

#: nouns whose plural is not the noun with an "s"
IRREGULAR = {"is": "are", "has": "have", "refers": "refer"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``noun`` as it agrees with ``count`` (``many``: its plural, when not ``noun + "s"``)."""
    if count == 1:
        return noun
    return many or IRREGULAR.get(noun) or noun + "s"


def counted(count: int, noun: str, many: str | None = None) -> str:
    """``1 conflict``, ``2 conflicts``, ``1,200 items``."""
    return f"{count:,} {plural(count, noun, many)}"
