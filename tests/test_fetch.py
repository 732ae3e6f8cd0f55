"""`python -m generator fetch`: against a Daily Papers API stand-in on loopback, started
here (no test needs the internet)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.fetch import FetchFailed, dump_name, fetch
from generator.readers import read_dump

from conftest import run_cli

ANSWER = (Path(__file__).parent / "fixtures" / "golden" / "dumps" /
          "2024-03-19_api.json").read_bytes()
REAL = Path(__file__).parent / "fixtures" / "real"
# real days of the API, served byte for byte, and how many papers each holds
REAL_DAYS = {"2024-09-03": 2, "2024-11-07": 5, "2024-11-29": 5, "2024-12-09": 13}
# one real record, as the API would answer a day with a single paper
ONE_PAPER = json.dumps(json.loads((REAL / "2024-07-05_api.json").read_bytes())[:1], indent=4,
                       ensure_ascii=False).encode("utf-8")


class FakeApi:
    """Answers per date; a list of answers is served one per request (then the last)."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, bytes]]] = {
            "2024-03-19": [(200, ANSWER)],
            "2024-03-23": [(200, b"[]")],
            "2024-03-20": [(503, b"busy"),
                           (200, ANSWER.replace(b'"upvotes": 21', b'"upvotes": 22'))],
            "2024-03-21": [(200, b"<html><body>Sign in</body></html>")],
            "2024-03-22": [(200, b'{"error": "rate limited"}')],
            "2024-07-05": [(200, ONE_PAPER)],
            **{day: [(200, (REAL / f"{day}_api.json").read_bytes())] for day in REAL_DAYS},
        }
        self.requests: list[str] = []


def _redirect_to(target: str):
    def answer(handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def _drip(handler) -> None:
    """A server that sends one byte every 0.2 s: never slow enough for a read timeout."""
    import time

    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "200")
    handler.end_headers()
    try:
        for _ in range(200):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass  # the client gave up, as it should


def _deep(handler) -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


SPECIAL = {
    "2024-04-01": _redirect_to("ftp://example.org/daily.json"),
    "2024-04-02": _redirect_to("file:///etc/passwd"),
    "2024-04-03": _drip,
    "2024-04-04": _deep,
}


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[FakeApi, str]]:
    fake = FakeApi()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            fake.requests.append(self.path)
            date = parse_qs(parts.query).get("date", [""])[0]
            if date in SPECIAL:
                SPECIAL[date](self)
                return
            queue = fake.answers.get(date) if parts.path == "/api/daily_papers" else None
            status, body = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else \
                (404, b'{"error": "not found"}')
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}/api/daily_papers"
    finally:
        server.shutdown()


def _fetch_cli(url: str, dumps: Path, date: str):
    return run_cli("fetch", "--date", date, "--dumps", str(dumps), "--api-url", url)


def test_fetch_saves_the_answer_once(api, tmp_path):
    fake, url = api
    dumps = tmp_path / "dumps"
    first = _fetch_cli(url, dumps, "2024-03-19")
    assert first.returncode == 0, first.stderr
    assert first.stderr.strip() == f"new: {(dumps / '2024-03-19_api.json').as_posix()} (2 papers)"
    assert (dumps / "2024-03-19_api.json").read_bytes() == ANSWER  # byte for byte
    again = _fetch_cli(url, dumps, "2024-03-19")
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith("unchanged: ")
    assert sorted(p.name for p in dumps.iterdir()) == ["2024-03-19_api.json"]
    assert fake.requests.count("/api/daily_papers?date=2024-03-19") == 2


def test_fetched_dump_builds_into_the_catalog(api, tmp_path):
    _, url = api
    dumps = tmp_path / "dumps"
    assert _fetch_cli(url, dumps, "2024-03-19").returncode == 0
    result = run_cli("catalog", "--dumps", str(dumps), "--curation", str(tmp_path / "none"),
                     "--out", "-", "--quiet")
    assert result.returncode == 0, result.stderr
    assert '"arxiv_id":"2401.05252"' in result.stdout
    assert '"date":"2024-03-19"' in result.stdout


@pytest.mark.parametrize(("date", "papers"), sorted(REAL_DAYS.items()))
def test_a_real_day_is_saved_byte_for_byte(api, tmp_path, date, papers):
    fake, url = api
    real = (REAL / f"{date}_api.json").read_bytes()
    records = json.loads(real)
    assert len(records) == papers
    dumps = tmp_path / "dumps"
    result = _fetch_cli(url, dumps, date)
    assert result.returncode == 0, result.stderr
    saved = dumps / f"{date}_api.json"
    assert result.stderr.strip() == f"new: {saved.as_posix()} ({papers} papers)"
    assert fake.requests.count(f"/api/daily_papers?date={date}") >= 1
    assert sorted(p.name for p in dumps.iterdir()) == [saved.name]
    assert saved.read_bytes() == real
    dump = read_dump(saved.name, saved.read_bytes())
    assert (dump.dump.format, dump.dump.date, dump.dump.date_source, dump.problems) == (
        "json", date, "file name", ())
    assert [(e.arxiv_id, e.title) for e in dump.entries] == [
        (r["paper"]["id"], " ".join(r["paper"]["title"].split())) for r in records]
    # what the answer's own records say agrees with the name fetch gave it
    assert read_dump("answer.json", saved.read_bytes()).dump.date == date


