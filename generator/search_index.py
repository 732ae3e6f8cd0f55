"""Run Pagefind over the search documents, and make its output reproducible.

Pagefind 1.5 writes the values of each filter in hash-map order, which changes from run
to run, and names files after their content. `canonicalize` sorts the filter values,
renames each filter file after its new content, and rewrites the references to it (the
language's `.pf_meta` file, itself renamed, and `pagefind-entry.json`), so the same
papers always give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"


class SearchIndexFailed(Exception):
    pass


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexFailed(f"{path.name}: not a Pagefind file")
    return cbor2.loads(data[len(SIGNATURE):])


def _encode(value) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=9, mtime=0)


def run_pagefind(source: Path, output: Path) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(source), "--output-path",
               str(output), "--force-language", "en", "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(str(exc)) from None
    if done.returncode != 0 or not (output / "pagefind.js").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise SearchIndexFailed("pagefind failed: " + " | ".join(detail))
    canonicalize(output)


def canonicalize(output: Path) -> None:
    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        renamed: dict[str, str] = {}
        for path in sorted((output / "filter").glob(f"{language}_*.pf_filter")):
            name, values = _read(path)
            canonical = _encode([name, sorted(values, key=lambda v: v[0])])
            new = f"{language}_{hashlib.sha256(canonical).hexdigest()[:7]}"
            path.unlink()
            (output / "filter" / f"{new}.pf_filter").write_bytes(canonical)
            renamed[path.stem] = new
        meta = _replace(meta, renamed)
        data = _encode(meta)
        new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        (output / f"pagefind.{new_hash}.pf_meta").write_bytes(data)
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def _replace(value, renamed: dict[str, str]):
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, list):
        return [_replace(v, renamed) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, renamed) for k, v in value.items()}
    return value
