"""Fuzzing the protocol endpoints (the real ProtocolServer socket) and the intake with hypothesis: no
exception escapes, every reply is 2xx or 4xx, no error event of ours reaches the ingest, well-formed
events reach it and Relay accepts them, and the host keeps serving. ``FUZZ_EXAMPLES`` sets the size
(CI: 1000 per test; a nightly run: 10000)."""

import json
import os

import pytest
import sentry_sdk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentry_webview import WebviewIntegration
from sentry_webview.ipc import wire
from tests.conftest import load_sample, sample_event
from tests.integration.test_renderer_events import envelope_of
from tests.oracles import assert_relay_accepts
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
    """One host for all examples (hypothesis reruns the test body, not the fixtures); what it sends
    goes to the ingest like any app's events."""
    sentry_sdk.init(dsn=ingest_module.dsn, integrations=[WebviewIntegration()], release="fuzz@1")
    host = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    config = {
        "protocolUrl": "%s/%s" % (host.protocol.base_url, host.namespace),
        "ipcNamespace": host.namespace,
        "headers": {wire.TOKEN_HEADER: host.token},
    }
    yield host, config
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
    _, config = fuzz_host
    renderer = renderer if renderer.isprintable() and renderer.isascii() and renderer.strip() == renderer else None
    status, _, text = post(config, channel, body, renderer=renderer)
    assert status in (200, 400), text


@FUZZ
@given(channel=st.text(max_size=10) | st.sampled_from(wire.CHANNELS), payload=bodies | json_values)
def test_the_bridge_intake_never_raises(fuzz_host, channel, payload):
    host, _ = fuzz_host
    result = host.intake.submit(channel, payload, host.identity_for("fuzz"))
    assert result is None or isinstance(result, str)


# Well-formed events whose message, tags and extra are anything a page may put there.
WELL_FORMED = st.fixed_dictionaries(
    {
        "message": st.text(max_size=60),
        # Tag values Relay keeps (non-empty, no control characters), as a page's setTag would send them.
        "tags": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_.]{0,15}", fullmatch=True),
            st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30),
        ),
        "extra": st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=3),
    }
)
SENT = []


@settings(max_examples=max(20, EXAMPLES // 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(fields=WELL_FORMED)
def test_well_formed_events_reach_the_ingest(fuzz_host, fields):
    _, config = fuzz_host
    event = dict(sample_event(), event_id="%032x" % (0xF0000000 + len(SENT)), **fields)
    event["tags"] = dict(fields["tags"])
    # Each its own error: the host lets one error's repeats through only 10 times a minute.
    event["exception"]["values"][-1]["value"] = "fuzzed %s" % event["event_id"]
    status, _, text = post(config, "envelope", envelope_of(event))
    assert status == 200, text
    SENT.append(event["event_id"])


def test_after_the_fuzz_the_host_still_serves_and_the_ingest_got_only_renderer_events(fuzz_host, ingest_module):
    host, config = fuzz_host
    assert host.intake.join(10)
    assert host.intake.stats["failed"] == 0  # no handler crashed on what passed validation
    status, _, _ = post(config, "envelope", load_sample("envelope_error.txt"))
    assert status == 200
    assert host.flush(10)  # the intake's queue, then the SDK's
    events = ingest_module.events
    # No error event of ours: everything that arrived is a renderer's event, none from the host side.
    assert [e for e in events if e.get("tags", {}).get("event.process") != "renderer"] == []
    arrived = {e["event_id"]: e for e in events}
    assert SENT and [i for i in SENT if i not in arrived] == []  # every well-formed event arrived
    for event_id in SENT:
        # The fuzz's scope messages pushed hundreds of junk breadcrumbs through the host scope; sentry-sdk
        # itself notes the ones it truncated (``_meta.breadcrumbs.len``, as for any long-running app).
        # That note is the SDK's, not a change by Relay: the event is judged without it.
        event = {k: v for k, v in arrived[event_id].items() if k not in ("_meta", "breadcrumbs")}
        assert_relay_accepts(event)
    assert sample_event()["event_id"] in arrived
