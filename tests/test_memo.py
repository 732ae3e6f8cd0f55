"""The stage memo: what it keeps, what it gives back, and when it gives nothing.

(The builds that use it, and damaged files, are in `test_cache.py`.)"""

from __future__ import annotations

import os
from dataclasses import replace

from generator import memo as memo_module
from generator.catalog import build_catalog
from generator.memo import Memo, digest
from generator.readers import list_dumps, read_all
from generator.topics import classify, load_taxonomy

from conftest import REPO


def test_a_table_keeps_what_this_build_used_and_writes_only_a_change(tmp_path):
    first = Memo(tmp_path, key="k")
    table = first.table("stage")
    calls = []
    assert table.get("a", lambda: calls.append("a") or 1) == 1
    assert table.get("a", lambda: calls.append("again") or 2) == 1  # computed once
    table.put("b", 2)
    first.save()
    path = tmp_path / "stages" / "stage.pickle"
    written = path.stat().st_mtime_ns

    second = Memo(tmp_path, key="k")
    table = second.table("stage")
    assert table.known("b") == 2 and table.known("zz") is None
    assert table.get("a", lambda: calls.append("third") or 3) == 1
    assert calls == ["a"] and table.hits == 2 and not table.changed
    second.save()
    assert path.stat().st_mtime_ns == written  # nothing changed: not written

    third = Memo(tmp_path, key="k")
    third.table("stage").known("a")  # "b" not used: dropped
    third.save()
    assert Memo(tmp_path, key="k").table("stage").stored == {"a": 1}
    # another generator (key) reads nothing of it
    assert Memo(tmp_path, key="other").table("stage").stored == {}


