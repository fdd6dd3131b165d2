"""Release health: one session per app run, as Sentry shows it: exited, crashed, or abnormal at the next start."""

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import sentry_sdk

import sentry_webview
from tests.conftest import SAMPLES, load_sample
from tests.integration.app_runs import run_app, sessions, start_app
from tests.protocol_client import post


def assert_session(session, status, errors=0):
    """What Sentry's release health reads from a session update."""
    assert session["status"] == status
    assert session["init"] is True
    assert session["attrs"] == {"release": "shop@1.0", "environment": "test"}
    assert session["did"] == "user-7"
    assert uuid.UUID(session["sid"])
    assert session.get("errors", 0) == errors
    assert session["duration"] >= 0


def test_a_normal_exit_sends_one_exited_session_with_its_errors(tmp_path, ingest):
    assert run_app(tmp_path, ingest, "error").returncode == 0
    [session] = ingest.wait_for(sessions)
    assert_session(session, "exited", errors=1)
    assert list((tmp_path / "data" / "run").rglob("*.*")) == []


def test_an_unhandled_host_exception_ends_the_session_crashed(tmp_path, ingest):
    run = run_app(tmp_path, ingest, "raise")
    assert run.returncode == 1 and "unhandled in the host" in run.stderr
    [session] = ingest.wait_for(sessions)
    assert_session(session, "crashed", errors=1)


def test_a_page_that_tags_itself_host_owned_cannot_stop_a_host_crash_ending_the_session_crashed(tmp_path, ingest):
    hostile = {
        "tags": {"event.process": "renderer", "event.origin": "javascript", "page": "cart"},
        "contexts": {"os": {"name": "FakeOS"}, "app": {"app_name": "fake"}, "runtime": {"name": "fake"}},
        "user": {"id": "user-7"},
    }
    run = run_app(tmp_path, ingest, "hostile-scope-then-raise", json.dumps(hostile))
    assert run.returncode == 1 and "unhandled in the host" in run.stderr
    [session] = ingest.wait_for(sessions)
    assert_session(session, "crashed", errors=1)
    [event] = ingest.events
    assert (event["tags"]["event.process"], event["tags"]["event.environment"]) == ("host", "python")
    assert event["tags"]["page"] == "cart"  # the documented sync still works
    assert "FakeOS" not in json.dumps(event["contexts"]) and event["contexts"]["runtime"]["name"] != "fake"


def test_a_renderer_crash_ends_the_session_crashed(tmp_path, ingest):
    assert run_app(tmp_path, ingest, "renderer-crash").returncode == 0
    [session] = ingest.wait_for(sessions)
    assert_session(session, "crashed")
    [event] = ingest.events
    assert event["level"] == "fatal" and event["tags"]["exit.reason"] == "crashed"


def test_an_uncaught_error_in_a_page_is_an_error_not_a_crash(tmp_path, ingest):
    assert run_app(tmp_path, ingest, "renderer-error", str(SAMPLES / "envelope_error.txt")).returncode == 0
    [session] = ingest.wait_for(sessions)
    assert_session(session, "exited", errors=1)
    [event] = ingest.events
    assert event["exception"]["values"][0]["mechanism"]["handled"] is False


def test_a_killed_run_is_reported_abnormal_at_the_next_start(tmp_path, ingest):
    child = start_app(tmp_path, ingest, "wait")
    [persisted] = (tmp_path / "data" / "run").rglob("%d.session.json" % child.pid)
    deadline = time.monotonic() + 5
    while "did" not in json.loads(persisted.read_text()):  # the user set after init, persisted within a second
        assert time.monotonic() < deadline
        time.sleep(0.1)
    killed = json.loads(persisted.read_text())
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert sessions(ingest) == []
    assert run_app(tmp_path, ingest, "exit").returncode == 0
    abnormal, exited = ingest.wait_for(lambda i: len(sessions(i)) == 2 and sessions(i))
    assert_session(abnormal, "abnormal")
    assert (abnormal["sid"], abnormal["started"]) == (killed["sid"], killed["started"])
    assert_session(exited, "exited")
    assert exited["sid"] != abnormal["sid"]
    assert run_app(tmp_path, ingest, "exit").returncode == 0
    assert [s["status"] for s in ingest.wait_for(lambda i: len(sessions(i)) == 3 and sessions(i))] == [
        "abnormal",
        "exited",
        "exited",
    ]


def test_a_killed_run_keeps_its_errors_its_time_and_a_crash_it_already_had(tmp_path, ingest):
    """Saved each second it changed, else every ``persist_interval`` (0.3 s here): a run killed 2.5 s in is
    reported with its error count, about its real duration, and ``crashed`` when a renderer crashed before."""
    for action in ("error-then-wait", "renderer-crash-then-wait"):  # each start reports the run before it
        child = start_app(tmp_path, ingest, action)
        time.sleep(2.5)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert run_app(tmp_path, ingest, "exit").returncode == 0
    abnormal, crashed, exited = ingest.wait_for(lambda i: len(sessions(i)) == 3 and sessions(i))
    assert_session(abnormal, "abnormal", errors=1)
    assert_session(crashed, "crashed")
    assert_session(exited, "exited")
    assert 1.5 <= abnormal["duration"] < 10 and 1.5 <= crashed["duration"] < 10  # saved at 2 s, not just at start


