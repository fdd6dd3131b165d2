"""Error storms: every distinct renderer error reaches Sentry, its repeats only within a budget.

A page in a loop can throw the same error thousands of times a second; the preload
already keeps at most a few per page, but many windows (or a page that reloads) still
add up. The host lets each distinct error (type, value, top in-app frame) through
``repeats`` times per ``window`` seconds across all renderers; the rest are counted as
client-report discards, never sent. Distinct errors are never dropped for repeats of another.
"""

import threading
import time
from collections import OrderedDict
from typing import Any, Dict, Optional, Tuple

Key = Tuple[Any, ...]


def error_key(event: Dict[str, Any]) -> Optional[Key]:
    """What makes two renderer errors the same: type, value and the top in-app frame; None for non-errors."""
    container = event.get("exception")
    values = container.get("values") if isinstance(container, dict) else None
    if not isinstance(values, list) or not values or not isinstance(values[-1], dict):
        return None
    exception = values[-1]
    stacktrace = exception.get("stacktrace")
    frames = stacktrace.get("frames") if isinstance(stacktrace, dict) else None
    in_app = [f for f in frames or () if isinstance(f, dict) and f.get("in_app") is not False]
    top = in_app[-1] if in_app else {}
    return (exception.get("type"), exception.get("value"), top.get("filename"), top.get("function"), top.get("lineno"))


class ErrorBudget:
    """Admits each distinct error ``repeats`` times per ``window`` seconds; remembers at most ``keys`` errors."""

    def __init__(self, repeats: int = 10, window: float = 60.0, keys: int = 1000) -> None:
        self.repeats, self.window, self.keys = repeats, window, keys
        self._seen: "OrderedDict[Key, Tuple[float, int]]" = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, event: Dict[str, Any]) -> bool:
        """Whether ``event`` goes on to Sentry; events that aren't errors always do."""
        key = error_key(event)
        if key is None:
            return True
        now = time.monotonic()
        with self._lock:
            started, count = self._seen.pop(key, (now, 0))
            if now - started >= self.window:
                started, count = now, 0
            self._seen[key] = (started, count + 1)
            while len(self._seen) > self.keys:
                self._seen.popitem(last=False)
            return count < self.repeats
