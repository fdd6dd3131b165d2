"""app_info: the app's name, which names its data directory, release and ``app`` context."""

import hashlib
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


RELEASE_PROBE = """
from sentry_sdk.utils import get_default_release
from sentry_webview.app_info import default_release
print(default_release())
print(get_default_release())
"""


def test_a_script_started_inside_a_git_checkout_keeps_its_own_release(tmp_path):
    """sentry-sdk would name the release after the checkout's HEAD; the app's own build names it."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(git + ["init", "-q"], cwd=checkout, check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "x"], cwd=checkout, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True).stdout.strip()
    script = tmp_path / "plain.py"
    script.write_text(RELEASE_PROBE)
    env = {k: v for k, v in _env(tmp_path).items() if k != "SENTRY_RELEASE"}
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=checkout, timeout=60
    )
    release, guessed = run.stdout.split()
    assert guessed == head, run.stderr  # what sentry-sdk alone would send
    assert release == "plain@0.0.0+" + hashlib.sha1(script.read_bytes()).hexdigest()[:12]


def test_a_frozen_app_without_a_version_is_released_by_the_hash_of_its_executable(tmp_path, monkeypatch):
    executable = tmp_path / "Shop Frozen"
    executable.write_bytes(b"\x7fELF a build")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    monkeypatch.delattr(sys.modules["__main__"], "__version__", raising=False)
    monkeypatch.delenv("SENTRY_RELEASE", raising=False)
    monkeypatch.chdir(ROOT)  # a git checkout: its HEAD is not the app's release
    expected = "Shop-Frozen@0.0.0+" + hashlib.sha1(executable.read_bytes()).hexdigest()[:12]
    assert app_info.default_release() == expected
    monkeypatch.setenv("SENTRY_RELEASE", "shop@9.9.9")
    assert app_info.default_release() == "shop@9.9.9"
