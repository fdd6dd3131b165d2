"""Real pywebview windows whose renderer ends in each way the engine tells apart: the exit.reason and
level a user sees at Sentry, through the real window, engine signal, transport and ingest."""

import shutil

import pytest

from tests.e2e.conftest import GUIS
from tests.oracles import assert_relay_accepts

# How the page's renderer ends (the renderer-ends scenario's RENDERER_END) and what each GUI's real
# engine then reports: (exit.reason, level) of the event, or (reason, None) for a renderer-gone
# breadcrumb and no event. Measured: one outcome per GUI, every run. The enum mapping for every
# status, including those no real renderer gives here, is tests/integration/test_exit_reasons.py.
# - Chromium (Qt) judges the wait status: SIGABRT/SIGSEGV crashed, SIGKILL/SIGTERM killed, exit 0
#   normal (no event, like @sentry/electron's clean-exit), any other exit abnormal. It has no OOM
#   status on Linux: a renderer past V8's heap limit dies of SIGTRAP, so crashed.
# - WebKitGTK reports every unrequested end as CRASHED, a clean _exit(0) and SIGKILL included;
#   TERMINATED_BY_API only for terminate_web_process; EXCEEDED_MEMORY_LIMIT past its memory limit.
#   A SIGSEGV sent by kill() gave no web-process-terminated within 60 s (JavaScriptCore handles
#   SIGSEGV itself), so SIGABRT is GTK's crash.
# - QWebEnginePage has no call that ends its renderer (and chrome://crash did not), so "api" is GTK's.
RENDERER_ENDS = {
    "SIGABRT": {"qt": ("crashed", "fatal"), "gtk": ("crashed", "fatal")},
    "SIGSEGV": {"qt": ("crashed", "fatal")},
    "SIGKILL": {"qt": ("killed", "warning"), "gtk": ("crashed", "fatal")},
    "SIGTERM": {"qt": ("killed", "warning"), "gtk": ("crashed", "fatal")},
    "exit:0": {"qt": ("clean-exit", None), "gtk": ("crashed", "fatal")},
    "exit:3": {"qt": ("abnormal-exit", "warning"), "gtk": ("crashed", "fatal")},
    "api": {"gtk": ("killed", "warning")},
    "oom": {"qt": ("crashed", "fatal"), "gtk": ("oom", "fatal")},
}
NO_GDB = pytest.mark.skipif(
    shutil.which("gdb") is None, reason="gdb is not installed (apt-get install gdb): it makes the renderer _exit"
)


def _cases():
    for gui in GUIS:
        name = gui.values[0]
        for how, outcomes in RENDERER_ENDS.items():
            if name in outcomes:
                marks = [*gui.marks, NO_GDB] if how.startswith("exit:") else gui.marks
                yield pytest.param(name, how, outcomes[name], marks=marks, id="%s-%s" % (name, how))


@pytest.mark.parametrize("gui, how, outcome", _cases())
def test_each_way_a_renderer_ends_is_reported_with_the_engines_reason(gui, how, outcome, run_scenario, ingest):
    reason, level = outcome
    run_scenario("renderer-ends", gui, RENDERER_END=how)
    events = ingest.wait_for_exactly(2 if level else 1)
    [after] = [e for e in events if e.get("message") == "after the renderer ended"]
    [crumb] = [c for c in after["breadcrumbs"]["values"] if c.get("message") == "window.renderer-gone"]
    assert crumb["data"]["reason"] == reason
    gone = [e for e in events if e is not after]
    if level is None:  # a clean exit: a breadcrumb only
        assert gone == []
        return
    [event] = gone
    assert event["message"] == "Renderer process gone: %s" % reason
    assert (event["tags"]["exit.reason"], event["level"]) == (reason, level)
    assert event["tags"]["event.process"] == "renderer"
    assert "title" not in event["contexts"]["webview"]  # only with send_default_pii
    assert event["contexts"]["webview"]["url"] == "app:///idle.html"  # not the random port
    assert any(c.get("message") == "window.renderer-gone" for c in event["breadcrumbs"]["values"])
    assert_relay_accepts(event)
