import base64
import logging
from datetime import datetime, timezone

import pytest
import sentry_sdk

from sentry_webview.renderers import scope_sync
from sentry_webview.renderers.identity import RendererIdentity
from sentry_webview.renderers.scope_sync import ScopeSync

RENDERER = RendererIdentity("w1", window_uid="w1")


@pytest.fixture
def sync():
    sentry_sdk.init(max_breadcrumbs=100)
    scope = sentry_sdk.Scope()
    scope.set_user({"id": "host-user"})
    scope.set_tag("side", "host")
    yield ScopeSync(scope)
    sentry_sdk.get_client().close()


def test_an_empty_renderer_scope_does_not_clobber_host_values(sync):
    sync.apply({"user": {}, "tags": {}, "extra": {}, "contexts": {}, "breadcrumbs": []}, RENDERER)
    sync.apply({"user": {"id": None, "email": ""}, "tags": {"side": ""}}, RENDERER)
    assert sync.scope._user == {"id": "host-user"}
    assert sync.scope._tags == {"side": "host"}


def test_renderer_values_apply(sync):
    sync.apply(
        {
            "user": {"id": "u-42", "username": "alice"},
            "tags": {"page": "settings", "n": 3},
            "extra": {"cart": {"items": 3}},
            "contexts": {"shop": {"open": True}, "trace": {"trace_id": "x"}},
        },
        RENDERER,
    )
    assert sync.scope._user == {"id": "u-42", "username": "alice"}
    assert sync.scope._tags == {"side": "host", "page": "settings", "n": 3}
    assert sync.scope._extras == {"cart": {"items": 3}}
    assert sync.scope._contexts == {"shop": {"open": True}}


def test_a_message_without_breadcrumbs_is_fine(sync):
    sync.apply({"user": {"id": "u"}}, RENDERER)
    assert list(sync.scope._breadcrumbs) == []


def test_each_breadcrumb_is_added_once(sync):
    crumb = {"timestamp": 1795567098.061, "category": "ui.click", "message": "button#save"}
    sync.apply({"breadcrumbs": [crumb]}, RENDERER)
    sync.apply({"breadcrumbs": [crumb, dict(crumb, message="second")]}, RENDERER)
    sync.apply({"breadcrumb": crumb}, RENDERER)
    messages = [c["message"] for c in sync.scope._breadcrumbs]
    assert messages == ["button#save", "second"]
    assert sync.seen(crumb)
    assert sync.scope._breadcrumbs[0]["data"] == {"webview.window": "w1"}


@pytest.mark.parametrize("payload", [[], "x", None, 3])
def test_a_scope_that_is_not_an_object_is_refused(sync, payload):
    with pytest.raises(ValueError, match="^scope payload must be a JSON object$"):  # what the log line tells
        sync.apply(payload, RENDERER)


