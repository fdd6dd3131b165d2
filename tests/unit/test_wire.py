import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sentry_webview.ipc import wire

NAMESPACES = st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)
JS_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@pytest.mark.parametrize("bad", ["", "Sentry", "a_b", "a b", "a/b", "ns.", None, 42, "ü"])
def test_invalid_namespaces_get_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"ipc_namespace must match \[a-z0-9-\]\+"):
        wire.validate_namespace(bad)


@given(NAMESPACES)
def test_bridge_names_are_js_identifiers(namespace):
    for channel in wire.CHANNELS:
        assert JS_IDENTIFIER.match(wire.bridge_function_name(namespace, channel))


@given(NAMESPACES, NAMESPACES)
@example("a-b", "ab")
@example("a-b", "a--b")
def test_bridge_names_of_two_namespaces_never_collide(first, second):
    names = lambda ns: {wire.bridge_function_name(ns, c) for c in wire.CHANNELS}  # noqa: E731
    if first != second:
        assert not names(first) & names(second)


def test_protocol_path_keeps_sentry_key_out_of_fetch_breadcrumbs():
    assert wire.protocol_path("my-app", "envelope") == "/my-app/envelope/sentry_key"


def test_the_js_build_reads_the_same_wire_file():
    # The checkout (or the unpacked sdist) these tests came from; the package may be an installed wheel.
    source = (Path(__file__).resolve().parents[2] / "js" / "src" / "wire.js").read_text()
    assert "sentry_webview/ipc/wire.json" in source
    contract = json.loads(Path(wire.__file__).with_name("wire.json").read_text())
    assert list(contract["channels"].values()) == wire.CHANNELS
    assert [mode.value for mode in wire.IPCMode] == list(contract["modes"].values())


def test_each_channel_has_its_name():
    assert (wire.START, wire.SCOPE, wire.ENVELOPE, wire.STATUS) == tuple(wire.CHANNELS)
    assert wire.CHANNELS == ["start", "scope", "envelope", "status"]
