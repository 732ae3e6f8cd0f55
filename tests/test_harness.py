"""The test run itself: without Chromium or the node tools, `make test` fails and says how
to install them, unless the person asks to skip those tests (SKIP_BROWSER=1); CI never
skips them."""

from __future__ import annotations

import subprocess

import pytest

from conftest import REPO, unavailable


@pytest.mark.parametrize(("env", "outcome"), [
    ({}, pytest.fail.Exception),
    ({"SKIP_BROWSER": "1"}, pytest.skip.Exception),
    ({"SKIP_BROWSER": "1", "CI": "true"}, pytest.fail.Exception),
    ({"SKIP_BROWSER": "0"}, pytest.fail.Exception),
])
def test_a_missing_browser_fails_unless_skipping_is_asked_for(monkeypatch, env, outcome):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("SKIP_BROWSER", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(outcome) as caught:
        unavailable("no Chromium at /nowhere")
    assert "no Chromium at /nowhere" in str(caught.value)
    if outcome is pytest.fail.Exception:
        assert "make test SKIP_BROWSER=1" in str(caught.value)


def _planned(*args: str) -> str:
    # -n: print the recipes without running them; -W: as if .ci/package.json had changed
    result = subprocess.run(["make", "-n", "-W", ".ci/package.json", "test", *args],
                            cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_test_installs_the_node_tools_unless_skipping():
    assert "npm ci --prefix .ci" in _planned()
    skipping = _planned("SKIP_BROWSER=1")
    assert "npm ci" not in skipping and "pytest" in skipping
