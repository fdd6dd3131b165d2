"""``python -m sentry_webview js --out DIR``: the prebuilt bundles, for pages that ship them."""

import subprocess
import sys
from pathlib import Path

import sentry_webview
from sentry_webview.__main__ import main

STATIC = Path(sentry_webview.__file__).parent / "static"


def test_js_writes_the_two_prebuilt_bundles(tmp_path, capsys):
    out = tmp_path / "web" / "vendor"
    assert main(["js", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["sentry-webview-preload.js", "sentry-webview-renderer.js"]
    assert (out / "sentry-webview-preload.js").read_bytes() == (STATIC / "preload.js").read_bytes()
    assert (out / "sentry-webview-renderer.js").read_bytes() == (STATIC / "renderer.js").read_bytes()
    assert b"SentryWebviewPreload" in (out / "sentry-webview-preload.js").read_bytes()
    assert b"SentryWebview" in (out / "sentry-webview-renderer.js").read_bytes()
    written = capsys.readouterr().out.split()
    assert written == [str(out / "sentry-webview-preload.js"), str(out / "sentry-webview-renderer.js")]


def test_js_needs_an_out_dir():
    run = subprocess.run([sys.executable, "-m", "sentry_webview", "js"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--out" in run.stderr
