"""The intake on its own: routes, bounds, order, and nothing raised into the app but ``MalformedPayload``."""

import logging
import threading

import pytest
import sentry_sdk

from sentry_webview.ipc import wire
from sentry_webview.ipc.envelope import MalformedPayload
from sentry_webview.ipc.intake import Intake, Overloaded, Route


class Renderer:
    def __init__(self, renderer_id):
        self.renderer_id = renderer_id


A, B = Renderer("a"), Renderer("b")


@pytest.fixture
def client(ingest):
    sentry_sdk.init(dsn=ingest.dsn)
    yield sentry_sdk.get_client()
    sentry_sdk.get_client().close()


class Held:
    """An intake whose worker holds the first message it takes until ``gate`` opens: what follows stays queued."""

    def __init__(self, first="held", **bounds):
        self.handled, self.gate, started = [], threading.Event(), threading.Event()

        def handle(payload, identity):
            started.set()
            self.gate.wait(10)
            self.handled.append((getattr(identity, "renderer_id", None), payload))

        self.intake = Intake({wire.ENVELOPE: Route(lambda p: p, handle)}, sentry_sdk.get_isolation_scope(), **bounds)
        self.intake.accept(wire.ENVELOPE, first, A)
        assert started.wait(5)

    def release(self):
        self.gate.set()
        assert self.intake.join(5)
        self.intake.close()
        return [payload for _, payload in self.handled]


def test_a_route_is_one_per_wire_channel():
    intake = Intake({wire.START: Route(dict, print)}, sentry_sdk.get_isolation_scope())
    for channel in ("not-a-channel", wire.START):
        with pytest.raises(ValueError, match="^%r is not a wire channel, or it has a handler already$" % channel):
            intake.add_route(channel, Route(dict, print))
    beats = []
    intake.add_route(wire.STATUS, Route(dict, lambda payload, identity: beats.append(identity), inline=True))
    intake.accept(wire.STATUS, {"visible": True}, A)
    assert set(intake.routes) == {wire.START, wire.STATUS} and beats == [A]


def test_an_unknown_channel_is_malformed_and_a_channel_without_a_handler_only_counted(caplog):
    intake = Intake({}, sentry_sdk.get_isolation_scope())
    with caplog.at_level(logging.DEBUG, "sentry_webview"):
        with pytest.raises(MalformedPayload, match="unknown channel 'nope'"):
            intake.accept("nope", "{}", A)
        intake.accept(wire.STATUS, "{}", A)  # its feature is turned off
        intake.accept(wire.STATUS, "{}", B)
    assert intake.stats == {"malformed": 1, "unhandled": 2}
    assert [r.getMessage() for r in caplog.records] == [
        "sentry-webview dropped a renderer message (malformed): unknown channel 'nope'"
    ]


def test_bad_input_is_logged_once_per_kind_and_its_text_is_never_remembered(caplog):
    def parse(payload):
        raise MalformedPayload("bad %s" % payload)

    intake = Intake({wire.SCOPE: Route(parse, print, inline=True)}, sentry_sdk.get_isolation_scope())
    with caplog.at_level(logging.DEBUG, "sentry_webview"):
        for n in range(3):
            assert intake.submit(wire.SCOPE, "x%d" % n, A) == "bad x%d" % n
        intake.reject("failed", "y" * 500, count=2)
        intake.reject("failed", "z")
    assert intake.stats == {"malformed": 3, "failed": 3}
    assert [r.getMessage() for r in caplog.records] == [
        "sentry-webview dropped a renderer message (malformed): bad x0",
        "sentry-webview dropped a renderer message (failed): " + "y" * 200,
    ]
    assert intake._logged == {"malformed", "failed"}


def test_inline_routes_run_on_the_callers_thread_in_the_host_scope_and_queued_ones_on_the_worker():
    host_scope = sentry_sdk.Scope()
    host_scope.set_tag("side", "host")
    seen = []

    def handle(payload, identity):
        tags = sentry_sdk.get_isolation_scope()._tags
        seen.append((payload, identity, threading.current_thread().name, tags.get("side")))

    routes = {wire.SCOPE: Route(str, handle, inline=True), wire.ENVELOPE: Route(str, handle)}
    intake = Intake(routes, host_scope)
    intake.accept(wire.SCOPE, "inline", A)
    assert intake.submit(wire.SCOPE, "over the bridge", B) is None
    here = threading.current_thread().name
    assert seen == [("inline", A, here, "host"), ("over the bridge", B, here, "host")]
    intake.accept(wire.ENVELOPE, "queued", A)
    assert intake.join()  # no timeout: until it is handled
    assert seen[2] == ("queued", A, "sentry-webview-intake", "host")
    intake.close()


def test_renderers_take_turns_and_each_keeps_its_order():
    held = Held("a0")
    for payload in ("a1", "a2", "a3"):
        held.intake.accept(wire.ENVELOPE, payload, A)
    held.intake.accept(wire.ENVELOPE, "b1", B)
    held.intake.accept(wire.ENVELOPE, "b2", B)
    assert held.release() == ["a0", "a1", "b1", "a2", "b2", "a3"]
    assert not held.intake.queued and not held.intake.queued_bytes


