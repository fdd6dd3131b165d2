"""The classic bridge: one function per channel, named from the namespace, bound to one renderer.

Backends expose these (pywebview ``window.expose``, CEF ``JavascriptBindings``). A call
validates and queues its message and returns at once; it never raises back into JS.
A window that navigated to an origin the host doesn't allow (by the URL its engine
reports) can't use the bridge: the same rule as for the protocol.
"""

import logging
from typing import Any, Callable, List, Optional, Set

from sentry_webview.ipc import wire
from sentry_webview.ipc.intake import Intake
from sentry_webview.ipc.origins import NULL, OriginPolicy, origin_of

logger = logging.getLogger("sentry_webview")


def bridge_functions(
    intake: Intake, namespace: str, identity: Any, origins: OriginPolicy
) -> List[Callable[[Any], Optional[str]]]:
    """The bridge functions of ``namespace`` for the renderer ``identity``.

    Each takes one payload or ``{"batch": [payload, ...]}`` and returns None when
    everything was queued, else the reason something was dropped.
    """

    refused: Set[str] = set()  # logged once per window, whatever origins it shows

    def make(channel: str) -> Callable[[Any], Optional[str]]:
        def call(payload: Any) -> Optional[str]:
            try:
                # By the URL the engine shows (the page can't fake it). None reported yet: an html= page
                # (null: allowed only where this window's own page is html= or file://, or the app opted in).
                page = identity.page_url
                if not origins.page_allowed(page, identity.html_page, identity.renderer_id):
                    origin = origin_of(page) if page else NULL
                    intake.stats["refused_origin"] += 1
                    if "origin" not in refused:
                        refused.add("origin")
                        logger.warning(
                            "sentry-webview: refused bridge calls from a page of origin %.200r (%.200r)", origin, page
                        )
                    return "origin is not allowed"
                batch = payload.get(wire.BATCH_KEY) if isinstance(payload, dict) else None
                reasons = [
                    intake.submit(channel, each, identity) for each in (batch if isinstance(batch, list) else [payload])
                ]
                return next((reason for reason in reasons if reason), None)
            except Exception as error:  # never into the renderer's promise
                logger.debug("sentry-webview bridge call failed", exc_info=error)
                return "internal error"

        call.__name__ = call.__qualname__ = wire.bridge_function_name(namespace, channel)
        return call

    return [make(channel) for channel in wire.CHANNELS]
