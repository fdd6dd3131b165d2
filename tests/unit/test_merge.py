from datetime import datetime, timezone

import pytest

from sentry_webview.renderers.identity import RendererIdentity, engine_from_user_agent
from sentry_webview.renderers.merge import (
    breadcrumb_key,
    breadcrumbs_up_to,
    merge_renderer_event,
    normalize_breadcrumb,
    normalize_event_shape,
    to_datetime,
    without_host_details,
)
from sentry_webview.renderers.paths import AppPaths
from tests.conftest import sample_event
from tests.oracles import assert_relay_accepts


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
    with pytest.raises(ValueError, match=r"^event\.exception must be a list or \{values: \[\.\.\.\]\}$"):
        normalize_event_shape({"exception": "boom"})


@pytest.mark.parametrize("payload", [[], "x", None])
def test_an_event_that_is_not_an_object_is_refused_with_a_clear_error(payload):
    with pytest.raises(ValueError, match="^event payload must be a JSON object$"):
        merge_renderer_event(payload, identity())


def test_a_malformed_event_still_arrives_in_a_shape_relay_accepts():
    """What a page's own or an old SDK may send: an ``sdk`` that is no object, ``packages`` that are no
    list, no ``platform``, request headers without a User-Agent, a trace context but no trace header."""
    bare = {"event_id": "a" * 32, "message": "m", "sdk": "junk", "request": {"headers": {"Accept": "*/*"}}}
    bare["contexts"] = {"trace": {"trace_id": "b" * 32, "span_id": "c" * 16}}
    event = merge_renderer_event(bare, identity(engine="WebKitGTK"))
    assert "sdk" not in event and event["platform"] == "javascript"
    assert event["request"]["headers"] == {"Accept": "*/*"}
    assert event["contexts"]["trace"] == {"trace_id": "b" * 32, "span_id": "c" * 16}  # no sampling context
    assert event["contexts"]["runtime"] == {"name": "WebKitGTK", "version": None}
    assert_relay_accepts(event)
    odd = merge_renderer_event({"sdk": {"name": "sentry.javascript.browser", "packages": "npm:x"}}, identity())
    assert [p["name"] for p in odd["sdk"]["packages"]] == ["pypi:sentry-webview"]


def test_iso_and_float_timestamps_become_comparable():
    assert to_datetime("2026-11-24T00:38:18.061Z") == to_datetime(1795480698.061)
    utc = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert to_datetime("2026-01-01T02:00:00+02:00") == utc  # an offset is kept, not taken for UTC
    assert to_datetime("2026-01-01T00:00:00") == utc and to_datetime("2026-01-01T00:00:00").tzinfo is not None


def test_a_renderer_event_without_the_hosts_details_is_left_as_it_is():
    assert without_host_details({"extra": {"cart": 3}}) == {"extra": {"cart": 3}}
    event = {"server_name": "pc-7", "modules": {}, "extra": {"sys.argv": ["app"], "cart": 3}}
    assert without_host_details(event) == {"extra": {"cart": 3}}


def test_what_the_host_owns_gives_way_and_the_renderers_sdk_stays():
    # A page with its own @sentry/browser sets all of these.
    own = dict(sample_event(), release="page@9", environment="page-env", dist="7", server_name="page-host")
    own["modules"] = {"left-pad": "1.0"}
    own["contexts"] = {"os": {"name": "Fake"}, "device": {"family": "Fake"}, "app": {}, "runtime": {"name": "x"}}
    event = merge_renderer_event(own, identity())
    for key in ("release", "environment", "dist", "server_name", "modules"):
        assert key not in event
    assert not {"os", "device", "app"} & set(event["contexts"])
    assert event["sdk"]["name"] == "sentry.javascript.browser"
    assert event["sdk"]["version"] == sample_event()["sdk"]["version"]
    assert event["sdk"]["packages"][-1]["name"] == "pypi:sentry-webview"
    assert "npm:@sentry/browser" in [p["name"] for p in event["sdk"]["packages"]]


def test_renderer_event_is_tagged_as_electron_tags_its_renderers_and_gets_the_window_context():
    event = merge_renderer_event(sample_event(), identity(engine="Chromium 140"), paths=AppPaths(None))
    assert {k: event["tags"][k] for k in ("event.process", "event.origin", "event.environment")} == {
        "event.process": "renderer",
        "event.origin": "webview",
        "event.environment": "javascript",
    }
    # No title: without send_default_pii it stays on the machine (it may name the user's documents).
    assert event["contexts"]["webview"] == {
        "backend": "qt",
        "window_uid": "w1",
        "url": "app:///",
        "engine": "Chromium 140",
    }
    assert event["contexts"]["runtime"] == {"name": "Chromium", "version": "140"}
    assert event["contexts"]["browser"]["name"] == "Chrome"
    assert event["request"]["headers"] == {}  # the user agent made the browser context, and goes (as @sentry/electron)
    assert event["platform"] == "javascript"


