"""Give the memory a stage freed back to the system before the next stage runs.

CPython frees a stage's objects into the C allocator, which keeps the pages for later
use: after related papers are scored at 50k papers, half a gigabyte of freed pages stays
counted in the process (and in every process it forks for mkdocs) while the pages are
rendered and built. glibc's `malloc_trim` returns whole free pages to the system. Elsewhere
(another C library, another system) this does nothing: it changes the memory a build
holds, never what it makes.
"""

from __future__ import annotations

import ctypes
import sys


def release() -> None:
    if sys.platform != "linux":
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has none
    except (OSError, AttributeError):
        return
    trim(0)
