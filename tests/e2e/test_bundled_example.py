"""examples/bundled_app: a page built by esbuild from its own package.json that imports the
sentry-webview npm package, run in pywebview Qt with tracing and the feedback widget on. One trace
from the click into Python; feedback arrives with the host's identity. Run at both ends of the
package's @sentry/browser peer range: the example as committed (file:../../js, the newest), and a
copy that installs the package as published (``npm pack``) beside the range's lowest @sentry/browser."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT, _qt_missing, run_gui
from tests.oracles import assert_relay_accepts

EXAMPLE = ROOT / "examples" / "bundled_app"
pytestmark = pytest.mark.skipif(_qt_missing(), reason="PyQt6/QtWebEngine missing")


PEERS = ("@sentry/browser", "@sentry/core")


def _npm(npm, argv, cwd):
    result = subprocess.run([npm, *argv], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def lowest_peer_version():
    """The floor of the package's declared @sentry/browser peer range (``>=X.Y.Z <N``)."""
    declared = json.loads((ROOT / "js" / "package.json").read_text())["peerDependencies"]
    floors = {re.match(r">=(\d+\.\d+\.\d+) <\d+$", declared[name]).group(1) for name in PEERS}
    assert len(floors) == 1, declared  # @sentry/browser pins its own @sentry/core: one floor for both
    return floors.pop()


@pytest.fixture(scope="module", params=["newest", "lowest"])
def built_example(request, tmp_path_factory):
    """``(app folder, the @sentry/browser version its page bundles)``, built."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    if request.param == "newest":
        app = EXAMPLE
        _npm(npm, ["ci", "--no-audit", "--no-fund"], app)  # ci: the committed lock, as is
    else:
        work = tmp_path_factory.mktemp("bundled-lowest")
        [tarball] = _npm(npm, ["pack", "--silent", "--pack-destination", str(work)], ROOT / "js").split()
        app = work / "bundled_app"
        shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("node_modules", "dist", "package-lock.json"))
        manifest = json.loads((app / "package.json").read_text())
        manifest["dependencies"] = dict.fromkeys(PEERS, lowest_peer_version())
        manifest["dependencies"]["sentry-webview"] = "file:" + str(work / tarball)
        (app / "package.json").write_text(json.dumps(manifest, indent=2))
        _npm(npm, ["install", "--no-audit", "--no-fund"], app)
    _npm(npm, ["run", "build"], app)
    assert (app / "dist" / "app.js").is_file()
    installed = json.loads((app / "node_modules" / "@sentry" / "browser" / "package.json").read_text())["version"]
    assert request.param == "newest" or installed == lowest_peer_version()
    return app, installed


def test_the_bundled_example_traces_a_click_into_python_and_sends_feedback(built_example, ingest):
    app, sdk_version = built_example
    argv = [sys.executable, "-m", "tests.e2e.run_bundled_example", str(app / "app.py")]
    result = run_gui("qt", argv, SENTRY_DSN=ingest.dsn)
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
    assert {t["sdk"]["version"] for t in page} == {sdk_version}  # the page runs the @sentry/browser installed
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
