"""Texts kept compressed in memory: the site model's pages and files.

The model holds every generated page and file before anything is written, about 28 KB of
text per paper (its page, its BibTeX, its share of the exports and listings): 1.4 GB at
50k papers as Python strings, most of them two bytes a character (one character beyond
Latin-1 is enough). Compressed, they take about a fifth of that, and each is uncompressed
only where it is read: hashed for the page cache, read by mkdocs, written.

LZ4 frames (`lz4`), at the fastest level: on the texts of 7k real papers (132 M
characters) zlib's fastest level took 1.4 s to compress and 0.6 s to uncompress them (to
36 MB), LZ4 0.2 s and 0.1 s (to 48 MB), and the build reads every page twice.

`pack` is also the render memo's own form of a paper page (`render.paper_pages`), so a
page the memo holds joins the model as it is stored, without being uncompressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import lz4.frame

CHUNK = 2**20
_SETTINGS = {"compression_level": 0, "content_checksum": False}


def pack(text: str) -> bytes:
    """A lone surrogate (which no text the generator publishes holds: `textnorm` cleans
    them out when reading) raises UnicodeEncodeError here, as it would where the text is
    written: what is packed is valid UTF-8, written as it is."""
    return lz4.frame.compress(text.encode("utf-8"), **_SETTINGS)


def pack_parts(parts: Iterable[str]) -> bytes:
    """`pack("".join(parts))` without the joined text in memory (the bytes may differ
    from `pack`'s; they unpack to the same text)."""
    packer = lz4.frame.LZ4FrameCompressor(**_SETTINGS)
    out = [packer.begin()]
    out += [packer.compress(part.encode("utf-8")) for part in parts]
    out.append(packer.flush())
    return b"".join(out)


def unpack(blob: bytes) -> str:
    return lz4.frame.decompress(blob).decode("utf-8")


def unpacked_bytes(blob: bytes) -> Iterator[bytes]:
    """The text's UTF-8 a megabyte at a time, for writing a file: an export of a large
    index is never whole in memory."""
    unpacker = lz4.frame.LZ4FrameDecompressor()
    data = unpacker.decompress(blob, max_length=CHUNK)
    while True:
        if data:
            yield data
        if unpacker.eof:
            return
        data = unpacker.decompress(b"", max_length=CHUNK)


@dataclass(frozen=True)
class Texts:
    """(path, text) pairs in path order, each text stored packed. Iterating gives the
    texts; `packed()` the stored bytes. Equal models have equal bytes (LZ4 gives the same
    bytes for the same text and settings)."""

    paths: tuple[str, ...] = ()
    blobs: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.paths) != len(self.blobs):
            raise ValueError("a path without its text, or a text without its path")

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for path, blob in zip(self.paths, self.blobs, strict=True):
            yield path, unpack(blob)

    def __len__(self) -> int:
        return len(self.paths)

    def packed(self) -> Iterator[tuple[str, bytes]]:
        return zip(self.paths, self.blobs, strict=True)

    @classmethod
    def of(cls, items: dict[str, bytes]) -> Texts:
        """From path -> packed text, sorted by path."""
        ordered = sorted(items.items())
        return cls(tuple(p for p, _ in ordered), tuple(b for _, b in ordered))

    @classmethod
    def from_texts(cls, pairs: Iterable[tuple[str, str]]) -> Texts:
        """From (path, text) pairs (a path given twice keeps its last text)."""
        return cls.of({path: pack(text) for path, text in pairs})
