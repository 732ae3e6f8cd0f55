"""Work on another core: the same value as calling the function here, its exception
raised here, and nothing of the child's left behind."""

from __future__ import annotations

import os

import pytest

from generator import background


def _square_sum(numbers: list[int]) -> int:
    return sum(n * n for n in numbers)


def _fails(message: str) -> None:
    raise ValueError(message)


def _pid() -> int:
    return os.getpid()


def test_the_result_comes_from_another_process(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 2)
    numbers = list(range(10_000))
    wait = background.start(_square_sum, numbers)
    assert wait() == _square_sum(numbers)
    assert background.start(_pid)() != os.getpid()


def test_an_exception_is_raised_in_the_caller(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 2)
    wait = background.start(_fails, "no such paper")
    with pytest.raises(ValueError, match="no such paper"):
        wait()


def test_one_core_runs_it_here(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 1)
    assert background.start(_pid)() == os.getpid()
    with pytest.raises(ValueError, match="at once"):
        background.start(_fails, "at once")
