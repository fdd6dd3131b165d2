"""examples/bundled_app: a page built by esbuild from its own package.json that imports the
sentry-webview npm package (file:../../js), run in pywebview Qt with tracing and the feedback
widget on. One trace from the click into Python; feedback arrives with the host's identity."""

import json
import shutil
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT, _qt_missing, run_gui
from tests.oracles import assert_relay_accepts

EXAMPLE = ROOT / "examples" / "bundled_app"
pytestmark = pytest.mark.skipif(_qt_missing(), reason="PyQt6/QtWebEngine missing")


@pytest.fixture(scope="module")
def built_example():
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    for argv in ([npm, "ci", "--no-audit", "--no-fund"], [npm, "run", "build"]):  # ci: the committed lock, as is
        result = subprocess.run(argv, cwd=EXAMPLE, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert (EXAMPLE / "dist" / "app.js").is_file()
    return EXAMPLE


def test_the_bundled_example_traces_a_click_into_python_and_sends_feedback(built_example, ingest):
    result = run_gui("qt", [sys.executable, "-m", "tests.e2e.run_bundled_example"], SENTRY_DSN=ingest.dsn)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert "TITLE loaded:42" in result.stdout
    assert "WIDGET True" in result.stdout  # feedbackIntegration's widget is on the page

    ingest.wait_for(lambda i: len([r for r in i.received if (r.event or {}).get("platform") == "javascript"]) >= 1)
    items = [(item.type, received) for received in ingest.received for item in received.envelope.items]
    kinds = sorted(kind for kind, _ in items)
    # Every envelope that arrived: the page's transaction(s), the host's, the feedback, the run's session.
    assert set(kinds) <= {"transaction", "feedback", "session"}, kinds
    assert kinds.count("feedback") == 1 and kinds.count("session") == 1, kinds

    transactions = [r.event for r in ingest.received if (r.event or {}).get("type") == "transaction"]
    # pywebview serves the example's files from its own Bottle server: no transaction per file.
    assert not [t for t in transactions if t["transaction"].startswith("webview.http.")], transactions
    host = [t for t in transactions if t["contexts"]["trace"]["op"] == "function.pywebview.js_api"]
    page = [t for t in transactions if t.get("platform") == "javascript"]
    assert len(host) == 1 and len(page) >= 1 and len(host) + len(page) == len(transactions)
    host = host[0]
    trace_id = host["contexts"]["trace"]["trace_id"]
    page_spans = {s["span_id"]: s for t in page for s in t.get("spans", [])}
    page_spans.update({t["contexts"]["trace"]["span_id"]: t["contexts"]["trace"] for t in page})
    assert page_spans[host["contexts"]["trace"]["parent_span_id"]]["op"] == "function.pywebview.js_api"
    assert any(t["contexts"]["trace"]["trace_id"] == trace_id for t in page)
    spans = host["spans"]
    [function] = [s for s in spans if s["op"] == "function"]
    [http] = [s for s in spans if s["op"] == "http.client"]
    assert function["description"].endswith("Api.load_report")
    assert http["parent_span_id"] == function["span_id"] and "127.0.0.1" in http["description"]
    for transaction in transactions:
        assert transaction["release"] == host["release"] and transaction["environment"] == host["environment"]
        assert_relay_accepts(transaction)

    [feedback_envelope] = [r for kind, r in items if kind == "feedback"]
    [feedback_item] = feedback_envelope.items_of("feedback")
    feedback = json.loads(feedback_item.get_bytes())
    assert feedback["contexts"]["feedback"]["message"] == "The report took long"
    trace = feedback_envelope.envelope.headers.get("trace") or {}
    assert trace.get("release") == host["release"] and trace.get("environment") == host["environment"]
    assert trace.get("public_key") == "publickey"
    assert (feedback["release"], feedback["environment"]) == (host["release"], host["environment"])
    assert_relay_accepts(feedback)
