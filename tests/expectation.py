"""Field-by-field comparison with a checked-in expectation, in the manner of @sentry/electron's e2e ``expect``.

Strings ``"<str>"``, ``"<int>"``, ``"<number>"``, ``"<list>"``, ``"<hex32>"``, ``"<hex16>"``,
``"<iso>"`` and ``"<re:PATTERN>"`` match a kind of value; a dict matches exactly the keys it
names, or at least them when it has ``"...": true`` (``expect.objectContaining``); a list whose
first item is ``"<contains>"`` matches a list holding an item for each of the rest.
"""

import re
from typing import Any, List

_KINDS = {
    "<str>": lambda v: isinstance(v, str) and bool(v),
    "<int>": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "<number>": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "<list>": lambda v: isinstance(v, list),
    "<hex32>": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{32}", v) is not None,
    "<hex16>": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{16}", v) is not None,
    "<iso>": lambda v: isinstance(v, str) and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", v) is not None,
}


def mismatches(expected: Any, actual: Any, path: str = "") -> List[str]:
    """Where ``actual`` differs from ``expected``, one line per difference (empty when it matches)."""
    here = path or "<root>"
    if isinstance(expected, str) and expected in _KINDS:
        return [] if _KINDS[expected](actual) else ["%s: %r is not %s" % (here, actual, expected)]
    if isinstance(expected, str) and expected.startswith("<re:") and expected.endswith(">"):
        ok = isinstance(actual, str) and re.search(expected[4:-1], actual) is not None
        return [] if ok else ["%s: %r does not match %s" % (here, actual, expected[4:-1])]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return ["%s: %r is not an object" % (here, actual)]
        keys = [k for k in expected if k not in ("...", "_comment")]
        problems = [] if expected.get("...") else ["%s.%s: unexpected" % (path, k) for k in actual if k not in keys]
        for key in keys:
            if key not in actual:
                problems.append("%s.%s: missing" % (path, key))
            else:
                problems += mismatches(expected[key], actual[key], "%s.%s" % (path, key))
        return problems
    if isinstance(expected, list) and expected[:1] == ["<contains>"]:
        if not isinstance(actual, list):
            return ["%s: %r is not a list" % (here, actual)]
        return [
            "%s: no item matches %r" % (here, item) for item in expected[1:] if all(mismatches(item, a) for a in actual)
        ]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return ["%s: %r is not a list of %d" % (here, actual, len(expected))]
        return [p for i, (e, a) in enumerate(zip(expected, actual)) for p in mismatches(e, a, "%s[%d]" % (path, i))]
    return [] if expected == actual else ["%s: %r != %r" % (here, actual, expected)]
