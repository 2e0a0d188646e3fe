"""How far a run is: the engine reports phases and counts; a terminal shows them as bars.

The engine only knows ``Progress`` (``phase``, ``advance``, ``close``); ``NoProgress`` is what
cron, ``-q`` and ``--json`` get. ``TerminalProgress`` draws one bar per collection and phase
with rich, on stderr: ``reading   infos  ━━━━━━  1,200/3,000 items · 40/s · 0:45``.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress as RichProgress, ProgressColumn, Task, TaskID, TextColumn
from rich.progress import TimeRemainingColumn
from rich.text import Text

#: the phases of a run, in order
PHASES = ("reading", "converting", "writing", "pushing")


class Progress(Protocol):
    def phase(self, name: str, collection: str, total: int | None = None) -> None:
        """A new phase of one collection begins (``total`` items, if known)."""

    def advance(self, n: int = 1, total: int | None = None) -> None:
        """``n`` more items of the current phase done; ``total`` when it becomes known."""

    def close(self) -> None:
        """The run is over: leave the terminal as it was."""


class NoProgress:
    """Says nothing: for non-terminals, ``-q`` and ``--json``."""

    def phase(self, name: str, collection: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1, total: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class CountColumn(ProgressColumn):
    """``1,200/3,000 items · 40/s``: counts with separators, and the rate once there is one."""

    def render(self, task: Task) -> Text:
        total = f"{int(task.total):,}" if task.total is not None else "?"
        elapsed = task.finished_time if task.finished else task.elapsed
        # a finished phase: its own average; a running one: rich's recent estimate
        speed = task.completed / elapsed if task.finished and elapsed else task.speed
        rate = f" · {speed:,.0f}/s" if speed else ""
        return Text(f"{int(task.completed):,}/{total} items{rate}", style="progress.download")


class TerminalProgress:
    """Bars on stderr, one per collection and phase; finished ones stay until the run ends."""

    def __init__(self, console: Console) -> None:
        self._bars = RichProgress(
            TextColumn("{task.fields[phase]:<10} {task.fields[collection]}"),
            BarColumn(bar_width=20),
            CountColumn(),
            TextColumn("·"),
            TimeRemainingColumn(compact=True, elapsed_when_finished=True),
            console=console, transient=False, refresh_per_second=8,
        )
        self._task: TaskID | None = None
        self._started = False

    def phase(self, name: str, collection: str, total: int | None = None) -> None:
        self._finish()
        if not self._started:
            self._bars.start()
            self._started = True
        self._task = self._bars.add_task("", total=total, phase=name, collection=collection)

    def advance(self, n: int = 1, total: int | None = None) -> None:
        if self._task is None:
            return
        if total is not None:
            self._bars.update(self._task, total=total)
        self._bars.advance(self._task, n)

    def _finish(self) -> None:
        if self._task is not None:
            task = self._bars.tasks[-1]
            self._bars.update(self._task, total=task.completed)  # an early stop is a full bar too
            self._bars.stop_task(self._task)
            self._task = None

    def close(self) -> None:
        self._finish()
        if self._started:
            self._bars.stop()
            self._started = False
