"""Every feature is its own integration around the hub: listed once, each can be turned off or replaced."""

import json
import time
from typing import Any, Dict, List

import pytest
import sentry_sdk
from sentry_sdk.integrations import Integration

import sentry_webview
from sentry_webview import (
    AppHangIntegration,
    HostContextIntegration,
    HostCrashIntegration,
    HostSessionIntegration,
    JsApiTracingIntegration,
    PageInitIntegration,
    RendererHangIntegration,
    ScreenshotsIntegration,
    WebviewIntegration,
    WindowEventsIntegration,
)
from sentry_webview.backends.injection import injected_source
from sentry_webview.ipc import wire
from sentry_webview.renderers.hub import HubFeature, RendererHub
from sentry_webview.renderers.identity import RendererIdentity
from tests.protocol_client import post

DEFAULTS = [
    WebviewIntegration,
    HostContextIntegration,
    WindowEventsIntegration,
    HostSessionIntegration,
    HostCrashIntegration,
    JsApiTracingIntegration,
]


def kinds(integrations: List[Integration]) -> List[type]:
    return [type(i) for i in integrations]


def test_the_default_list_names_every_feature_and_the_options_add_the_opt_in_ones():
    assert kinds(sentry_webview.default_integrations()) == DEFAULTS
    opt_in = sentry_webview.default_integrations(anr_threshold=2, renderer_anr_threshold=3, attach_screenshot=True)
    assert kinds(opt_in) == DEFAULTS + [AppHangIntegration, RendererHangIntegration, ScreenshotsIntegration]
    assert opt_in[-3].watchdog.threshold == 2 and opt_in[-2].threshold == 3


@pytest.mark.parametrize("value", ["2", 0, -1, True, None.__class__])
def test_a_threshold_that_is_not_positive_seconds_fails_init(value):
    with pytest.raises(ValueError, match="anr_threshold must be a positive number of seconds"):
        sentry_webview.init(anr_threshold=value)


OPT_IN = [AppHangIntegration, RendererHangIntegration, ScreenshotsIntegration, PageInitIntegration]


def every_feature(webview_sdk: Any, **options: Any) -> None:
    """``webview_sdk`` with the opt-in features on too."""
    options.setdefault("integrations", [PageInitIntegration()])
    webview_sdk(anr_threshold=5, renderer_anr_threshold=5, attach_screenshot=True, **options)


@pytest.mark.parametrize("kind", DEFAULTS + OPT_IN)
def test_any_feature_can_be_turned_off_and_init_still_works(webview_sdk, ingest, kind):
    every_feature(webview_sdk, disabled_integrations=[kind])
    client = sentry_sdk.get_client()
    assert client.get_integration(kind) is None
    assert sum(client.get_integration(other) is not None for other in DEFAULTS) == len(DEFAULTS) - (kind in DEFAULTS)
    sentry_sdk.capture_message("still reported")
    assert sentry_webview.flush(5)
    assert [e["message"] for e in ingest.wait_for_exactly(1)] == ["still reported"]


@pytest.mark.parametrize("off", [False, True], ids=["on", "off"])
def test_renderer_hangs_off_means_no_heartbeats_asked_and_one_sent_is_ignored(webview_sdk, ingest, off):
    webview_sdk(renderer_anr_threshold=0.4, disabled_integrations=[RendererHangIntegration] if off else [])
    config = sentry_webview.renderer_config()
    assert ("statusIntervalMs" in config) is not off
    code, _, body = post(config, wire.STATUS, {"visible": True})  # then the page blocks: no more heartbeats
    assert (code, body) == (200, b"")
    stats = sentry_sdk.get_client().get_integration(WebviewIntegration).hub.stats
    assert (stats["statuses"], stats["unhandled"], stats["malformed"]) == ((0, 1, 0) if off else (1, 0, 0))
    if off:
        time.sleep(1.0)  # over twice the threshold
        assert sentry_webview.flush(5) and ingest.events == []
    else:
        [event] = ingest.wait_for_exactly(1)
        assert event["exception"]["values"][-1]["type"] == "ApplicationNotResponding"


@pytest.mark.parametrize("off", [False, True], ids=["on", "off"])
def test_page_init_off_means_the_injected_bundle_inits_itself(webview_sdk, off):
    every_feature(webview_sdk, disabled_integrations=[PageInitIntegration] if off else [])
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    config = hub.renderer_config(RendererIdentity("w1", backend="test", window_uid="w1"))
    assert config.get("autoInit", True) is off
    source = injected_source(config)
    assert source is not None
    injected = json.loads(source.split(" = ", 1)[1].split(";", 1)[0])
    assert injected["autoInit"] is off and injected["statusIntervalMs"] == 1250


def test_without_the_hub_renderer_config_says_why(webview_sdk):
    webview_sdk(disabled_integrations=[WebviewIntegration])
    with pytest.raises(RuntimeError, match="call sentry_webview.init"):
        sentry_webview.renderer_config()


def test_window_events_off_means_no_window_breadcrumbs_and_no_renderer_gone_event(webview_sdk, ingest):
    webview_sdk(disabled_integrations=[WindowEventsIntegration])
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    identity = RendererIdentity("w1", backend="test", window_uid="w1")
    hub.window_created(identity)
    hub.renderer_gone(identity, "crashed", 139)
    sentry_sdk.capture_message("after")
    assert sentry_webview.flush(5)
    [event] = ingest.wait_for_exactly(1)
    assert event["message"] == "after"
    assert not [c for c in event.get("breadcrumbs", {}).get("values", []) if c.get("category") == "webview"]


def test_window_events_on_report_the_lifecycle_and_a_crashed_renderer(webview_sdk, ingest):
    webview_sdk()
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    identity = RendererIdentity("w1", backend="test", window_uid="w1")
    hub.window_created(identity)
    hub.renderer_gone(identity, "crashed", 139)
    assert sentry_webview.flush(5)
    [event] = ingest.wait_for_exactly(1)
    assert event["level"] == "fatal" and event["tags"]["exit.reason"] == "crashed"
    assert event["tags"][wire.PROCESS_TAG] == wire.RENDERER_PROCESS
    crumbs = [c["message"] for c in event["breadcrumbs"]["values"] if c.get("category") == "webview"]
    assert crumbs == ["window.created", "window.renderer-gone"]


class ToyFeature(Integration, HubFeature):
    """A new feature: one module, one class, one line in the list."""

    identifier = "toy"

    def __init__(self) -> None:
        self.heard: List[Any] = []

    @staticmethod
    def setup_once() -> None:
        pass

    def renderer_config(self, hub: RendererHub, config: Dict[str, Any]) -> None:
        config["toy"] = True

    def window_event(self, hub: RendererHub, action: str, identity: RendererIdentity, data: Dict[str, Any]) -> None:
        self.heard.append((action, identity.renderer_id))
        raise RuntimeError("a broken feature never breaks the hub")


def test_a_new_feature_is_one_integration_that_hears_the_hub(webview_sdk):
    toy = ToyFeature()
    webview_sdk(integrations=[toy])
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    assert sentry_webview.renderer_config()["toy"] is True
    identity = RendererIdentity("w2", backend="test")
    hub.window_created(identity)
    hub.window_closed(identity)
    assert toy.heard == [("created", "w2"), ("closed", "w2")]


def test_an_integration_of_the_same_kind_replaces_the_default(webview_sdk):
    mine = WebviewIntegration(ipc_namespace="mine")
    webview_sdk(integrations=[mine])
    client = sentry_sdk.get_client()
    assert client.get_integration(WebviewIntegration) is mine
    assert sentry_webview.renderer_config()["ipcNamespace"] == "mine"
