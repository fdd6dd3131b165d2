"""app_info: the app's name, which names its data directory, release and ``app`` context."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentry_webview import app_info

ROOT = Path(__file__).resolve().parents[2]

# The data directory a run without a script file would get, and what it leaves under XDG_DATA_HOME.
PROBE = """
import os, sys
from sentry_webview.app_info import app_name, data_path
print(app_name())
print(data_path("queue", "http://key@127.0.0.1:9/1"))
"""


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    if not app_info.__file__.startswith(str(ROOT)):
        return env  # an installed package (the compat matrix): nothing to add
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.mark.parametrize("how", ["-c", "stdin"])
def test_a_run_without_a_script_file_gets_a_sane_data_directory(tmp_path, how):
    command = [sys.executable, "-c", PROBE] if how == "-c" else [sys.executable, "-"]
    run = subprocess.run(
        command,
        input=None if how == "-c" else PROBE,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    name, path = run.stdout.splitlines()
    assert name == "None"
    assert Path(path).relative_to(tmp_path / "xdg").parts[:3] == ("sentry-webview", "sentry-webview", "queue")
    assert "<" not in path and ">" not in path


@pytest.mark.parametrize(
    "name, sane",
    [
        ("shop", "shop"),
        ("my-app_2.1", "my-app_2.1"),
        ("My App", "My App"),
        ("<stdin>", None),
        ("<string>", None),
        ("", None),
        ("-c", None),
        ("../etc", None),
    ],
)
def test_only_names_that_look_like_one_name_the_app(name, sane):
    assert app_info._sane(name) == sane


def test_a_script_names_the_app(tmp_path):
    script = tmp_path / "shop.py"
    script.write_text("from sentry_webview.app_info import app_name\nprint(app_name())\n")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=_env(tmp_path), timeout=60)
    assert run.stdout.strip() == "shop", run.stderr
