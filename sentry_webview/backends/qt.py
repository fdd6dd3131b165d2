"""pywebview's Qt GUI (QtWebEngine): document-creation scripts and renderProcessTerminated."""

from typing import Any, Callable, Optional

from sentry_webview.backends import Backend, RendererGone, UrlChanged

# QWebEnginePage.RenderProcessTerminationStatus, by name, as @sentry/electron's exit reasons.
_REASONS = {
    "NormalTerminationStatus": "clean-exit",
    "AbnormalTerminationStatus": "abnormal-exit",
    "CrashedTerminationStatus": "crashed",
    "KilledTerminationStatus": "killed",
}


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

    def watch_renderer(self, window: Any, on_gone: RendererGone) -> None:
        def terminated(status: Any, exit_code: int) -> None:
            on_gone(_REASONS.get(getattr(status, "name", str(status)), "abnormal-exit"), exit_code)

        window.native.webview.page().renderProcessTerminated.connect(terminated)

    def watch_url(self, window: Any, on_url: UrlChanged) -> None:
        window.native.webview.urlChanged.connect(lambda url: on_url(url.toString()))

    def closed(self, window: Any) -> None:
        # pywebview's Qt backend (unlike its GTK one) leaves evaluate_js calls in flight at close
        # waiting forever; those include the replies to bridge calls, in non-daemon threads that
        # would keep the process from exiting.
        for pending in list(getattr(window.native, "_js_results", {}).values()):
            pending["semaphore"].release()

    def loop_ended(self) -> None:
        """Nothing to do: ``closed`` released the window's pending evaluate_js calls."""

    def heartbeat(self, window: Any, beat: Callable[[], None], interval: float) -> None:
        from qtpy.QtCore import QTimer

        timer = QTimer(window.native)  # before_show runs on the GUI thread, which owns the window
        timer.timeout.connect(beat)
        timer.start(int(interval * 1000))
