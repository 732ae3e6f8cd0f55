"""Reading input files safely: regular files only, never through a symbolic link, and
names the rest of the pipeline can use.

Every input (dumps, curated files, the permalink ledger) is read through `read_regular`:
a symbolic link could publish a file from outside the repository (its text lands in
pages and in the parse report), a FIFO would block the build, a folder or a device is not
a dump. `bad_name` says why a dump's file name cannot be used: the name reaches page
titles, URLs, messages and CI annotations.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .textnorm import describe_character, forbidden_character

MAX_NAME_BYTES = 120  # the digest page is <slug>.md, its folder <slug>/: well under 255


class NotAFile(Exception):
    """The path is not a regular file that may be read (the message says what it is)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of `path` (at most `limit` + 1 when a limit is given). NotAFile for a
    symbolic link or anything that is not a regular file; OSError for the rest."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise NotAFile("a symbolic link; inputs must be regular files (copy the file "
                           "here instead)") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotAFile(f"{_kind(mode)}, not a regular file")
    with os.fdopen(fd, "rb") as f:
        return f.read() if limit is None else f.read(limit + 1)


def bad_name(name: str) -> str | None:
    """Why a dump's file name cannot be used, or None."""
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename the file"
    bad = forbidden_character(name) or next((c for c in name if c in "\t\n\r\u2028\u2029"),
                                            None)
    if bad is not None:
        return f"the file name holds a {describe_character(bad)}; rename the file"
    if size > MAX_NAME_BYTES:
        return f"the file name is longer than {MAX_NAME_BYTES} bytes ({size}); rename the file"
    return None


def read_utf8(path: Path, limit: int) -> tuple[str | None, str | None, int]:
    """A curated file's text: (text, None, 0), or (None, why not, line)."""
    try:
        data = read_regular(path, limit)
    except NotAFile as exc:
        return None, str(exc), 1
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror}", 1
    if len(data) > limit:
        return None, f"file is larger than {limit // 1024} KiB", 1
    try:
        return data.decode("utf-8"), None, 0
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8: {exc.reason}", data.count(b"\n", 0, exc.start) + 1
