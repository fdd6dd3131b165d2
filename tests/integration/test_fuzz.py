"""Fuzzing the protocol endpoints and the intake with hypothesis: no exception escapes, every
reply is 2xx or 4xx, and the host keeps serving. ``FUZZ_EXAMPLES`` sets the size (CI: 1000 per
test; a nightly run: 10000)."""

import json
import os

import pytest
import sentry_sdk
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentry_webview import WebviewIntegration
from sentry_webview.ipc import wire
from tests.conftest import load_sample
from tests.protocol_client import post

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
ERROR_LINES = load_sample("envelope_error.txt").split("\n")

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
# Envelopes that are almost right: real header and item lines, with lines swapped, cut or replaced.
envelope_lines = st.lists(
    st.sampled_from(ERROR_LINES) | json_values.map(json.dumps) | st.text(max_size=40), min_size=0, max_size=6
).map("\n".join)
bodies = st.one_of(
    st.binary(max_size=512), envelope_lines.map(str.encode), json_values.map(lambda v: json.dumps(v).encode())
)


@pytest.fixture(scope="module")
def fuzz_host(ingest_module):
    """One host for all examples (hypothesis reruns the test body, not the fixtures)."""
    sentry_sdk.init(
        dsn=ingest_module.dsn,
        integrations=[WebviewIntegration()],
        before_send=lambda event, hint: None,  # the fuzz must not flood the ingest
    )
    host = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    app = Flask("fuzz")
    app.register_blueprint(host.blueprint)
    yield host, app.test_client()
    host.close()
    sentry_sdk.get_client().close()


@pytest.fixture(scope="module")
def ingest_module():
    from sentry_webview.tools.ingest import LocalIngest

    server = LocalIngest()
    yield server
    server.close()


@FUZZ
@given(channel=st.sampled_from(wire.CHANNELS), body=bodies, renderer=st.text(max_size=80))
def test_the_protocol_answers_2xx_or_4xx(fuzz_host, channel, body, renderer):
    host, client = fuzz_host
    headers = {wire.TOKEN_HEADER: host.token, "Origin": "http://127.0.0.1:8000"}
    if renderer.isprintable() and renderer.isascii():
        headers[wire.RENDERER_HEADER] = renderer
    response = client.post(
        wire.protocol_path(host.namespace, channel), data=body, headers=headers, base_url="http://127.0.0.1"
    )
    assert response.status_code in (200, 400), response.data


@FUZZ
@given(channel=st.text(max_size=10) | st.sampled_from(wire.CHANNELS), payload=bodies | json_values)
def test_the_bridge_intake_never_raises(fuzz_host, channel, payload):
    host, _ = fuzz_host
    result = host.intake.submit(channel, payload, host.identity_for("fuzz"))
    assert result is None or isinstance(result, str)


def test_after_the_fuzz_the_host_still_serves(fuzz_host, ingest_module):
    host, _ = fuzz_host
    assert host.intake.join(10)
    assert host.intake.stats["failed"] == 0  # no handler crashed on what passed validation
    config = {
        "protocolUrl": "%s/%s" % (host.protocol.base_url, host.namespace),
        "ipcNamespace": host.namespace,
        "headers": {wire.TOKEN_HEADER: host.token},
    }
    status, _, _ = post(config, "envelope", load_sample("envelope_error.txt"))
    assert status == 200
