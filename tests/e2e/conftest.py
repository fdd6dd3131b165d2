"""Real engines: pywebview windows in their own processes, Chromium through Playwright."""

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _gtk_missing():
    if shutil.which("xvfb-run") is None:
        return "xvfb-run is not installed (apt-get install xvfb xauth)"
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    if subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode:
        return "WebKit2GTK 4.1 / PyGObject are not installed (apt gir1.2-webkit2-4.1, pip pywebview[gtk])"
    return None


def _qt_missing():
    if importlib.util.find_spec("PyQt6") is None or importlib.util.find_spec("webview") is None:
        return "PyQt6 / pywebview are not installed (pip install .[qt])"
    return None


GUIS = [
    pytest.param("qt", marks=[pytest.mark.qt, pytest.mark.skipif(bool(_qt_missing()), reason=str(_qt_missing()))]),
    pytest.param("gtk", marks=[pytest.mark.gtk, pytest.mark.skipif(bool(_gtk_missing()), reason=str(_gtk_missing()))]),
]


def gui_command(gui, argv, env):
    """``argv`` under the GUI's headless setup: Qt offscreen, GTK under Xvfb."""
    pythonpath = [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []
    env.update(PYWEBVIEW_GUI=gui, QTWEBENGINE_DISABLE_SANDBOX="1", PYTHONPATH=os.pathsep.join(pythonpath + [str(ROOT)]))
    if gui == "qt":
        env["QT_QPA_PLATFORM"] = "offscreen"
        return argv
    env.pop("QT_QPA_PLATFORM", None)
    return ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *argv]


def run_gui(gui, argv, timeout=90, cwd=ROOT, **env_extra):
    """Run ``argv`` in ``cwd`` (first on ``sys.path`` under ``-m``), then ``PYTHONPATH``, then the repo."""
    env = dict(os.environ, **env_extra)
    return subprocess.run(
        gui_command(gui, argv, env), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def run_scenario(ingest):
    """Run one scenario of ``tests/e2e/pywebview_app.py`` against the ingest; fail with its output if it failed."""

    def run(name, gui, cwd=ROOT, **env):
        argv = [sys.executable, "-m", "tests.e2e.pywebview_app", name]
        result = run_gui(gui, argv, cwd=cwd, SENTRY_DSN=ingest.dsn, **env)
        assert result.returncode == 0, "scenario %s failed (%d)\n%s\n%s" % (
            name,
            result.returncode,
            result.stdout[-3000:],
            result.stderr[-6000:],
        )
        return result

    return run


def _load_playwright_config():
    spec = importlib.util.spec_from_file_location("playwright_config", ROOT / "playwright.config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PLAYWRIGHT = _load_playwright_config()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not PLAYWRIGHT.CHROMIUM_PATH:
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, **PLAYWRIGHT.launch_args()}


@pytest.fixture
def context(context):
    context.set_default_timeout(PLAYWRIGHT.ACTION_TIMEOUT_MS)
    return context


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = self.server.pages.get(self.path.split("?")[0])
        if body is None and self.path.startswith("/sentry-webview-"):
            name = self.path[len("/sentry-webview-") :]
            shipped = ROOT / "sentry_webview" / "static" / name
            body = shipped.read_text("utf-8") if shipped.exists() else None
        data = (body or "").encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/javascript" if self.path.endswith(".js") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def pages():
    """An http server for test pages (``pages.pages[path] = html``) that also serves the shipped bundles."""
    server = _PageServer(("127.0.0.1", 0), _PageHandler)
    server.pages = {}
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
