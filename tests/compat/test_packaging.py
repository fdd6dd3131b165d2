"""The package as a user gets it: an sdist and a wheel built by ``python -m build`` in a fresh venv, what
each holds, what the wheel declares, and the wheel installed without pywebview (a CEF-only app)."""

import email
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest

from sentry_webview import _compat
from tests.conftest import load_sample

ROOT = Path(__file__).resolve().parents[2]
PIP_QUIET = ["--disable-pip-version-check", "--quiet"]
# The venvs here see only what is installed in them: not the checkout a PYTHONPATH may name.
CLEAN_ENV = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}


def _run(command: List[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("env", CLEAN_ENV)
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert run.returncode == 0, "%s\n%s\n%s" % (" ".join(map(str, command)), run.stdout[-3000:], run.stderr[-3000:])
    return run


def _venv(path: Path) -> Path:
    _run([sys.executable, "-m", "venv", str(path)])
    return path / "bin" / "python"


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Dict[str, Path]:
    """``python -m build`` (the sdist, then the wheel from it) of this checkout, in a venv of its own."""
    work = tmp_path_factory.mktemp("build")
    python = _venv(work / "venv")
    _run([str(python), "-m", "pip", "install", *PIP_QUIET, "build"])
    # A copy, so that the build's egg-info and build/ stay out of the checkout.
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".compat",
            ".cef-runtime*",
            ".py39-runtime",
            "node_modules",
            "__pycache__",
            "build",
            "dist",
            "*.egg-info",
            ".pytest_cache",
            ".hypothesis",
            ".mypy_cache",
            "test-results",
        ),
    )
    _run([str(python), "-m", "build", "--outdir", str(work / "dist"), str(source)])
    [wheel] = (work / "dist").glob("*.whl")
    [sdist] = (work / "dist").glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="session")
def wheel_names(dist) -> List[str]:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        return wheel.namelist()


@pytest.fixture(scope="session")
def sdist_names(dist) -> List[str]:
    with tarfile.open(dist["sdist"]) as sdist:
        return [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]


@pytest.fixture(scope="session")
def metadata(dist) -> email.message.Message:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(wheel.read(name))


def test_the_wheel_carries_the_bundles_the_wire_contract_and_the_license(wheel_names):
    for name in [
        "sentry_webview/static/preload.js",
        "sentry_webview/static/renderer.js",
        "sentry_webview/ipc/wire.json",
        "sentry_webview/py.typed",
        "sentry_webview/__main__.py",
        "sentry_webview/_compat.py",
    ]:
        assert name in wheel_names
    assert any(re.match(r"sentry_webview-[^/]+\.dist-info/licenses/LICENSE$", n) for n in wheel_names)
    assert not [n for n in wheel_names if n.startswith(("tests/", "js/", "examples/")) or "__pycache__" in n]


def test_the_sdist_rebuilds_the_bundles_and_runs_the_tests(sdist_names):
    for name in [
        "js/build.mjs",
        "js/package.json",
        "js/package-lock.json",
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "tests/conftest.py",
        "tests/samples/envelope_error.txt",
        "sentry_webview/static/renderer.js",
        "sentry_webview/ipc/wire.json",
        "scripts/compat.sh",
    ]:
        assert name in sdist_names
    assert {"js/src/preload.js", "js/src/renderer.js", "js/src/wire.js"} <= set(sdist_names)
    assert not [n for n in sdist_names if "node_modules" in n or "__pycache__" in n or n.endswith(".pyc")]
    if (ROOT / ".git").exists():  # every tracked source of the bundles and the tests, not only the ones named here
        tracked = _run(["git", "ls-files", "js", "tests", "sentry_webview"], cwd=ROOT).stdout.split()
        assert sorted(set(tracked) - set(sdist_names)) == []


