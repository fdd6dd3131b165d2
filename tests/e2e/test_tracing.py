"""One trace from a click in the page into Python (Qt): page transaction, js_api host transaction,
the Python span and its outgoing HTTP span, all under one trace_id, each accepted by Relay."""

import json
import sys
import time

import pytest

from tests.e2e.conftest import _qt_missing, run_gui
from tests.oracles import assert_relay_accepts

pytestmark = pytest.mark.skipif(_qt_missing(), reason="PyQt6/QtWebEngine missing")


def _run(ingest, **env):
    result = run_gui("qt", [sys.executable, "-m", "tests.e2e.tracing_app"], SENTRY_DSN=ingest.dsn, **env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    return lines


def test_a_click_in_the_page_and_the_js_api_work_in_python_share_one_trace(ingest):
    lines = _run(ingest)
    assert lines["TITLE"] == "done:Q3"  # the app's function got its arguments and its result reached the page
    ingest.wait_for(lambda i: sum(1 for r in i.received if (r.event or {}).get("type") == "transaction") >= 3)
    events = [r.event for r in ingest.received if r.event]
    transactions = [e for e in events if e.get("type") == "transaction"]
    assert [e for e in events if e.get("type") != "transaction"] == []  # no errors on the happy path

    host = [t for t in transactions if t["contexts"]["trace"].get("op") == "function.pywebview.js_api"]
    page = [t for t in transactions if t.get("platform") == "javascript"]
    assert len(host) == 1, [t.get("transaction") for t in transactions]
    assert page and len(transactions) == len(host) + len(page), [t.get("transaction") for t in transactions]
    host = host[0]
    trace_id = host["contexts"]["trace"]["trace_id"]
    assert host["transaction"] == "load_report"
    assert host["tags"]["event.process"] == "host"
    # The page's side: its span for the call is the parent of the host transaction.
    page_spans = {s["span_id"]: s for t in page for s in t.get("spans", [])}
    page_spans.update({t["contexts"]["trace"]["span_id"]: t["contexts"]["trace"] for t in page})
    call_span = page_spans[host["contexts"]["trace"]["parent_span_id"]]
    assert call_span.get("op") == "function.pywebview.js_api"
    assert all(t["tags"]["event.process"] == "renderer" and t["release"] == "e2e@1.0" for t in page)
    assert all(t["environment"] == "e2e" for t in page)
    # After the call the page navigated (history.pushState): a navigation transaction (a new trace, as
    # @sentry/browser starts one per navigation), merged like the pageload.
    assert sorted(t["contexts"]["trace"]["op"] for t in page) == ["navigation", "pageload"]
    [pageload] = [t for t in page if t["contexts"]["trace"]["op"] == "pageload"]
    [navigation] = [t for t in page if t["contexts"]["trace"]["op"] == "navigation"]
    assert pageload["contexts"]["trace"]["trace_id"] == trace_id
    assert navigation["transaction"] == "/report" and navigation["request"]["url"].endswith("/report?name=Q3")
    # The Python work and its outgoing HTTP, nested.
    spans = host["spans"]
    function = [s for s in spans if s["op"] == "function"]
    assert len(function) == 1 and function[0]["description"].endswith("Api.load_report")
    http = [s for s in spans if s["op"] == "http.client"]
    assert len(http) == 1 and "127.0.0.1" in http[0]["description"], http
    assert http[0]["parent_span_id"] == function[0]["span_id"]
    # The page's fetch to its own origin carried the trace; so did Python's outgoing request.
    received = json.loads(lines["TRACED_HEADERS"])
    data = [r for r in received if r["path"] == "/data"]
    assert data and data[0]["sentry-trace"] and data[0]["sentry-trace"].startswith(trace_id)
    downstream = [r for r in received if r["path"].startswith("/downstream")]
    assert downstream and downstream[0]["sentry-trace"].startswith(trace_id)
    # The envelopes' DSC is the host's release and environment.
    for r in ingest.received:
        if r.event and r.event.get("type") == "transaction":
            trace = r.envelope.headers.get("trace") or {}
            assert trace.get("trace_id") == r.event["contexts"]["trace"]["trace_id"], trace
            assert trace.get("release") == "e2e@1.0", trace
            assert trace.get("environment") == "e2e"
    for transaction in transactions:
        assert_relay_accepts(transaction)


def test_without_tracing_the_page_gets_the_errors_only_bundle_and_calls_go_as_they_were(ingest):
    lines = _run(ingest, TRACES="off")
    assert lines["TITLE"] == "done:Q3"
    assert json.loads(lines["TRACED_HEADERS"])[0]["sentry-trace"] is None
    assert [r.event for r in ingest.received if r.event] == []


def test_a_page_served_by_the_apps_flask_app_continues_its_trace_there(ingest):
    """examples/flask_app's setup (pywebview serves the app's Flask app, protocol mounted): the Flask
    transaction for the page's fetch continues the page's http.client span; renderer messages make none."""
    lines = _run(ingest, SERVE="flask")
    assert lines["TITLE"] == "done:Q3"
    ingest.wait_for(lambda i: sum(1 for r in i.received if (r.event or {}).get("type") == "transaction") >= 6)
    time.sleep(1)  # and anything more
    events = [r.event for r in ingest.received if r.event]
    assert [e for e in events if e.get("type") != "transaction"] == []
    names = sorted((t["contexts"]["trace"]["op"], t["transaction"]) for t in events)
    # Every transaction: the page's two, the js_api call and the Flask app's three routes; none for the protocol.
    assert names == [
        ("function.pywebview.js_api", "load_report"),
        ("http.server", "data"),
        ("http.server", "downstream"),
        ("http.server", "page"),
        ("navigation", "/report"),
        ("pageload", "/"),
    ], names
    by_name = {t["transaction"]: t for t in events}
    pageload, data = by_name["/"], by_name["data"]
    trace_id = pageload["contexts"]["trace"]["trace_id"]
    [fetch] = [s for s in pageload["spans"] if s["op"] == "http.client" and s["description"].endswith("/data")]
    trace = data["contexts"]["trace"]
    assert (trace["trace_id"], trace["parent_span_id"]) == (trace_id, fetch["span_id"])
    assert data["tags"]["event.process"] == "host" and data["release"] == "e2e@1.0"
    # The js_api call's outgoing request, served by the same Flask app, continues the host's span in turn.
    [outgoing] = [s for s in by_name["load_report"]["spans"] if s["op"] == "http.client"]
    trace = by_name["downstream"]["contexts"]["trace"]
    assert (trace["trace_id"], trace["parent_span_id"]) == (trace_id, outgoing["span_id"])
    for transaction in events:
        assert_relay_accepts(transaction)
