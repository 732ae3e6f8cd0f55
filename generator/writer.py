"""The last stage: write the site model, run mkdocs, swap the new site in.

Everything is built in a staging folder next to the target; only a finished build
replaces the old site (two renames), so a failure leaves the previous site intact.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .render import SiteModel
from .search import INDEX_DIR

ENGINE_VARIABLE = "PAPER_INDEX_ENGINE"  # "mkdocs" (the default) or "properdocs"


def _engine() -> None:
    """Choose the engine before any `mkdocs` module is imported. With
    PAPER_INDEX_ENGINE=properdocs, ProperDocs (the maintained fork of mkdocs 1.x) answers
    every `mkdocs.*` import of this process, the theme's included; it must be installed."""
    name = os.environ.get(ENGINE_VARIABLE, "mkdocs") or "mkdocs"
    if name == "properdocs":
        try:
            import properdocs.replacement  # noqa: F401  (redirects mkdocs.* to properdocs.*)
        except ImportError:
            raise BuildFailed(f"{ENGINE_VARIABLE}=properdocs, but ProperDocs is not "
                              "installed (pip install properdocs)") from None
    elif name != "mkdocs":
        raise BuildFailed(f"{ENGINE_VARIABLE} must be mkdocs or properdocs, not {name!r}")


class BuildFailed(Exception):
    pass


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_tree(root: Path, files: tuple[tuple[str, str], ...], refuse_existing: bool) -> None:
    for rel, text in files:
        target = root / rel
        if refuse_existing and target.exists():
            raise BuildFailed(f"generated file {rel} would overwrite a file mkdocs built")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def _front_matter_check(pages: dict[str, str]):
    """A plugin for mkdocs' own page pipeline: every generated page's front matter must be
    read by mkdocs exactly as the generator wrote it, and no page may keep a front matter
    block as Markdown. mkdocs swallows a front matter it cannot parse and renders the block
    as Markdown; that must fail the build, never publish a degraded page."""
    from mkdocs.exceptions import PluginError
    from mkdocs.plugins import BasePlugin

    from .safe import read_front_matter

    class FrontMatterCheck(BasePlugin):
        failure = ""  # the message, for BuildFailed (mkdocs only logs it)

        def fail(self, message: str) -> None:
            self.failure = message
            raise PluginError(message)

        def on_page_markdown(self, markdown, page, config, files):
            uri = page.file.src_uri
            wrote = pages.get(uri)
            expected = read_front_matter(wrote) if wrote is not None else None
            if expected is not None:
                meta, body = expected
                if page.meta != meta or markdown != body.lstrip("\n"):
                    keys = sorted(k for k in {*meta, *page.meta}
                                  if meta.get(k) != page.meta.get(k)) or ["the page body"]
                    self.fail(f"{uri}: mkdocs did not read the front matter the generator "
                              f"wrote (differs: {', '.join(keys)}); refusing to publish a "
                              "degraded page")
            elif markdown.startswith("---"):
                self.fail(f"{uri}: mkdocs could not read this page's front matter and would "
                          "render it as Markdown")
            return markdown

    return FrontMatterCheck()


def mkdocs_build(config_file: Path, docs_dir: Path, site_dir: Path,
                 pages: dict[str, str] | None = None) -> None:
    """`pages`: the generated pages (docs-relative path -> text) whose front matter is
    checked as mkdocs reads it."""
    _engine()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    check = _front_matter_check(pages or {})
    try:
        config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                             strict=True)
        config.plugins["paper-index-front-matter"] = check
        build(config)
    except (MkDocsException, SystemExit) as exc:
        raise BuildFailed(f"mkdocs build failed: {check.failure or exc}") from None


@dataclass(frozen=True)
class Settings:
    """What the pages need from `mkdocs.yml` ('' where unset or unreadable; the build itself
    then reports what is wrong with the configuration)."""

    site_url: str = ""  # with a trailing '/'
    repo_url: str = ""  # where "Suggest tags" links lead...
    edit_branch: str = ""  # ...on the branch of `edit_uri` (GitHub's `edit/<branch>/docs/`)


def settings(config_file: Path) -> Settings:
    _engine()
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(str(config_file))
    except Exception:
        return Settings()
    url = config.site_url or ""
    url = url if not url or url.endswith("/") else url + "/"
    parts = (config.edit_uri or "").strip("/").split("/")
    if not config.repo_url or len(parts) < 2 or parts[0] != "edit":
        return Settings(url)
    return Settings(url, config.repo_url, parts[1])


def site_url(config_file: Path) -> str:
    return settings(config_file).site_url


def repository(config_file: Path) -> tuple[str, str]:
    """(`repo_url`, branch of `edit_uri`), or ('', '')."""
    found = settings(config_file)
    return found.repo_url, found.edit_branch


def build_site(model: SiteModel, config_file: Path, docs_src: Path, site_dir: Path) -> None:
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=site_dir.parent, prefix=f".{site_dir.name}-build-"))
    try:
        docs = staging / "docs"
        shutil.copytree(docs_src, docs)
        _write_tree(docs, model.docs, refuse_existing=True)
        out = staging / "site"
        mkdocs_build(config_file, docs, out, dict(model.docs))
        _write_tree(out, model.files, refuse_existing=True)
        for rel, data in model.search:
            target = out / INDEX_DIR / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        old = staging / "old"
        if site_dir.exists():
            os.replace(site_dir, old)
        os.replace(out, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
