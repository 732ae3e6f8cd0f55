"""Run a pure function on another core while this process goes on.

`start(function, *args)` forks: the child already holds the arguments (nothing is copied
or pickled on the way in), computes, and sends back the pickled result through a pipe;
the returned `wait()` gives that result, or raises the exception the function raised
(each time it is called: the process is collected once).
Where processes cannot be forked (not Linux) or there is one core, the function runs at
once in this process. Either way the result is the same value: only the time differs.

The child must not use threads the parent started (a thread pool's locks may be held at
the fork): callers give it plain Python work.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741


class Lost(RuntimeError):
    """A forked process ended without its result: killed (often by the kernel when memory
    ran out) or gone some other way."""


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        signal = os.WTERMSIG(status)
        return (f"a process of the build was killed (signal {signal}"
                + (", which the kernel sends when memory runs out)" if signal == 9 else ")"))
    return f"a process of the build ended without its result (exit status {status >> 8})"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def start(function: Callable[..., T], *args: object) -> Callable[[], T]:
    if sys.platform != "linux" or cores() < 2:
        result = function(*args)
        return lambda: result
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's code
        status = 0
        try:
            os.close(read)
            try:
                payload = pickle.dumps((True, function(*args)), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                try:
                    payload = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
                except Exception:
                    payload = pickle.dumps((False, RuntimeError(repr(exc))))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)
    done: list[tuple[bool, object]] = []  # the outcome, once collected

    def wait() -> T:
        if not done:
            with os.fdopen(read, "rb") as pipe:
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
            done.append(pickle.loads(payload) if payload else (False, Lost(_how(status))))
        ok, value = done[0]
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]

    return wait


def in_two(function: Callable[..., Sequence[T]], items: Sequence[I], at: int,
           *args: object) -> list[T]:
    """`function(items[:at], *args) + function(items[at:], *args)`, the second part on
    another core (`start`; nothing is forked when it is empty)."""
    theirs = start(function, items[at:], *args) if at < len(items) else list
    return [*function(items[:at], *args), *theirs()]
