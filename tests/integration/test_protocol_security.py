"""The loopback protocol server refuses what isn't the app's, and never falls over."""

import logging
import socket

import pytest
import sentry_sdk
from flask import Flask

import sentry_webview
from sentry_webview import IPCMode
from sentry_webview.ipc import wire
from sentry_webview.ipc.intake import Intake
from sentry_webview.ipc.protocol import ProtocolServer, make_blueprint
from tests.conftest import load_sample
from tests.protocol_client import post

ENVELOPE = load_sample("envelope_error.txt")


@pytest.fixture
def config(webview_sdk):
    webview_sdk()
    return sentry_webview.renderer_config()


def delivered(ingest):
    sentry_webview.flush(5)
    return ingest.events


def test_a_good_request_is_accepted_and_delivered(config, ingest):
    status, headers, _ = post(config, "envelope", ENVELOPE)
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert len(delivered(ingest)) == 1


@pytest.mark.parametrize(
    "kwargs, status, reason",
    [
        ({"token": False}, 403, b"missing or wrong"),
        ({"token": "guessed"}, 403, b"missing or wrong"),
        ({"origin": "https://evil.example"}, 403, b"Origin"),
        ({"origin": "null"}, 403, b"Origin"),  # a sandboxed frame, and no window of this app is file:// or html=
        ({"origin": "http://127.0.0.2:8000"}, 403, b"Origin"),  # another loopback address is not the app's
        ({"host": "rebind.evil.example:80"}, 403, b"not loopback"),
        ({"namespace": "other-app"}, 404, b"Not Found"),
        ({"method": "GET"}, 405, b"Method Not Allowed"),
    ],
)
def test_foreign_or_unauthenticated_requests_are_refused(config, ingest, kwargs, status, reason):
    for _ in range(2):
        code, _, body = post(config, "envelope", ENVELOPE, **kwargs)
        assert code == status
        assert reason in body
    assert delivered(ingest) == []
    refused = {
        k: v for k, v in sentry_webview.WebviewIntegration.current().hub.stats.items() if k.startswith("rejected")
    }
    assert refused == ({"rejected_403": 2} if status == 403 else {})  # 404 and 405 are Flask's, before ours


@pytest.mark.parametrize("host", ["LOCALHOST:{port}", "[::1]:{port}", "localhost", "127.0.0.1"])
def test_every_spelling_of_a_loopback_host_is_accepted(config, ingest, host):
    port = config["protocolUrl"].split(":")[2].split("/")[0]
    assert post(config, "envelope", ENVELOPE, host=host.format(port=port))[0] == 200
    assert len(delivered(ingest)) == 1


@pytest.mark.parametrize("host", ["127.0.0.1.rebind.test:{port}", "localhost.rebind.test", "[::2]:{port}"])
def test_a_host_that_only_looks_like_loopback_is_refused(config, ingest, host):
    port = config["protocolUrl"].split(":")[2].split("/")[0]
    code, _, body = post(config, "envelope", ENVELOPE, host=host.format(port=port))
    assert (code, b"not loopback" in body) == (403, True)
    assert delivered(ingest) == []


def test_a_request_without_origin_and_with_the_token_is_accepted(config, ingest):
    """Not a page's (browsers always send Origin): the app's own code, say; the token is what counts."""
    status, headers, _ = post(config, "envelope", ENVELOPE, origin=None)
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    assert len(delivered(ingest)) == 1


