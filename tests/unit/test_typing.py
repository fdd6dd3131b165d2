"""mypy over the package, with pyproject.toml's [tool.mypy] settings: the package is mypy-clean."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_is_mypy_clean():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install .[test])")
    if not (ROOT / "pyproject.toml").is_file() or not (ROOT / "sentry_webview").is_dir():
        pytest.skip("no source tree beside the tests (the installed wheel is under test)")
    # Its own process: mypy raises the recursion limit of the process it runs in.
    argv = ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache")]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", *argv, str(ROOT / "sentry_webview")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr or run.stdout  # 1: type errors (listed), 2: mypy itself failed
