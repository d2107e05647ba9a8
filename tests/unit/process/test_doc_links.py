"""README and docs/ stand alone: every link and every repository path they name exists here.

Checked: Markdown links and images `[text](target)` (relative to the file that holds them;
web addresses and anchors within a page are not followed), and paths in backticks that start
with one of the repository's top-level folders (`bot/…`, `docs/…`, …, relative to the root;
`*` is a glob). Nothing may point at documents that only exist outside a clone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP_LEVEL = ("bot/", "storage/", "sandbox/", "tests/", "docs/", "bench/", ".ci/")
# [text](target) and ![alt](target); a target ends at whitespace or ")" (titles are not used).
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
OUTSIDE = re.compile(r"\.\./shared|\b(PRODUCT|ARCHITECTURE|DEVELOPERS)\.md\b")


def links(text: str) -> list[str]:
    """Every link target of a Markdown text, outside fenced code blocks."""
    return LINK.findall(FENCE.sub("", text))


def code_paths(text: str) -> list[str]:
    """Backticked spans outside fences that name a repository path (`bot/x.py`, `docs/`)."""
    spans = CODE.findall(FENCE.sub("", text))
    # `bot/commands/<name>.py` is a pattern for the reader, not a path.
    return [s for s in spans if s.startswith(TOP_LEVEL) and not re.search(r"[\s<>{}]", s)]


def is_local(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) and not target.startswith(
        "#"
    )


def missing_links(document: Path) -> list[str]:
    missing = []
    for target in links(document.read_text()):
        if not is_local(target):
            continue
        path = target.split("#", 1)[0]
        if path and not (document.parent / path).exists():
            missing.append(target)
    return missing


def missing_paths(document: Path) -> list[str]:
    missing = []
    for span in code_paths(document.read_text()):
        path = span.rstrip("/").split("::", 1)[0]
        found = list(ROOT.glob(path)) if "*" in path else [ROOT / path]
        # `tests/harness.running_connectbot`: a module and a name in it.
        head, _, last = path.rpartition("/")
        if "." in last:
            found.append(ROOT / head / (last.split(".", 1)[0] + ".py"))
        if not any(p.exists() for p in found):
            missing.append(span)
    return missing


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(document: Path) -> None:
    assert missing_links(document) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_path_named_in_backticks_exists(document: Path) -> None:
    assert missing_paths(document) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_at_documents_outside_the_repository(document: Path) -> None:
    assert OUTSIDE.findall(document.read_text()) == []


def test_no_code_points_at_documents_outside_the_repository() -> None:
    """A clone has only its own documents: code and its comments cite those, or nothing."""
    sources = [
        p
        for top in ("bot", "storage", "sandbox", "bench")
        for p in sorted((ROOT / top).rglob("*"))
        if p.suffix in {".py", ".html", ".j2", ".md", ".css", ".js"}
    ]
    sources += [ROOT / "Makefile", ROOT / "app.yaml", ROOT / "pyproject.toml", ROOT / ".ci/run"]
    found = {str(p.relative_to(ROOT)) for p in sources if OUTSIDE.search(p.read_text())}
    assert found == set()


def test_readme_links_every_document() -> None:
    targets = set(links((ROOT / "README.md").read_text()))
    for name in ("guide", "architecture", "operations", "reliability", "benchmarks"):
        assert f"docs/{name}.md" in targets


def test_the_checker_finds_what_is_missing(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "[ok](x.md) ![img](images/none.png) [web](https://example.com) [here](#top)\n"
        "[gone](nowhere.md#part) `bot/nowhere.py` `bot/config.py` `docs/` `not/a/path`\n"
        "`bot/config.Settings` `bot/nowhere.Thing` `bot/notifications/digest*.py` `bot/<x>.py`\n"
        "```\n[in a fence](fenced.md)\n```\n"
    )
    assert missing_links(doc) == ["images/none.png", "nowhere.md#part"]
    assert missing_paths(doc) == ["bot/nowhere.py", "bot/nowhere.Thing"]
