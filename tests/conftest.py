"""Shared fixtures: a real local ingest, the Relay oracle and a fresh sentry-webview host per test."""

import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest
import sentry_sdk
import sentry_sdk.scope

import sentry_webview
from sentry_webview.integrations.webview import WebviewIntegration
from sentry_webview.tools.ingest import LocalIngest

SAMPLES = Path(__file__).parent / "samples"

# SENTRY_WEBVIEW_REQUIRE_ALL=1 (scripts/test.sh, so CI) turns a skip for a missing prerequisite
# (GTK, Qt, Chromium, the CEF runtime, PyInstaller, pywebview) into a failure: a machine that lost
# one must not pass by running fewer tests. Such skips name what to install or set up.
REQUIRE_ALL = os.environ.get("SENTRY_WEBVIEW_REQUIRE_ALL", "") not in ("", "0")
PREREQUISITE_SKIP = re.compile(r"not installed|not set up|is missing|scripts/setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr)
        if PREREQUISITE_SKIP.search(reason):
            report.outcome = "failed"
            report.longrepr = "SENTRY_WEBVIEW_REQUIRE_ALL is set and a prerequisite is missing: %s" % reason


def load_sample(name: str) -> str:
    """A payload exactly as @sentry/browser's renderer bundle sent it (see samples/capture.py)."""
    return (SAMPLES / name).read_text("utf-8")


def sample_event(name: str = "envelope_error.txt") -> Dict[str, Any]:
    """The event item of a captured sample envelope."""
    return json.loads(load_sample(name).split("\n")[2])


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test, and the apps it runs, keeps its offline queue and run files in its own user data dir."""
    path = tmp_path / "user-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(path))
    return path


@pytest.fixture
def ingest() -> Iterator[LocalIngest]:
    server = LocalIngest()
    yield server
    server.close()


def _reset_scopes() -> None:
    sentry_sdk.scope._isolation_scope.set(None)
    sentry_sdk.scope._current_scope.set(None)
    sentry_sdk.scope._global_scope = None


@pytest.fixture
def webview_sdk(ingest: LocalIngest, tmp_path: Path) -> Iterator[Callable[..., WebviewIntegration]]:
    """``webview_sdk(**options)`` runs ``sentry_webview.init`` against the local ingest."""
    started = []

    def start(**options: Any) -> WebviewIntegration:
        _reset_scopes()
        options.setdefault("dsn", ingest.dsn)
        options.setdefault("offline", {"path": tmp_path / "offline-queue"})
        options.setdefault("data_dir", tmp_path / "sentry-webview")
        options.setdefault("release", "app@1.2.3")
        options.setdefault("environment", "test")
        # The tests' own HTTP requests to the protocol server are not app breadcrumbs.
        options.setdefault(
            "before_breadcrumb", lambda crumb, hint: None if crumb.get("category") == "httplib" else crumb
        )
        sentry_webview.init(**options)
        integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
        started.append(integration)
        return integration

    yield start
    sentry_sdk.flush(2)
    for integration in started:
        if integration is not None:
            integration.close()
    sentry_webview.sdk.close()
    sentry_sdk.get_client().close()
    _reset_scopes()