def test_real_days_fetched_one_after_another_check_clean(api, tmp_path):
    _, url = api
    dumps = tmp_path / "dumps"
    for date in REAL_DAYS:
        assert _fetch_cli(url, dumps, date).returncode == 0
    assert sorted(p.read_bytes() for p in dumps.iterdir()) == sorted(
        (REAL / f"{d}_api.json").read_bytes() for d in REAL_DAYS)
    result = run_cli("catalog", "--dumps", str(dumps), "--curation", str(tmp_path / "none"),
                     "--out", "-")
    assert result.returncode == 0, result.stderr
    assert "0 errors, 0 warnings; 0 entries not in the catalog" in result.stderr
    document = json.loads(result.stdout)
    assert len(document["papers"]) == sum(REAL_DAYS.values())
    assert [(d["name"], d["date"], d["entries"]) for d in document["dumps"]] == [
        (f"{d}_api.json", d, n) for d, n in sorted(REAL_DAYS.items())]


def test_a_day_with_one_paper_is_said_in_the_singular(api, tmp_path):
    _, url = api
    dumps = tmp_path / "dumps"
    result = _fetch_cli(url, dumps, "2024-07-05")
    assert result.returncode == 0, result.stderr
    saved = dumps / "2024-07-05_api.json"
    assert result.stderr.strip() == f"new: {saved.as_posix()} (1 paper)"
    assert saved.read_bytes() == ONE_PAPER


def test_same_answer_under_another_name_is_not_saved_twice(api, tmp_path):
    _, url = api
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "saved-by-hand.json").write_bytes(ANSWER)
    result = _fetch_cli(url, dumps, "2024-03-19")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("duplicate: ")
    assert sorted(p.name for p in dumps.iterdir()) == ["saved-by-hand.json"]


def test_retries_and_replaces_a_changed_day(api, tmp_path):
    fake, url = api
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / dump_name(dt.date(2024, 3, 20))).write_bytes(ANSWER)  # an earlier fetch
    done = fetch(dt.date(2024, 3, 20), dumps, url, pause=0)
    assert done.status == "updated"  # after one 503, the day's newer answer
    assert b'"upvotes": 22' in (dumps / "2024-03-20_api.json").read_bytes()
    assert fake.requests.count("/api/daily_papers?date=2024-03-20") == 2
    assert sorted(p.name for p in dumps.iterdir()) == ["2024-03-20_api.json"]


def test_a_day_without_papers_writes_nothing(api, tmp_path):
    _, url = api
    result = _fetch_cli(url, tmp_path / "dumps", "2024-03-23")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "empty: (0 papers); no papers on 2024-03-23"
    assert list((tmp_path / "dumps").iterdir()) == []


@pytest.mark.parametrize(("date", "message"), [
    ("2024-03-21", "error: the answer is not JSON"),
    ("2024-03-22", "error: the answer is not a Daily Papers API answer"),
    ("2024-03-24", "HTTP 404 Not Found"),
    ("2024-3-24", "error: --date '2024-3-24': expected YYYY-MM-DD"),
    ("yesterday", "error: --date 'yesterday': expected YYYY-MM-DD"),
])
def test_bad_answers_and_dates_are_errors_that_write_nothing(api, tmp_path, date, message):
    _, url = api
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    result = _fetch_cli(url, dumps, date)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(dumps.iterdir()) == []


def test_only_http_urls(tmp_path):
    with pytest.raises(FetchFailed, match="only http"):
        fetch(dt.date(2024, 3, 19), tmp_path, "file:///etc/passwd")


@pytest.mark.parametrize(("date", "target"), [("2024-04-01", "ftp://example.org/daily.json"),
                                              ("2024-04-02", "file:///etc/passwd")])
def test_a_redirect_to_another_scheme_is_refused(api, tmp_path, date, target):
    """The http(s) rule holds on every hop, not only for the first URL."""
    _, url = api
    result = _fetch_cli(url, tmp_path / "dumps", date)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {url}?date={date}: redirected to {target!r}; "
                                     "only http(s) URLs are fetched")
    assert "Traceback" not in result.stderr


def test_a_server_that_drips_bytes_meets_the_total_deadline(api, tmp_path):
    import time

    _, url = api
    start = time.monotonic()
    with pytest.raises(FetchFailed, match="took longer than the total deadline"):
        fetch(dt.date(2024, 4, 3), tmp_path, url, timeout=5, deadline=1, attempts=1)
    assert time.monotonic() - start < 20  # a generous bound: without a deadline, 40 s


def test_a_deeply_nested_answer_is_a_fetch_failure(api, tmp_path):
    _, url = api
    result = _fetch_cli(url, tmp_path / "dumps", "2024-04-04")
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: the answer is not a Daily Papers API answer: "
                                     "JSON nested too deeply")
    assert not (tmp_path / "dumps" / "2024-04-04_api.json").exists()
