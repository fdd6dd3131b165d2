"""The public API: init's defaults and validation, the integration via sentry_sdk.init, renderer_config."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sentry_sdk

import sentry_webview
from sentry_webview import IPCMode, WebviewIntegration
from sentry_webview.ipc import wire
from sentry_webview.tools.ingest import LocalIngest
from tests.conftest import sample_event
from tests.oracles import assert_relay_accepts

README = Path(__file__).resolve().parents[2] / "README.md"


def test_renderer_config_names_namespace_mode_url_and_token(webview_sdk):
    webview_sdk(ipc_namespace="my-app")
    config = sentry_webview.renderer_config()
    port = sentry_sdk.get_client().get_integration(WebviewIntegration).hub.protocol.port
    assert config == {
        "ipcNamespace": "my-app",
        "ipcMode": "both",
        "protocolUrl": "http://127.0.0.1:%d/my-app" % port,
        "headers": {wire.TOKEN_HEADER: config["headers"][wire.TOKEN_HEADER]},
        # what the host owns, for forwarded feedback and replay and for trace headers
        "host": {"release": "app@1.2.3", "environment": "test", "public_key": "publickey"},
    }
    assert len(config["headers"][wire.TOKEN_HEADER]) >= 40


def test_a_mounted_protocol_url_replaces_the_standalone_server(webview_sdk):
    integration = webview_sdk(integrations=[WebviewIntegration(ipc_mode="protocol", protocol_url="/sentry-ipc")])
    assert integration.hub.protocol is None
    assert sentry_webview.renderer_config()["protocolUrl"] == "/sentry-ipc"


def test_init_hands_the_hosts_options_to_the_integration(webview_sdk):
    integration = webview_sdk(ipc_mode=IPCMode.PROTOCOL, protocol_url="/mounted", max_queue=7)
    assert integration.hub.protocol is None
    assert sentry_webview.renderer_config()["protocolUrl"] == "/mounted"
    assert integration.hub.intake.max_queue == 7


def test_the_integration_works_with_plain_sentry_sdk_init(ingest):
    sentry_sdk.init(dsn=ingest.dsn, integrations=[WebviewIntegration(ipc_namespace="plain")])
    try:
        assert sentry_webview.renderer_config()["ipcNamespace"] == "plain"
    finally:
        sentry_sdk.get_client().get_integration(WebviewIntegration).close()
        sentry_sdk.get_client().close()


# After the app's own init: a page load through Flask, a host error and a renderer error; what it got, as JSON.
WHAT_THE_APP_GETS = """
import json, time
import flask, sentry_sdk, sentry_webview
from sentry_webview import WebviewIntegration, _compat
from sentry_webview.app_info import default_environment, default_release
from sentry_webview.transport.offline import OfflineTransport
from tests.conftest import load_sample

client = sentry_sdk.get_client()
deadline = time.monotonic() + 5  # via sentry_sdk.init, the run starts on a thread of its own
while _compat.scope_session(sentry_sdk.get_isolation_scope()) is None and time.monotonic() < deadline:
    time.sleep(0.01)
