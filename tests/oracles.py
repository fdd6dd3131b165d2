"""Relay's own store normalizer as the judge of delivered events."""

import json
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
