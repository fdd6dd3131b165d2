"""Offline transport: what can't be sent now waits on disk and is sent later, as @sentry/electron does.

sentry-python drops an envelope after a network error, a 5xx or a 429. Here such an
envelope goes to a queue directory instead (temp file, fsync, rename), and is sent
again, oldest first, at start and every ``retry_interval`` seconds once the DSN
answers, honouring ``Retry-After`` and ``X-Sentry-Rate-Limits``. Envelopes still
waiting in the SDK's worker when a flush times out (quit, interpreter exit) are
spilled to disk instead of holding up quit. The queue is bounded by count, bytes and
age, oldest dropped first, each drop recorded in client reports; unreadable files are
quarantined. ``should_store(envelope, error)`` and ``should_send(envelope)`` let the
app decide (consent, metered networks).
"""

import logging
import os
import re
import stat
import threading
import time
from itertools import count
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Type, Union

from sentry_sdk.consts import EndpointType
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import HttpTransport
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview import _compat
from sentry_webview.app_info import data_path

logger = logging.getLogger("sentry_webview")

try:
    import fcntl
except ImportError:  # Windows: no flock; instances of one app there are not kept apart
    fcntl = None  # type: ignore[assignment]


def _flock(fd: int, blocking: bool = True) -> None:
    """Lock ``fd`` for this process (``BlockingIOError`` when not ``blocking`` and another holds it)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))


DEFAULTS: Dict[str, Any] = {
    "path": None,  # default: <user data dir of the app>/sentry-webview/queue/<hash of the DSN>
    "max_count": 30,
    "max_bytes": 20 * 1024 * 1024,
    "max_age_days": 30,
    "retry_interval": 60.0,
    "should_store": None,
    "should_send": None,
}
SUFFIX = ".envelope"


NAME = re.compile(r"^\d{20}-\d{6}%s$" % re.escape(SUFFIX))


class DiskQueue:
    """Envelope files in one directory, named so that sorting them is their age order.

    Files are 0600 in a 0700 directory; only regular files with our names are ever opened
    (``O_NOFOLLOW``, non-blocking, checked with ``fstat``): anything else with the suffix, a
    symlink, a FIFO or a file larger than the whole queue may be, goes to ``quarantine``.
    Several app instances may share the queue: an envelope is sent by the one that holds its
    lock (``flock``), and only while it is still linked, so it is never sent twice.
    """

    def __init__(self, path: Path, max_count: int, max_bytes: int, max_age_days: float) -> None:
        self.path = Path(path)
        self.max_count, self.max_bytes, self.max_age = max_count, max_bytes, max_age_days * 86400
        self._counter = count()
        self._lock = threading.Lock()
        self.sending: Optional[Path] = None  # being sent again right now: never pruned
        self._claimed: Optional[int] = None  # its open, locked descriptor
        for partial in self.path.glob("*.tmp"):  # a write cut off by kill -9 or power loss
            with capture_internal_exceptions():
                fd = _open_regular(partial)
                if fd is None:
                    continue
                try:  # a writer (this or another instance) holds its temp file's lock until it is renamed
                    _flock(fd, blocking=False)
                    partial.unlink()
                except BlockingIOError:
                    pass
                finally:
                    os.close(fd)

    def put(self, data: bytes) -> List[bytes]:
        """Store ``data`` durably; return the contents of the files dropped to stay within bounds."""
        _private_dir(self.path)  # only once something waits: no litter
        name = "%020d-%06d%s" % (time.time_ns(), next(self._counter) % 10**6, SUFFIX)
        temp = self.path / (name + ".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        _flock(fd)  # ours until renamed: another instance's start leaves it alone
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path / name)
        _fsync_dir(self.path)
        return self.prune()

    def files(self) -> List[Path]:
        """The queued envelopes, oldest first; odd names, links, FIFOs and oversized files are moved aside."""
        good = []
        for file in sorted(self.path.glob("*" + SUFFIX)):
            stat = _regular(file)
            if stat is None and not os.path.lexists(file):
                continue  # sent or pruned by another instance meanwhile
            if stat is None or not NAME.match(file.name) or stat.st_size > self.max_bytes:
                logger.warning("sentry-webview: quarantined %r in the offline queue", file.name[:100])
                with capture_internal_exceptions():
                    self.quarantine(file)
                continue
            good.append(file)
        return good

    def prune(self) -> List[bytes]:
        """Drop the oldest files past the bounds, judged by name and ``lstat``; return what they held."""
        with self._lock:
            files = [f for f in self.files() if f != self.sending]
            sizes = {f: _size(f) for f in files}
            total = sum(sizes.values())
            cutoff = time.time() - self.max_age
            dropped = []
            while files and (
                len(files) > self.max_count or total > self.max_bytes or int(files[0].name[:20]) / 1e9 < cutoff
            ):
                oldest = files.pop(0)
                total -= sizes[oldest]
                with capture_internal_exceptions():
                    data = self._read_unclaimed(oldest)
                    oldest.unlink()
                    if data is not None:
                        dropped.append(data)
            return dropped

    def claim(self, file: Path) -> bool:
        """Lock ``file`` for sending (pruning leaves it alone); False if it is gone or another instance has it."""
        with self._lock:
            self.release()
            fd = _open_regular(file)
            if fd is None:
                return False
            try:
                _flock(fd, blocking=False)
                if os.fstat(fd).st_nlink == 0:  # sent and removed by another instance meanwhile
                    raise BlockingIOError
            except OSError:
                os.close(fd)
                return False
            self.sending, self._claimed = file, fd
            return True

    def read(self, file: Path) -> bytes:
        """The contents of the claimed ``file`` (never following a link or blocking on a FIFO)."""
        if file != self.sending or self._claimed is None:
            raise OSError("%s is not claimed" % file.name)
        return _read_fd(self._claimed, self.max_bytes)

    def done(self, file: Path) -> None:
        """``file`` was sent: remove it (still holding its lock, so no other instance sends it again)."""
        try:
            file.unlink()
        except FileNotFoundError:
            pass

    def release(self) -> None:
        """Give up the claimed file's lock."""
        fd, self._claimed, self.sending = self._claimed, None, None
        if fd is not None:
            os.close(fd)

    def quarantine(self, file: Path) -> None:
        """Move an unreadable file aside (keeping the newest few), so it never blocks the queue."""
        aside = self.path / "quarantine"
        if os.path.islink(aside) or (os.path.lexists(aside) and not aside.is_dir()):
            aside.unlink()  # never move (or delete) through a link
        _private_dir(aside)
        os.replace(file, aside / file.name)
        for old in sorted(aside.iterdir())[:-10]:
            if os.path.isdir(old) and not os.path.islink(old):
                continue
            old.unlink()

    def _read_unclaimed(self, file: Path) -> Optional[bytes]:
        fd = _open_regular(file)
        if fd is None:
            return None
        try:
            return _read_fd(fd, self.max_bytes)
        finally:
            os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _private_dir(path: Path) -> None:
    """``path`` as a directory only we can read (0700), created if missing; never through a link."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise OSError("%s is not a directory" % path)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        os.chmod(path, 0o700)


def _regular(file: Path) -> Optional[os.stat_result]:
    """``file``'s ``lstat`` if it is a regular file (not a link, FIFO, device...), else None."""
    try:
        result = os.lstat(file)
    except OSError:
        return None
    return result if stat.S_ISREG(result.st_mode) else None


