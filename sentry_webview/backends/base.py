"""One small interface per web engine; the merge code never imports Qt, GTK or CEF.

``Backend`` is what the host needs from an engine: its name and version, a way to
run our script at document creation, a watch on its renderer process, the URL
the engine shows (which, unlike what a page says of itself, a page can't fake), and
a screenshot of the page.
"""

from abc import ABC, abstractmethod
from typing import Any, Callable, Optional

# (reason, exit code or None); the reason uses @sentry/electron's names.
FATAL_EXIT_REASONS = frozenset({"crashed", "oom", "launch-failed", "integrity-failure"})
RendererGone = Callable[[str, Optional[int]], None]
UrlChanged = Callable[[str], None]


class Backend(ABC):
    """An embedded web engine, as sentry-webview drives it."""

    name: str

    @abstractmethod
    def engine(self) -> Optional[str]:
        """The engine and major version, e.g. ``"Chromium 140"``."""

    @abstractmethod
    def inject_at_document_start(self, window: Any, source: str) -> bool:
        """Run ``source`` in every new document of ``window`` before page scripts; False if unsupported."""

    @abstractmethod
    def watch_renderer(self, window: Any, on_gone: RendererGone) -> None:
        """Call ``on_gone`` when ``window``'s renderer process terminates."""

    @abstractmethod
    def watch_url(self, window: Any, on_url: UrlChanged) -> None:
        """Call ``on_url`` with the main frame's URL whenever the engine changes it."""

    @abstractmethod
    def heartbeat(self, window: Any, beat: Callable[[], None], interval: float) -> None:
        """Call ``beat`` from the GUI thread's event loop every ``interval`` seconds."""

    def let_local_pages_fetch(self, window: Any) -> None:
        """On the GUI thread: let ``window``'s ``file://`` pages fetch http (the loopback protocol), where the
        engine forbids it by default. Only for PROTOCOL mode, where those pages have no bridge."""
        return None  # most engines allow it

    def visible(self, window: Any) -> bool:
        """On the GUI thread: whether ``window`` is shown, not hidden or minimized. True where the engine can't tell."""
        return True

    @abstractmethod
    def screenshot(self, window: Any, timeout: float) -> Optional[bytes]:
        """A PNG of ``window``'s page as shown, taken on the GUI thread from any thread within
        ``timeout`` seconds; None when it is hidden or minimized, or the GUI thread doesn't answer."""

    def wired(self, window: Any) -> None:
        """On the GUI thread, once ``window``'s native view exists: make the GUI's own bookkeeping
        tolerate what we add to its life (nothing by default)."""
        return None

    def run_script(self, window: Any, script: str) -> bool:
        """From any thread: have the GUI thread run ``script`` in ``window``'s current page, neither
        waiting nor asking for its result (nothing if the window is gone). False where the engine can't."""
        return False

    @abstractmethod
    def closed(self, window: Any) -> None:
        """Release what the GUI leaves waiting on a window that is gone."""

    @abstractmethod
    def loop_ended(self) -> None:
        """On the GUI thread, once its event loop has returned: release what the loop left waiting."""