session = _compat.scope_session(sentry_sdk.get_isolation_scope())
app = flask.Flask("page-server")
app.add_url_rule("/", "index", lambda: "<html></html>")
assert app.test_client().get("/").status_code == 200
sentry_sdk.capture_message("host")
hub = client.get_integration(WebviewIntegration).hub
hub.intake.accept("envelope", load_sample("envelope_error.txt"), hub.identity_for("renderer-1"))
assert hub.intake.join(5)
print(json.dumps({
    "offline transport": isinstance(client.transport, OfflineTransport),
    "default release": bool(client.options["release"]) and client.options["release"] == default_release(),
    "default environment": client.options["environment"] == default_environment(),
    "session after a page load": session.status if session is not None else None,
    "bottle integration": "bottle" in client.integrations,
}))
hub.renderer_gone(hub.identity_for("renderer-1"), "crashed")  # (a crashed renderer ends the session crashed)
sentry_sdk.flush(5)
"""


def _what_the_app_gets(tmp_path, ingest, init_code):
    """Run ``init_code`` then ``WHAT_THE_APP_GETS`` as an app of its own; what it got, and the two events."""
    app = tmp_path / "app.py"
    app.write_text(init_code.replace('"https://key@o0.ingest.sentry.io/1"', repr(ingest.dsn)) + WHAT_THE_APP_GETS)
    env = dict(os.environ, PYTHONPATH=str(README.parent))
    run = subprocess.run([sys.executable, str(app)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.splitlines()[-1])
    events = {event.get("message") or event["event_id"]: event for event in ingest.wait_for_exactly(3)}
    renderer = events.pop(sample_event()["event_id"])
    [gone] = [event for name, event in events.items() if name != "host"]  # the host's event about the renderer
    assert_relay_accepts(renderer)
    got["host server_name"] = "server_name" in events["host"]
    got["renderer server_name"] = "server_name" in renderer or "server_name" in gone
    got["host modules"] = "modules" in events["host"]
    got["renderer modules or sys.argv"] = any(
        "modules" in event or "sys.argv" in (event.get("extra") or {}) for event in (renderer, gone)
    )
    return got


def test_the_readmes_sentry_sdk_init_route_gets_what_init_gives(tmp_path):
    """The README's recipe for apps that call sentry_sdk.init brings everything sentry_webview.init adds."""
    recipe = re.search(r"To get the same:\n\n```python\n(.*?)```", README.read_text(), re.S).group(1)
    assert recipe.count('dsn="https://key@o0.ingest.sentry.io/1"') == 1
    expected = {
        "offline transport": True,
        "default release": True,
        "default environment": True,
        "session after a page load": "ok",
        "bottle integration": False,
        "host server_name": True,
        "renderer server_name": False,
        "host modules": True,
        "renderer modules or sys.argv": False,
    }
    init = (
        'import sentry_webview\nsentry_webview.init(dsn="https://key@o0.ingest.sentry.io/1", ipc_namespace="my-app")\n'
    )
    for name, code in [("sentry_webview.init", init), ("the README's sentry_sdk.init", recipe)]:
        ingest = LocalIngest()
        try:
            assert _what_the_app_gets(tmp_path, ingest, code) == expected, name
        finally:
            ingest.close()


@pytest.mark.parametrize("namespace", ["Bad", "a_b", ""])
def test_a_bad_namespace_fails_init_with_a_clear_error(namespace):
    with pytest.raises(ValueError, match=r"ipc_namespace must match \[a-z0-9-\]\+"):
        sentry_webview.init(ipc_namespace=namespace)


def test_a_bad_mode_fails_with_the_choices():
    with pytest.raises(ValueError, match="CLASSIC.*PROTOCOL.*BOTH"):
        WebviewIntegration(ipc_mode="sometimes")


def test_renderer_config_before_init_says_what_to_do():
    sentry_sdk.init()
    with pytest.raises(RuntimeError, match=r"call sentry_webview.init\(\) first"):
        sentry_webview.renderer_config()


def test_ipc_mode_accepts_the_enum_and_its_value():
    assert WebviewIntegration(ipc_mode=IPCMode.CLASSIC).ipc_mode is WebviewIntegration(ipc_mode="classic").ipc_mode


DEFAULTS = textwrap.dedent(
    """
    import sys
    __version__ = "4.5.6"
    if len(sys.argv) > 1:
        sys.frozen = True
    import sentry_sdk, sentry_webview
    sentry_webview.init()
    options = sentry_sdk.get_client().options
    print(options["release"], options["environment"])
    """
)


@pytest.mark.parametrize("frozen, environment", [(False, "development"), (True, "production")])
def test_release_and_environment_default_like_electron(tmp_path, frozen, environment):
    script = tmp_path / "shop.py"
    script.write_text(DEFAULTS)
    env = {k: v for k, v in os.environ.items() if k not in ("SENTRY_RELEASE", "SENTRY_ENVIRONMENT")}
    argv = [sys.executable, str(script)] + (["frozen"] if frozen else [])
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=True).stdout.split()
    release = "python@4.5.6" if frozen else "shop@4.5.6"
    assert out == [release, environment]


def test_sentry_release_and_environment_variables_win(tmp_path):
    script = tmp_path / "shop.py"
    script.write_text(DEFAULTS)
    env = dict(os.environ, SENTRY_RELEASE="shop@9.9.9", SENTRY_ENVIRONMENT="staging")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert out.stdout.split() == ["shop@9.9.9", "staging"]