def _open_regular(file: Path) -> Optional[int]:
    """A read descriptor of ``file`` if it is a regular file: no link followed, no FIFO waited on."""
    try:
        fd = os.open(file, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _read_fd(fd: int, limit: int) -> bytes:
    size = os.fstat(fd).st_size
    if size > limit:
        raise OSError("file of %d bytes is larger than the queue may be" % size)
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: List[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        limit -= len(chunk)
        if limit < 0:
            raise OSError("file grew past the queue's size")


def _size(file: Path) -> int:
    result = _regular(file)
    return result.st_size if result is not None else 0


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_queue_path(dsn: str, data_dir: "Optional[Union[str, os.PathLike[str]]]" = None) -> Path:
    """Per app and DSN: ``<user data dir>/sentry-webview/queue/<hash of the DSN>``."""
    return data_path("queue", dsn, data_dir)


class OfflineTransport(HttpTransport):
    """``HttpTransport`` that keeps what it couldn't send on disk and sends it later."""

    offline: Dict[str, Any] = DEFAULTS
    data_dir: "Optional[Union[str, os.PathLike[str]]]" = None

    def __init__(self, options: Dict[str, Any]) -> None:
        super().__init__(options)
        config = dict(DEFAULTS, **self.offline)
        self.queue = DiskQueue(
            Path(config["path"]) if config["path"] else default_queue_path(str(options["dsn"]), self.data_dir),
            config["max_count"],
            config["max_bytes"],
            config["max_age_days"],
        )
        self._should_store: Optional[Callable[[Envelope, Any], bool]] = config["should_store"]
        self._should_send: Optional[Callable[[Envelope], bool]] = config["should_send"]
        self._retry_interval = float(config["retry_interval"])
        self._pending: Dict[int, Envelope] = {}
        self._pending_lock = threading.Lock()
        self._keys = count()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._replayer = threading.Thread(target=self._replay_loop, name="sentry-webview-offline", daemon=True)
        self._replayer.start()

    # -- the SDK's side ----------------------------------------------------
    def capture_envelope(self, envelope: Envelope) -> None:
        worker = _compat.transport_worker(self)
        if worker is None:  # the SDK's own queue: still sent, and stored if sending fails
            super().capture_envelope(envelope)
            return
        key = next(self._keys)
        with self._pending_lock:
            self._pending[key] = envelope

        def send() -> None:
            with self._pending_lock:
                if self._pending.pop(key, None) is None:
                    return  # spilled to disk by a flush that timed out
            with capture_internal_exceptions():
                self._send_envelope(envelope)
                self._flush_client_reports()

        if not worker.submit(send):
            with self._pending_lock:
                self._pending.pop(key, None)
            self._store(envelope, "the SDK's send queue is full")

    def flush(self, timeout: float, callback: Optional[Callable[[int, float], None]] = None) -> None:
        """Flush within ``timeout``; what is still waiting then goes to disk instead."""
        super().flush(timeout, callback)
        self._spill()

    def kill(self) -> None:
        self._spill()
        self._stopped.set()
        self._wake.set()
        super().kill()

    def _spill(self) -> None:
        with self._pending_lock:
            waiting, self._pending = list(self._pending.values()), {}
        for envelope in waiting:
            self._store(envelope, "not sent before quit")

    def _send_envelope(self, envelope: Envelope) -> None:
        if self._should_send is not None and not self._should_send(envelope):
            self._store(envelope, "should_send returned False")
            return
        limited = [item for item in envelope.items if self._check_disabled(item.data_category)]
        if limited:
            self._store(Envelope(headers=envelope.headers, items=limited), "rate limited")
            envelope = Envelope(headers=envelope.headers, items=[i for i in envelope.items if i not in limited])
        if envelope.items:
            super()._send_envelope(envelope)

    def _send_request(
        self, body: bytes, headers: Dict[str, str], endpoint_type: EndpointType, envelope: Optional[Envelope] = None
    ) -> None:
        if envelope is None:
            super()._send_request(body, headers, endpoint_type, envelope)
            return
        _compat.update_headers(self, headers)
        try:
            response = self._request("POST", endpoint_type, body, headers)
        except Exception as error:
            self._store(envelope, error)
            return
        try:
            if response.status == 429 or response.status >= 500:
                self._update_rate_limits(response)
                self._store(envelope, "HTTP %d" % response.status)
            else:
                _compat.handle_response(self, response, envelope)
                if self.queue.files():
                    self._wake.set()  # the DSN answers: send what waited
        finally:
            response.close()

    # -- the queue's side --------------------------------------------------
    def _store(self, envelope: Envelope, error: Any) -> None:
        if all(item.type == "client_report" for item in envelope.items):
            return  # reports about losses are not worth a slot of the app's events
        if self._should_store is not None and not self._should_store(envelope, error):
            _compat.handle_request_error(self, envelope, loss_reason="network")
            return
        try:
            dropped = self.queue.put(envelope.serialize())
        except OSError as write_error:
            logger.warning("sentry-webview: could not store an envelope offline (%s); it is lost", write_error)
            _compat.handle_request_error(self, envelope, loss_reason="network")
            return
        logger.debug("sentry-webview: stored an envelope offline (%s)", error)
        for data in dropped:
            self._record_dropped(data)

    def _record_dropped(self, data: bytes) -> None:
        with capture_internal_exceptions():
            for item in Envelope.deserialize(data).items:
                self.record_lost_event("queue_overflow", item=item)

    def _replay_loop(self) -> None:
        while not self._stopped.is_set():
            with capture_internal_exceptions():
                self._replay()
            self._wake.wait(self._retry_interval)
            self._wake.clear()

    def _replay(self) -> None:
        """Send stored envelopes oldest first; stop at the first that can't go yet."""
        for dropped in self.queue.prune():
            self._record_dropped(dropped)
        for file in self.queue.files():
            if self._stopped.is_set():
                return
            if not self.queue.claim(file):  # pruned meanwhile
                continue
            try:
                if not self._replay_one(file):
                    return
            finally:
                self.queue.release()

    def _replay_one(self, file: Path) -> bool:
        """Send one stored envelope; False when it has to wait (offline, rate limited, not allowed)."""
        try:
            envelope = Envelope.deserialize(self.queue.read(file))
        except Exception:
            logger.warning("sentry-webview: quarantined an unreadable offline envelope %s", file.name)
            self.queue.quarantine(file)
            return True
        if any(self._check_disabled(item.data_category) for item in envelope.items):
            return False
        if self._should_send is not None and not self._should_send(envelope):
            return False
        if not self._resend(envelope):
            return False
        self.queue.done(file)
        return True

    def _resend(self, envelope: Envelope) -> bool:
        """True when the envelope is done with: delivered, or refused for good (4xx other than 429)."""
        encoding, body = self._serialize_envelope(envelope)
        headers = {"Content-Type": "application/x-sentry-envelope"}
        if encoding:
            headers["Content-Encoding"] = encoding
        _compat.update_headers(self, headers)
        try:
            response = self._request("POST", EndpointType.ENVELOPE, body.getvalue(), headers)
        except Exception:
            return False
        try:
            self._update_rate_limits(response)
            if response.status == 429 or response.status >= 500:
                return False
            _compat.handle_response(self, response, envelope)
            return True
        finally:
            response.close()


def offline_transport(data_dir: "Optional[Union[str, os.PathLike[str]]]" = None, **config: Any) -> Type[HttpTransport]:
    """An ``OfflineTransport`` class with ``config`` (see ``DEFAULTS``), for ``sentry_sdk.init(transport=...)``.

    Without a ``path``, the queue is ``default_queue_path`` under ``data_dir``. On a
    sentry-sdk without the transport hooks it extends, sentry-sdk's own ``HttpTransport``
    (events are sent, but not kept while offline), with one warning.
    """
    unknown = set(config) - set(DEFAULTS)
    if unknown:
        raise ValueError("unknown offline option(s) %s; known: %s" % (sorted(unknown), sorted(DEFAULTS)))
    missing = _compat.missing_transport_hooks()
    if missing:
        logger.warning(
            "sentry-webview: no offline queue: sentry-sdk %s's HttpTransport lacks %s",
            _compat.SENTRY_SDK_VERSION_STRING,
            ", ".join(missing),
        )
        return HttpTransport
    return type("OfflineTransport", (OfflineTransport,), {"offline": config, "data_dir": data_dir})