@pytest.mark.parametrize(
    "body, reason",
    [
        (ENVELOPE[: len(ENVELOPE) // 2], b"not JSON"),
        (b"\x00\xffrandom bytes\n\x01", b"envelope header"),
        (b"", b"envelope header"),
    ],
)
def test_malformed_bodies_get_400_and_the_server_stays_up(config, ingest, body, reason):
    code, _, text = post(config, "envelope", body)
    assert (code, reason in text) == (400, True)
    assert post(config, "scope", b"[1, 2]")[0] == 400
    assert post(config, "envelope", ENVELOPE)[0] == 200
    assert len(delivered(ingest)) == 1


def test_oversized_bodies_get_413(webview_sdk, ingest):
    webview_sdk(integrations=[sentry_webview.WebviewIntegration(max_request_bytes=1000)])
    config = sentry_webview.renderer_config()
    declared = post(config, "envelope", ENVELOPE + " " * 1000)
    scope = b'{"tags": {}}'
    assert post(config, "scope", scope + b" " * (1000 - len(scope)))[0] == 200  # exactly the limit
    assert post(config, "scope", scope + b" " * (1001 - len(scope)))[0] == 413
    chunked = {"Transfer-Encoding": "chunked", "Content-Length": None}
    url_body = b"%x\r\n%s\r\n0\r\n\r\n" % (2000, b"x" * 2000)
    read = post(config, "envelope", url_body, headers=chunked)
    for status, headers, _ in (declared, read):  # told by Content-Length, or found reading the body
        assert status == 413 and headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert delivered(ingest) == []


def test_a_page_can_read_why_its_request_was_refused(config):
    """Without CORS headers on a refusal, the page's fetch fails as a network error: it can't tell a wrong
    token (a page of an earlier run) from a host that is gone."""
    for token in (False, "guessed"):
        status, headers, _ = post(config, "envelope", ENVELOPE, token=token)
        assert status == 403 and headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"


def test_cors_preflight_is_answered_only_for_allowed_origins(config):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": wire.TOKEN_HEADER}
    status, headers, _ = post(config, "envelope", method="OPTIONS", token=False, headers=preflight)
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert wire.TOKEN_HEADER in headers["Access-Control-Allow-Headers"]
    assert (
        post(config, "envelope", method="OPTIONS", token=False, origin="https://evil.example", headers=preflight)[0]
        == 403
    )


def test_a_private_network_preflight_is_allowed_so_a_remote_app_page_can_post(webview_sdk):
    """Chromium (QtWebEngine, CEF) asks before a page of a public origin posts to loopback; without
    ``Access-Control-Allow-Private-Network`` it blocks the POST and the page's events never arrive.
    The answer is per origin (``Vary``) and cached (``Max-Age``), so not every event pays a preflight."""
    webview_sdk(allowed_origins=["https://app.example"])
    config = sentry_webview.renderer_config()
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Private-Network": "true"}
    status, headers, _ = post(
        config, "envelope", method="OPTIONS", token=False, origin="https://app.example", headers=preflight
    )
    assert status == 204
    assert headers["Access-Control-Allow-Private-Network"] == "true"
    assert headers["Access-Control-Allow-Origin"] == "https://app.example" and headers["Vary"] == "Origin"
    assert headers["Access-Control-Allow-Methods"] == "POST" and headers["Access-Control-Max-Age"] == "600"
    plain = post(config, "envelope", method="OPTIONS", token=False, origin="https://app.example")[1]
    assert "Access-Control-Allow-Private-Network" not in plain


def test_an_origin_listed_by_the_app_is_allowed(webview_sdk, ingest):
    webview_sdk(integrations=[sentry_webview.WebviewIntegration(allowed_origins=["https://app.example"])])
    config = sentry_webview.renderer_config()
    assert post(config, "envelope", ENVELOPE, origin="https://app.example")[0] == 200
    assert post(config, "envelope", ENVELOPE, origin="https://other.example")[0] == 403


def test_origin_null_is_accepted_only_where_the_app_opted_in(webview_sdk, ingest):
    webview_sdk(allowed_origins=["null"])
    config = sentry_webview.renderer_config()
    assert post(config, "envelope", ENVELOPE, origin="null")[0] == 200
    assert len(delivered(ingest)) == 1


def test_each_kind_of_refusal_is_logged_once(config, caplog):
    with caplog.at_level(logging.WARNING, logger="sentry_webview"):
        for _ in range(3):
            post(config, "envelope", ENVELOPE, token="wrong")
    assert len([r for r in caplog.records if "refused" in r.getMessage()]) == 1


def test_refusals_with_distinct_hostile_values_log_one_line_per_kind(config, ingest, caplog):
    """The attacker's value is never the dedupe key: 300 distinct 8 kB Origins and Hosts cost two short lines."""
    with caplog.at_level(logging.DEBUG, logger="sentry_webview"):
        for n in range(300):
            assert post(config, "envelope", ENVELOPE, origin="http://%d.example/%s" % (n, "x" * 8000))[0] == 403
            assert post(config, "envelope", ENVELOPE, host="h%d.example:%s" % (n, "9" * 8000))[0] == 403
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 2 and all(len(line) < 400 for line in lines)
    assert delivered(ingest) == []


def test_the_token_is_not_in_what_the_ingest_receives(config, ingest):
    post(config, "envelope", ENVELOPE)
    delivered(ingest)
    token = config["headers"][wire.TOKEN_HEADER].encode()
    assert all(token not in r.envelope.serialize() for r in ingest.received)


def test_classic_mode_starts_no_protocol_server(webview_sdk):
    webview_sdk(ipc_mode=IPCMode.CLASSIC)
    config = sentry_webview.renderer_config()
    assert {key: config[key] for key in config if key != "host"} == {"ipcNamespace": "sentry-ipc", "ipcMode": "classic"}


def test_two_hosts_at_once_each_serve_on_a_free_port_of_their_own(config):
    """Two instances of an app run side by side: each protocol server binds a port the system picks."""
    intake = Intake({}, sentry_sdk.get_isolation_scope())
    other = ProtocolServer(make_blueprint(intake, "other", "t", lambda origin: True, lambda *_: (None, None)))
    try:
        assert other.port > 1024 and ":%d/" % other.port not in config["protocolUrl"]
    finally:
        other.stop()


def test_closing_the_host_frees_the_port(webview_sdk):
    integration = webview_sdk()
    port = integration.hub.protocol.port
    integration.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_the_blueprint_mounts_in_the_apps_own_flask_app(config, ingest):
    app = Flask("the-apps-own")
    app.register_blueprint(sentry_webview.protocol_blueprint())
    client = app.test_client()
    path = wire.protocol_path("sentry-ipc", "envelope")
    headers = {wire.TOKEN_HEADER: config["headers"][wire.TOKEN_HEADER], "Origin": "http://localhost:5000"}
    assert client.post(path, data=ENVELOPE, headers=headers, base_url="http://localhost:5000").status_code == 200
    assert client.post(path, data=ENVELOPE, headers=headers, base_url="http://evil.example").status_code == 403
    assert len(delivered(ingest)) == 1
