"""The layout docs/architecture.md describes: each app imports only the apps below it (the review
workflow and the designations it issues being the one pair that import each other), and no app
holds more than 30% of the product's code."""

import ast
from pathlib import Path

import pytest

# Reads the repository's files only: the same in both CI passes.
pytestmark = pytest.mark.first_pass

ROOT = Path(__file__).resolve().parent.parent
# Lowest first; an app may import the apps of a lower rank.
RANK = {
    "core": 0,
    "communities": 1,
    "personnel": 2,
    "facilities": 2,
    "funding": 3,
    "standards": 4,
    "assessments": 5,
    "designations": 5,
    "dashboards": 6,
    "demo": 7,
    "config": 8,
}
BOTH_WAYS = {frozenset({"assessments", "designations"})}
APPS = [app for app in RANK if (ROOT / app).is_dir()]


def product_files(app: str):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        found.update(name.split(".")[0] for name in names if name)
    return found & set(APPS)


def test_every_app_imports_only_the_apps_below_it():
    upward = sorted(
        f"{path.relative_to(ROOT)} imports {other}"
        for app in APPS
        for path in product_files(app)
        for other in imported_apps(path) - {app}
        if RANK[other] >= RANK[app] and frozenset({app, other}) not in BOTH_WAYS
    )
    assert upward == []


def test_no_app_holds_more_than_30_percent_of_the_product_code():
    lines = {
        app: sum(len(path.read_text("utf-8").splitlines()) for path in product_files(app)) for app in APPS
    }
    total = sum(lines.values())
    assert {app: round(count / total, 2) for app, count in lines.items() if count > 0.3 * total} == {}