@pytest.mark.parametrize("left", [0, 1])
@pytest.mark.parametrize("kind", ["extra", "contexts", "breadcrumbs"])
def test_a_scope_message_sets_values_until_its_budget_is_spent_and_no_more(sync, kind, left):
    """With one character of the message's budget left, the next value is still set; with none, nothing
    more is (mutmut: ``budget[0] > 0`` as ``>= 0`` or ``> 1`` survived, for extras, contexts, breadcrumbs)."""
    spent = scope_sync.MAX_MESSAGE_CHARS - left
    fill = {"f%d" % n: "x" * scope_sync.MAX_STRING for n in range(spent // scope_sync.MAX_STRING)}
    if spent % scope_sync.MAX_STRING:
        fill["rest"] = "x" * (spent % scope_sync.MAX_STRING)
    message = {"extra": dict(fill, last="y")} if kind == "extra" else {"extra": fill}
    message.update({"contexts": {"shop": {"open": True}}} if kind == "contexts" else {})
    message.update({"breadcrumbs": [{"message": "checkout"}]} if kind == "breadcrumbs" else {})
    sync.apply(message, RENDERER)
    scope = sync.scope
    added = {
        "extra": [key for key in scope._extras if key not in fill],
        "contexts": list(scope._contexts),
        "breadcrumbs": list(scope._breadcrumbs),
    }[kind]
    assert len(added) == left, added


def test_renderer_keys_stop_at_the_cap_per_kind_and_keys_already_set_still_change(sync, monkeypatch, caplog):
    monkeypatch.setattr(scope_sync, "MAX_SCOPE_KEYS", 2)
    with caplog.at_level(logging.WARNING, "sentry_webview"):
        for n in range(3):
            sync.apply(
                {"tags": {"t%d" % n: "v"}, "extra": {"e%d" % n: "v"}, "contexts": {"c%d" % n: {"v": 1}}}, RENDERER
            )
        sync.apply({"tags": {"t0": "changed", "t9": "new"}}, RENDERER)
    assert sync.scope._tags == {"side": "host", "t0": "changed", "t1": "v"}
    assert set(sync.scope._extras) == {"e0", "e1"} and set(sync.scope._contexts) == {"c0", "c1"}
    assert sync.dropped_keys == {"tags": 2, "extra": 1, "contexts": 1}
    assert [r.getMessage() for r in caplog.records] == [
        "sentry-webview: renderers set more than 2 %s; new keys are dropped" % kind
        for kind in ("tags", "extra", "contexts")
    ]


def test_normalize_keeps_three_levels_and_spends_the_budget_exactly():
    budget = [10**6]
    assert scope_sync.normalize(["a", ["b", ["c", ["d"]]]], budget) == ["a", ["b", ["c", "[Array]"]]]
    assert scope_sync.normalize({"a": {"b": {"c": {"d": 1}}}}, budget) == {"a": {"b": {"c": "[Object]"}}}
    for value in ({"a": "xx"}, ["xx", None]):  # 2 for the object or list, 2 for "xx", 8 for anything else
        budget = [4 + (8 if isinstance(value, list) else 0)]
        assert scope_sync.normalize(value, budget) == value and budget == [0]
        assert scope_sync.normalize("y", budget) == "[Truncated]"


def test_a_breadcrumbs_data_keeps_three_levels_below_it(sync):
    sync.apply({"breadcrumbs": [{"message": "m", "data": {"a": {"b": {"c": {"d": 1}}}}}]}, RENDERER)
    assert sync.scope._breadcrumbs[-1]["data"] == {"a": {"b": {"c": "[Object]"}}, "webview.window": "w1"}


def test_renderer_scope_attachments_are_kept_within_their_bounds(sync):
    """What a page adds with ``addAttachment`` reaches the host as sent, up to ``MAX_ATTACHMENT_BYTES`` each
    and the newest ``MAX_ATTACHMENTS``; one too large, unnamed, undecodable or not an object is dropped."""
    at_limit = b"\x00" * scope_sync.MAX_ATTACHMENT_BYTES
    sync.apply(
        {
            "attachments": [
                {"filename": "state.json", "data": '{"cart": 3}', "contentType": "text/x-cart"},
                {"filename": "n" * 300, "data": {"base64": "AP8H"}},
                {"filename": "at-limit.bin", "data": {"base64": base64.b64encode(at_limit).decode()}},
                {"filename": "too-big.bin", "data": {"base64": base64.b64encode(at_limit + b"!").decode()}},
                {"filename": "notes.txt", "data": "n", "contentType": 5},  # guessed from the name instead
                {"data": "no name"},
                {"filename": "bad.bin", "data": {"base64": "%%%"}},
                "not an attachment",
            ]
        },
        RENDERER,
    )
    kept = [(a.filename, a.bytes, a.content_type) for a in sync.attachments()]
    assert kept == [
        ("state.json", b'{"cart": 3}', "text/x-cart"),
        ("n" * 256, b"\x00\xff\x07", None),
        ("at-limit.bin", at_limit, "application/octet-stream"),
        ("notes.txt", b"n", "text/plain"),
    ]
    sync.apply({"attachments": [{"filename": "%d.txt" % n, "data": str(n)} for n in range(25)]}, RENDERER)
    assert [a.filename for a in sync.attachments()] == ["%d.txt" % n for n in range(5, 25)]


def test_host_owned_tags_and_contexts_are_not_synced(sync):
    sync.apply(
        {
            "tags": {"event.process": "renderer", "event.origin": "javascript", "page": "cart"},
            "contexts": {
                "os": {"name": "FakeOS"},
                "device": {"a": 1},
                "app": {"a": 1},
                "runtime": {"a": 1},
                "webview": {"a": 1},
                "shop": {"open": True},
            },
        },
        RENDERER,
    )
    assert sync.scope._tags == {"side": "host", "page": "cart"}
    assert sync.scope._contexts == {"shop": {"open": True}}


def test_synced_values_are_capped_like_browser_normalize(sync):
    from sentry_webview.renderers import merge, scope_sync

    deep = {}
    node = deep
    for _ in range(50):
        node["next"] = {}
        node = node["next"]
    huge = "x" * (5 * 1024 * 1024)
    sync.apply(
        {
            "user": {"id": huge, "email": "a@b.c"},
            "tags": {"big": huge, "k" * 5000: "v"},
            "extra": {"deep": deep, "wide": list(range(10000)), **{"e%d" % n: huge for n in range(200)}},
            "contexts": {"shop": {"note": huge}},
            "breadcrumbs": [{"message": huge, "data": {"deep": deep}}] * 3,
        },
        RENDERER,
    )
    scope = sync.scope
    assert len(scope._user["id"]) == scope_sync.MAX_STRING
    assert len(scope._tags["big"]) == merge.MAX_TAG_VALUE and "k" * 201 not in scope._tags
    assert scope._extras["deep"] == {"next": {"next": {"next": "[Object]"}}}
    assert len(scope._extras["wide"]) == scope_sync.MAX_BREADTH
    assert len(repr((scope._user, scope._tags, scope._extras, scope._contexts, scope._breadcrumbs))) < 200_000


def test_a_single_breadcrumb_message_is_added(sync):
    """``SentryWebview.addBreadcrumb`` sends one ``breadcrumb``; it must reach the host scope (mutmut:
    ``crumbs = [data["breadcrumb"]]`` → ``None`` survived)."""
    sync.apply({"breadcrumb": {"category": "ui.click", "message": "checkout", "timestamp": 1700000000.5}}, RENDERER)
    assert [(c["category"], c["message"]) for c in sync.scope._breadcrumbs] == [("ui.click", "checkout")]


def test_a_lifecycle_breadcrumb_names_the_window_and_its_page_but_not_its_title(sync):
    """What a user reads in the trail: ``window.<action>``, the window and its app:/// page; no title
    (it may name the user's document), no empty values; navigations typed as such."""
    window = RendererIdentity("r9", window_uid="main", title="Payroll 2026.xlsx", url="http://127.0.0.1:5123/a.html")
    sync.lifecycle_breadcrumb("loaded", window, timestamp=1700000000.5)
    sync.lifecycle_breadcrumb("navigated", window, to="http://127.0.0.1:5123/b.html", code=None)
    sync.lifecycle_breadcrumb("renderer-gone", RendererIdentity("r7"), reason="crashed", exit_code=11)
    loaded, navigated, gone = sync.scope._breadcrumbs
    assert loaded == {
        "category": "webview",
        "type": "info",
        "message": "window.loaded",
        "data": {"window_uid": "main", "url": "app:///a.html"},
        "timestamp": datetime.fromtimestamp(1700000000.5, timezone.utc),
    }
    assert navigated["type"] == "navigation" and navigated["message"] == "window.navigated"
    assert navigated["data"] == {"window_uid": "main", "url": "app:///a.html", "to": "app:///b.html"}
    assert isinstance(navigated["timestamp"], datetime)  # now, added by sentry-sdk
    assert gone["data"] == {"window_uid": "r7", "reason": "crashed", "exit_code": 11}


def test_a_renderer_breadcrumb_names_its_window_and_keeps_its_own_data(sync):
    window = RendererIdentity("r1", window_uid="w1")
    sync.apply({"breadcrumbs": [{"message": "a", "data": {"k": 1}}, {"message": "b", "data": [1, 2]}]}, window)
    sync.apply({"breadcrumbs": [{"message": "c"}]}, RendererIdentity("r2"))
    assert [c["data"] for c in sync.scope._breadcrumbs] == [
        {"k": 1, "webview.window": "w1"},
        {"webview.window": "w1"},
        {"webview.window": "r2"},  # no window uid: its renderer id
    ]


def test_breadcrumbs_remembered_for_deduplication_are_bounded(sync):
    """Past ``_REMEMBERED_BREADCRUMBS`` keys the oldest is forgotten: memory stays flat, and a breadcrumb
    sent again long after is added again rather than lost."""
    from sentry_webview.renderers import scope_sync

    first = {"message": "first", "timestamp": 1.0}
    sync.apply({"breadcrumbs": [first]}, RENDERER)
    crumbs = [{"message": "m%d" % n, "timestamp": 2.0 + n} for n in range(scope_sync._REMEMBERED_BREADCRUMBS)]
    for start in range(0, len(crumbs), 100):  # a scope message carries at most 100
        sync.apply({"breadcrumbs": crumbs[start : start + 100]}, RENDERER)
    assert len(sync._seen) == len(sync._order) == scope_sync._REMEMBERED_BREADCRUMBS
    sync.apply({"breadcrumbs": [first, crumbs[-1]]}, RENDERER)  # forgotten: added; remembered: not
    assert sync.scope._breadcrumbs[-1]["message"] == "first"
    assert sync.scope._breadcrumbs[-2]["message"] == crumbs[-1]["message"]
