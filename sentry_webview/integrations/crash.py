"""Host crashes (segfault, abort): reported at the next start, like @sentry/electron's minidumps.

``faulthandler`` writes the Python tracebacks of all threads to this run's dump file
(``runs.py``) when the process dies of a fatal signal. The last-known scope (user,
tags, breadcrumbs, thread names) is kept beside it, rewritten by a background thread
at most once a second when it changed. At the next start a non-empty dump becomes one
``fatal`` event, a thread per traceback with the crashed one marked, and that scope;
the run's session is reported ``crashed``. Both files go once reported, or at a
clean exit.
"""

import faulthandler
import os
import re
import signal
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Tuple

import sentry_sdk
from sentry_sdk.client import BaseClient
from sentry_sdk.scope import Scope
from sentry_sdk.utils import capture_internal_exceptions, format_timestamp

from sentry_webview import _compat
from sentry_webview.integrations._runs import DUMP, SCOPE, RunIntegration
from sentry_webview.ipc import wire

_THREAD = re.compile(r"^(Current thread|Thread) (0x[0-9a-fA-F]+)\b.*\(most recent call first\):$")
_FRAME = re.compile(r'^  File "(.*)", line (\d+|\?\?\?) in (.*)$')
_SIGNALS = {
    "Segmentation fault": "SIGSEGV",
    "Aborted": "SIGABRT",
    "Bus error": "SIGBUS",
    "Floating point exception": "SIGFPE",
    "Illegal instruction": "SIGILL",
}


class HostCrashIntegration(RunIntegration):
    """Python tracebacks of a host process that died of a fatal signal, sent at the next start.

    On by default in ``sentry_webview.init``; off with
    ``disabled_integrations=[HostCrashIntegration]``. It takes over ``faulthandler``
    while the client runs and puts back one on stderr (if there was one) at close.
    """

    identifier = "webview_host_crash"
    thread_name = "sentry-webview-crash-scope"

    def __init__(self, data_dir: Optional[Path] = None) -> None:
        super().__init__(data_dir)
        self._dump: Optional[IO[str]] = None
        self._saved: Optional[Dict[str, Any]] = None
        self._faulthandler_was_enabled = False

    @staticmethod
    def setup_once() -> None:
        pass  # nothing process-wide: each client's run arms faulthandler in ``start``

    def _begin(self, client: BaseClient) -> None:
        """Report runs that crashed, then arm ``faulthandler`` for this one."""
        assert self._files is not None
        self._report_crashed(client)
        self._save_scope()
        self._dump = os.fdopen(self._files.open_private(self._files.file(DUMP)), "w", encoding="utf-8")
        self._faulthandler_was_enabled = faulthandler.is_enabled()
        faulthandler.enable(self._dump, all_threads=True)

    def _tick(self) -> None:
        self._save_scope()

    def _end(self, scope: Scope) -> None:
        """Hand ``faulthandler`` back and remove this run's files."""
        dump, self._dump = self._dump, None
        assert self._files is not None
        if dump is not None:
            faulthandler.disable()
            if self._faulthandler_was_enabled and sys.__stderr__ is not None:
                faulthandler.enable(sys.__stderr__, all_threads=True)
            dump.close()
        self._files.remove(DUMP)
        self._files.remove(SCOPE)

    def _save_scope(self) -> None:
        """Write the scope a crash would be reported with, when it changed since the last write."""
        assert self._files is not None and self._scope is not None
        client = sentry_sdk.get_client()
        scopes = (sentry_sdk.get_global_scope(), self._scope)
        crumbs = [dict(crumb) for scope in scopes for crumb in list(_compat.scope_breadcrumbs(scope))]
        for crumb in crumbs:
            if isinstance(crumb.get("timestamp"), datetime):
                crumb["timestamp"] = format_timestamp(crumb["timestamp"])
        crumbs.sort(key=lambda crumb: str(crumb.get("timestamp")))
        limit = client.options.get("max_breadcrumbs", 100)
        snapshot = {
            "release": client.options.get("release"),
            "environment": client.options.get("environment"),
            "user": _compat.scope_user(self._scope) or _compat.scope_user(scopes[0]),
            "tags": {**_compat.scope_tags(scopes[0]), **_compat.scope_tags(self._scope)},
            "breadcrumbs": crumbs[-limit:] if limit else [],
            "threads": {str(thread.ident): thread.name for thread in threading.enumerate()},
        }
        if snapshot != self._saved:
            self._files.write(SCOPE, snapshot)
            self._saved = snapshot

    def _report_crashed(self, client: BaseClient) -> None:
        assert self._files is not None
        for pid in sorted(set(self._files.ended(DUMP)) | set(self._files.ended(SCOPE))):
            try:
                with capture_internal_exceptions():
                    crashed_at = self._files.dumped(pid)
                    if crashed_at is not None:
                        self._files.mark_crashed(pid, crashed_at)
                        dump = self._files.read_text(DUMP, pid)
                        event = crash_event(dump, self._files.read(SCOPE, pid) or {}, crashed_at)
                        client.capture_event(event, scope=Scope())  # that run's scope, not this one's
            finally:
                self._files.remove(DUMP, pid)
                self._files.remove(SCOPE, pid)


