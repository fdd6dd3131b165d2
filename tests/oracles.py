"""Relay's own store normalizer as the judge of delivered events."""

import json
import uuid
from typing import Any, Dict, Iterator, Tuple

from sentry_relay.processing import StoreNormalizer

# sentry-sdk's own ``extra.sys.argv`` is the process's command line; Relay trims lists to 10 items,
# so a pytest run given more than 10 arguments would fail every event test. That trim is neither
# ours nor the app's: the oracle ignores it (and only it).
_IGNORED_META = {"extra.sys.argv"}
_NORMALIZER = StoreNormalizer(project_id=42, remove_other=True, max_secs_in_past=30 * 86400, max_secs_in_future=60)


def _meta_paths(meta: Any, prefix: str = "") -> Iterator[Tuple[str, Any]]:
    for key, value in (meta or {}).items():
        if key == "" and isinstance(value, dict):
            yield prefix or "<root>", value
        elif isinstance(value, dict):
            yield from _meta_paths(value, "%s.%s" % (prefix, key) if prefix else key)


def assert_relay_accepts(event: Dict[str, Any]) -> Dict[str, Any]:
    """Normalize ``event`` as Relay does; fail if Relay would alter or drop any part of it."""
    normalized = _NORMALIZER.normalize_event(json.loads(json.dumps(event, default=str)))
    problems = [json.dumps(error) for error in normalized.get("errors") or []]
    problems += [
        "%s: %s" % (path, json.dumps(meta))
        for path, meta in _meta_paths(normalized.get("_meta"))
        if path not in _IGNORED_META
    ]
    assert not problems, "Relay would alter or drop parts of this event:\n  " + "\n  ".join(problems)
    return normalized


# What a replay event has beside the event schema's fields (relay-event-schema's ``Replay``).
_REPLAY_ONLY = {
    "type",
    "replay_id",
    "segment_id",
    "replay_type",
    "replay_start_timestamp",
    "urls",
    "error_ids",
    "trace_ids",
    "error_sample_rate",
    "session_sample_rate",
}
_REPLAY_LIST_MAX = 100  # Relay's normalize_array_fields truncates urls, error_ids and trace_ids past it


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def assert_relay_accepts_replay(event: Dict[str, Any]) -> Dict[str, Any]:
    """A ``replay_event`` payload: Relay's replay ``validate`` (a replay_id and segment_id, UUID
    error/trace ids) and list truncation for its own fields, the store normalizer for the fields it
    shares with events (release, environment, request, contexts, tags, user, sdk, ...)."""
    problems = [] if _is_uuid(event.get("replay_id")) else ["replay_id %r" % event.get("replay_id")]
    segment = event.get("segment_id")
    if not (isinstance(segment, int) and not isinstance(segment, bool) and segment >= 0):
        problems.append("segment_id %r" % segment)
    for key, valid in (("urls", lambda v: isinstance(v, str)), ("error_ids", _is_uuid), ("trace_ids", _is_uuid)):
        values = event.get(key, [])
        if not (isinstance(values, list) and len(values) <= _REPLAY_LIST_MAX and all(valid(v) for v in values)):
            problems.append("%s %r" % (key, values))
    assert not problems, "Relay would refuse or alter this replay event:\n  " + "\n  ".join(problems)
    return assert_relay_accepts({key: value for key, value in event.items() if key not in _REPLAY_ONLY})
