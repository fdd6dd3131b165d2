"""mypy over the package, with pyproject.toml's [tool.mypy] settings: the package is mypy-clean."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def mypy(path: Path) -> "subprocess.CompletedProcess[str]":
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install .[test])")
    if not (ROOT / "pyproject.toml").is_file() or not (ROOT / "sentry_webview").is_dir():
        pytest.skip("no source tree beside the tests (the installed wheel is under test)")
    # Its own process: mypy raises the recursion limit of the process it runs in.
    argv = ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache")]
    return subprocess.run([sys.executable, "-m", "mypy", *argv, str(path)], capture_output=True, text=True, cwd=ROOT)


def test_the_package_is_mypy_clean():
    run = mypy(ROOT / "sentry_webview")
    assert run.returncode == 0, run.stderr or run.stdout  # 1: type errors (listed), 2: mypy itself failed


def test_init_options_are_typed_for_the_app():
    """An app's mypy takes every sentry_sdk.init option through sentry_webview.init, and refuses a misspelt one
    or a wrong type (``anr_threshold="2"``), as typed_init_calls.py marks line by line."""
    usage = Path(__file__).with_name("typed_init_calls.py")
    expected = [
        (number, code)
        for number, line in enumerate(usage.read_text().splitlines(), 1)
        for code in re.findall(r"# error: \[([\w-]+)\]$", line)
    ]
    run = mypy(usage)
    assert run.returncode in (0, 1), run.stderr or run.stdout
    found = [(int(n), code) for n, code in re.findall(r"^[^:]+:(\d+): error: .*\[([\w-]+)\]$", run.stdout, re.M)]
    assert len(expected) == 5 and found == expected, run.stdout
