"""``python -m sentry_webview doctor`` in a real Qt window: what it finds, and the fix it prints."""

import shutil
import sys
from pathlib import Path

import pytest

import sentry_webview
from tests.e2e.conftest import GUIS, run_gui

DOCTOR = [sys.executable, "-m", "sentry_webview", "doctor", "--dsn", "https://key@o1.ingest.sentry.io/42"]


@pytest.mark.parametrize("gui", [GUIS[0]])
def test_a_healthy_setup_passes_every_check(gui):
    result = run_gui(gui, DOCTOR, timeout=90)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for line in ("✓ renderer bundle", "✓ injection", "✓ bridge", "✓ protocol", "✓ renderer event  reached the host"):
        assert line in result.stdout
    assert "'sentry-ipc' in host and page, ipc_mode both" in result.stdout


@pytest.mark.parametrize("gui", [GUIS[0]])
def test_missing_bundles_are_named_with_the_fix(gui, tmp_path):
    shutil.copytree(
        Path(sentry_webview.__file__).parent,
        tmp_path / "sentry_webview",
        ignore=shutil.ignore_patterns("static", "__pycache__"),
    )
    result = run_gui(gui, DOCTOR, timeout=90, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "✗ renderer bundle missing\n  fix: a frozen app needs sentry-webview's PyInstaller hook" in result.stdout
    assert "✗ renderer event  did not arrive" in result.stdout
    assert "✓ bridge" in result.stdout  # the host side is still wired