def test_the_apps_paths_are_app_urls_whatever_the_port_or_install_directory(tmp_path):
    root = tmp_path / "My App"
    event = {
        "exception": [
            {
                "type": "E",
                "stacktrace": {
                    "frames": [
                        {"filename": "http://127.0.0.1:41999/js/app.js", "lineno": 1},
                        {"filename": (root / "vendor.js").as_uri(), "abs_path": str(root / "vendor.js")},
                        {"filename": "https://cdn.example.com/lib.js"},
                    ]
                },
            }
        ],
        "request": {"url": "http://localhost:5000/index.html?x=1"},
        "breadcrumbs": [
            {"timestamp": 1.0, "category": "navigation", "data": {"from": "http://127.0.0.1:1/a", "to": "/b"}}
        ],
        "debug_meta": {"images": [{"type": "sourcemap", "code_file": "http://127.0.0.1:1/js/app.js"}]},
    }
    merged = merge_renderer_event(event, identity(), paths=AppPaths(root))
    frames = merged["exception"]["values"][0]["stacktrace"]["frames"]
    assert [f["filename"] for f in frames] == ["app:///js/app.js", "app:///vendor.js", "https://cdn.example.com/lib.js"]
    assert frames[1]["abs_path"] == "app:///vendor.js"
    assert merged["request"]["url"] == "app:///index.html?x=1"
    assert merged["breadcrumbs"]["values"][0]["data"] == {"from": "app:///a", "to": "/b"}
    assert merged["debug_meta"]["images"][0]["code_file"] == "app:///js/app.js"
    assert str(tmp_path) not in str(merged)


def test_the_renderers_trace_header_becomes_the_events_sampling_context():
    trace = {"trace_id": "a" * 32, "release": "host@1", "public_key": "k"}
    event = merge_renderer_event(
        dict(sample_event(), contexts={"trace": {"trace_id": "a" * 32}}), identity(), trace=trace
    )
    assert event["contexts"]["trace"]["dynamic_sampling_context"] == trace


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
    assert merged["tags"]["event.process"] == "renderer" and merged["tags"]["event.origin"] == "webview"
    assert merged["tags"]["event.environment"] == "javascript" and merged["tags"]["page"] == "cart"
    assert set(merged["contexts"]) == {"browser", "webview"}
    assert "release" not in merged and "dist" not in merged


def test_renderer_tags_relay_would_reject_are_left_out_and_long_values_cut():
    """Relay turns an empty tag value into an error on the event (found by fuzzing the protocol)."""
    tags = {"empty": "", "blank": " \t", "lines": "a\nb", "none": None, "nested": {"a": 1}, "list": [1], "": "no key"}
    tags.update({"\n": "newline key", "a\nb": "newline in the key", "n": 3, "long": "v" * 300, "padded": "  p "})
    merged = merge_renderer_event({"tags": tags}, RendererIdentity("r1"))
    kept = {k: v for k, v in merged["tags"].items() if not k.startswith("event.")}
    assert kept == {"n": 3, "long": "v" * 200, "padded": "p"}
    assert_relay_accepts(dict(merged, event_id="a" * 32, platform="javascript"))


@pytest.mark.parametrize(
    "other",
    [
        {"timestamp": 1700000000.25},  # a later click with the same text
        {"category": "navigation"},
        {"type": "http"},
        {"message": "pay"},
    ],
)
def test_breadcrumbs_that_differ_in_any_part_of_their_key_are_both_kept(other):
    """Breadcrumbs are deduplicated by key; two that differ in time (to the ms), category, type or
    message are two breadcrumbs, and must both reach Sentry (mutmut survivors in ``breadcrumb_key``)."""
    crumb = {"timestamp": 1700000000.0, "category": "ui.click", "message": "checkout", "type": "default"}
    assert breadcrumb_key(crumb) != breadcrumb_key(dict(crumb, **other))
    # The same breadcrumb from the other side (ISO string vs float seconds) is one.
    assert breadcrumb_key(crumb) == breadcrumb_key(dict(crumb, timestamp="2023-11-14T22:13:20.000Z"))


def test_an_event_keeps_the_breadcrumbs_up_to_its_own_time_and_the_last_limit_of_them():
    """The host scope may have moved on while the event waited: later breadcrumbs are not its story;
    one at the very same millisecond (the console line just before the throw) is."""
    at = lambda t: {"message": str(t), "timestamp": 1700000000.0 + t}  # noqa: E731
    crumbs = [at(-2), at(-1), at(0), at(1), "not a dict"]
    kept = breadcrumbs_up_to(crumbs, 1700000000.0, None)
    assert [c if isinstance(c, str) else c["message"] for c in kept] == ["-2", "-1", "0", "not a dict"]
    assert [c["message"] for c in breadcrumbs_up_to(crumbs[:4], 1700000000.0, 2)] == ["-1", "0"]
    assert breadcrumbs_up_to(crumbs, 1700000000.0, 0) == []
    assert breadcrumbs_up_to(crumbs[:2], None, None) == crumbs[:2]  # no event time: all of them


def test_a_breadcrumb_without_a_time_gets_now_in_utc():
    before = datetime.now(timezone.utc)
    stamped = normalize_breadcrumb({"message": "m"})["timestamp"]
    assert before <= stamped <= datetime.now(timezone.utc)
    assert normalize_breadcrumb({"timestamp": 1700000000.25})["timestamp"] == datetime.fromtimestamp(
        1700000000.25, timezone.utc
    )
