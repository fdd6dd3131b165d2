"""Real pywebview windows (Qt offscreen, GTK under Xvfb), one process per scenario:
what a user would see at Sentry, judged by Relay."""

import json
import re
import shutil
import struct
import time
import zlib
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

import sentry_webview
from tests.e2e.conftest import GUIS
from tests.integration.app_runs import sessions
from tests.oracles import assert_relay_accepts

pytestmark = pytest.mark.parametrize("gui", GUIS)

ENGINES = {"qt": re.compile(r"^Chromium \d+$"), "gtk": re.compile(r"^WebKitGTK \d+\.\d+\.\d+$")}


def exception_of(event):
    return event["exception"]["values"][-1]


def assert_renderer_event(event, gui):
    assert event["tags"]["event.process"] == "renderer"
    assert event["tags"]["host.tag"] == "e2e"
    assert (event["release"], event["environment"]) == ("e2e@1.0", "e2e")
    webview_context = event["contexts"]["webview"]
    assert webview_context["backend"] == gui
    assert "title" not in webview_context  # the window's title only goes with send_default_pii
    assert ENGINES[gui].match(webview_context["engine"]), webview_context
    assert_relay_accepts(event)


def test_an_error_while_parsing_head_is_caught(gui, run_scenario, ingest):
    run_scenario("head-error", gui)
    event = ingest.wait_for_events(1)[0]
    assert exception_of(event)["type"] == "TypeError"
    assert exception_of(event)["value"] == "thrown while parsing head"
    assert event["contexts"]["webview"]["url"].endswith("/head-error.html")
    assert_renderer_event(event, gui)


def test_an_error_after_navigation_names_the_new_page(gui, run_scenario, ingest):
    run_scenario("navigation", gui)
    event = ingest.wait_for_events(1)[0]
    assert exception_of(event)["type"] == "TypeError"
    assert event["request"]["url"].endswith("/second.html")
    messages = [c.get("message") for c in event["breadcrumbs"]["values"] if c.get("category") == "webview"]
    assert "window.navigated" in messages
    assert_renderer_event(event, gui)


def test_an_unhandled_rejection_arrives(gui, run_scenario, ingest):
    run_scenario("rejection", gui)
    event = ingest.wait_for_events(1)[0]
    assert exception_of(event)["value"] == "rejected in renderer"
    assert exception_of(event)["mechanism"]["type"].endswith("onunhandledrejection")
    assert_renderer_event(event, gui)


def test_two_windows_each_get_their_own_events(gui, run_scenario, ingest):
    run_scenario("two-windows", gui)
    events = ingest.wait_for_events(2)
    by_value = {exception_of(e)["value"]: e["contexts"]["webview"] for e in events}
    assert by_value["error from first"]["url"].endswith("/window.html?first")
    assert by_value["error from second"]["url"].endswith("/window.html?second")
    assert by_value["error from first"]["window_uid"] != by_value["error from second"]["window_uid"]
    for event in events:
        assert_relay_accepts(event)


def test_renderer_breadcrumbs_and_user_reach_a_host_exception(gui, run_scenario, ingest):
    run_scenario("host-error-with-renderer-crumbs", gui)
    event = ingest.wait_for_events(1)[0]
    assert exception_of(event)["type"] == "RuntimeError"
    assert event["tags"]["event.process"] == "host"
    assert event["user"]["id"] == "page-user"
    messages = [c.get("message") for c in event["breadcrumbs"]["values"]]
    assert "clicked checkout" in messages
    assert "page console line" in messages
    assert "window.loaded" in messages
    assert_relay_accepts(event)


def test_the_apps_own_js_api_still_works(gui, run_scenario, ingest):
    run_scenario("app-js-api", gui)
    event = ingest.wait_for_events(1)[0]
    assert exception_of(event)["value"] == "after js_api"


# From an ANR event's capture to the ingest: measured 0.04-0.11 s; 0.5 s is half the screenshot wait (1 s).
ANR_SENT_WITHIN = 0.5


