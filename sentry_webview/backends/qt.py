"""pywebview's Qt GUI (QtWebEngine): document-creation scripts, renderProcessTerminated, and
screenshots grabbed on the GUI thread."""

import threading
from typing import Any, Callable, Dict, List, Optional

from qtpy.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, QThread, Signal, Slot
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend, RendererGone, UrlChanged

# QWebEnginePage.RenderProcessTerminationStatus, by name, as @sentry/electron's exit reasons.
_REASONS = {
    "NormalTerminationStatus": "clean-exit",
    "AbnormalTerminationStatus": "abnormal-exit",
    "CrashedTerminationStatus": "crashed",
    "KilledTerminationStatus": "killed",
}


class _GuiThread(QObject):
    """Runs jobs on the GUI thread: other threads emit a signal queued to a slot of this object, which lives there."""

    _job = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        app = QCoreApplication.instance()
        assert app is not None  # screenshots are only asked for while the GUI runs
        self.moveToThread(app.thread())
        self._job.connect(self._run)

    @Slot(object)
    def _run(self, job: Callable[[], None]) -> None:
        job()

    def call(self, job: Callable[[], Optional[bytes]], timeout: float) -> Optional[bytes]:
        """``job()`` run on the GUI thread: directly when called there, else waited for at most ``timeout``."""
        if QThread.currentThread() == self.thread():
            return job()
        done = threading.Event()
        result: List[Optional[bytes]] = []

        def run() -> None:
            with capture_internal_exceptions():
                result.append(job())
            done.set()

        self._job.emit(run)
        done.wait(timeout)
        return result[0] if result else None

    def post(self, job: Callable[[], None]) -> None:
        """Have the GUI thread run ``job`` soon; never waits, and ``job`` never raises there."""

        def run() -> None:
            with capture_internal_exceptions():
                job()

        self._job.emit(run)


def _gui() -> "_GuiThread":
    global _gui_thread
    with _gui_thread_lock:
        if _gui_thread is None:
            _gui_thread = _GuiThread()
        return _gui_thread


class _LateResults(dict):
    """pywebview's ``BrowserView._js_results`` for a window of ours.

    ``closed`` releases the ``evaluate_js`` calls in flight; each waiter then deletes its
    entry, and when Chromium answers one of them later, pywebview's ``return_result`` looks
    the entry up on the GUI thread: a ``KeyError`` there (an error event, or an abort under
    PyQt6 without an excepthook). Such a late answer lands in a throwaway entry instead;
    entries pywebview made are left as they are.
    """

    def __missing__(self, key: Any) -> Dict[str, Any]:
        return {"semaphore": threading.Semaphore(0), "result": None, "parse_json": False}


_gui_thread: Optional[_GuiThread] = None
_gui_thread_lock = threading.Lock()


def _grab(native: Any) -> Optional[bytes]:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    native.webview.grab().save(buffer, "PNG")
    return data.data()


class QtBackend(Backend):
    name = "qt"

    def engine(self) -> Optional[str]:
        try:
            from qtpy.QtWebEngineCore import qWebEngineChromiumVersion
        except ImportError:
            return None
        return "Chromium %s" % qWebEngineChromiumVersion().split(".")[0]

    def inject_at_document_start(self, window: Any, source: str) -> bool:
        from qtpy.QtWebEngineCore import QWebEngineScript

        script = QWebEngineScript()
        script.setName("sentry-webview")
        script.setSourceCode(source)
        script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
        script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
        script.setRunsOnSubFrames(False)
        window.native.webview.page().scripts().insert(script)
        return True

    def let_local_pages_fetch(self, window: Any) -> None:
        # QtWebEngine (unlike Chromium, WebKitGTK and CEF) refuses any http request from a file:// page
        # ("Failed to fetch") unless this per-page setting is on.
        from qtpy.QtWebEngineCore import QWebEngineSettings

        settings = window.native.webview.page().settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)

    def watch_renderer(self, window: Any, on_gone: RendererGone) -> None:
        def terminated(status: Any, exit_code: int) -> None:
            on_gone(_REASONS.get(getattr(status, "name", str(status)), "abnormal-exit"), exit_code)

        window.native.webview.page().renderProcessTerminated.connect(terminated)

    def watch_url(self, window: Any, on_url: UrlChanged) -> None:
        window.native.webview.urlChanged.connect(lambda url: on_url(url.toString()))

    def wired(self, window: Any) -> None:
        native = window.native
        if not isinstance(native._js_results, _LateResults):
            native._js_results = _LateResults(native._js_results)

    def run_script(self, window: Any, script: str) -> bool:
        _gui().post(lambda: window.native.webview.page().runJavaScript(script))
        return True

    def closed(self, window: Any) -> None:
        # pywebview's Qt backend (unlike its GTK one) leaves evaluate_js calls in flight at close
        # waiting forever; those include the replies to bridge calls, in non-daemon threads that
        # would keep the process from exiting. ``wired`` made late answers to them harmless.
        for pending in list(getattr(window.native, "_js_results", {}).values()):
            pending["semaphore"].release()

    def loop_ended(self) -> None:
        """Nothing to do: ``closed`` released the window's pending evaluate_js calls."""

    def heartbeat(self, window: Any, beat: Callable[[], None], interval: float) -> None:
        from qtpy.QtCore import QTimer

        timer = QTimer(window.native)  # before_show runs on the GUI thread, which owns the window
        timer.timeout.connect(beat)
        timer.start(int(interval * 1000))

    def visible(self, window: Any) -> bool:
        return window.native.isVisible() and not window.native.isMinimized()

    def screenshot(self, window: Any, timeout: float) -> Optional[bytes]:
        return _gui().call(lambda: _grab(window.native) if self.visible(window) else None, timeout)
