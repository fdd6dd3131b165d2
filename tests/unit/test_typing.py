"""mypy over the package, with pyproject.toml's [tool.mypy] settings: the package is mypy-clean."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_is_mypy_clean():
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install .[test])")
    if not (ROOT / "pyproject.toml").is_file() or not (ROOT / "sentry_webview").is_dir():
        pytest.skip("no source tree beside the tests (the installed wheel is under test)")
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(ROOT / "sentry_webview"),
        ]
    )
    assert status == 0, stderr or stdout  # 1: type errors (listed), 2: mypy itself failed
