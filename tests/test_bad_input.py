"""Every kind of broken dump gives `path:line: severity: message` problems, never a
traceback: file-level problems are errors, entry-level ones lost-entry warnings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.model import ERROR, WARNING
from generator.readers import read_dump

REPO = Path(__file__).parents[1]
BAD = REPO / "tests" / "fixtures" / "readers" / "bad"

TITLE_2 = "DiT4SR: Taming Diffusion Transformer for Real-World Image Super-Resolution"
ABSTRACT_2 = ("Large-scale pre-trained diffusion models are becoming increasingly popular in "
              "solving the Real-World Image Super-Resolution (Real-ISR) problem because of their "
              "rich generative priors.")
TITLE_3 = "EasyControl: Adding Efficient and Flexible Control for Diffusion Transformer"


def huge_line() -> bytes:
    """An inline image saved as one 2.2 MB line, then an entry whose abstract line is 3 MB."""
    image = "data:image/png;base64," + "iVBORw0KGgo" * 200_000
    abstract = "Recent advancements in Unet-based diffusion models. " * 60_000
    return ("new\n\nDaily Papers\n\nJul 29\n\n" + image + f"\n\n{TITLE_2}\n\n{ABSTRACT_2}\n\n"
            f"{TITLE_3}\n\n{abstract}\n").encode()


def deep_props() -> bytes:
    nested = "[" * 100_000 + "]" * 100_000
    return ('<!DOCTYPE html>\n<html><body>\n<div class="SVELTE_HYDRATER contents" '
            f'data-target="DailyPapers"\n data-props="{{&quot;dailyPapers&quot;:{nested}}}">'
            "</div>\n</body></html>\n").encode()


def cp1252_old_mac() -> bytes:
    """The cp1252 fixture with old Mac line endings (CR only)."""
    return (BAD / "cp1252.txt").read_bytes().replace(b"\n", b"\r")


GENERATED = {
    "huge_line.txt": huge_line,
    "deep_props.html": deep_props,
    "cp1252_cr.txt": cp1252_old_mac,
}

NO_ENTRIES = "no paper entries found in this {} file (only page chrome, or a layout no reader " \
             "recognises)"

# file -> (every Problem.format(), verbatim, in order; is it an error; entries kept)
CASES: dict[str, tuple[list[str], bool, int]] = {
    "empty.txt": (["empty.txt:1: error: empty file"], True, 0),
    "binary.png": (["binary.png:1: error: binary file, not a dump"], True, 0),
    "boilerplate_only.txt": ([
        "boilerplate_only.txt:1: error: " + NO_ENTRIES.format("text"),
    ], True, 0),
    "truncated.txt": ([
        "truncated.txt:11: warning: title without an abstract at the end of the file "
        f"(truncated?); entry skipped (got {TITLE_3!r})",
    ], False, 1),
    "title_without_abstract.txt": ([
        "title_without_abstract.txt:11: warning: title without an abstract; entry skipped "
        f"(got {TITLE_3!r})",
    ], False, 2),
    "abstract_without_title.txt": ([
        "abstract_without_title.txt:4: warning: abstract without a title; entry skipped "
        "(got 'Transformers are ubiquitous in Natural Language Processing (NLP) tasks, but "
        "the…')",
    ], False, 2),
    "cp1252.txt": ([
        "cp1252.txt:7: warning: not valid UTF-8 (first bad byte 0xe9); read the file as cp1252",
    ], False, 1),
    "cp1252_cr.txt": ([
        "cp1252_cr.txt:7: warning: not valid UTF-8 (first bad byte 0xe9); read the file as "
        "cp1252",
    ], False, 1),
    "nul_in_line.txt": (["nul_in_line.txt:7: warning: 1 NUL byte(s) removed"], False, 1),
    "malformed.json": ([
        "malformed.json:16: error: malformed JSON: Expecting ',' delimiter: column 5",
    ], True, 0),
    "trailing_data.json": ([
        "trailing_data.json:10: error: malformed JSON: Extra data: column 1",
    ], True, 0),
    "not_records.json": ([
        "not_records.json:1: error: JSON is neither a list of Daily Papers records, a paper, "
        "nor an object with a 'dailyPapers' list",
    ], True, 0),
    "list_of_strings.json": ([
        "list_of_strings.json:2: warning: record is not an object; skipped (got 'str')",
        "list_of_strings.json:3: warning: record is not an object; skipped (got 'str')",
        "list_of_strings.json:1: error: " + NO_ENTRIES.format("json"),
    ], True, 0),
    "record_without_title.json": ([
        "record_without_title.json:11: warning: record has no title; skipped (got "
        "'{\"numComments\": 0, \"paper\": {\"id\": \"2410.05076\", \"summary\": \"Large "
        "Transformer …')",
    ], False, 1),
    "authors_not_a_list.json": ([], False, 2),
    "not_daily_papers.html": ([
        "not_daily_papers.html:1: error: HTML page without Daily Papers data (no data-props "
        "and no paper cards)",
    ], True, 0),
    "malformed_props.html": ([
        "malformed_props.html:7: error: malformed JSON in data-props: Unterminated string "
        "starting at: character 79 of the attribute",
    ], True, 0),
    "deep_props.html": ([
        "deep_props.html:4: error: malformed JSON in data-props: nested too deeply",
    ], True, 0),
    "card_without_title.html": ([
        "card_without_title.html:6: warning: paper card without a title; skipped "
        "(got '/papers/2401.05252')",
        "card_without_title.html:1: error: HTML page without Daily Papers data (no data-props "
        "and no paper cards)",
    ], True, 0),
    "huge_line.txt": ([
        "huge_line.txt:7: warning: line of 2200022 characters without a title before it; "
        "skipped",
        "huge_line.txt:13: warning: abstract on line 15 is 3120000 characters, more than "
        f"1000000; entry skipped (got {TITLE_3!r})",
    ], False, 1),
}


def test_every_fixture_has_a_case():
    committed = {p.name for p in BAD.iterdir()}
    assert committed | set(GENERATED) == set(CASES)
    assert not committed & set(GENERATED)


def load(name: str) -> bytes:
    return GENERATED[name]() if name in GENERATED else (BAD / name).read_bytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name):
    expected, is_error, kept = CASES[name]
    data = load(name)
    try:
        result = read_dump(name, data)
    except Exception as exc:  # the point of the test: report it as a failure, not a crash
        pytest.fail(f"{name}: read_dump raised {type(exc).__name__}: {exc}")
    assert [p.format() for p in result.problems] == expected
    assert any(p.severity == ERROR for p in result.problems) is is_error
    # file-level problems are errors; entry-level problems are lost-entry warnings
    for p in result.problems:
        assert p.severity in (ERROR, WARNING)
        if p.lost_entry:
            assert p.severity == WARNING
        if p.severity == ERROR:
            assert not p.lost_entry
    assert len(result.entries) == kept
    lost = sum(p.lost_entry for p in result.problems)
    assert result.dump.entry_count == kept + lost
    assert all(p.path == name and p.line >= 1 for p in result.problems)
    assert all(e.title for e in result.entries)


def test_decoded_text_of_a_cp1252_file():
    [entry] = read_dump("cp1252.txt", load("cp1252.txt")).entries
    assert entry.title == "Résumé Transformers: “Long” Context Without Tears"
    assert entry.abstract.startswith("We study café-scale naïve attention")


def test_nul_byte_is_removed_from_the_title():
    [entry] = read_dump("nul_in_line.txt", load("nul_in_line.txt")).entries
    assert entry.title == TITLE_2


# --- the command line -----------------------------------------------------------------------


def run_check(dumps: Path, curation: Path, github: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", "--dumps", str(dumps),
         "--curation", str(curation)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def bad_folder(tmp_path) -> tuple[Path, Path]:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copyfile(REPO / "dumps" / "002_884800d94571ae27.txt",
                    dumps / "002_884800d94571ae27.txt")
    shutil.copyfile(BAD / "malformed.json", dumps / "malformed.json")
    curation = tmp_path / "curation"  # empty: the repository's rules name other papers
    curation.mkdir()
    return dumps, curation


MALFORMED = "malformed.json:16: error: malformed JSON: Expecting ',' delimiter: column 5"


def test_check_reports_a_bad_dump(bad_folder):
    done = run_check(*bad_folder, github=False)
    assert done.returncode == 1, done.stderr
    assert f"{bad_folder[0].as_posix()}/{MALFORMED}" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr + done.stdout
    assert "::error" not in done.stdout


def test_check_annotates_on_github_actions(bad_folder):
    done = run_check(*bad_folder, github=True)
    assert done.returncode == 1, done.stderr
    assert f"{bad_folder[0].as_posix()}/{MALFORMED}" in done.stderr.splitlines()
    annotation_path = bad_folder[0].as_posix().replace(":", "%3A").replace(",", "%2C")
    assert (f"::error file={annotation_path}/malformed.json,line=16::malformed JSON: "
            "Expecting ',' delimiter: column 5") in done.stdout.splitlines()
    assert "Traceback" not in done.stderr + done.stdout
