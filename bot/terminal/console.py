"""The terminal itself, through rich: colour, a visible prompt and a live quick-fire countdown
on a terminal; plain lines (no colour codes, no prompt, countdown marks as lines) when output
goes to a pipe or a file, so scripts and tests read exactly what was said."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Protocol, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

PROMPT = "› "


class Screen(Protocol):
    """Where terminal practice shows things."""

    def show(self, text: Text | str) -> None:
        """Print one block of output."""
        ...

    def notice(self, text: str) -> None:
        """A side note (on stderr): where answers are saved, input ended."""
        ...

    def prompt(self) -> None:
        """Show that the session waits for a typed line."""
        ...

    def countdown(self, seconds_left: float | None) -> None:
        """Show (or, with None, clear) the quick-fire time left."""
        ...


class _Console(Console):
    """rich's Console, except that a closed stdout (`| head`) does not end the process: rich
    goes quiet (stdout onto /dev/null, so the flush at exit is quiet too) and the session still
    runs to the end of its input, saving every answer."""

    def on_broken_pipe(self) -> None:
        """Go quiet instead of rich's `SystemExit(1)`."""
        self.quiet = True
        with contextlib.suppress(OSError, ValueError):  # a file with no descriptor (tests)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.file.fileno())


class RichScreen:
    """A `Screen` on stdout and stderr."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.console = _Console(file=out or sys.stdout, highlight=False, soft_wrap=True)
        self.errors = Console(file=err or sys.stderr, highlight=False, soft_wrap=True)
        self.live = self.console.is_terminal
        self._countdown: Live | None = None

    def show(self, text: Text | str) -> None:
        """Print `text` (plain strings are not read as markup)."""
        self.console.print(text, markup=False)

    def notice(self, text: str) -> None:
        """Print a side note on stderr."""
        self.errors.print(text, markup=False, style="dim")

    def prompt(self) -> None:
        """On a terminal, a coloured prompt before the cursor."""
        if self.live and self._countdown is None:
            self.console.print(Text(PROMPT, style="bold cyan"), end="")

    def countdown(self, seconds_left: float | None) -> None:
        """A countdown line redrawn in place on a terminal; marks at 10 s and 5 s elsewhere."""
        if seconds_left is None:
            if self._countdown is not None:
                self._countdown.stop()
                self._countdown = None
            return
        left = max(round(seconds_left), 0)
        if not self.live:
            if left in (10, 5):
                self.show(f"   ⏱ {left} s left")
            return
        style = "bold red" if left <= 5 else "yellow" if left <= 10 else "cyan"
        line = Text(f"   ⏱ {left:>2} s left ", style=style) + Text(PROMPT, style="bold cyan")
        if self._countdown is None:
            self._countdown = Live(line, console=self.console, auto_refresh=False, transient=True)
            self._countdown.start()
            self.console.show_cursor(show=True)  # Live hides it; the person is typing here
        self._countdown.update(line, refresh=True)
