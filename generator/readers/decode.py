"""Bytes to text: BOM, line endings, invalid UTF-8, NUL bytes and binary files."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ERROR, WARNING, Problem

FALLBACK_ENCODING = "cp1252"
MAX_FILE_BYTES = 64 * 1024 * 1024
_TEXT_BYTES = bytes([9, 10, 12, 13, 27, *range(32, 256)])  # all but other control bytes


@dataclass(frozen=True)
class Decoded:
    text: str | None  # None when the file cannot be read as text at all
    problems: tuple[Problem, ...]


def _line_of(data: bytes, offset: int) -> int:
    """The line `_finish` will give this byte: CRLF, CR and LF all end a line."""
    return (data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset)
            - data.count(b"\r\n", 0, offset) + 1)


def looks_binary(data: bytes) -> bool:
    """True for files that are clearly not text: many NUL or other control bytes."""
    sample = data[:65536]
    if not sample:
        return False
    controls = len(sample.translate(None, _TEXT_BYTES))
    return controls / len(sample) > 0.10


def decode(path: str, data: bytes) -> Decoded:
    problems: list[Problem] = []
    if len(data) > MAX_FILE_BYTES:
        return Decoded(None, (Problem(path, 1, ERROR, f"file is larger than "
                                      f"{MAX_FILE_BYTES // 2**20} MiB, the limit for a dump"),))
    if looks_binary(data):
        return Decoded(None, (Problem(path, 1, ERROR, "binary file, not a dump"),))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return Decoded(None, (Problem(path, 1, ERROR,
                                          "UTF-16 byte order mark but not UTF-16"),))
        problems.append(Problem(path, 1, WARNING, "file is UTF-16; read it as such"))
        return Decoded(_finish(path, text, problems), tuple(problems))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        bad = data[exc.start : exc.start + 1].hex()
        try:
            text = data.decode(FALLBACK_ENCODING)
            used = FALLBACK_ENCODING
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            used = "latin-1"
        problems.append(Problem(path, line, WARNING, f"not valid UTF-8 (first bad byte 0x{bad}); "
                                f"read the file as {used}"))
    return Decoded(_finish(path, text, problems), tuple(problems))


def _finish(path: str, text: str, problems: list[Problem]) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        first = text.count("\n", 0, text.index("\x00")) + 1
        problems.append(Problem(path, first, WARNING,
                                f"{text.count(chr(0))} NUL byte(s) removed"))
        text = text.replace("\x00", "")
    return text