def test_the_key_follows_the_generator_files(tmp_path, monkeypatch):
    copy = tmp_path / "generator"
    copy.mkdir()
    (copy / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(memo_module, "GENERATOR", copy)
    before = memo_module.memo_key()
    (copy / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert memo_module.memo_key() != before


def test_digest_parts_never_run_into_each_other():
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a", "") != digest("a")


def test_reading_and_classifying_through_the_memo_give_the_same_values(tmp_path):
    """The seed dumps read and classified once into a memo, then again from it (and a
    paper whose text changed is classified afresh)."""
    paths = list_dumps(REPO / "dumps")
    taxonomy, _ = load_taxonomy(REPO / "curation")
    plain = read_all(paths)
    first = Memo(tmp_path, key="k")
    assert read_all(paths, memo=first.table("read")) == plain
    papers = build_catalog(plain).papers
    expected = classify(papers, taxonomy)
    assert classify(papers, taxonomy, first.table("classify")) == expected
    first.save()

    second = Memo(tmp_path, key="k")
    assert read_all(paths, memo=second.table("read")) == plain
    assert second.table("read").hits == len(paths)
    # one paper's abstract changed: it alone is classified again
    changed = list(papers)
    k = next(i for i, p in enumerate(expected) if p.topics)
    changed[k] = replace(papers[k], abstract="A recipe for sourdough bread.")
    got = classify(changed, taxonomy, second.table("classify"))
    assert got == classify(changed, taxonomy)
    assert got[k].topic_matches != expected[k].topic_matches
    table = second.table("classify")
    assert len(table.used) - table.hits == 1 and table.hits > 300  # one paper classified


def test_the_taxonomy_through_the_memo_is_the_same_problems_and_all(tmp_path):
    """The topics file parsed once into the memo, then taken from it; a broken one gives
    the same problems (file and line) from the memo as parsed, and its fix is parsed."""
    folder = tmp_path / "curation"
    folder.mkdir()
    good = (REPO / "curation" / "topics.yml").read_text(encoding="utf-8")
    cases = [good, good.replace("topics:", "topics:\n  - id: [", 1), good]
    for k, text in enumerate(cases):  # one memo throughout: each text under its own key
        (folder / "topics.yml").write_text(text, encoding="utf-8")
        plain = load_taxonomy(folder)
        assert bool(plain[1]) == (k == 1)  # precondition: only the broken file has problems
        assert bool(plain[0].topics) == (k != 1)
        for _ in range(2):  # parsed (or taken from the memo), then taken from the memo
            memo = Memo(tmp_path / "memo", key="k")
            assert load_taxonomy(folder, memo=memo.table("read")) == plain
            memo.save()
        assert memo.table("read").hits == 1


def test_paper_pages_through_the_memo_are_the_same_and_follow_what_they_show(tmp_path):
    """The seed site's model rendered into a memo, then from it: the same model. Then one
    paper renamed: its own page, the pages that link to it (related papers, mentions) and
    its items in lists are rendered again, with the new title, and only those."""
    from generator import render
    from generator.links import link

    taxonomy, _ = load_taxonomy(REPO / "curation")
    catalog = build_catalog(read_all(list_dumps(REPO / "dumps")))
    papers = classify(catalog.papers, taxonomy)
    catalog = replace(catalog, papers=papers)
    data = render.SiteInput(catalog, taxonomy, link(papers), "https://example.org/")
    plain = render.build_site_model(data)
    first = Memo(tmp_path, key="k")
    assert render.build_site_model(data, first.table("render"), first.table("items"),
                                   cites=first.table("cite"), pages=first.table("pages")) == plain
    first.save()
    second = Memo(tmp_path, key="k")
    assert render.build_site_model(data, second.table("render"), second.table("items"),
                                   cites=second.table("cite"),
                                   pages=second.table("pages")) == plain
    pages, items = second.table("render"), second.table("items")
    assert pages.hits == len(pages.used) == len(papers) > 300
    digests = second.table("pages")
    assert digests.hits == len(digests.used) == len(catalog.digests) > 3
    assert items.hits == len(items.used) > len(papers)
    cites = second.table("cite")
    assert cites.hits == len(cites.used) == len(papers)

    links = data.links
    k = next(i for i, p in enumerate(papers)
             if any(p.id in {o for o, _ in r} for r in links.related.values()))
    target = papers[k]
    renamed = list(papers)
    renamed[k] = replace(target, title="A Wholly New Title for Testing")
    changed = replace(data, catalog=replace(catalog, papers=tuple(renamed)), links=links)
    third = Memo(tmp_path, key="k")
    table, items, others = third.table("render"), third.table("items"), third.table("pages")
    got = render.build_site_model(changed, table, items, cites=third.table("cite"),
                                  pages=others)
    assert got == render.build_site_model(changed)
    assert len(papers) - third.table("cite").hits == 1  # the renamed paper's entry
    linking = {pid for pid, r in links.related.items() if target.id in {o for o, _ in r}}
    linking |= {pid for pid, m in links.mentions.items() if target.id in m}
    linking |= {pid for pid, m in links.mentioned_by.items() if target.id in m}
    assert linking and target.id not in linking
    # rendered again: the pages that show the new title, and the paper's list items
    from generator.packed import unpack

    texts = [unpack(v) for key, v in table.used.items()
             if key not in table.stored]
    made = [v for key, v in items.used.items() if key not in items.stored]
    digest_pages = [unpack(v) for key, v in others.used.items() if key not in others.stored]
    listing = [d for d in catalog.digests
               if target.id in {*d.new, *(i for i, _ in d.seen_before)}]
    assert len(texts) == len(linking | {target.id})
    assert len(digest_pages) == len(listing) >= 1  # the digest pages that list the paper
    assert made and all("A Wholly New Title for Testing" in v
                        for v in texts + made + digest_pages)
    pages = dict(got.docs)
    for pid in linking | {target.id}:
        assert "A Wholly New Title for Testing" in pages[f"papers/{pid}.md"]
    # a title that changes after its first word keeps the citation key: the entry
    # follows the title all the same
    fourth = Memo(tmp_path, key="k")
    renamed[k] = replace(target, title=target.title + " Revisited")
    later = replace(data, catalog=replace(catalog, papers=tuple(renamed)))
    got = render.build_site_model(later, fourth.table("render"), fourth.table("items"),
                                  cites=fourth.table("cite"))
    assert got == render.build_site_model(later)
    bib = dict(got.files)[f"papers/{target.id}/{target.id}.bib"]
    assert "Revisited" in bib and bib.split("{", 2)[1] in dict(plain.files)[
        f"papers/{target.id}/{target.id}.bib"]  # precondition: the same key


def test_reading_on_two_cores_gives_what_one_core_gives(tmp_path, monkeypatch):
    """From SHARED_READ_BYTES to parse, the later half of the bytes is parsed in a forked
    process: every layout (the seeds' text, a saved HTML page, real API days), a folder
    and a second copy of a dump read the same, in the same order, with the memo too."""
    import shutil

    from generator import background, readers

    folder = tmp_path / "dumps"
    shutil.copytree(REPO / "dumps", folder, ignore=shutil.ignore_patterns("permalinks.tsv"))
    for day in sorted((REPO / "tests" / "fixtures" / "real").glob("*_api.json")):
        shutil.copy2(day, folder / day.name)
    shutil.copy2(folder / "2024-07-05_api.json", folder / "2024-07-05_copy.json")
    shutil.copy2(REPO / "tests" / "fixtures" / "readers" / "daily_papers.html",
                 folder / "2024-06-03_page.html")
    (folder / "a folder").mkdir()  # not a file: refused
    paths = list_dumps(folder)
    serial = read_all(paths)
    assert {r.dump.format for r in serial} >= {"text", "html", "json", "duplicate", "unknown"}

    here = readers._parse_here
    log = tmp_path / "parsed-in"  # the process of each call (a forked one's too)

    def parse_here(todo, boilerplate, progress):
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return here(todo, boilerplate, progress)

    def parsed_in() -> list[int]:
        pids = [int(line) for line in log.read_text().split()]
        log.unlink()
        return pids

    monkeypatch.setattr(readers, "_parse_here", parse_here)
    monkeypatch.setattr(readers, "SHARED_READ_BYTES", 0)
    monkeypatch.setattr(background, "cores", lambda: 2)
    ticks: list[str] = []
    assert read_all(paths, progress=ticks.append) == serial
    assert sorted(ticks) == sorted(p.name for p in paths)  # each file ticks once
    pids = parsed_in()
    assert len(pids) == 2 and set(pids) - {os.getpid()}  # one half parsed in a forked process

    first = Memo(tmp_path / "memo", key="k")
    assert read_all(paths, memo=first.table("read")) == serial
    assert len(parsed_in()) == 2
    first.save()
    second = Memo(tmp_path / "memo", key="k")
    assert read_all(paths, memo=second.table("read")) == serial
    assert second.table("read").hits == len(paths) - 2  # all but the folder and the copy
    assert parsed_in() == [os.getpid()]  # nothing left to parse: nothing forked


def test_a_table_set_aside_is_in_place_only_when_the_build_succeeds(tmp_path):
    """A large table (the related papers' state) is written as soon as it is made and
    dropped from memory; it replaces the kept one only when the build succeeds."""
    stages = tmp_path / "stages"
    first = Memo(tmp_path, key="k")
    first.table("related").put("a", [1, 2])
    first.set_aside("related")
    assert not (stages / "related.pickle").exists()
    assert len(list(stages.glob(".related.pickle.aside.*"))) == 1
    assert first.table("related").used == {} and not first.table("related").changed
    (stages / ".related.pickle.aside.left-by-a-killed-build").write_bytes(b"x")
    first.save()
    assert sorted(p.name for p in stages.iterdir()) == ["related.pickle"]
    assert Memo(tmp_path, key="k").table("related").stored == {"a": [1, 2]}
    failed = Memo(tmp_path, key="k")
    failed.table("related").put("b", [3])
    failed.set_aside("related")
    failed.discard()  # the build failed after it
    assert sorted(p.name for p in stages.iterdir()) == ["related.pickle"]
    alone = Memo(tmp_path / "new", key="k")  # the first build of a project fails
    alone.table("related").put("c", 1)
    alone.set_aside("related")
    assert (tmp_path / "new" / "stages").is_dir()
    alone.discard()
    assert not (tmp_path / "new").exists()
    assert Memo(tmp_path, key="k").table("related").stored == {"a": [1, 2]}
    same = Memo(tmp_path, key="k")
    assert same.table("related").known("a") == [1, 2]
    before = (stages / "related.pickle").stat().st_mtime_ns
    same.set_aside("related")  # nothing changed: nothing written
    same.save()
    assert (stages / "related.pickle").stat().st_mtime_ns == before
    assert not list(stages.glob(".*"))


def test_a_table_another_process_fills_is_written_as_it_gives_it_back(tmp_path):
    """The search terms' table: the forked process unpickles the kept pickle, fills it
    and gives back the pickle of what it used; the build writes that as it is."""
    from generator.memo import Pickled

    memo = Memo(tmp_path, key="k")
    handed = memo.pickled("search")
    assert handed.payload is None and handed.table().stored == {}
    table = handed.table()
    table.get("a", lambda: ("x", b"\0" * 8, b"\x01", 1.0))
    handed.used = Pickled.give(table)
    memo.save()
    path = tmp_path / "stages" / "search.pickle"
    again = Memo(tmp_path, key="k").pickled("search")
    assert again.table().stored == {"a": ("x", b"\0" * 8, b"\x01", 1.0)}
    table = again.table()
    table.known("a")
    assert Pickled.give(table) is None  # the same entries: nothing to write
    assert Memo(tmp_path, key="other").pickled("search").payload is None  # another build's
    path.write_bytes(path.read_bytes()[:-3])
    assert Memo(tmp_path, key="k").pickled("search").payload is None  # damaged


def test_every_table_set_aside_before_mkdocs_including_one_another_process_filled(tmp_path):
    """Before mkdocs runs the build writes every table it holds (`set_aside_all`) and
    drops them, the search terms' pickle another process gave back included: in place
    after a successful build, gone after a failed one."""
    from generator.memo import Pickled, Table

    stages = tmp_path / "stages"
    first = Memo(tmp_path, key="k")
    first.table("read").put("r", "parsed")
    handed = first.pickled("search")
    kept = handed.table()
    kept.put("t", "terms")
    handed.used = Pickled.give(kept)
    first.set_aside_all()
    assert handed.used is None and handed.payload is None
    assert first.table("read").used == {}
    assert not list(stages.glob("*.pickle"))  # not in place yet
    assert len(list(stages.glob(".*.aside.*"))) == 2
    first.save()
    assert sorted(p.name for p in stages.iterdir()) == ["read.pickle", "search.pickle"]
    again = Memo(tmp_path, key="k")
    assert again.table("read").stored == {"r": "parsed"}
    assert again.pickled("search").table().stored == {"t": "terms"}
    failed = Memo(tmp_path, key="k")
    failed.table("read").put("x", "other")
    more = failed.pickled("search")
    more.used = Pickled.give(Table({"y": "z"}))
    failed.set_aside_all()
    failed.discard()
    assert sorted(p.name for p in stages.iterdir()) == ["read.pickle", "search.pickle"]
    assert Memo(tmp_path, key="k").table("read").stored == {"r": "parsed"}
