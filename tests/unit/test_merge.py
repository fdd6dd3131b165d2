from datetime import datetime, timezone

import pytest

from sentry_webview.renderers.identity import RendererIdentity, engine_from_user_agent
from sentry_webview.renderers.merge import merge_renderer_event, normalize_event_shape, to_datetime
from tests.conftest import sample_event


def identity(**values):
    return RendererIdentity("w1", backend="qt", window_uid="w1", title="Main", url="http://127.0.0.1:1/", **values)


def test_js_lists_become_sentry_sdk_values_objects():
    event = normalize_event_shape(
        {"breadcrumbs": [{"timestamp": 1700000000.5, "message": "m"}], "exception": [{"type": "E"}]}
    )
    assert event["exception"] == {"values": [{"type": "E"}]}
    crumb = event["breadcrumbs"]["values"][0]
    assert crumb["timestamp"] == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)


def test_an_exception_that_is_neither_list_nor_values_is_refused():
    with pytest.raises(ValueError, match="event.exception"):
        normalize_event_shape({"exception": "boom"})


def test_iso_and_float_timestamps_become_comparable():
    assert to_datetime("2026-11-24T00:38:18.061Z") == to_datetime(1795480698.061)


def test_renderer_release_environment_dist_and_sdk_give_way_to_the_host():
    event = merge_renderer_event(sample_event(), identity())
    for key in ("release", "environment", "dist", "sdk"):
        assert key not in event


def test_renderer_event_is_tagged_and_gets_the_window_context():
    event = merge_renderer_event(sample_event(), identity(engine="Chromium 140"))
    assert event["tags"]["event.process"] == "renderer"
    assert event["tags"]["event.origin"] == "javascript"
    assert event["contexts"]["webview"] == {
        "backend": "qt",
        "window_uid": "w1",
        "title": "Main",
        "url": "http://127.0.0.1:1/",
        "engine": "Chromium 140",
    }
    assert event["platform"] == "javascript"


def test_event_id_and_exception_are_the_renderers():
    original = sample_event()
    event = merge_renderer_event(sample_event(), identity())
    assert event["event_id"] == original["event_id"]
    assert event["exception"]["values"] == original["exception"]["values"]


def test_breadcrumbs_the_host_already_holds_are_dropped_from_the_event():
    event = {"breadcrumbs": [{"timestamp": 1.0, "message": "old"}, {"timestamp": 2.0, "message": "new"}]}
    merged = merge_renderer_event(event, identity(), known=lambda crumb: crumb["message"] == "old")
    assert [c["message"] for c in merged["breadcrumbs"]["values"]] == ["new"]


def test_a_protocol_renderer_takes_its_url_from_the_event():
    anonymous = RendererIdentity("r9")
    merge_renderer_event({"request": {"url": "http://127.0.0.1:5/page.html"}}, anonymous)
    assert anonymous.context() == {"backend": "web", "window_uid": "r9", "url": "http://127.0.0.1:5/page.html"}


@pytest.mark.parametrize(
    "agent, engine",
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) QtWebEngine/6.11.2 Chrome/140.0.7339.225 Safari/537.36",  # noqa: E501
            "Chromium 140",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
            "WebKit 605.1.15",
        ),
        ("curl/8.0", None),
    ],
)
def test_engine_from_user_agent(agent, engine):
    assert engine_from_user_agent(agent) == engine


def test_a_renderer_cannot_claim_host_owned_tags_or_contexts():
    event = {
        "tags": {"event.process": "host", "event.origin": "python", "event.environment": "node", "page": "cart"},
        "contexts": {
            "os": {"name": "FakeOS"},
            "device": {"arch": "x"},
            "app": {},
            "runtime": {},
            "browser": {"name": "C"},
        },
        "release": "evil@1",
        "dist": "9",
    }
    merged = merge_renderer_event(event, RendererIdentity("r1"))
    assert merged["tags"]["event.process"] == "renderer" and merged["tags"]["event.origin"] == "javascript"
    assert "event.environment" not in merged["tags"] and merged["tags"]["page"] == "cart"
    assert set(merged["contexts"]) == {"browser", "webview"}
    assert "release" not in merged and "dist" not in merged
