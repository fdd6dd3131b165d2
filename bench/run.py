"""Run every benchmark, print a table and write JSON: ``python -m bench.run [--quick] [--json PATH]``.

Each measurement runs in its own process (Qt can start once per process) and hands back one
JSON line; every figure is a median over repeats, its comparison measured in the same process.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from bench.common import REPO, RESULT_PREFIX

MODULES = {  # module: timeout in seconds (full mode)
    "bundle": 120,
    "merge": 300,
    "memory": 600,
    "injection_qt": 300,
    "injection_gtk": 300,
    "startup_qt": 300,
    "js_api_qt": 300,
    "delivery_qt": 600,
    "delivery": 600,
    "storm": 1200,
}
Row = Tuple[str, str, str, Optional[bool]]


def run_module(name: str, quick: bool) -> Dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1", PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "bench." + name] + (["--quick"] if quick else [])
    if name.endswith("_gtk") and shutil.which("xvfb-run"):  # else the display the bench runs on
        argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"] + argv
    try:
        done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=MODULES[name])
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %d s" % MODULES[name]}
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode or not lines:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        return {"error": "exit %d: %s" % (done.returncode, " | ".join(tail))}
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


def kb(size: Optional[Dict[str, int]]) -> str:
    return "n/a" if not size else "%.1f kB min, %.1f kB gzip" % (size["minified"] / 1000, size["gzip"] / 1000)


def latency_row(name: str, figures: Dict[str, Any]) -> Row:
    if figures.get("p99_ms") is None:
        return (name, "n/a: no event arrived", "p99 ≤ 5 ms", False)
    figure = "%.1f / %.1f ms" % (figures["p50_ms"], figures["p99_ms"])
    if figures.get("intake_p50_ms") is not None:
        figure += " (to intake %.1f / %.1f)" % (figures["intake_p50_ms"], figures["intake_p99_ms"])
    return (name, figure, "p99 ≤ 5 ms", figures["p99_ms"] <= 5)


def table(results: Dict[str, Dict[str, Any]]) -> Tuple[List[Row], List[str]]:
    """The rows (measurement, figure, target, met), and a note per missed target plus why, where known."""
    rows: List[Row] = []
    notes: List[str] = []
    qt, browser = results["delivery_qt"], results["delivery"]
    if "error" not in qt:
        bridge, protocol = qt["bridge_4w"]["events_per_s"], qt["protocol_4w"]["events_per_s"]
        sdk = qt["sdk"]["events_per_s"]
        rows += [
            (
                "delivery, bridge (pywebview Qt), 1 / 4 windows",
                "%.0f / %.0f events/s" % (qt["bridge_1w"]["events_per_s"], bridge),
                "≥ 1000 from 4 windows",
                bridge >= 1000,
            ),
            (
                "  baseline: empty pywebview.api call, 1 / 4 windows",
                "%.0f / %.0f calls/s" % (qt["noop_1w"]["calls_per_s"], qt["noop_4w"]["calls_per_s"]),
                "",
                None,
            ),
            ("  baseline: sentry-sdk alone, same host → ingest", "%.0f events/s" % sdk, "", None),
            ("  bridge from 4 windows / sentry-sdk alone", "%.2f×" % (bridge / sdk), "≥ 1.0×", bridge >= sdk),
            (
                "delivery, protocol (pywebview Qt), 1 / 4 windows",
                "%.0f / %.0f events/s (%.0f%% of bridge)"
                % (qt["protocol_1w"]["events_per_s"], protocol, 100 * protocol / bridge),
                "≥ 50% of bridge",
                protocol >= bridge / 2,
            ),
        ]
        if bridge < 1000:
            notes.append(
                "bridge throughput: %.0f events/s from 4 windows; sentry-sdk alone delivers %.0f events/s from the "
                "same host to the same ingest, and an empty pywebview.api call does %.0f calls/s"
                % (bridge, sdk, qt["noop_4w"]["calls_per_s"])
            )
    if "error" not in browser:
        rows.append(
            (
                "delivery, protocol (Chromium, Playwright), 1 / 4 pages",
                "%.0f / %.0f events/s"
                % (browser["protocol_1w"]["events_per_s"], browser["protocol_4w"]["events_per_s"]),
                "",
                None,
            )
        )
    latencies = []
    if "error" not in qt:
        latencies += [("bridge (Qt)", qt["bridge_latency"]), ("protocol (Qt)", qt["protocol_latency"])]
    if "error" not in browser:
        latencies.append(("protocol (Chromium)", browser["protocol_latency"]))
    for name, figures in latencies:
        rows.append(latency_row("latency capture → ingest p50 / p99, %s" % name, figures))
        if (figures.get("p99_ms") or 0) > 5:
            notes.append(
                "latency, %s: p99 %.1f ms, of which capture → host intake p99 %.1f ms"
                % (name, figures["p99_ms"], figures.get("intake_p99_ms") or float("nan"))
                + (
                    "; sentry-sdk alone (capture_event → ingest) takes p50 %.1f / p99 %.1f ms"
                    % (qt["sdk_latency"]["p50_ms"], qt["sdk_latency"]["p99_ms"])
                    if "error" not in qt
                    else ""
                )
            )
    if "error" not in qt:
        rows += [
            (
                "  baseline: empty pywebview.api round trip p50 / p99",
                "%.1f / %.1f ms" % (qt["noop_latency"]["p50_ms"], qt["noop_latency"]["p99_ms"]),
                "",
                None,
            ),
            (
                "  baseline: sentry-sdk alone, capture_event → ingest p50 / p99",
                "%.1f / %.1f ms" % (qt["sdk_latency"]["p50_ms"], qt["sdk_latency"]["p99_ms"]),
                "",
                None,
            ),
        ]
    merge = results["merge"]
    if "error" not in merge:
        rows.append(
            (
                "host merge: intake + merge + capture_event vs plain",
                "%.0f vs %.0f µs/event, ratio %.2f" % (merge["renderer_us"], merge["plain_us"], merge["ratio"]),
                "ratio ≤ 1.5",
                merge["ratio"] <= 1.5,
            )
        )
    for gui in ("Qt", "GTK"):
        injection = results.get("injection_" + gui.lower(), {"error": "not run"})
        if "error" not in injection:
            rows.append(
                (
                    "injection: create_window → loaded (%s)" % gui,
                    "+%.1f ms (%.1f vs %.1f ms)"
                    % (injection["added_ms"], injection["wired_ms"], injection["plain_ms"]),
                    "≤ +20 ms",
                    injection["added_ms"] <= 20,
                )
            )
    startup = results.get("startup_qt", {"error": "not run"})
    if "error" not in startup:
        extra, ours, flask = startup["extra_ms"], startup["ours_ms"], startup["flask_ms"]
        rows.append(
            (
                "start-up per process (Qt), wired vs plain; ours (beyond sentry-sdk alone): "
                "imports + init / start → loaded / destroy → exit",
                "+%.0f ms (%.0f vs %.0f ms); ours %+.0f ms: %+.0f / %+.0f / %+.0f ms, of which Flask %+.0f ms"
                % (
                    extra["wall_ms"],
                    startup["wired"]["wall_ms"],
                    startup["plain"]["wall_ms"],
                    ours["wall_ms"],
                    ours["setup_ms"],
                    ours["to_loaded_ms"],
                    ours["exit_ms"],
                    flask["wall_ms"],
                ),
                "",
                None,
            )
        )
    js_api = results.get("js_api_qt", {"error": "not run"})
    if "error" not in js_api:
        rows.append(
            (
                "traced js_api call, page → Python → page (Qt)",
                "+%.1f ms (%.1f vs %.1f ms)"
                % (js_api["added_ms"], js_api["traced_call_ms"], js_api["untraced_call_ms"]),
                "measured",
                None,
            )
        )
    storm = results.get("storm", {"error": "not run"})
    for run in storm.get("runs", []):
        if "error" in run or run["mode"] == "plain":
            continue
        lag, growth = run["gui_lag_ms"]["max"] or 0, run["rss_mib"]["growth"]
        rows.append(
            (
                "storm, %s, %s: distinct errors delivered, GUI thread stall max, host RSS" % (run["mode"], run["gui"]),
                "%d / %d, %.0f ms, %+.0f MiB" % (run["distinct_delivered"], run["distinct_total"], lag, growth),
                "all, ≤ 50 ms, ≤ +100 MiB",
                run["distinct_delivered"] == run["distinct_total"] and lag <= 50 and growth <= 100,
            )
        )
    bundle = results["bundle"]
    if "error" not in bundle:
        renderer = bundle["renderer"]["gzip"] / 1000
        rows += [
            ("bundle: renderer (error-only)", kb(bundle["renderer"]), "≤ 35 kB gzip", renderer <= 35),
            ("bundle: renderer-tracing (host traces)", kb(bundle["renderer_tracing"]), "", None),
            ("bundle: preload", kb(bundle["preload"]), "", None),
            ("  bare @sentry/browser, import *", kb(bundle["bare_browser_all"]), "", None),
            ("  bare @sentry/browser, init + captureException", kb(bundle["bare_browser_errors"]), "", None),
        ]
    memory = results["memory"]
    if "error" not in memory:
        growth = memory["growth_after_warmup_mib"]
        rows.append(
            (
                "memory: host RSS, %dk events" % (memory["events"] // 1000),
                "%.1f → %.1f MiB (%+.1f MiB after the first tenth)"
                % (memory["rss_start_mib"], memory["rss_end_mib"], growth),
                "flat: ≤ +5 MiB after the first tenth",
                growth <= 5,
            )
        )
    for name in ("delivery_qt", "delivery"):
        lost = {
            key: value["lost"] for key, value in results[name].items() if isinstance(value, dict) and value.get("lost")
        }
        if lost:
            notes.append("%s: events that never reached the ingest: %s" % (name, lost))
    for name, result in results.items():
        if "error" in result:
            rows.append(("%s: failed" % name, result["error"][:100], "", False))
    missed = ["%s: %s (target %s)" % (m, f, t) for m, f, t, met in rows if met is False and t]
    return rows, missed + notes


def render(rows: List[Row]) -> str:
    header = ("measurement", "figure", "target", "met?")
    cells = [header] + [(m, f, t, "—" if met is None else ("yes" if met else "NO")) for m, f, t, met in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N: under 2 minutes")
    parser.add_argument("--json", default=str(REPO / "bench" / "results.json"), help="where to write the results")
    args = parser.parse_args()
    started = time.monotonic()
    results, durations = {}, {}
    for name in MODULES:
        print("bench: %s ..." % name, file=sys.stderr, flush=True)
        began = time.monotonic()
        results[name] = run_module(name, args.quick)
        durations[name] = round(time.monotonic() - began, 1)
    rows, notes = table(results)
    print(render(rows))
    for note in notes:
        print("MISSED " + note)
    total = round(time.monotonic() - started, 1)
    print("%s mode, %.0f s" % ("quick" if args.quick else "full", total))
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "seconds": {"total": total, **durations},
        "table": [{"measurement": m, "figure": f, "target": t, "met": met} for m, f, t, met in rows],
        "missed": notes,
        "results": results,
    }
    with open(args.json, "w") as handle:
        json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
