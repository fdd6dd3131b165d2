"""Runs of a small app in child processes, against one ingest and one data dir: what the next start sees."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

from sentry_webview.tools.ingest import LocalIngest

APP = textwrap.dedent(
    """
    import ctypes, os, sys, threading, time
    import sentry_sdk, sentry_webview

    dsn, data_dir, action = sys.argv[1:4]
    off = [sentry_webview.HostSessionIntegration, sentry_webview.HostCrashIntegration] if action == "off" else []
    # A run that waits to be killed saves its session every 0.3 s, not every minute.
    saving = [sentry_webview.HostSessionIntegration(persist_interval=0.3)] if action.endswith("then-wait") else []
    sentry_webview.init(
        dsn=dsn, data_dir=data_dir, release="shop@1.0", environment="test", disabled_integrations=off,
        integrations=saving,
    )
    sentry_sdk.set_user({"id": "user-7"})
    sentry_sdk.set_tag("shop.tier", "gold")
    sentry_sdk.add_breadcrumb(category="cart", message="added socks")

    def second_thread_waits():
        threading.Event().wait()

    def crash_here():
        if action == "abort":
            os.abort()
        ctypes.string_at(0)

    print("ready", flush=True)
    if action == "error":
        try:
            raise ValueError("handled")
        except ValueError:
            sentry_sdk.capture_exception()
    elif action == "raise":
        raise RuntimeError("unhandled in the host")
    elif action == "hostile-scope-then-raise":
        host = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
        identity = host.identity_for("renderer-1")
        host.intake.accept("scope", sys.argv[4], identity)
        raise RuntimeError("unhandled in the host")
    elif action.startswith(("renderer-crash", "renderer-error")):
        host = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
        identity = host.identity_for("renderer-1")
        host.window_created(identity)
        if action.startswith("renderer-crash"):
            host.renderer_gone(identity, "crashed", exit_code=139)
        else:
            host.intake.accept("envelope", open(sys.argv[4]).read(), identity)
            host.intake.join(5)
    elif action == "error-then-wait":
        sentry_sdk.capture_exception(ValueError("handled"))
    if action.endswith("anr"):  # the GUI thread was blocked (what AppHangIntegration sends)
        from sentry_webview.integrations._watchdog import anr_event
        sentry_sdk.capture_event(anr_event("The GUI thread has been blocked for 5.0 s"))
    if action.endswith("wait"):
        time.sleep(600)
    elif action in ("abort", "segfault", "off"):
        threading.Thread(target=second_thread_waits, name="second-thread", daemon=True).start()
        time.sleep(1.5)  # the scope is saved once a second
        crash_here()
    """
)


def run_app(tmp_path: Path, ingest: LocalIngest, action: str, *extra: str) -> "subprocess.CompletedProcess[str]":
    """One run of the app to its end (exit, exception or crash)."""
    return subprocess.run(
        [sys.executable, "-c", APP, ingest.dsn, str(tmp_path / "data"), action, *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_app(tmp_path: Path, ingest: LocalIngest, action: str) -> "subprocess.Popen[str]":
    """A run that keeps going; returns once it is initialized."""
    child = subprocess.Popen(
        [sys.executable, "-c", APP, ingest.dsn, str(tmp_path / "data"), action], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def sessions(ingest: LocalIngest) -> List[Dict[str, Any]]:
    """Session updates received so far, in arrival order."""
    return [json.loads(item.get_bytes()) for received in list(ingest.received) for item in received.items_of("session")]
