"""Error storms at the host: every distinct renderer error arrives, repeats only within a budget, the rest counted."""

import json
import uuid

import pytest

import sentry_webview
from sentry_webview.renderers.budget import ErrorBudget, error_key
from tests.integration.test_renderer_events import deliver, envelope_of

DISTINCT, REPEATS, BUDGET = 30, 60, 10


def error(value, line=3):
    frame = {"filename": "app:///app.js", "function": "boom", "lineno": line, "in_app": True}
    return {
        "event_id": uuid.uuid4().hex,
        "exception": {"values": [{"type": "Error", "value": value, "stacktrace": {"frames": [frame]}}]},
    }


def discarded(ingest, reason):
    reports = [json.loads(item.get_bytes()) for r in ingest.received for item in r.items_of("client_report")]
    return sum(d["quantity"] for r in reports for d in r.get("discarded_events", []) if d["reason"] == reason)


@pytest.fixture
def config(webview_sdk):
    webview_sdk()
    return sentry_webview.renderer_config()


def test_every_distinct_error_arrives_and_repeats_beyond_the_budget_are_counted(config, ingest):
    messages = [("envelope", envelope_of(error("distinct %d" % i))) for i in range(DISTINCT)]
    messages += [("envelope", envelope_of(error("again"))) for _ in range(REPEATS)]
    for renderer in ("window-a", "window-b"):  # the budget spans renderers
        deliver(config, *messages, renderer=renderer)
    sentry_webview.flush(5)
    values = [e["exception"]["values"][-1]["value"] for e in ingest.wait_for_events(DISTINCT + BUDGET)]
    assert sorted(set(values)) == sorted({"distinct %d" % i for i in range(DISTINCT)} | {"again"})
    assert values.count("again") == BUDGET
    assert all(values.count("distinct %d" % i) == 2 for i in range(DISTINCT))  # each renderer's own is a repeat
    assert len(ingest.events) == 2 * DISTINCT + BUDGET
    ingest.wait_for(lambda i: discarded(i, "backpressure") == 2 * REPEATS - BUDGET)


def test_the_same_error_from_another_line_is_another_error():
    assert error_key(error("x", line=3)) != error_key(error("x", line=4))
    assert error_key({"message": "not an exception"}) is None


def test_the_budget_starts_over_after_its_window_and_forgets_the_oldest_errors(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr("sentry_webview.renderers.budget.time.monotonic", lambda: clock[0])
    budget = ErrorBudget(repeats=2, window=60, keys=2)
    event = error("same")
    assert [budget.admit(event) for _ in range(3)] == [True, True, False]
    clock[0] = 61.0
    assert budget.admit(event)
    budget.admit(error("b"))
    budget.admit(error("c"))  # the third key pushes "same" out
    assert [budget.admit(event) for _ in range(3)] == [True, True, False]
    assert budget.admit({"type": "transaction"})
