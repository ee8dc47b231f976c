"""Browser tests: headless Debian Chromium (never a Playwright download) against pytest-django's live server.

Every test under tests/browser gets the `browser` marker (`make test-fast` leaves them out). Any console error or uncaught script
error logged by any page of the test's browser context fails the test (a test may `console_watch.allow()`
an error it provokes on purpose), and a failed test leaves a screenshot in test-results/.
"""

import re
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

HERE = Path(__file__).resolve().parent

# Chromium's own noise, not the portal's: the automatic /favicon.ico request (the portal has no favicon).
HARMLESS = [re.compile(r"/favicon\.ico\b")]


def results_dir(config) -> Path:
    return config.rootpath / "test-results"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


class ConsoleWatch:
    """Console errors, uncaught page errors and failed /static/ loads of every page of one browser context."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str):
        """Expect an error matching `pattern` (a regex searched in the recorded line)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, msg):
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url") or (msg.page.url if msg.page else "")
        self.problems.append(f"console error at {where}: {msg.text}")

    def on_weberror(self, web_error):
        page = web_error.page.url if web_error.page else "?"
        self.problems.append(f"uncaught error at {page}: {web_error.error}")

    def on_response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.problems.append(f"static file {response.url} answered {response.status}")

    def unexpected(self) -> list[str]:
        return [
            line
            for line in self.problems
            if not any(p.search(line) for p in HARMLESS) and not any(p.search(line) for p in self.allowed)
        ]


@pytest.fixture
def console_watch():
    return ConsoleWatch()


@pytest.fixture
def context(context, console_watch):
    context.set_default_timeout(10_000)
    context.on("console", console_watch.on_console)
    context.on("weberror", console_watch.on_weberror)
    context.on("response", console_watch.on_response)
    return context


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    watch = item.funcargs.get("console_watch") if hasattr(item, "funcargs") else None
    if watch is not None:
        problems = watch.unexpected()
        if problems:
            pytest.fail("the browser logged errors:\n" + "\n".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and hasattr(item, "funcargs"):
        page = item.funcargs.get("page")
        if page is not None and not page.is_closed():
            target = results_dir(item.config) / (re.sub(r"[^\w.-]+", "_", item.nodeid).strip("_") + ".png")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(target), full_page=True)
                report.sections.append(("screenshot", str(target)))
            except Exception as exc:  # a crashed page must not hide the real failure
                report.sections.append(("screenshot", f"not taken: {exc}"))
    return report
