import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentry_webview.ipc.envelope import MalformedPayload, envelope_bytes, parse_envelope
from tests.conftest import load_sample


def test_a_browser_text_envelope_parses():
    envelope = parse_envelope(load_sample("envelope_error.txt").encode())
    assert [item.type for item in envelope.items] == ["event"]
    assert envelope.items[0].payload.json["exception"]["values"][0]["type"] == "TypeError"


def test_a_binary_envelope_with_attachment_parses_from_base64():
    raw = base64.b64decode(load_sample("envelope_attachment.b64"))
    envelope = parse_envelope(envelope_bytes({"base64": base64.b64encode(raw).decode()}))
    attachment = [item for item in envelope.items if item.type == "attachment"][0]
    assert attachment.headers["filename"] == "log.txt"
    assert attachment.get_bytes() == b"line1\nline2"


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "envelope header"),
        (b"{}\n", "no items"),
        (b'{}\n{"type":"attachment","length":10}\nabc', "truncated"),
        (b'{}\n{"type":"event"}\nnot json', "event is not JSON"),
        (b'{}\n{"type":"event"}\n[1,2]', "event is not a JSON object"),
        (b'{}\n{"length":2}\nab', "no type"),
        (b'{}\n{"type":"attachment","length":-1}\n', "non-negative"),
        (b"\xff\xfe\x00garbage", "envelope header"),
    ],
)
def test_malformed_envelopes_are_refused_with_a_reason(raw, reason):
    with pytest.raises(MalformedPayload, match=reason):
        parse_envelope(raw)


def test_truncating_a_real_envelope_is_always_refused_or_still_valid():
    raw = base64.b64decode(load_sample("envelope_attachment.b64"))
    for cut in range(len(raw)):
        try:
            envelope = parse_envelope(raw[:cut])
        except MalformedPayload:
            continue
        assert all(item.type in ("event", "attachment") for item in envelope.items)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")))
@given(st.binary(max_size=512))
def test_random_bytes_never_raise_anything_but_malformed_payload(raw):
    try:
        parse_envelope(raw)
    except MalformedPayload:
        pass


@pytest.mark.parametrize("payload", [None, 12, ["a"], {"base64": "***"}, {"other": 1}])
def test_bridge_payloads_of_the_wrong_kind_are_refused(payload):
    with pytest.raises(MalformedPayload):
        envelope_bytes(payload)