def test_a_hang_makes_the_session_abnormal_unless_it_crashed(tmp_path, ingest):
    """As @sentry/electron's ANR sessions: a blocked GUI thread is an abnormal run, a crash stays a crash."""
    assert run_app(tmp_path, ingest, "anr").returncode == 0
    assert run_app(tmp_path, ingest, "renderer-crash-anr").returncode == 0
    hung, crashed = ingest.wait_for(lambda i: len(sessions(i)) == 2 and sessions(i))
    assert_session(hung, "abnormal", errors=1)
    assert_session(crashed, "crashed", errors=1)


def test_an_apps_own_session_after_a_plain_sentry_sdk_init_still_counts_its_errors(webview_sdk, ingest):
    """sentry-webview's session hook stays installed for the process; without its integration it changes
    nothing of a session the app runs itself."""
    webview_sdk(release="first@1")
    sentry_sdk.init(dsn=ingest.dsn, release="shop@1.0")
    scope = sentry_sdk.get_isolation_scope()  # sentry_sdk.start_session() is newer than 2.20
    scope.start_session(session_mode="application")
    sentry_sdk.capture_exception(ValueError("handled"))
    scope.end_session()
    sentry_sdk.flush(5)
    [session] = [s for s in ingest.wait_for(sessions) if s["attrs"]["release"] == "shop@1.0"]
    assert (session["status"], session["errors"]) == ("exited", 1)


def test_a_sibling_that_is_still_running_is_left_alone(tmp_path, ingest):
    sibling = start_app(tmp_path, ingest, "wait")
    try:
        assert run_app(tmp_path, ingest, "exit").returncode == 0
        assert [s["status"] for s in ingest.wait_for(sessions)] == ["exited"]
        assert list((tmp_path / "data" / "run").rglob("%d.*" % sibling.pid))
    finally:
        sibling.kill()
        sibling.wait()


def test_release_health_and_crash_reports_can_be_turned_off(tmp_path, ingest):
    assert run_app(tmp_path, ingest, "off").returncode == -signal.SIGSEGV
    assert run_app(tmp_path, ingest, "exit").returncode == 0
    assert [s["status"] for s in ingest.wait_for(sessions)] == ["exited"]
    assert ingest.events == []


def test_in_process_the_run_ends_cleanly_and_faulthandler_is_handed_back(webview_sdk, ingest, tmp_path):
    was_enabled = faulthandler.is_enabled()
    webview_sdk()
    sentry_sdk.set_user({"id": "user-7"})
    run_dir = tmp_path / "sentry-webview" / "run"
    assert faulthandler.is_enabled()
    assert sorted(p.name.split(".", 1)[1] for p in run_dir.rglob("*.*")) == [
        "faulthandler.log",
        "scope.json",
        "session.json",
    ]
    sentry_webview.sdk.close()
    sentry_webview.flush(2)
    assert faulthandler.is_enabled() == was_enabled
    assert list(run_dir.rglob("*.*")) == []
    [session] = ingest.wait_for(sessions)
    assert session["status"] == "exited" and session["did"] == "user-7"
    assert session["attrs"] == {"release": "app@1.2.3", "environment": "test"}


PLAIN_SDK = """
import sys, time, sentry_sdk
from sentry_webview import HostCrashIntegration, HostSessionIntegration
health = [HostSessionIntegration(data_dir=sys.argv[2]), HostCrashIntegration(data_dir=sys.argv[2])]
sentry_sdk.init(dsn=sys.argv[1], release="shop@1.0", environment="test", integrations=health)
sentry_sdk.set_user({"id": "user-7"})
time.sleep(0.5)  # the app runs
"""


def test_the_integrations_work_with_plain_sentry_sdk_init(tmp_path, ingest):
    run = subprocess.run([sys.executable, "-c", PLAIN_SDK, ingest.dsn, str(tmp_path)], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    [session] = ingest.wait_for(sessions)
    assert_session(session, "exited")


def test_renderer_messages_over_the_protocol_are_not_request_sessions(webview_sdk, ingest):
    webview_sdk()
    for _ in range(3):
        assert post(sentry_webview.renderer_config(), "envelope", load_sample("envelope_error.txt"))[0] == 200
    ingest.wait_for_events(3)
    sentry_webview.sdk.close()
    sentry_webview.flush(2)
    [session] = ingest.wait_for(sessions)
    assert session["status"] == "exited" and session["errors"] == 3
    assert [r for r in ingest.received if r.items_of("sessions")] == []