def test_a_bucket_groups_renderers_in_one_turn_and_one_cap():
    held = Held(max_queue=100, max_per_renderer=2)
    held.intake.accept(wire.ENVELOPE, "x1", Renderer("x"), bucket="origin")
    held.intake.accept(wire.ENVELOPE, "y1", Renderer("y"), bucket="origin")
    with pytest.raises(Overloaded):
        held.intake.accept(wire.ENVELOPE, "z1", Renderer("z"), bucket="origin")
    held.intake.accept(wire.ENVELOPE, "b1", B)
    assert held.release() == ["held", "x1", "b1", "y1"]


def test_without_a_bucket_a_renderers_messages_share_its_id_and_identities_without_one_are_apart():
    held = Held(max_queue=100, max_per_renderer=1)
    held.intake.accept(wire.ENVELOPE, "a1", Renderer("a"))  # a new identity object, the same renderer
    with pytest.raises(Overloaded):
        held.intake.accept(wire.ENVELOPE, "a2", Renderer("a"))
    anonymous = [type("Anonymous", (), {"renderer_id": None})(), object(), object()]
    for n, identity in enumerate(anonymous):  # each its own turn and cap
        held.intake.accept(wire.ENVELOPE, "x%d" % n, identity)
    assert sorted(held.release()) == ["a1", "held", "x0", "x1", "x2"]


@pytest.mark.parametrize(
    "bounds, accepted",
    [
        ({"max_queue": 3, "max_per_renderer": 9}, 3),  # the one the worker holds counts until it is handled
        ({"max_queue": 100, "max_per_renderer": 2}, 3),  # per renderer: those waiting, not the one held
        ({"max_queue": 8}, 3),  # per renderer by default: a quarter of the queue
        ({"max_queue": 3}, 2),  # and at least one
        ({"max_bytes": 25}, 2),  # 10 bytes each: a third is over 25
        ({"max_bytes": 30}, 3),  # exactly at the budget fits
    ],
)
def test_past_a_bound_a_message_is_refused_counted_and_reported_lost(client, ingest, bounds, accepted):
    held = Held("message-00", **bounds)
    results = []
    for n in range(1, accepted + 2):
        try:
            held.intake.accept(wire.ENVELOPE, "message-%02d" % n, A)
            results.append("ok")
        except Overloaded as error:
            results.append(str(error))
    assert results == ["ok"] * (accepted - 1) + ["the host is busy: renderer message dropped"] * 2
    assert held.intake.stats["queue_full"] == 2 and held.intake.queued == accepted
    assert held.intake.queued_bytes == 10 * accepted
    assert len(held.release()) == accepted
    sentry_sdk.flush(5)
    assert ingest.client_reports() == [{"reason": "queue_overflow", "category": "error", "quantity": 2}]


def test_one_body_larger_than_the_byte_budget_is_taken_when_nothing_waits():
    held = Held("x" * 100, max_bytes=4)
    with pytest.raises(Overloaded):  # but not while it waits
        held.intake.accept(wire.ENVELOPE, "y", A)
    assert held.release() == ["x" * 100]


def test_a_failing_handler_is_counted_and_the_worker_goes_on():
    def handle(payload, identity):
        if payload == "boom":
            raise RuntimeError("an SDK bug")
        done.append(payload)

    done = []
    intake = Intake({wire.ENVELOPE: Route(str, handle)}, sentry_sdk.get_isolation_scope())
    intake.accept(wire.ENVELOPE, "boom", A)
    intake.accept(wire.ENVELOPE, "after", A)
    assert intake.join(5) and done == ["after"] and intake.stats["failed"] == 1
    intake.close()


def test_join_gives_up_at_its_timeout_and_close_lets_the_worker_finish_what_waits():
    held = Held("one")
    intake = held.intake
    intake.accept(wire.ENVELOPE, "two", A)
    assert intake.join(0.2) is False and intake.queued == 2
    threading.Timer(0.2, held.gate.set).start()
    assert intake.join(0.9) is True  # waits up to its timeout, not less
    held.gate.clear()
    intake.accept(wire.ENVELOPE, "three", A)
    intake.accept(wire.ENVELOPE, "four", A)
    worker = intake._worker
    intake.close()
    held.gate.set()
    worker.join(5)
    assert not worker.is_alive() and [p for _, p in held.handled] == ["one", "two", "three", "four"]
    intake.accept(wire.ENVELOPE, "after close", A)  # a new worker for what comes later
    assert intake.join(5) and held.handled[-1] == ("a", "after close")
    intake.close()


@pytest.mark.parametrize(
    "payload, size",
    [("é" * 10, 10), (b"x" * 7, 7), ({"base64": "QUJD", "n": 1, "b": b"12"}, 4 + 2 + 64), (None, 64), (12, 64)],
)
def test_a_queued_message_costs_the_size_of_its_body(payload, size):
    held = Held()
    held.intake.accept(wire.ENVELOPE, payload, A)
    assert held.intake.queued_bytes == len("held") + size
    held.release()
    assert held.intake.queued_bytes == 0
