"""Every example in examples/ runs unmodified in a real pywebview window, and its renderer error arrives."""

import json
import re
import sys

import pytest

from tests.e2e.conftest import GUIS, run_gui
from tests.integration.app_runs import sessions
from tests.oracles import assert_relay_accepts

QT = GUIS[0]

EXAMPLES = {
    "basic": ("TypeError", "sentry-ipc"),
    "namespaced": ("RangeError", "my-app"),
    "flask_app": ("TypeError", "sentry-ipc"),
    "manual_preload": ("SyntaxError", "sentry-ipc"),
}


@pytest.mark.parametrize("gui", [QT])
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_delivers_its_renderer_error(example, gui, ingest):
    result = run_gui(
        gui, [sys.executable, "-m", "tests.e2e.run_example", "examples/%s/app.py" % example], SENTRY_DSN=ingest.dsn
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    page = json.loads(re.search(r"PAGE_IPC (.*)", result.stdout).group(1))
    error_type, namespace = EXAMPLES[example]
    assert page["namespaces"] == [namespace]
    [event] = ingest.wait_for_events(1)
    assert event["exception"]["values"][-1]["type"] == error_type
    assert event["tags"]["event.process"] == "renderer"
    assert "transaction" not in event  # the Flask app's request names are not the page's
    assert_relay_accepts(event)
    # Whatever serves the pages (a file, pywebview's server, the app's Flask app): one application session.
    ingest.wait_for(sessions)
    kinds = sorted(item.type for received in ingest.received for item in received.envelope.items)
    assert kinds == ["event", "session"], kinds
    [session] = sessions(ingest)
    assert (session["init"], session["status"], session["errors"]) == (True, "exited", 1)
    if example == "flask_app":
        assert page["config"]["protocolUrl"] == "/sentry-ipc"
        assert page["config"]["ipcMode"] == "protocol"
