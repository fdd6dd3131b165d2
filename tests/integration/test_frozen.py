"""Bundled apps: PyInstaller keeps the renderer bundles; without them the host warns once and degrades."""

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sentry_webview

ROOT = Path(__file__).resolve().parents[2]
PROBE = textwrap.dedent(
    """
    import logging, sys
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
    import sentry_webview
    from sentry_webview.app_info import default_environment, default_release
    from sentry_webview.backends.injection import injected_source, renderer_bundle
    renderer_bundle(); renderer_bundle()
    print("FROZEN", getattr(sys, "frozen", False))
    print("ENVIRONMENT", default_environment())
    print("RELEASE", default_release())
    print("INJECTABLE", injected_source({"ipcNamespace": "sentry-ipc"}) is not None)
    """
)


@pytest.mark.skipif(
    importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller is not installed (pip install .[test])"
)
def test_a_pyinstaller_build_keeps_the_bundles(tmp_path):
    (tmp_path / "probe.py").write_text(PROBE)
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--log-level=WARN"]
    command += [
        "--distpath",
        str(tmp_path / "dist"),
        "--workpath",
        str(tmp_path / "build"),
        "--specpath",
        str(tmp_path),
    ]
    # An editable install hides the package from PyInstaller's module graph; users install it normally.
    command += ["--paths", str(ROOT)]
    # The GUI toolkits are not what this build checks, and their hooks are slow.
    command += ["--exclude-module=%s" % name for name in ("webview", "PyQt6", "qtpy", "gi", "playwright", "IPython")]
    build = subprocess.run(command + [str(tmp_path / "probe.py")], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-4000:]
    bundled = tmp_path / "dist" / "probe" / "_internal" / "sentry_webview"
    assert (bundled / "static" / "renderer.js").is_file()
    assert (bundled / "static" / "preload.js").is_file()
    assert (bundled / "ipc" / "wire.json").is_file()
    executable = tmp_path / "dist" / "probe" / "probe"
    # Started from a git checkout, whose HEAD sentry-sdk would take for the release.
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_RELEASE"}
    run = subprocess.run([str(executable)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FROZEN True" in run.stdout
    assert "ENVIRONMENT production" in run.stdout
    assert "RELEASE probe@0.0.0+%s" % hashlib.sha1(executable.read_bytes()).hexdigest()[:12] in run.stdout
    assert "INJECTABLE True" in run.stdout


def test_without_the_bundles_the_host_warns_once_and_injects_nothing(tmp_path):
    copy = tmp_path / "sentry_webview"
    shutil.copytree(Path(sentry_webview.__file__).parent, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    (tmp_path / "probe.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_RELEASE"}
    env["PYTHONPATH"] = str(tmp_path)
    run = subprocess.run(
        [sys.executable, str(tmp_path / "probe.py")], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("renderer.js is missing") == 1
    assert "python -m sentry_webview js --out DIR" in run.stdout
    assert "INJECTABLE False" in run.stdout
    assert "ENVIRONMENT development" in run.stdout
    assert "RELEASE probe@0.0.0+%s" % hashlib.sha1(PROBE.encode()).hexdigest()[:12] in run.stdout
