"""The wire contract between renderers and the host, defined once.

The names live in ``wire.json`` beside this module; the JS build imports the same
file, so a renamed channel, mode, header or tag can't drift between the two sides.
Everything is read by key: reordering the JSON changes nothing.
"""

import enum
import json
import re
from pathlib import Path
from typing import Dict, List

_WIRE = json.loads((Path(__file__).with_name("wire.json")).read_text("utf-8"))

START: str = _WIRE["channels"]["start"]
SCOPE: str = _WIRE["channels"]["scope"]
ENVELOPE: str = _WIRE["channels"]["envelope"]
STATUS: str = _WIRE["channels"]["status"]
CHANNELS: List[str] = [START, SCOPE, ENVELOPE, STATUS]


class IPCMode(str, enum.Enum):
    """How renderers reach the host: the bridge, the loopback protocol, or both."""

    CLASSIC = _WIRE["modes"]["classic"]
    PROTOCOL = _WIRE["modes"]["protocol"]
    BOTH = _WIRE["modes"]["both"]

    @property
    def bridge(self) -> bool:
        """Whether renderers of this mode use the bridge."""
        return self is not IPCMode.PROTOCOL

    @property
    def protocol(self) -> bool:
        """Whether renderers of this mode use the loopback protocol."""
        return self is not IPCMode.CLASSIC


# ``event.process``: which side an event comes from.
HOST_PROCESS: str = _WIRE["processes"]["host"]
RENDERER_PROCESS: str = _WIRE["processes"]["renderer"]
PROCESS_TAG: str = _WIRE["tags"]["process"]
ORIGIN_TAG: str = _WIRE["tags"]["origin"]
ENVIRONMENT_TAG: str = _WIRE["tags"]["environment"]
WEBVIEW_CONTEXT: str = _WIRE["contexts"]["webview"]
# ``event.origin``: the SDK family, on both sides (as @sentry/electron's ``electron``);
# ``event.environment``: the side's language, as @sentry/electron's ``javascript``/``node``.
EVENT_ORIGIN: str = _WIRE["eventOrigin"]
HOST_ENVIRONMENT: str = _WIRE["environments"]["host"]
RENDERER_ENVIRONMENT: str = _WIRE["environments"]["renderer"]
# The keys of the config a renderer gets from the host (injected, or ``renderer_config()``), by name.
CONFIG: Dict[str, str] = dict(_WIRE["config"])

DEFAULT_NAMESPACE: str = _WIRE["defaultNamespace"]
TOKEN_HEADER: str = _WIRE["headers"]["token"]
RENDERER_HEADER: str = _WIRE["headers"]["renderer"]
GLOBALS: Dict[str, str] = dict(_WIRE["globals"])
BRIDGE_PREFIX: str = _WIRE["bridgePrefix"]
# The host function a tracing page calls instead of the app's js_api function: (name, args, trace headers).
JS_API_CALL: str = _WIRE["tracing"]["jsApiCall"]
JS_API_OP: str = _WIRE["tracing"]["op"]
# A bridge payload is text, {BASE64: "..."} for binary, or {BATCH: [payload, ...]} for several of one channel.
BASE64_KEY: str = _WIRE["bridgePayloadKeys"]["base64"]
BATCH_KEY: str = _WIRE["bridgePayloadKeys"]["batch"]
# In a scope message: how many envelopes the page's preload has dropped so far (a running total).
DROPPED_KEY: str = _WIRE["droppedKey"]

_NAMESPACE_RE = re.compile(_WIRE["namespacePattern"])


def validate_namespace(namespace: object) -> str:
    """Return ``namespace`` if it is a valid IPC namespace, else raise ``ValueError``."""
    if not isinstance(namespace, str) or not _NAMESPACE_RE.match(namespace):
        raise ValueError(
            "ipc_namespace must match [a-z0-9-]+ (lowercase letters, digits and '-'), "
            "and be the same in host, preload and renderer; got %r" % (namespace,)
        )
    return namespace


def bridge_function_name(namespace: str, channel: str) -> str:
    """The JS-visible name of the bridge function for ``channel`` in ``namespace``.

    Namespaces never contain ``_`` and channels never do either, so mapping ``-`` to
    ``_`` keeps names of different namespaces apart and makes them valid identifiers.
    """
    return "%s_%s_%s" % (BRIDGE_PREFIX, namespace.replace("-", "_"), channel)


def protocol_path(namespace: str, channel: str) -> str:
    """The URL path of ``channel``; ``sentry_key`` keeps @sentry/browser from recording it."""
    return "/%s/%s/%s" % (namespace, channel, _WIRE["protocolKeySegment"])
