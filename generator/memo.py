"""What the first stages gave for each input, kept between builds.

A daily update adds one dump with a few new papers: every other dump reads, every other
paper classifies, and most paper pages render exactly as the day before. Reading a dump is
a function of its name, its bytes and the page chrome the text readers learned
(`readers.read_dump`), classifying a paper a function of its title, keywords, abstract and
the taxonomy (`topics.classify`), and a paper's page or its item in a list a function of
the values it shows (`render.paper_values`, `render.Card`; the templates are among the
generator's files); so their results are kept under the hash of exactly those, in a `Table`
per stage. So are each paper's search terms (`search.analysis`, a function of its fields;
the process that makes the search index unpickles and refills that table itself:
`Pickled`), and the related papers' state (`related.State`, under the hash of the papers
it holds), which the build writes as soon as it is made (`set_aside`) so that it does not
stay in memory.

Each table is one file, `.build-cache/stages/<stage>.pickle` beside `mkdocs.yml` (the page
cache's git-ignored folder): a header line with the format, the memo key (the generator's
own files, Python's version and the versions of the packages the stages use) and the
SHA-256 of the pickled table, then the table. A file whose header does not match this build,
or whose bytes do not match their hash, is not read: the stage computes everything again and
the file is replaced. Only the entries a build used are written back, and a table is written
only when they changed. The folder is the build's own, as trusted as the page cache's HTML;
the hash guards against a torn or damaged file, not against whoever can write the folder.

The stages see a `Table` (a mapping they look up and fill) and never the disk: this module
is the readers' and the writer's part of the memo.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Hashable
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

FORMAT = 1
CACHE_DIR = ".build-cache"  # the page cache's folder (`generator.cache`), beside mkdocs.yml
FOLDER = "stages"
GENERATOR = Path(__file__).parent
# what reading, classifying and rendering pass through besides the generator's own files
PACKAGES = ("beautifulsoup4", "soupsieve", "PyYAML", "pydantic", "rapidfuzz", "Jinja2",
            "MarkupSafe", "lz4", "numpy", "scipy")
_MISSING = object()


def default_folder(config_file: Path) -> Path:
    return config_file.resolve().parent / CACHE_DIR


Used = dict[Hashable, Any]  # a table's entries a process used: None where the table held them


class Table:
    """One stage's results by input hash: `get` returns the stored value or computes it;
    `used` is what this build looked up, which is what is kept."""

    def __init__(self, stored: dict[Hashable, Any] | None = None) -> None:
        self.stored = stored or {}
        self.used: dict[Hashable, Any] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The stored value, or `compute()`'s (never None), kept either way."""
        value = self.known(key)
        if value is None:
            value = self.used[key] = compute()
        return value

    def known(self, key: Hashable) -> Any:
        """The stored value (marked used), or None."""
        value = self.used.get(key, _MISSING)
        if value is _MISSING:
            value = self.stored.get(key, _MISSING)
            if value is _MISSING:
                return None
            self.used[key] = value
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self.used[key] = value

    def used_since(self, before: set[Hashable]) -> Used:
        """The entries used since `before` (the keys `used` held then), for the process
        that forked this one (`take`): each value where the table did not hold it, else
        None."""
        return {key: None if key in self.stored else value
                for key, value in self.used.items() if key not in before}

    def take(self, used: Used) -> None:
        """What another process used of its copy of this table (`used_since`)."""
        for key, value in used.items():
            if value is None:
                self.known(key)
            else:
                self.put(key, value)

    @property
    def hits(self) -> int:
        return sum(1 for key in self.used if key in self.stored)

    @property
    def changed(self) -> bool:
        return self.used.keys() != self.stored.keys()


