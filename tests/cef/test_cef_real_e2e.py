"""Our bundles on the real CEF 66 (Chromium 66), in protocol mode: the driver's page throws, and
the Python 3 host's protocol server (CORS preflight, token) gets the events to the ingest."""

import json
from pathlib import Path

import sentry_sdk

import sentry_webview
from tests.oracles import assert_relay_accepts

STATIC = Path(sentry_webview.__file__).parent / "static"


def test_errors_thrown_in_cef_66_arrive_merged(webview_sdk, ingest, run_driver, tmp_path):
    webview_sdk(ipc_mode="protocol", renderer_anr_threshold=2.0)  # heartbeats every 500 ms
    sentry_sdk.set_tag("host.tag", "cef")
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "renderer_config": sentry_webview.renderer_config(),
                "preload": str(STATIC / "preload.js"),
                "renderer": str(STATIC / "renderer.js"),
            }
        )
    )
    out = tmp_path / "out.json"
    result = run_driver("e2e", str(config), str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    page = json.loads(out.read_text())
    assert page["title"] == "done"
    assert not [line for line in page["console"] if "failed to reach the host" in line or "CORS" in line]
    host = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    assert host.intake.stats["statuses"] >= 2  # the heartbeat runs on Chromium 66

    # The page's errors come first. An ANR event may follow: this page isn't wired (no OnBeforeClose), and CEF 66
    # loses the status its pagehide sends (no keepalive for a request that needs a CORS preflight).
    events = {e["exception"]["values"][-1]["value"]: e for e in ingest.wait_for_events(2)[:2]}
    assert set(events) == {"cef type error", "cef rejection"}
    for event in events.values():
        assert event["tags"]["event.process"] == "renderer"
        assert event["tags"]["host.tag"] == "cef"
        assert (event["release"], event["environment"]) == ("app@1.2.3", "test")
        assert event["contexts"]["webview"]["engine"].startswith("Chromium 66")
        assert_relay_accepts(event)
    assert events["cef type error"]["exception"]["values"][-1]["type"] == "TypeError"
    assert "cef crumb" in [c.get("message") for c in events["cef type error"]["breadcrumbs"]["values"]]
