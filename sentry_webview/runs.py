"""What one app run keeps on disk so the next start can tell how it ended.

Files live in ``<data dir>/run/<DSN hash>/`` and are named ``<pid>.<kind>``, so
several processes of one app never clobber each other's, and a start only looks at
runs whose process is gone. A clean exit removes its own files.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import sentry_sdk

from sentry_webview.app_info import data_path

SESSION = "session.json"
SCOPE = "scope.json"
DUMP = "faulthandler.log"


class RunFiles:
    """This process's run files, and those left behind by runs that ended without cleaning up."""

    def __init__(self, dsn: str, data_dir: Optional[Path] = None) -> None:
        self.path = data_path("run", dsn, data_dir)
        self.pid = os.getpid()

    def file(self, kind: str, pid: Optional[int] = None) -> Path:
        return self.path / ("%d.%s" % (self.pid if pid is None else pid, kind))

    def ended(self, kind: str) -> List[int]:
        """Pids of other runs that left a ``kind`` file and are no longer running."""
        pids = {int(f.name.split(".", 1)[0]) for f in self.path.glob("*." + kind) if f.name.split(".", 1)[0].isdigit()}
        return sorted(pid for pid in pids if pid != self.pid and not _alive(pid))

    def write(self, kind: str, data: Dict[str, Any], pid: Optional[int] = None) -> None:
        """Replace a run's ``kind`` file whole (temp file, fsync, rename)."""
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.file(kind, pid)
        temp = target.with_name(target.name + ".tmp")
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)

    def read(self, kind: str, pid: int) -> Optional[Dict[str, Any]]:
        try:
            data = json.loads(self.file(kind, pid).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def dumped(self, pid: int) -> Optional[float]:
        """When run ``pid`` crashed (its dump was written), if it did."""
        try:
            stat = self.file(DUMP, pid).stat()
        except OSError:
            return None
        return stat.st_mtime if stat.st_size else None

    def mark_crashed(self, pid: int, at: float) -> None:
        """Record that run ``pid`` crashed at ``at``, for its session, before its dump goes."""
        session = self.read(SESSION, pid)
        if session is not None:
            self.write(SESSION, dict(session, status="crashed", crashed_at=at), pid)

    def remove(self, kind: str, pid: Optional[int] = None) -> None:
        """Remove a run's ``kind`` file, and the directory once nothing is left in it."""
        for path in (self.file(kind, pid), self.file(kind + ".tmp", pid)):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        try:
            self.path.rmdir()
        except OSError:
            pass


def start_when_current(integration: Any) -> None:
    """``integration.start(scope)`` with the caller's isolation scope, once its client is the current one.

    ``sentry_sdk.init`` sets a client up before making it current; ``sentry_webview.init``
    calls ``start()`` right after, this is for apps that call ``sentry_sdk.init`` themselves.
    """
    scope = sentry_sdk.get_isolation_scope()

    def wait() -> None:
        for _ in range(1000):
            if sentry_sdk.get_client().get_integration(type(integration)) is integration:
                integration.start(scope)
                return
            time.sleep(0.01)

    threading.Thread(target=wait, name="sentry-webview-run-start", daemon=True).start()


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