def digest(*parts: str | bytes) -> str:
    """A key from text and bytes (each part delimited, so no two lists of parts collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def hash_tree(digest, root: Path) -> None:
    """Every file below `root` (its path and its bytes) into `digest`."""
    if not root.exists():
        digest.update(b"absent\0")
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def memo_key() -> str:
    h = hashlib.sha256(f"paper-index stage memo {FORMAT}\0{sys.version}\0".encode())
    for name in PACKAGES:
        h.update(f"{name}={package_version(name)}\0".encode())
    hash_tree(h, GENERATOR)
    return h.hexdigest()


class Memo:
    """The tables of one build, read from `folder` (None: nothing kept, every table starts
    empty) on first use and written back by `save`."""

    def __init__(self, folder: Path | None, key: str | None = None) -> None:
        self.folder = folder
        self.key = key if key is not None else (memo_key() if folder is not None else "")
        self.tables: dict[str, Table] = {}
        self.aside: dict[str, Path] = {}  # stage -> its table, written (`set_aside`)
        self.handed: dict[str, Pickled] = {}  # tables another process fills (`pickled`)

    def table(self, stage: str) -> Table:
        if stage not in self.tables:
            self.tables[stage] = Table(self._load(stage))
        return self.tables[stage]

    def _path(self, stage: str) -> Path:
        assert self.folder is not None
        return self.folder / FOLDER / f"{stage}.pickle"

    def _header(self, payload: bytes | memoryview) -> bytes:
        return self._header_of(hashlib.sha256(payload).hexdigest())

    def _header_of(self, sha256: str) -> bytes:
        return f"paper-index stage memo {FORMAT} {self.key} {sha256}\n".encode()

    def _payload(self, stage: str) -> memoryview | None:
        """The table's pickle, when its header matches this build and its hash."""
        if self.folder is None:
            return None
        try:
            data = self._path(stage).read_bytes()
        except OSError:
            return None
        cut = data.find(b"\n") + 1
        payload = memoryview(data)[cut:]  # not a copy
        if not cut or data[:cut] != self._header(payload):
            return None  # another build's, or damaged: computed again and replaced
        return payload

    def _load(self, stage: str) -> dict[Hashable, Any]:
        return unpickled(self._payload(stage))

    def pickled(self, stage: str) -> Pickled:
        """The table as a pickle, for a process that unpickles it, looks up and fills it,
        and gives back the pickle of what it used (`Pickled`)."""
        if stage not in self.handed:
            self.handed[stage] = Pickled(self._payload(stage))
        return self.handed[stage]

    def set_aside(self, stage: str) -> None:
        """Write the table now, under a temporary name beside its file, and drop it from
        memory (a large table need not stay for the rest of the build): `save` puts the
        file in place, `discard` removes it. A table that did not change is dropped and
        its file left as it is. A table another process filled (`pickled`) is written
        from its pickle, which is dropped."""
        table = self.tables.get(stage)
        handed = self.handed.get(stage)
        if self.folder is None or (table is None and handed is None):
            return
        if table is not None and table.changed:
            self._aside(stage, lambda path: self._write(path, table.used))
        elif handed is not None and handed.used is not None:
            used = handed.used
            self._aside(stage, lambda path: write_file(path, self._header(used), used))
        if table is not None:
            self.tables[stage] = _SetAside()
        if handed is not None:
            handed.used = handed.payload = None

    def set_aside_all(self) -> None:
        """`set_aside` every table this build holds."""
        for stage in sorted({*self.tables, *self.handed}):
            self.set_aside(stage)

    def _aside(self, stage: str, write: Callable[[Path], None]) -> None:
        path = self._path(stage)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.aside.")
        os.close(fd)
        try:
            write(Path(tmp))
        except OSError:
            Path(tmp).unlink(missing_ok=True)
        else:
            self.aside[stage] = Path(tmp)

    def discard(self) -> None:
        """Remove what `set_aside` wrote (a build that failed keeps nothing)."""
        for tmp in self.aside.values():
            tmp.unlink(missing_ok=True)
            for folder in (tmp.parent, tmp.parent.parent):  # when set_aside made them
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only an empty one
        self.aside.clear()

    def save(self) -> None:
        """Write back each table this build changed (atomically; a folder that cannot be
        written keeps nothing, and the build goes on)."""
        if self.folder is None:
            return
        try:
            for stage, tmp in sorted(self.aside.items()):
                os.replace(tmp, self._path(stage))
            self.aside.clear()
            for stale in (self.folder / FOLDER).glob(".*.aside.*"):  # an interrupted build's
                stale.unlink(missing_ok=True)
            for stage, table in sorted(self.tables.items()):
                if not table.changed:
                    continue
                self._write(self._path(stage), table.used)
            for stage, handed in sorted(self.handed.items()):
                if handed.used is not None:
                    write_file(self._path(stage), self._header(handed.used), handed.used)
        except OSError:
            self.discard()

    def _write(self, path: Path, table: dict[Hashable, Any]) -> None:
        """Pickle the table straight into the file, hashed on the way (a large table's
        pickle is never whole in memory), then put the header before it (its length is
        known: the hash is a hex digest); atomically (`write_with`)."""

        def fill(f: BinaryIO) -> None:
            f.write(b"\n" * len(self._header_of(64 * "0")))
            hashing = _Hashing(f)
            pickle.Pickler(hashing, pickle.HIGHEST_PROTOCOL).dump(table)
            f.seek(0)
            f.write(self._header_of(hashing.digest.hexdigest()))

        write_with(path, fill)


def unpickled(payload: bytes | memoryview | None) -> dict[Hashable, Any]:
    """A table from its pickle ({} for None, or for what does not unpickle to a table)."""
    if payload is None:
        return {}
    try:
        table = pickle.loads(payload)
    except Exception:
        return {}
    return table if isinstance(table, dict) else {}


class Pickled:
    """A table that a forked process reads and fills: `payload` is the kept table's
    pickle (None: nothing kept), unpickled there (`table`); what it gives back (`give`,
    the pickle of what it used) is set as `used`, written by `Memo.save` as it is, and
    None when it used exactly what was kept."""

    def __init__(self, payload: bytes | memoryview | None) -> None:
        self.payload = payload
        self.used: bytes | None = None

    def table(self) -> Table:
        return Table(unpickled(self.payload))

    @staticmethod
    def give(table: Table) -> bytes | None:
        return pickle.dumps(table.used, pickle.HIGHEST_PROTOCOL) if table.changed else None


class _SetAside(Table):
    """A table written already: nothing more to write for it."""

    @property
    def changed(self) -> bool:
        return False


class _Hashing:
    """A file that hashes what is written to it."""

    def __init__(self, file) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data) -> int:
        self.digest.update(data)
        return self.file.write(data)


def write_file(path: Path, *parts: bytes) -> None:
    """Write the parts, one after the other, atomically (parts: a large payload is never
    copied to join its header)."""
    write_with(path, lambda f: f.writelines(parts))


def write_with(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """Write what `fill` writes into the open file, atomically: a temporary name in the
    same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