def parse_dump(text: str) -> Tuple[str, List[Dict[str, Any]]]:
    """faulthandler's output: the fatal error, and each thread's id, whether it crashed, and frames oldest first."""
    error = "Fatal Python error"
    threads: List[Dict[str, Any]] = []
    for line in text.splitlines():
        if line.startswith("Fatal Python error: ") and not threads:
            error = line[len("Fatal Python error: ") :].strip()
        thread = _THREAD.match(line)
        frame = _FRAME.match(line)
        if thread:
            crashed = thread.group(1) == "Current thread"
            threads.append({"id": int(thread.group(2), 16), "crashed": crashed, "frames": []})
        elif frame and threads:
            filename, lineno, function = frame.groups()
            entry: Dict[str, Any] = {"filename": filename, "abs_path": filename, "function": function}
            if lineno.isdigit():
                entry["lineno"] = int(lineno)
            threads[-1]["frames"].insert(0, entry)
    return error, threads


def crash_event(dump: str, scope: Dict[str, Any], crashed_at: float) -> Dict[str, Any]:
    """The ``fatal`` event for a faulthandler dump and the scope its run last saved."""
    error, threads = parse_dump(dump)
    crashed: Dict[str, Any] = next((thread for thread in threads if thread["crashed"]), {"id": None, "frames": []})
    names = scope.get("threads") or {}
    signal_name = _SIGNALS.get(error)
    mechanism: Dict[str, Any] = {"type": "faulthandler", "handled": False}
    if signal_name and hasattr(signal, signal_name):
        mechanism["meta"] = {"signal": {"number": int(getattr(signal, signal_name)), "name": signal_name}}
    exception: Dict[str, Any] = {"type": signal_name or "FatalError", "value": error, "mechanism": mechanism}
    if crashed["frames"]:
        exception["stacktrace"] = {"frames": crashed["frames"]}
    if crashed["id"] is not None:
        exception["thread_id"] = crashed["id"]
    event: Dict[str, Any] = {
        "level": "fatal",
        "platform": "python",
        "timestamp": datetime.fromtimestamp(crashed_at, timezone.utc),
        "exception": {"values": [exception]},
        "threads": {"values": [_thread(thread, names.get(str(thread["id"]))) for thread in threads]},
        "tags": {**(scope.get("tags") or {}), wire.PROCESS_TAG: wire.HOST_PROCESS},
        "breadcrumbs": {"values": scope.get("breadcrumbs") or []},
    }
    for key in ("user", "release", "environment"):
        if scope.get(key):
            event[key] = scope[key]
    return event


def _thread(thread: Dict[str, Any], name: Optional[str]) -> Dict[str, Any]:
    """A thread of the event; the crashed one's frames are the exception's."""
    value: Dict[str, Any] = {"id": thread["id"], "crashed": thread["crashed"], "current": thread["crashed"]}
    if name:
        value["name"] = name
    if thread["frames"] and not thread["crashed"]:
        value["stacktrace"] = {"frames": thread["frames"]}
    return value
