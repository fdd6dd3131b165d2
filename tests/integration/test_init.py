"""The public API: init's defaults and validation, the integration via sentry_sdk.init, renderer_config."""

import os
import subprocess
import sys
import textwrap

import pytest
import sentry_sdk

import sentry_webview
from sentry_webview import IPCMode, WebviewIntegration
from sentry_webview.ipc import wire


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
