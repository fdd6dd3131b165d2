"""The README's main job: ``python -m sentry_webview demo`` headless, printing the merged events."""

import re
import sys

import pytest

from tests.e2e.conftest import GUIS, run_gui


@pytest.mark.parametrize("gui", [GUIS[0]])
def test_demo_prints_a_merged_renderer_and_host_event(gui):
    result = run_gui(gui, [sys.executable, "-m", "sentry_webview", "demo"], timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    out = result.stdout
    assert "2 events arrived at the embedded local ingest" in out
    assert "● renderer TypeError" in out
    assert "● host     KeyError" in out
    assert re.search(r"window \S+ \(qt, Chromium [^)]+\)  app:///", out), out  # no title: send_default_pii is off
    assert "[ui] asked Python to check out" in out
    assert "[webview] window.loaded" in out
    assert out.count("attachment screenshot.png (image/png, ") == 2  # one per event: the window
