"""pywebview's own bridge dispatch (``webview.util.js_bridge_call``) calling our exposed functions.

No GUI: the window is created but never shown. Its ``evaluate_js`` fails the way
pywebview's does when the page navigated away before a bridge call returned
(recorded in the Qt navigation scenario): a ``JavascriptException``.
"""

import pytest
import sentry_sdk

from sentry_webview import WebviewIntegration
from sentry_webview.ipc import wire
from tests.conftest import load_sample, sample_event

webview = pytest.importorskip("webview", reason="pywebview is not installed (pip install .[qt])")
from webview.errors import JavascriptException  # noqa: E402
from webview.util import js_bridge_call  # noqa: E402


@pytest.fixture
def window(webview_sdk):
    webview_sdk()
    window = webview.create_window("bridge", html="<p>bridge</p>", js_api=AppApi())
    yield window
    webview.windows.remove(window)


class AppApi:
    def save(self, value):
        return value


def navigated_away(script):
    raise JavascriptException({"name": "TypeError", "message": "window.pywebview is undefined"})


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the threads do raise
def test_a_reply_to_our_bridge_call_lost_to_navigation_is_not_reported(window, ingest):
    intake = sentry_sdk.get_client().get_integration(WebviewIntegration).hub.intake
    window.evaluate_js = navigated_away
    js_bridge_call(window, wire.bridge_function_name(wire.DEFAULT_NAMESPACE, wire.START), ["{}"], "1")
    js_bridge_call(window, "save", ["app data"], "2")
    exception = ingest.wait_for_exactly(1)[0]["exception"]["values"][-1]
    assert exception["type"] == "JavascriptException"
    calls = [frame for frame in exception["stacktrace"]["frames"] if frame["function"] == "_call"]
    assert [frame["vars"]["func_name"] for frame in calls] == ["'save'"]
    assert intake.stats["renderers_started"] == 1
    sentry_sdk.flush(2)
    assert len(ingest.events) == 1


def test_a_batch_from_a_busy_bridge_arrives_message_by_message(window, ingest):
    intake = sentry_sdk.get_client().get_integration(WebviewIntegration).hub.intake
    window.evaluate_js = lambda script: None  # the page takes the reply
    first, second = (load_sample("envelope_error.txt").replace(sample_event()["event_id"], c * 32) for c in "ab")
    batch = {wire.BATCH_KEY: [first, "not an envelope", second]}
    js_bridge_call(window, wire.bridge_function_name(wire.DEFAULT_NAMESPACE, wire.ENVELOPE), [batch], "3")
    assert sorted(e["event_id"] for e in ingest.wait_for_events(2)) == ["a" * 32, "b" * 32]
    assert intake.stats["malformed"] == 1
