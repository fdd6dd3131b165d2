"""The real CEF 66 (Python 2.7 + cefpython3 66.0, from ``scripts/setup_cef.sh``) under Xvfb."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / ".cef-runtime"
DRIVER = Path(__file__).with_name("driver_py27.py")


def _missing():
    if shutil.which("xvfb-run") is None:
        return "xvfb-run is not installed (apt-get install xvfb xauth)"
    if not (RUNTIME / "python2.7").exists():
        why = RUNTIME.with_name(RUNTIME.name + ".unavailable")
        reason = why.read_text().strip() if why.exists() else "the CEF runtime is not set up"
        return "%s (run scripts/setup_cef.sh)" % reason
    return None


@pytest.fixture(scope="session")
def run_driver(tmp_path_factory):
    """``run_driver(*args)``: the Python 2.7 driver on the real CEF, in a scratch directory."""
    missing = _missing()
    if missing:
        pytest.skip(missing)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH", "LD_LIBRARY_PATH")}

    def run(*args, timeout=60):
        return subprocess.run(
            ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", str(RUNTIME / "python2.7"), str(DRIVER), *args],
            cwd=tmp_path_factory.mktemp("cef"),
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def cef_recording(run_driver, tmp_path_factory):
    """What the real engine did in ``driver_py27.py contract``."""
    out = tmp_path_factory.mktemp("recording") / "contract.json"
    result = run_driver("contract", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(out.read_text())
