"""The plainest app a user writes, run as users run it, compared with @sentry/electron's renderer error.

A page by relative URL (pywebview's own Bottle server), the default GUI choice (no
``gui=``), no release given, one ``init`` line; run twice from a folder that is no git
checkout. Every envelope that arrives is counted.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import GUIS, gui_command
from tests.expectation import mismatches
from tests.oracles import assert_relay_accepts

EXPECTED = json.loads((Path(__file__).parent / "expected" / "renderer_error.json").read_text())

APP = """import os

import webview

import sentry_webview

sentry_webview.init(dsn=os.environ["SENTRY_DSN"])
webview.create_window("Plain", "index.html")
webview.start()
"""
INDEX = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>Plain</title><script src="app.js"></script></head>
<body><button id="throw" onclick="fail()">Throw</button></body>
</html>
"""
# As in @sentry/electron's renderer-error fixture: an Error thrown from a timer.
SCRIPT = """function fail() {
  setTimeout(function () {
    throw new Error("Some renderer error");
  }, 10);
}
"""


def run_plain_app(gui, app_dir, ingest, tmp_path):
    """The app as pywebview picks its GUI by itself: on Qt, a venv without PyGObject (pywebview tries GTK
    first and logs the failure); on GTK, a desktop with a display."""
    env = dict(os.environ, SENTRY_DSN=ingest.dsn)
    for name in ("SENTRY_RELEASE", "SENTRY_ENVIRONMENT", "DISPLAY"):
        env.pop(name, None)
    argv = gui_command(gui, [sys.executable, "-m", "tests.e2e.run_example", str(app_dir / "app.py")], env)
    env.pop("PYWEBVIEW_GUI")  # the default choice: GTK first, then Qt
    if gui == "qt":
        no_gi = tmp_path / "no-gi"
        (no_gi / "gi").mkdir(parents=True, exist_ok=True)
        (no_gi / "gi" / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'gi'\", name='gi')\n")
        env["PYTHONPATH"] = os.pathsep.join([str(no_gi), env["PYTHONPATH"]])
    before = len(ingest.received)
    result = subprocess.run(argv, env=env, cwd=app_dir, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    ingest.wait_for(lambda i: any(r.items_of("session") for r in i.received[before:]), timeout=10)
    return ingest.received[before:]


@pytest.mark.parametrize("gui", GUIS)
def test_the_plainest_app_sends_one_event_as_electron_does_and_one_session(gui, ingest, tmp_path):
    app_dir = tmp_path / "plain"
    app_dir.mkdir()
    for name, text in (("app.py", APP), ("index.html", INDEX), ("app.js", SCRIPT)):
        (app_dir / name).write_text(text)
    runs = [run_plain_app(gui, app_dir, ingest, tmp_path) for _ in range(2)]
    events = []
    for received in runs:
        kinds = sorted(item.type for envelope in received for item in envelope.envelope.items)
        assert kinds == ["event", "session"], kinds  # no host error, no client report, no request sessions
        [with_event] = [r for r in received if r.items_of("event")]
        event = with_event.event
        assert mismatches(EXPECTED["envelope_headers"], with_event.envelope.headers) == []
        assert mismatches(EXPECTED["event"], event) == []
        assert with_event.envelope.headers["trace"]["trace_id"] == event["contexts"]["trace"]["trace_id"]
        assert str(tmp_path) not in json.dumps(event) and str(Path.home()) not in json.dumps(event)
        [session] = [
            item.payload.json or json.loads(item.get_bytes()) for r in received for item in r.items_of("session")
        ]
        assert (session["init"], session["status"], session["errors"]) == (True, "exited", 1)
        assert session["attrs"]["release"] == event["release"]
        assert_relay_accepts(event)
        events.append(event)
    first, second = events
    assert first["event_id"] != second["event_id"]
    assert first["release"] == second["release"]  # one build, one release
    frames = [e["exception"]["values"][0]["stacktrace"]["frames"] for e in events]
    assert frames[0] == frames[1]  # grouped the same on every run, whatever port served the page
    runtime, browser = first["contexts"]["runtime"], first["contexts"]["browser"]
    if gui == "qt":
        assert (runtime["name"], browser["name"]) == ("Chromium", "Chrome")
    else:
        assert (runtime["name"], browser["name"]) == ("WebKitGTK", "Safari")
