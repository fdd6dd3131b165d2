"""The classic bridge: one function per channel, named from the namespace, bound to one renderer.

Backends expose these (pywebview ``window.expose``, CEF ``JavascriptBindings``). A call
validates and queues its message and returns at once; it never raises back into JS.
"""

import logging
from typing import Any, Callable, List, Optional

from sentry_webview.identity import RendererIdentity
from sentry_webview.ipc import wire
from sentry_webview.ipc.intake import Intake

logger = logging.getLogger("sentry_webview")


def bridge_functions(
    intake: Intake, namespace: str, identity: RendererIdentity
) -> List[Callable[[Any], Optional[str]]]:
    """The bridge functions of ``namespace`` for the renderer ``identity``.

    Each returns None when the message was queued, else the reason it was dropped.
    """

    def make(channel: str) -> Callable[[Any], Optional[str]]:
        def call(payload: Any) -> Optional[str]:
            try:
                return intake.submit(channel, payload, identity)
            except Exception as error:  # never into the renderer's promise
                logger.debug("sentry-webview bridge call failed", exc_info=error)
                return "internal error"

        call.__name__ = call.__qualname__ = wire.bridge_function_name(namespace, channel)
        return call

    return [make(channel) for channel in wire.CHANNELS]
