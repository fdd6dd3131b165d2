"""The offline queue and run files against what else may sit in the data dir: other users' eyes, links,
FIFOs, odd names, huge files and a second instance of the app. Every wait is bounded."""

import fcntl
import os
import stat
import threading
import time

import pytest
import sentry_sdk

from sentry_webview.integrations._runs import DUMP, RunFiles
from sentry_webview.transport.offline import DiskQueue
from tests.conftest import load_sample
from tests.integration.test_offline import capture_host_errors, close_client, dead_dsn, queued

ERROR = load_sample("envelope_error.txt").encode()


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def new_queue(path, **bounds):
    return DiskQueue(path, bounds.get("max_count", 30), bounds.get("max_bytes", 20 * 1024 * 1024), 30)


def test_queued_envelopes_are_private(tmp_path):
    queue = new_queue(tmp_path / "q")
    queue.put(ERROR)
    [file] = queue.files()
    assert (mode(tmp_path / "q"), mode(file)) == (0o700, 0o600)


def test_a_queue_dir_left_open_is_made_private_and_one_that_is_a_link_is_refused(tmp_path):
    loose = tmp_path / "data" / "queue"
    loose.mkdir(parents=True, mode=0o755)
    os.chmod(loose, 0o755)
    new_queue(loose).put(ERROR)
    assert mode(loose) == 0o700
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, tmp_path / "linked")
    with pytest.raises(OSError, match="is not a directory"):
        new_queue(tmp_path / "linked").put(ERROR)
    assert list(elsewhere.iterdir()) == []


def test_prune_drops_the_oldest_until_the_rest_fits_its_byte_bound_exactly(tmp_path):
    size = len(ERROR)
    for max_bytes, kept in ((2 * size + size // 2, 2), (2 * size, 2), (2 * size - 1, 1)):
        queue = new_queue(tmp_path / str(max_bytes))
        for _ in range(5):
            queue.put(ERROR)
        queue.max_bytes = max_bytes  # one prune past the bound by several files
        assert len(queue.prune()) == 5 - kept and len(queue.files()) == kept


def test_at_start_partial_writes_are_removed_unless_a_writer_still_holds_them(tmp_path):
    path = tmp_path / "q"
    path.mkdir()
    cut_off, busy = path / ("%020d-000001.envelope.tmp" % 1), path / ("%020d-000002.envelope.tmp" % 2)
    cut_off.write_bytes(ERROR[:10])  # a write cut off by kill -9
    busy.write_bytes(ERROR[:10])
    writer = os.open(busy, os.O_RDONLY)
    fcntl.flock(writer, fcntl.LOCK_EX)  # another instance still writing it
    try:
        started = time.monotonic()
        new_queue(path)
        assert time.monotonic() - started < 1 and sorted(p.name for p in path.iterdir()) == [busy.name]
    finally:
        os.close(writer)
    new_queue(path)
    assert list(path.iterdir()) == []


def test_a_file_exactly_as_large_as_the_queue_may_be_is_read(tmp_path):
    queue = new_queue(tmp_path / "deep" / "er" / "q", max_bytes=len(ERROR))  # its parents are made too
    queue.put(ERROR)
    [file] = queue.files()
    assert queue.claim(file) and queue.read(file) == ERROR


def test_odd_names_links_fifos_and_huge_files_are_quarantined_and_replay_goes_on(webview_sdk, ingest, tmp_path):
    path = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": path})
    ids = capture_host_errors(2)
    close_client()
    (path / "00-readme.envelope").write_text("read me")  # sorts first
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.symlink(victim, path / ("%020d-000001.envelope" % 1))
    os.mkfifo(path / ("%020d-000002.envelope" % 2))
    with open(path / ("%020d-000003.envelope" % 3), "wb") as huge:
        huge.truncate(300 * 1024 * 1024)  # sparse: larger than the whole queue may be
    os.symlink(tmp_path, path / "quarantine")  # must not become a way to move or delete elsewhere
    webview_sdk(offline={"path": path, "retry_interval": 0.2})
    assert sorted(e["event_id"] for e in ingest.wait_for_events(2, timeout=15)) == sorted(ids)
    time.sleep(0.5)
    assert len(ingest.events) == 2 and queued(path) == []
    assert victim.read_text() == "keep me" and (tmp_path / "victim.txt").exists()
    aside = path / "quarantine"
    assert not aside.is_symlink() and mode(aside) == 0o700
    assert len(list(aside.iterdir())) == 4


def test_prune_drops_by_stat_and_a_huge_file_costs_no_legitimate_envelope(tmp_path):
    queue = new_queue(tmp_path / "q", max_bytes=1024 * 1024)
    for _ in range(5):
        queue.put(ERROR)
    with open(tmp_path / "q" / ("%020d-000009.envelope" % time.time_ns()), "wb") as huge:
        huge.truncate(300 * 1024 * 1024)
    assert queue.prune() == []
    assert len(queue.files()) == 5


def test_a_file_another_instance_sends_or_that_is_gone_is_not_claimed_and_not_read(tmp_path):
    path = tmp_path / "q"
    mine, other = new_queue(path), new_queue(path)
    mine.put(ERROR)
    mine.put(ERROR)
    first, second = mine.files()
    assert other.claim(first) and other.read(first) == ERROR
    started = time.monotonic()
    assert mine.claim(first) is False and time.monotonic() - started < 1  # never waits for the other's lock
    with pytest.raises(OSError, match="is not claimed"):
        mine.read(first)
    assert mine.claim(second)
    with pytest.raises(OSError, match="is not claimed"):  # only the claimed file is read
        mine.read(first)
    other.done(first)
    other.release()
    assert mine.claim(first) is False  # sent and removed meanwhile


def test_the_quarantine_keeps_the_newest_ten_and_never_deletes_a_directory(tmp_path):
    queue = new_queue(tmp_path / "q")
    aside = tmp_path / "q" / "quarantine"
    aside.mkdir(parents=True)
    (aside / "0-a-directory").mkdir()
    for n in range(12):
        odd = tmp_path / "q" / ("%02d-odd.envelope" % n)
        odd.write_text("x")
        queue.quarantine(odd)
    assert sorted(p.name for p in aside.iterdir()) == ["0-a-directory"] + [
        "%02d-odd.envelope" % n for n in range(2, 12)
    ]


def test_two_instances_never_send_one_envelope_twice(tmp_path):
    path = tmp_path / "q"
    writer = new_queue(path, max_count=1000)
    for _ in range(200):
        writer.put(ERROR)
    sent = []
    start = threading.Barrier(2)

    def instance():
        queue = new_queue(path, max_count=1000)
        start.wait(5)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            files = queue.files()
            if not files:
                return
            for file in files:
                if queue.claim(file):
                    try:
                        queue.read(file)
                        sent.append(file.name)
                        queue.done(file)
                    finally:
                        queue.release()

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(25)
    assert len(sent) == 200 and len(set(sent)) == 200


def test_a_planted_faulthandler_log_link_does_not_truncate_its_target(webview_sdk, tmp_path, ingest):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    files = RunFiles(ingest.dsn, tmp_path / "sentry-webview")
    files.path.mkdir(parents=True)
    os.symlink(victim, files.file(DUMP))
    webview_sdk()
    assert victim.read_text() == "keep me"
    assert not files.file(DUMP).is_symlink() and mode(files.file(DUMP)) == 0o600
    assert mode(files.path) == 0o700
    assert all(mode(f) == 0o600 for f in files.path.iterdir())
    sentry_sdk.flush(2)
