"""`python -m generator fetch --date YYYY-MM-DD`: save one day of the Daily Papers API
as a new dump, `dumps/YYYY-MM-DD_api.json`.

The answer is saved byte for byte, after checking that the JSON reader accepts it
without errors. Running it again is harmless: the same answer leaves the file as it is,
a changed answer for the same day (more papers, new upvotes) replaces the day's file,
and an answer that another dump already holds byte for byte is not saved twice. A day
without papers writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from .files import NotAFile, read_regular
from .model import ERROR
from .readers import read_dump

API_URL = "https://huggingface.co/api/daily_papers"
MAX_BYTES = 16 * 1024 * 1024
USER_AGENT = "paper-index-fetch/1 (+static site generator; one request per day)"


class FetchFailed(Exception):
    pass


@dataclass(frozen=True)
class Fetched:
    status: str  # "new", "updated", "unchanged", "duplicate", "empty"
    path: Path | None
    papers: int
    detail: str = ""


def dump_name(day: dt.date) -> str:
    """The naming convention for API dumps (see README, Dumps)."""
    return f"{day.isoformat()}_api.json"


def parse_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise FetchFailed(f"--date {text!r}: expected YYYY-MM-DD") from None
    if len(text) != 10:
        raise FetchFailed(f"--date {text!r}: expected YYYY-MM-DD")
    return day


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another http(s) URL: the scheme rule holds on every hop."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri")
        if target:
            newurl = urljoin(req.full_url, target)
            if not newurl.startswith(("https://", "http://")):
                raise FetchFailed(f"{req.full_url}: redirected to {newurl!r}; only http(s) "
                                  "URLs are fetched")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_OPENER = urllib.request.build_opener(_CheckedRedirects)


def _read_before(response, deadline: float) -> bytes:
    """The body, read in pieces, failing once the deadline passes (a server that sends a
    byte every few seconds never trips the per-read timeout)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took longer than the total deadline")
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            return b"".join(chunks)


def download(url: str, timeout: float = 30.0, attempts: int = 3, pause: float = 2.0,
             deadline: float = 120.0) -> bytes:
    """GET `url`; retries on network errors and 5xx/429 answers, with growing pauses.
    `timeout` bounds each read, `deadline` each attempt as a whole."""
    if not url.startswith(("https://", "http://")):
        raise FetchFailed(f"{url}: only http(s) URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "application/json"})
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            ends = time.monotonic() + deadline
            with _OPENER.open(request, timeout=min(timeout, deadline)) as response:
                data = _read_before(response, ends)
            if len(data) > MAX_BYTES:
                raise FetchFailed(f"{url}: the answer is larger than {MAX_BYTES // 2**20} MiB")
            return data
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
        if attempt < attempts:
            time.sleep(pause * attempt)
    raise FetchFailed(f"{url}: {last}")


def _check(data: bytes, name: str) -> int:
    """The number of papers in the answer; FetchFailed when the reader finds errors."""
    try:
        records = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchFailed(f"the answer is not JSON: {exc}") from None
    except RecursionError:
        raise FetchFailed("the answer is not a Daily Papers API answer: JSON nested too "
                          "deeply") from None
    if records == []:
        return 0
    result = read_dump(name, data)
    errors = [p for p in result.problems if p.severity == ERROR]
    if errors or result.dump.format != "json":
        reason = errors[0].message if errors else f"read as {result.dump.format}, not API JSON"
        raise FetchFailed(f"the answer is not a Daily Papers API answer: {reason}")
    return len(result.entries)


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether the dump at `path` (a regular file, never through a link) holds `data`."""
    try:
        return path.stat().st_size == len(data) and read_regular(path) == data
    except (OSError, NotAFile):
        return False


def fetch(day: dt.date, dumps: Path, api_url: str = API_URL, **download_options) -> Fetched:
    url = f"{api_url}?date={day.isoformat()}"
    data = download(url, **download_options)
    dumps.mkdir(parents=True, exist_ok=True)
    name = dump_name(day)
    papers = _check(data, name)
    if papers == 0:
        return Fetched("empty", None, 0, f"no papers on {day.isoformat()}")
    target = dumps / name
    if _same_bytes(target, data):
        return Fetched("unchanged", target, papers)
    for other in sorted(dumps.iterdir()):
        if other != target and _same_bytes(other, data):
            return Fetched("duplicate", other, papers, f"{other.name} holds the same answer")
    status = "updated" if target.exists() else "new"
    tmp = dumps / f".{name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(target)
    return Fetched(status, target, papers)
