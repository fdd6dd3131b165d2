"""What one app run keeps on disk so the next start can tell how it ended.

Files live in ``<data dir>/run/<DSN hash>/`` and are named ``<pid>.<kind>``, so
several processes of one app never clobber each other's, and a start only looks at
runs whose process is gone. A clean exit removes its own files.
"""

import atexit
import json
import os
import stat
import sys
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Dict, List, Optional

import sentry_sdk
from sentry_sdk.client import BaseClient
from sentry_sdk.integrations import Integration
from sentry_sdk.scope import Scope
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview import _compat
from sentry_webview.app_info import data_path

_compat.install_setup_once_with_options()  # sentry-sdk < 2.44 calls no setup_once_with_options

SESSION = "session.json"
SCOPE = "scope.json"
DUMP = "faulthandler.log"
MAX_READ = 8 * 1024 * 1024  # bytes of one run file read back


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
        """Replace a run's ``kind`` file whole (temp file, fsync, rename); 0600 in a 0700 directory."""
        target = self.file(kind, pid)
        temp = target.with_name(target.name + ".tmp")
        with os.fdopen(self.open_private(temp), "w", encoding="utf-8") as handle:
            json.dump(data, handle, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)

    def read_text(self, kind: str, pid: int, limit: int = MAX_READ) -> str:
        """A run's ``kind`` file as text: a regular file only (no link followed, no FIFO waited on), at
        most ``limit`` bytes. Raises ``OSError`` otherwise."""
        fd = os.open(self.file(kind, pid), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError("%s is not a regular file" % self.file(kind, pid).name)
            return os.read(fd, limit).decode("utf-8", errors="replace")
        finally:
            os.close(fd)

    def open_private(self, file: Path) -> int:
        """``file`` created anew for writing, 0600, in the run directory (0700): a link or FIFO
        planted at that name (pids are predictable) is removed, never followed."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path.is_symlink() or not self.path.is_dir():
            raise OSError("%s is not a directory" % self.path)
        if stat.S_IMODE(self.path.stat().st_mode) != 0o700:
            os.chmod(self.path, 0o700)
        try:
            os.unlink(file)
        except FileNotFoundError:
            pass
        return os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)

    def read(self, kind: str, pid: int) -> Optional[Dict[str, Any]]:
        try:
            data = json.loads(self.read_text(kind, pid))
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


class RunIntegration(Integration, ABC):
    """What one app run keeps in its run files: reported by a later start if the run ended badly.

    ``start`` runs once the integration's client is the current one: right away from
    ``sentry_webview.init``, from a short wait for apps that call ``sentry_sdk.init``
    themselves (which sets a client up before making it current). ``close`` is the
    clean exit. Meanwhile ``_tick`` runs every second to keep the files current.
    """

    thread_name = "sentry-webview-run"

    def __init__(self, data_dir: Optional[Path] = None) -> None:
        self.data_dir = data_dir
        self._files: Optional[RunFiles] = None
        self._scope: Optional[Scope] = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def setup_once_with_options(self, options: Optional[Dict[str, Any]] = None) -> None:
        scope = sentry_sdk.get_isolation_scope()

        def wait() -> None:
            for _ in range(1000):
                if sentry_sdk.get_client().get_integration(type(self)) is self:
                    self.start(scope)
                    return
                time.sleep(0.01)

        threading.Thread(target=wait, name="sentry-webview-run-start", daemon=True).start()

    def start(self, scope: Optional[Scope] = None) -> None:
        """Report the runs that ended badly, then keep this one's files; once."""
        with capture_internal_exceptions(), self._lock:
            client = sentry_sdk.get_client()
            dsn = client.options.get("dsn")
            if self._files is not None or self._stop.is_set() or not dsn or not self._wanted(client):
                return
            self._files = RunFiles(dsn, self.data_dir)
            self._scope = scope or sentry_sdk.get_isolation_scope()
            self._begin(client)
            threading.Thread(target=self._loop, name=self.thread_name, daemon=True).start()
            atexit.register(self.close)

    def close(self) -> None:
        """A clean exit: end this run's watch and remove its files."""
        with capture_internal_exceptions():
            atexit.unregister(self.close)
            self._stop.set()
            with self._lock:
                scope, self._scope = self._scope, None
                if scope is not None and self._files is not None:
                    self._end(scope)

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            with capture_internal_exceptions(), self._lock:
                if self._scope is not None:
                    self._tick()

    def _wanted(self, client: BaseClient) -> bool:
        """Whether ``client`` is set up for this integration to run."""
        return True

    @abstractmethod
    def _begin(self, client: BaseClient) -> None:
        """Report the runs that ended badly, then set up this run's files (lock held)."""

    @abstractmethod
    def _tick(self) -> None:
        """Keep this run's files current (lock held)."""

    @abstractmethod
    def _end(self, scope: Scope) -> None:
        """This run ends cleanly (lock held)."""


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
