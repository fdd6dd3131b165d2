"""Each way a renderer ends gives its own ``exit.reason`` (@sentry/electron's names), checked against the
engines' real enums (PyQt6's QWebEnginePage.RenderProcessTerminationStatus, WebKit2GTK's
WebProcessTerminationReason via gi) through each backend's own ``renderProcessTerminated`` /
``web-process-terminated`` handler. Catches "every termination status reported as abnormal-exit".
The real-window e2e (signals, exits, WebKitGTK's API and memory limit) is tests/e2e/test_renderer_ends.py."""

import importlib.util
import subprocess
import sys

import pytest


class _Signal:
    def __init__(self):
        self.slots = []

    def connect(self, *args):
        self.slots.append(args[-1])


def _gtk_missing():
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    if subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode:
        return "WebKit2GTK 4.1 / PyGObject are not installed (apt gir1.2-webkit2-4.1, pip pywebview[gtk])"
    return None


@pytest.mark.skipif(importlib.util.find_spec("PyQt6") is None, reason="PyQt6 is not installed (pip install .[qt])")
def test_each_qt_termination_status_has_its_own_reason():
    from PyQt6.QtWebEngineCore import QWebEnginePage

    from sentry_webview.backends.qt import QtBackend

    signal = _Signal()

    class Page:
        renderProcessTerminated = signal

    class Window:
        class native:  # noqa: N801 - pywebview's attribute
            class webview:  # noqa: N801
                page = staticmethod(lambda: Page)

    gone = []
    QtBackend.watch_renderer(None, Window, lambda reason, code: gone.append((reason, code)))
    [terminated] = signal.slots
    statuses = QWebEnginePage.RenderProcessTerminationStatus
    for status in statuses:
        terminated(status, 9)
    assert dict(zip((s.name for s in statuses), (reason for reason, _ in gone))) == {
        "NormalTerminationStatus": "clean-exit",
        "AbnormalTerminationStatus": "abnormal-exit",
        "CrashedTerminationStatus": "crashed",
        "KilledTerminationStatus": "killed",
    }
    assert {code for _, code in gone} == {9}


@pytest.mark.skipif(bool(_gtk_missing()), reason=str(_gtk_missing()))
def test_each_webkitgtk_termination_reason_has_its_own_reason(monkeypatch):
    import gi

    gi.require_version("WebKit2", "4.1")
    from gi.repository import WebKit2

    from sentry_webview.backends import gtk

    signal = _Signal()

    class View:
        webview = signal

    gone = []
    monkeypatch.setattr(gtk, "_browser_view", lambda window: View)
    gtk.GtkBackend.watch_renderer(None, object(), lambda reason, code: gone.append((reason, code)))
    [terminated] = signal.slots
    reasons = WebKit2.WebProcessTerminationReason
    names = [name for name in ("CRASHED", "EXCEEDED_MEMORY_LIMIT", "TERMINATED_BY_API") if hasattr(reasons, name)]
    for name in names:
        terminated(None, getattr(reasons, name))
    assert dict(zip(names, (reason for reason, _ in gone))) == {
        "CRASHED": "crashed",
        "EXCEEDED_MEMORY_LIMIT": "oom",
        "TERMINATED_BY_API": "killed",
    }
