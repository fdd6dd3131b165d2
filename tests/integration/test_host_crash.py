"""Host crashes: a real abort or segfault in one run arrives at the next start as one fatal event
with every thread's Python traceback and that run's scope, and its session is reported crashed."""

import signal

import pytest

from sentry_webview.integrations.crash import parse_dump
from tests.integration.app_runs import run_app, sessions
from tests.oracles import assert_relay_accepts


@pytest.mark.parametrize("action, signal_name", [("abort", "SIGABRT"), ("segfault", "SIGSEGV")])
def test_a_crashed_run_is_reported_once_at_the_next_start(tmp_path, ingest, action, signal_name):
    assert run_app(tmp_path, ingest, action).returncode == -getattr(signal, signal_name)
    assert ingest.received == []
    assert run_app(tmp_path, ingest, "exit").returncode == 0
    [event] = ingest.wait_for_exactly(1)

    assert event["level"] == "fatal"
    [exception] = event["exception"]["values"]
    assert exception["type"] == signal_name
    assert exception["mechanism"]["type"] == "faulthandler" and exception["mechanism"]["handled"] is False
    threads = {thread["id"]: thread for thread in event["threads"]["values"]}
    [crashed] = [thread for thread in threads.values() if thread["crashed"]]
    assert crashed["name"] == "MainThread" and exception["thread_id"] == crashed["id"]
    assert [frame["function"] for frame in exception["stacktrace"]["frames"]][-2:] == (
        ["<module>", "crash_here"] if action == "abort" else ["crash_here", "string_at"]
    )
    [second] = [thread for thread in threads.values() if thread.get("name") == "second-thread"]
    assert "second_thread_waits" in [frame["function"] for frame in second["stacktrace"]["frames"]]

    assert event["user"] == {"id": "user-7"}
    assert event["tags"]["shop.tier"] == "gold" and event["tags"]["event.process"] == "host"
    assert [(c["category"], c["message"]) for c in event["breadcrumbs"]["values"]] == [("cart", "added socks")]
    assert (event["release"], event["environment"]) == ("shop@1.0", "test")
    assert_relay_accepts(event)

    crashed_run, this_run = ingest.wait_for(lambda i: len(sessions(i)) == 2 and sessions(i))
    assert (crashed_run["status"], crashed_run["did"], this_run["status"]) == ("crashed", "user-7", "exited")
    assert 1.4 <= crashed_run["duration"] < 10  # it crashed 1.5 s after init, after its last save (1.0 s)

    assert run_app(tmp_path, ingest, "exit").returncode == 0
    assert len(ingest.events) == 1
    assert [s["status"] for s in ingest.wait_for(lambda i: len(sessions(i)) == 3 and sessions(i))] == [
        "crashed",
        "exited",
        "exited",
    ]
    assert list((tmp_path / "data" / "run").rglob("*.*")) == []


DUMP = """Fatal Python error: Segmentation fault

Thread 0x00007f0000000002 (most recent call first):
  File "/app/worker.py", line 12 in wait
  File "/app/worker.py", line 30 in run

Current thread 0x00007f0000000001 (most recent call first):
  File "/app/native.py", line ??? in call
  File "/app/main.py", line 5 in <module>

Extension modules: PyQt6.QtCore (total: 1)
"""


def test_parse_dump_keeps_every_thread_oldest_frame_first():
    error, threads = parse_dump(DUMP)
    assert error == "Segmentation fault"
    assert threads == [
        {
            "id": 0x7F0000000002,
            "crashed": False,
            "frames": [
                {"filename": "/app/worker.py", "abs_path": "/app/worker.py", "function": "run", "lineno": 30},
                {"filename": "/app/worker.py", "abs_path": "/app/worker.py", "function": "wait", "lineno": 12},
            ],
        },
        {
            "id": 0x7F0000000001,
            "crashed": True,
            "frames": [
                {"filename": "/app/main.py", "abs_path": "/app/main.py", "function": "<module>", "lineno": 5},
                {"filename": "/app/native.py", "abs_path": "/app/native.py", "function": "call"},
            ],
        },
    ]