def test_the_metadata_declares_license_ranges_and_where_cef_runs(metadata):
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert metadata["Requires-Python"] == ">=3.9"
    assert metadata["Author"] and metadata.get_all("Project-URL")
    assert "Programming Language :: Python :: 3.9" in metadata.get_all("Classifier")
    requirements = metadata.get_all("Requires-Dist")
    floor = re.search(r"^sentry-sdk<3,>=([\d.]+)$", "\n".join(requirements), re.M).group(1)
    assert _compat._version_tuple(floor) == _compat.SENTRY_SDK_FLOOR[: len(floor.split("."))]
    pinned = [r for r in requirements if "==" in r.split(";")[0]]
    assert pinned == [], "exact pins clash with the apps' own"
    [cef] = [r for r in requirements if r.startswith("cefpython3")]
    assert 'sys_platform == "win32"' in cef and 'python_version < "3.10"' in cef
    markers = pytest.importorskip("packaging.markers")
    marker = markers.Marker(cef.split(";", 1)[1])
    where = {"sys_platform": "win32", "python_version": "3.9", "extra": "cef"}
    assert marker.evaluate(where)
    assert not marker.evaluate(dict(where, python_version="3.10"))
    assert not marker.evaluate(dict(where, sys_platform="linux", python_version="3.9"))
    assert not marker.evaluate(dict(where, sys_platform="darwin"))


@pytest.fixture(scope="session")
def base_venv(dist, tmp_path_factory) -> Path:
    """The wheel with its base dependencies only: no extra, so no pywebview and no GUI toolkit."""
    python = _venv(tmp_path_factory.mktemp("base") / "venv")
    _run([str(python), "-m", "pip", "install", *PIP_QUIET, str(dist["wheel"])])
    return python


APP = textwrap.dedent(
    """
    import http.client, sys, urllib.parse
    import sentry_webview
    from sentry_webview.ipc import wire

    sentry_webview.init(dsn=sys.argv[1], release="cef-app@1.0", environment="test")
    config = sentry_webview.renderer_config()
    url = urllib.parse.urlsplit(config["protocolUrl"])
    headers = dict(config["headers"], Origin="http://127.0.0.1:8000", **{wire.RENDERER_HEADER: "renderer-1"})
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    path = wire.protocol_path(config["ipcNamespace"], "envelope")
    connection.request("POST", path, sys.stdin.read().encode(), headers)
    print("status", connection.getresponse().status)
    print("flushed", sentry_webview.flush(5))
    """
)


def test_init_and_the_protocol_work_without_pywebview(base_venv, ingest, tmp_path):
    probe = subprocess.run(
        [str(base_venv), "-c", "import webview"], capture_output=True, text=True, cwd=tmp_path, env=CLEAN_ENV
    )
    assert probe.returncode != 0 and "No module named 'webview'" in probe.stderr
    env = dict(CLEAN_ENV, XDG_DATA_HOME=str(tmp_path / "xdg"))
    run = subprocess.run(
        [str(base_venv), "-c", APP, ingest.dsn],
        input=load_sample("envelope_error.txt"),
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the installed wheel is what runs
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "status 200" in run.stdout and "flushed True" in run.stdout, run.stdout
    [event] = ingest.wait_for_events(1)
    assert event["platform"] == "javascript"
    assert event["release"] == "cef-app@1.0"
    assert event["tags"]["event.process"] == "renderer"


def test_the_bundles_can_be_written_from_the_installed_wheel(base_venv, tmp_path):
    run = _run([str(base_venv), "-m", "sentry_webview", "js", "--out", str(tmp_path / "web")], cwd=tmp_path)
    written = sorted(Path(line).name for line in run.stdout.split())
    assert written == ["sentry-webview-preload.js", "sentry-webview-renderer.js"]
    assert (tmp_path / "web" / "sentry-webview-renderer.js").read_bytes() == (
        ROOT / "sentry_webview" / "static" / "renderer.js"
    ).read_bytes()


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (scripts/setup.sh installs it)")
def test_the_bundles_rebuild_from_the_sdist(dist, tmp_path):
    with tarfile.open(dist["sdist"]) as sdist:
        sdist.extractall(tmp_path)
    [source] = tmp_path.iterdir()
    package = json.loads((source / "js" / "package.json").read_text())
    assert "check" in package["scripts"]
    _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=source / "js")
    _run(["npm", "run", "--silent", "check"], cwd=source / "js")
