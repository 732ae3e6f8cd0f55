"""Progress: bars on a terminal, plain timed lines elsewhere (CI logs)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Progress:
    def __init__(self, stream=None, interactive: bool | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.quiet = quiet
        self.timings: list[tuple[str, float]] = []

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[list[str]]:
        """Time a stage; the body may append a summary to the yielded list."""
        summary: list[str] = []
        start = time.perf_counter()
        if self.interactive and not self.quiet:
            print(f"{name}…", end="\r", file=self.stream, flush=True)
        yield summary
        elapsed = time.perf_counter() - start
        self.timings.append((name, elapsed))
        self.say(f"{name}: {' '.join(summary) + ' ' if summary else ''}({elapsed:.2f} s)")

    def bar(self, total: int, desc: str):
        """A tqdm bar on a terminal, None elsewhere."""
        if self.interactive and not self.quiet:
            from tqdm import tqdm

            return tqdm(total=total, desc=desc, file=self.stream, leave=False)
        return None
