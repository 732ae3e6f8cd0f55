"""The page cache: the HTML mkdocs made of each generated page, kept between builds.

A daily update changes a few hundred of the generated pages; the others would come out
of mkdocs byte for byte as before. The cache keeps each generated page's HTML under the
hash of everything that page's HTML is made of:

* the build's key: the generator's own files, the theme overrides, the hand-written docs,
  `mkdocs.yml`, the settings it reads from the environment, the engine and the versions
  of every package the page passes through (`build_key`);
* the page's address and its full text (front matter and body), as the site model
  holds it (packed).

The navigation is part of every page, so the cache is used only when every entry of the
`nav` has its title in `mkdocs.yml` (a title taken from a page's text could change
without the page being rebuilt). A page out of the navigation depends on nothing else.

The folder (`.build-cache/` beside `mkdocs.yml`, git-ignored) holds `manifest.json`
(the build key, and each entry's SHA-256) and `pages/<entry>.html`. Whatever cannot be
proven valid is thrown away whole (the manifest and every page; the stage memo beside them,
`stages/`, proves its own validity): another build key, a manifest that does not parse,
an entry whose bytes do not match their hash. Every entry is checked on another core
while the pages are made (`checked`). This module is part of the writer stage:
it is the only other one that touches the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .memo import default_folder, hash_tree, package_version, write_file  # noqa: F401 (default_folder: the writer asks here)
from .writer import ENGINE_VARIABLE

MANIFEST = "manifest.json"
FORMAT = 1
GENERATOR = Path(__file__).parent
# every package a page's HTML passes through, and the engines
PACKAGES = ("mkdocs", "properdocs", "mkdocs-material", "Markdown", "Jinja2", "MarkupSafe",
            "pymdown-extensions", "PyYAML", "Pygments", "Babel")
_ENV_TAG = re.compile(r"!ENV\s*\[?([^\]\n]*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def build_key(config_file: Path, docs_src: Path) -> str:
    digest = hashlib.sha256(f"paper-index page cache {FORMAT}\0".encode())
    digest.update(sys.version.encode() + b"\0")
    for name in PACKAGES:
        digest.update(f"{name}={package_version(name)}\0".encode())
    config = config_file.read_bytes()
    # the settings `mkdocs.yml` reads from the environment (`!ENV`), and the engine
    names = {ENGINE_VARIABLE} | {name for found in _ENV_TAG.findall(config.decode("utf-8",
                                                                                "replace"))
                                 for name in _NAME.findall(found)}
    for name in sorted(names):
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    digest.update(config + b"\0")
    for root in (GENERATOR, config_file.resolve().parent / "overrides", docs_src):
        hash_tree(digest, root)
    return digest.hexdigest()


def entry(key: str, uri: str, packed: bytes) -> str:
    """The name of a page's entry: the hash of the build key, its address and its text as
    the model holds it, packed (`generator.packed`: another text never packs to the same
    bytes; the same text packed by another version of LZ4 only misses the cache)."""
    return hashlib.sha256(f"{key}\0{uri}\0".encode() + packed).hexdigest()


@dataclass
class PageCache:
    folder: Path
    key: str
    hashes: dict[str, str] = field(default_factory=dict)  # entry -> SHA-256 of its HTML
    reason: str = ""  # why the cache found on disk was thrown away ('' when it was not)

    def path(self, name: str) -> str:
        return os.path.join(self.folder, "pages", f"{name}.html")

    def verify(self, name: str) -> bool:
        """Whether the cache holds this entry; an entry whose bytes do not match the
        manifest raises `Invalid`."""
        expected = self.hashes.get(name)
        if expected is None:
            return False
        try:
            data = Path(self.path(name)).read_bytes()
        except OSError:
            raise Invalid(f"entry {name} is missing") from None
        if hashlib.sha256(data).hexdigest() != expected:
            raise Invalid(f"entry {name} does not match its hash")
        return True


class Invalid(Exception):
    pass


def checked(folder: Path, key: str) -> PageCache:
    """The cache in `folder` for this build key with every entry's HTML checked against
    its hash (an empty one, `clear`, when any does not match): what `verify` proves of one
    entry, for all at once, so that it can run on another core while the pages are made."""
    store = open_cache(folder, key)
    try:
        for name in store.hashes:
            store.verify(name)
    except Invalid as exc:
        clear(folder)
        return PageCache(folder, key, reason=str(exc))
    return store


def open_cache(folder: Path, key: str) -> PageCache:
    """The cache in `folder` for this build key; an empty one (`clear`) when what is
    there cannot be proven valid."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("another format")
        if manifest.get("key") != key:
            raise ValueError("another build key (generator, theme, configuration or "
                             "packages changed)")
        hashes = manifest.get("pages")
        if not isinstance(hashes, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in hashes.items()):
            raise ValueError("a manifest that does not parse")
        return PageCache(folder, key, dict(hashes))
    except FileNotFoundError:
        reason = "" if not (folder / "pages").exists() else "no manifest"
    except (OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
    clear(folder)
    return PageCache(folder, key, reason=reason)


def clear(folder: Path) -> None:
    """Throw the page cache away: its manifest first (pages it does not name are never
    read), then its pages. The stage memo beside them (`generator.memo`) proves its own
    validity and stays."""
    with contextlib.suppress(OSError):
        (folder / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(folder / "pages", ignore_errors=True)


def save(cache: PageCache, pages: dict[str, str | Path], kept: set[str]) -> None:
    """Keep exactly this build's pages (entry -> its HTML file), one file at a time: the
    entries in `kept` (verified and copied from the cache by this build) stay, the others
    are written, entries this build did not use are deleted, then the manifest is
    replaced atomically."""
    store = cache.folder / "pages"
    store.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, source in sorted(pages.items()):
        if name in kept:
            hashes[name] = cache.hashes[name]
            continue
        hashes[name] = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        link_or_copy(source, cache.path(name), fresh=True)
    # the manifest first: an entry it no longer names is never read
    write_file(cache.folder / MANIFEST, json.dumps(
        {"format": FORMAT, "key": cache.key, "pages": hashes}, sort_keys=True).encode())
    for path in store.iterdir():
        if path.name.removesuffix(".html") not in hashes:
            path.unlink(missing_ok=True)
    cache.hashes = hashes


def link_or_copy(source: str | Path, target: str | Path, fresh: bool = False) -> None:
    """`target` becomes `source`'s file: a hard link where the file system allows it (no
    bytes copied; an entry's hash is checked before each use all the same), else a copy.
    Atomic: a temporary name, then a rename. `fresh`: a plain link first, which is atomic
    too when nothing is at `target` yet (a new name for a complete file); when something
    is there, or hard links fail, the careful way."""
    if fresh:
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # something there already, or no hard links here: the careful way
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        os.unlink(tmp)
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
