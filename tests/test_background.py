"""Work on another core: the same value as calling the function here, its exception
raised here, and nothing of the child's left behind."""

from __future__ import annotations

import os

import pytest

from generator import background


def _square_sum(numbers: list[int]) -> int:
    return sum(n * n for n in numbers)


def _fails(message: str) -> None:
    raise ValueError(message)


def _pid() -> int:
    return os.getpid()


def test_the_result_comes_from_another_process(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 2)
    numbers = list(range(10_000))
    wait = background.start(_square_sum, numbers)
    assert wait() == _square_sum(numbers)
    assert background.start(_pid)() != os.getpid()


def test_an_exception_is_raised_in_the_caller(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 2)
    wait = background.start(_fails, "no such paper")
    with pytest.raises(ValueError, match="no such paper"):
        wait()


def test_one_core_runs_it_here(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 1)
    assert background.start(_pid)() == os.getpid()
    with pytest.raises(ValueError, match="at once"):
        background.start(_fails, "at once")


def test_paper_pages_rendered_on_two_cores_are_the_same(monkeypatch, seed_catalog):
    """Half of the paper pages rendered by a forked process: the same site model, in the
    same order, as one process rendering them all."""
    from generator import render
    from generator.links import link
    from generator.topics import classify, load_taxonomy

    from conftest import REPO

    taxonomy, _ = load_taxonomy(REPO / "curation")
    from dataclasses import replace

    catalog = replace(seed_catalog, papers=classify(seed_catalog.papers, taxonomy))
    data = render.SiteInput(catalog, taxonomy, link(catalog.papers), "https://example.org/")
    monkeypatch.setattr(background, "cores", lambda: 2)
    monkeypatch.setattr(render, "SHARED_RENDER", 10**9)
    alone = render.build_site_model(data)
    monkeypatch.setattr(render, "SHARED_RENDER", 10)
    shared = render.build_site_model(data)
    assert len(catalog.papers) % 2 == 1  # the odd paper out is placed too
    assert [path for path, _ in shared.docs] == [path for path, _ in alone.docs]
    assert shared == alone
    # with the memo: every page rendered and kept, wherever it was looked up, then every
    # page taken from it
    from generator.memo import Table

    first = Table()
    assert render.build_site_model(data, first) == alone
    assert len(first.used) == len(catalog.papers) and first.hits == 0
    again = Table(dict(first.used))
    assert render.build_site_model(data, again) == alone
    assert again.hits == len(catalog.papers)


def _pids_of(numbers: list[int]) -> list[int]:
    return [os.getpid() for _ in numbers]


def test_in_two_keeps_the_order_and_forks_only_for_a_second_part(monkeypatch):
    monkeypatch.setattr(background, "cores", lambda: 2)
    pids = background.in_two(_pids_of, list(range(5)), 2)
    assert pids[:2] == [os.getpid()] * 2 and os.getpid() not in pids[2:]
    assert background.in_two(_pids_of, list(range(5)), 5) == [os.getpid()] * 5
    assert background.in_two(lambda xs, k: [x * k for x in xs], [1, 2, 3], 1, 10) == [10, 20, 30]


def _killed() -> None:
    os.kill(os.getpid(), 9)  # as the kernel does when memory runs out


def test_a_killed_process_is_said_plainly_and_the_build_stops_without_a_traceback(
        monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(background, "cores", lambda: 2)
    with pytest.raises(background.Lost, match=r"killed \(signal 9, which the kernel sends "
                                              r"when memory runs out\)"):
        background.start(_killed)()
    from generator import cli

    def lost(*_args):
        raise background.Lost("a process of the build was killed (signal 9)")

    monkeypatch.setattr(cli, "make_links", lost)
    site = tmp_path / "site"
    assert cli.main(["build", "--quiet", "--site", str(site)]) == cli.EXIT_BUILD
    err = capsys.readouterr().err
    assert err.strip() == ("error: a process of the build was killed (signal 9); the previous "
                           "site is unchanged")
    assert not site.exists()


def test_a_process_is_collected_once_and_its_outcome_kept(monkeypatch):
    """Waiting again (a caller's cleanup after the build used the result) gives the same
    result, or raises the same exception, without reading the finished process again."""
    monkeypatch.setattr(background, "cores", lambda: 2)
    wait = background.start(_pid)
    first = wait()
    assert first != os.getpid()
    assert wait() == first
    fails = background.start(_fails, "once")
    for _ in range(2):
        with pytest.raises(ValueError, match="once"):
            fails()
