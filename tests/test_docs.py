"""The repository carries its own documentation: every path the README, docs/ and the code name
exists, the README stays short and opens with the two commands, and no code cites an issue number."""

import re
import subprocess
from pathlib import Path

import pytest

# Reads the repository's files only: the same in both CI passes.
pytestmark = pytest.mark.first_pass

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A path in backticks (with a folder, so `measures.py` meaning each app's is not one) or a Markdown link.
NAMED_IN_DOCS = re.compile(r"`([\w.-]+(?:/[\w.<>-]+)+/?)`|\]\(([^)#\s]+)")
NAMED_IN_CODE = re.compile(r"\bdocs/[\w-]+\.md\b")
PLACEHOLDER = re.compile(r"[<>]|\.\.\.|…")


def tracked_python() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "*.py"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    return [ROOT / name for name in names if (ROOT / name).exists()]


def tracked_roots() -> set[str]:
    """The top-level files and folders of the repository (not `var/` or `.venv/`, made at run time)."""
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    return {name.split("/")[0] for name in names}


def test_every_path_the_docs_name_exists():
    roots = tracked_roots() | {"docs"}
    missing = []
    for doc in DOCS:
        for match in NAMED_IN_DOCS.finditer(doc.read_text(encoding="utf-8")):
            path = match.group(1) or match.group(2)
            if "://" in path or PLACEHOLDER.search(path):
                continue  # a web address or a pattern
            base = doc.parent if match.group(2) else ROOT
            if match.group(1) and path.split("/")[0] not in roots:
                continue  # a route of the API (`stats/units/`), a media type or a file made at run time
            if not ((base / path).exists() or (ROOT / path).exists()):
                missing.append(f"{doc.relative_to(ROOT)}: {path}")
    assert missing == []


def test_every_docs_page_the_code_cites_exists():
    cited = {name for path in tracked_python() for name in NAMED_IN_CODE.findall(path.read_text("utf-8"))}
    assert cited, "the code cites its documentation"
    assert sorted(name for name in cited if not (ROOT / name).exists()) == []


def test_no_code_cites_an_issue_number():
    issue = re.compile(r"\bissue #?\d+|\(#\d+\)", re.IGNORECASE)
    citing = [
        str(path.relative_to(ROOT)) for path in tracked_python() if issue.search(path.read_text("utf-8"))
    ]
    assert citing == []


def test_the_readme_opens_with_the_two_commands_and_stays_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    block = lines[lines.index("```bash") + 1 : lines.index("```")]
    assert [line.split()[:2] for line in block] == [["make", "demo"], ["make", "test"]]