def test_the_process_exits_promptly_after_the_last_window_closes(gui, run_scenario, ingest):
    result = run_scenario("quit", gui)
    destroyed = float(re.search(r"DESTROY_AT (\S+)", result.stdout).group(1))
    exited = float(re.search(r"EXITED_AT (\S+)", result.stdout).group(1))
    print("QUIT_SECONDS %s %.3f" % (gui, exited - destroyed))
    # Measured 0.01-0.05 s; 1.0 s leaves 20x for a loaded machine and still catches a flush that waits.
    assert exited - destroyed < 1.0
    time.sleep(0.5)
    # The page only kept the bridge busy: nothing of it, and no error of the quit itself, is an event.
    events = ["%s: %s" % (exception_of(e)["type"], exception_of(e)["value"]) for e in ingest.events]
    # Not strict: the Qt KeyError came in 2 of 3 quits measured here (issue: 3 of 8), so a clean quit passes.
    if gui == "qt" and events and all(e.startswith("KeyError") for e in events):
        pytest.xfail("issue 17: pywebview KeyError host events when evaluate_js waits are released at close")
    assert events == []


def test_with_the_bundles_missing_a_page_that_ships_the_js_still_reports(gui, run_scenario, ingest, tmp_path):
    copy = tmp_path / "sentry_webview"
    shutil.copytree(Path(sentry_webview.__file__).parent, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    result = run_scenario("static-hidden", gui, cwd=tmp_path)
    assert result.stderr.count("renderer.js is missing") == 1
    event = ingest.wait_for_events(1)[0]
    assert exception_of(event)["value"] == "from a page that ships the JS"
    assert event["tags"]["event.process"] == "renderer"
    assert_relay_accepts(event)


@pytest.mark.parametrize("ipc_mode", ["classic", "protocol"])
def test_a_burst_from_four_windows_is_delivered_or_reported_and_the_gui_stays_responsive(
    gui, ipc_mode, run_scenario, ingest, tmp_path
):
    """4 windows × LOAD_PER_WINDOW errors (CI: 250 each; the closing note has a 10,000 run)."""
    per_window = 250
    result = run_scenario(
        "load", gui, IPC_MODE=ipc_mode, LOAD_PER_WINDOW=str(per_window), OFFLINE_QUEUE=str(tmp_path / "queue")
    )
    load = json.loads(re.search(r"LOAD (.*)", result.stdout).group(1))
    print(
        "LOAD %s %s rss_growth_kib=%s ping_ms=%s gui_lag_ms=%s"
        % (gui, ipc_mode, load["rss_growth_kib"], load["ping_ms"], load["gui_lag_ms"])
    )
    total = 4 * per_window
    assert load["handled"] == total, load
    delivered = [e for e in ingest.events if exception_of(e)["value"].startswith("load ")]
    reports = [json.loads(item.get_bytes()) for r in ingest.received for item in r.items_of("client_report")]
    discarded = sum(d["quantity"] for report in reports for d in report["discarded_events"] if d["category"] == "error")
    assert len(delivered) + discarded == total, reports
    assert len({exception_of(e)["value"] for e in delivered}) == len(delivered)  # none twice
    # Measured with a mutation run busy on both cores: RSS growth 7.8-12.3 MiB (limit 3x: 40 MiB); GUI
    # ping p50 8-90 ms, max 38-198 ms (limits 150 / 250 ms: the ping is what machine load moves most).
    assert load["rss_growth_kib"] < 40 * 1024, load
    assert load["ping_ms"]["p50"] < 150, load["ping_ms"]
    assert load["ping_ms"]["max"] < 250, load["ping_ms"]
    # The GUI thread's own stall (a 10 ms timer's lateness): measured max 20-67 ms at load average 2-8
    # (2026-11-30, CultureContext read once a minute); limit 150 ms, twice the worst.
    assert load["gui_lag_ms"]["max"] < 150, load["gui_lag_ms"]


# Measured 2026-11-30 under load from other engineers (load average ~4-5 on 2 cores), 4 windows × (30
# distinct + 500 repeats), BOTH: GUI ping max 32 ms (Qt); before the fix every repeat's scope update
# crossed the bridge and the ping reached 255 ms. The margin: 150 ms, for a loaded machine. The GUI
# thread's own stall (a 10 ms timer's lateness): target 50 ms, measured 20-40 ms (bench/storm.py, 4,500
# repeats) once repeats past the page's budget are dropped before @sentry/browser builds them (before
# that: 145-225 ms); the limit is twice the target, for a loaded machine.
STORM_REPEATS, STORM_PING_MAX_MS, STORM_GUI_LAG_MAX_MS = 500, 150, 100


@pytest.mark.parametrize("ipc_mode", ["both", "classic"])
def test_an_error_storm_delivers_every_distinct_error_and_accounts_for_every_capture(
    gui, ipc_mode, run_scenario, ingest, tmp_path
):
    result = run_scenario(
        "storm", gui, IPC_MODE=ipc_mode, STORM_REPEATS=str(STORM_REPEATS), OFFLINE_QUEUE=str(tmp_path / "queue")
    )
    storm = json.loads(re.search(r"STORM (.*)", result.stdout).group(1))
    total = 4 * (30 + STORM_REPEATS)
    assert storm["handled"] == total, storm
    values = [exception_of(e)["value"] for e in ingest.events]  # every event that arrived
    assert all(v.startswith("storm ") for v in values), values
    expected = {"storm w%d distinct %d" % (w, k) for w in range(4) for k in range(30)}
    expected |= {"storm w%d repeat" % w for w in range(4)}
    assert set(values) == expected  # all 124 distinct errors, nothing else
    reports = [json.loads(item.get_bytes()) for r in ingest.received for item in r.items_of("client_report")]
    discarded = sum(d["quantity"] for report in reports for d in report["discarded_events"] if d["category"] == "error")
    assert len(values) + discarded == total, (len(values), discarded, storm)
    assert len(values) <= 124 + 4 * 10 * 2  # repeats within the page's and the host's budgets
    assert storm["ping_ms"]["max"] < STORM_PING_MAX_MS, storm["ping_ms"]
    assert storm["gui_lag_ms"]["max"] < STORM_GUI_LAG_MAX_MS, storm["gui_lag_ms"]
    assert storm["rss_growth_kib"] < 100 * 1024, storm


def test_windows_closing_mid_storm_print_no_traceback(gui, run_scenario, ingest):
    result = run_scenario("storm-close", gui, STORM_REPEATS="4500")
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert "KeyError" not in result.stderr, result.stderr[-4000:]


FOREIGN_HOST_RULES = '--host-resolver-rules="MAP foreign.test 127.0.0.1"'


@pytest.mark.parametrize("mode", ["classic", "both"])
def test_a_page_of_a_foreign_origin_gets_no_config_and_nothing_it_sends_arrives(gui, mode, run_scenario, ingest):
    run = run_scenario("foreign-origin", gui, IPC_MODE=mode, QTWEBENGINE_CHROMIUM_FLAGS=FOREIGN_HOST_RULES)
    reports = json.loads(run.stdout.split("FOREIGN-REPORTS ", 1)[1].splitlines()[0])
    reports = dict(unquote(r).split("=", 1) for r in reports)
    assert reports["http:config"] == "none" and reports["blob:config"] == "none"  # no token anywhere
    assert "answered None" not in (reports.get("bridge"), reports.get("blob-bridge"))  # None: accepted
    if mode == "both":
        # Origin: null from a sandboxed frame of an http page: refused (403, or its preflight was)
        assert reports["frame"].startswith("frame ") and reports["frame"] != "frame 200"
    time.sleep(0.5)
    assert [exception_of(e)["value"] for e in ingest.events] == ["error from app"]


def test_a_process_that_stood_still_as_in_a_system_sleep_is_not_reported_as_hung(gui, run_scenario, ingest):
    run_scenario("suspended", gui)
    time.sleep(0.5)
    assert [exception_of(e)["type"] for e in ingest.events if "exception" in e] == []


def test_a_blocked_gui_thread_is_reported_once_with_its_stack(gui, run_scenario, ingest):
    run_scenario("hang", gui)

    def blocked(events):
        stacks = [(e, [f["function"] for f in exception_of(e)["stacktrace"]["frames"]]) for e in events]
        return [e for e, functions in stacks if "block_gui_thread" in functions]

    event = ingest.wait_for(lambda i: blocked(i.events))[0]
    assert exception_of(event)["type"] == "ApplicationNotResponding"
    assert event["tags"]["event.process"] == "host"
    assert_relay_accepts(event)
    time.sleep(0.5)
    assert len(blocked(ingest.events)) == 1  # once per hang
    # Renderer ANR is on too: the page's heartbeats wait for the GUI thread, the page isn't blocked.
    assert [e["tags"]["event.process"] for e in ingest.events] == ["host"]
    # The run's session: a hang, not a crash (as @sentry/electron).
    assert sessions(ingest)[-1]["status"] == "abnormal"


def test_with_screenshots_on_the_anr_event_is_sent_while_the_gui_thread_is_still_blocked(gui, run_scenario, ingest):
    """attach_screenshot=True: an ANR event must not wait for a screenshot from the GUI thread that
    doesn't answer (the screenshot wait is 1 s; the hang 3 s, the threshold 1 s)."""
    result = run_scenario("hang", gui, SCREENSHOTS="1")
    blocked_at = float(re.search(r"BLOCKED_AT (\S+)", result.stdout).group(1))
    anrs = [r for r in ingest.received if r.event and exception_of(r.event).get("type") == "ApplicationNotResponding"]
    assert len(anrs) == 1
    [anr] = anrs
    captured_at = datetime.fromisoformat(anr.event["timestamp"].replace("Z", "+00:00")).timestamp()
    print("ANR_AFTER %s %.3f %.3f" % (gui, anr.received_at - blocked_at, anr.received_at - captured_at))
    assert anr.items_of("attachment") == []  # no screenshot of a window that can't paint
    assert blocked_at < anr.received_at < blocked_at + 3  # sent while the GUI thread is still blocked
    # Waiting for a screenshot from the blocked GUI thread would add its 1 s timeout here.
    assert anr.received_at - captured_at < ANR_SENT_WITHIN


def test_a_gui_thread_blocked_while_every_window_is_hidden_is_not_reported(gui, run_scenario, ingest):
    run_scenario("hang-hidden", gui)
    time.sleep(0.5)
    assert [exception_of(e)["type"] for e in ingest.events if "exception" in e] == []
    assert sessions(ingest)[-1]["status"] == "exited"


def test_a_blocked_renderer_is_reported_once_with_its_window(gui, run_scenario, ingest):
    run_scenario("renderer-block", gui)
    events = ingest.wait_for_events(1)
    assert len(events) == 1, events  # none while idle, one for the block
    event = events[0]
    assert exception_of(event)["type"] == "ApplicationNotResponding"
    assert exception_of(event)["mechanism"] == {"type": "ANR", "handled": False}
    assert re.match(r"The renderer's event loop has been blocked for \d+\.\d s$", exception_of(event)["value"])
    assert event["level"] == "error"
    assert event["contexts"]["webview"]["url"].endswith("/idle.html")
    assert_renderer_event(event, gui)


def png_image(data):
    """(width, height, top-left RGB) of a PNG; a row's first pixel is stored as is, whatever its filter."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    kind, header = chunks[0]
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (kind, depth, color in (2, 6), interlace) == (b"IHDR", 8, True, 0), header
    pixels = zlib.decompress(b"".join(body for name, body in chunks if name == b"IDAT"))
    return width, height, tuple(pixels[1:4])


def test_error_events_carry_a_screenshot_of_the_window_and_transactions_none(gui, run_scenario, ingest):
    """Captured on the intake worker (page error), an app thread (host error) and the GUI thread (message)."""
    result = run_scenario("screenshot", gui)
    viewport = tuple(int(n) for n in re.search(r"VIEWPORT (\d+) (\d+)", result.stdout).groups())

    def envelope_of(predicate):
        return ingest.wait_for(lambda i: next((r for r in i.received if r.event and predicate(r.event)), None))

    errors = [
        envelope_of(lambda e: "exception" in e and exception_of(e)["value"] == "screenshot page failed"),
        envelope_of(lambda e: "exception" in e and exception_of(e)["value"] == "host failed under a window"),
        envelope_of(lambda e: e.get("message") == "captured on the GUI thread"),
    ]
    for received in errors:
        [item] = received.items_of("attachment")
        assert (item.headers["filename"], item.headers["content_type"]) == ("screenshot.png", "image/png")
        assert png_image(item.get_bytes()) == (*viewport, (0x33, 0x66, 0xCC))  # the page's background
    transaction = envelope_of(lambda e: e.get("type") == "transaction")
    assert transaction.event["transaction"] == "screenshot transaction"
    assert transaction.items_of("attachment") == []


def test_a_file_page_reports_over_the_protocol_alone(gui, run_scenario, ingest):
    run_scenario("file-page", gui, IPC_MODE="protocol")
    [event] = ingest.wait_for_events(1)
    assert exception_of(event)["value"] == "error from from-disk"
    assert event["tags"]["event.process"] == "renderer"
    assert event["request"]["url"].startswith("file:///") and event["request"]["url"].endswith("?from-disk")
    assert_relay_accepts(event)


@pytest.mark.parametrize("scenario, value", [("file-page", "error from from-disk"), ("html-page", "error from html")])
def test_one_app_session_whatever_serves_the_page(gui, scenario, value, run_scenario, ingest):
    run_scenario(scenario, gui)
    ingest.wait_for(sessions)
    kinds = sorted(item.type for received in ingest.received for item in received.envelope.items)
    assert kinds == ["event", "session"], kinds
    assert exception_of(ingest.events[0])["value"] == value
    [session] = sessions(ingest)
    assert (session["init"], session["status"], session["errors"]) == (True, "exited", 1)
