"""Renderer payloads as the wire carries them: envelopes (text, bytes or base64) and JSON objects.

Parsing is strict, so a truncated or garbled message is refused (``MalformedPayload``)
rather than half-forwarded.
"""

import base64
import binascii
import io
import json
from typing import Any, Dict, List

from sentry_sdk.envelope import Envelope, Item, PayloadRef

from sentry_webview.ipc import wire

CAPTURED_TYPES = ("event", "transaction")
# Renderer items sent on as they are, under the host's identity: what @sentry/electron forwards from
# its renderers. Release health (``session``, ``sessions``), crons (``check_in``) and metrics are the
# host's own to report: a page could otherwise end sessions of any release or fake a cron's check-in.
FORWARDED_TYPES = frozenset(
    (
        "attachment",
        "replay_event",
        "replay_recording",
        "replay_video",
        "feedback",
        "user_report",
        "client_report",
        "profile",
        "profile_chunk",
        "span",
        "log",
    )
)


class MalformedPayload(ValueError):
    """A renderer message that can't be understood; it is dropped."""


def parse_envelope(raw: bytes) -> Envelope:
    """Parse a serialized envelope strictly: a truncated or garbled one raises."""
    stream = io.BytesIO(raw)
    headers = json_object(stream.readline(), "envelope header")
    items: List[Item] = []
    while True:
        line = stream.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        item_headers = json_object(line, "item header")
        if not isinstance(item_headers.get("type"), str):
            raise MalformedPayload("item header has no type")
        length = item_headers.get("length")
        if length is None:
            payload = stream.readline().rstrip(b"\n")
        elif isinstance(length, int) and not isinstance(length, bool) and length >= 0:
            payload = stream.read(length)
            if len(payload) != length:
                raise MalformedPayload("item payload is truncated")
            stream.readline()
        else:
            raise MalformedPayload("item length is not a non-negative integer")
        if item_headers["type"] in CAPTURED_TYPES:
            items.append(Item(PayloadRef(json=json_object(payload, "event")), headers=item_headers))
        else:
            items.append(Item(payload, headers=item_headers))
    if not items:
        raise MalformedPayload("envelope has no items")
    return Envelope(headers=headers, items=items)


def json_object(data: Any, what: str) -> Dict[str, Any]:
    """``data`` (JSON text or bytes) as a dict, or ``MalformedPayload`` naming ``what``."""
    try:
        value = json.loads(data) if data not in (b"", "") else None
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise MalformedPayload("%s is not JSON: %s" % (what, error)) from None
    if not isinstance(value, dict):
        raise MalformedPayload("%s is not a JSON object" % what)
    return value


def envelope_bytes(payload: Any) -> bytes:
    """The raw envelope from a bridge or HTTP payload (text, bytes or ``{"base64": ...}``)."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogatepass")
    if isinstance(payload, dict) and isinstance(payload.get(wire.BASE64_KEY), str):
        try:
            return base64.b64decode(payload[wire.BASE64_KEY], validate=True)
        except (binascii.Error, ValueError):
            raise MalformedPayload("envelope base64 is invalid") from None
    raise MalformedPayload("envelope must be text, bytes or {base64}")


def parse_envelope_payload(payload: Any) -> Envelope:
    """An ``envelope`` channel message, as sent over the bridge or the protocol."""
    return parse_envelope(envelope_bytes(payload))


def parse_json_payload(payload: Any) -> Dict[str, Any]:
    """A JSON channel message (``start``, ``scope``, ``status``); empty text is ``{}``."""
    if isinstance(payload, dict):
        return payload
    if isinstance(payload, (bytes, str)) and not payload.strip():
        return {}
    if isinstance(payload, (bytes, str)):
        return json_object(payload, "payload")
    raise MalformedPayload("payload must be a JSON object")
