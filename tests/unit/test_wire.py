import ast
import json
import re
from pathlib import Path

import pytest
import sentry_sdk
from hypothesis import example, given
from hypothesis import strategies as st

import sentry_webview
from sentry_webview.ipc import wire
from sentry_webview.renderers.identity import RendererIdentity

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


JS_SRC = Path(__file__).resolve().parents[2] / "js" / "src"


def test_the_renderer_config_has_exactly_the_wire_keys(webview_sdk):
    """With every feature on, a wired window's config holds each key of wire.json's ``config``, and no other."""
    webview_sdk(integrations=[sentry_webview.PageInitIntegration()], renderer_anr_threshold=5, traces_sample_rate=1.0)
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    config = hub.renderer_config(RendererIdentity("w1", backend="test", window_uid="w1"))
    assert sorted(config) == sorted(wire.CONFIG.values())


def test_the_js_reads_every_config_key_from_the_wire_file_and_types_none():
    sources = {path.name: path.read_text("utf-8") for path in JS_SRC.rglob("*.js")}
    read = {name for source in sources.values() for name in re.findall(r"\bKEYS\.(\w+)", source)}
    assert read == set(wire.CONFIG) - {"originRule"}  # the origin rule is the injection's, never sent to the page
    typed = {
        (file, member)
        for file, source in sources.items()
        for member in re.findall(r"\b(?:config|injected)\.(\w+)", source)
        if member in wire.CONFIG.values()
    }
    assert typed == set()


def test_wire_py_types_no_name_of_its_own():
    """Every name wire.py defines is read from wire.json: no string literal is assigned at module level."""
    tree = ast.parse(Path(wire.__file__).read_text("utf-8"))
    typed = [
        ast.unparse(node)
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    assert typed == []
