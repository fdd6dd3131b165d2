"""Shared Playwright settings: Debian's Chromium through ``executable_path``, never ``playwright install``.

Used by the pytest-playwright fixtures in tests/e2e/conftest.py and by tests/samples/capture.py.
"""

import os
import shutil

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or (
    "/usr/lib/chromium/chromium" if os.path.exists("/usr/lib/chromium/chromium") else shutil.which("chromium")
)

# Root needs --no-sandbox; the rest keep Chromium off this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

LAUNCH_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 10_000


def launch_args() -> dict:
    """Keyword arguments for ``browser_type.launch``."""
    return {"executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS, "headless": True, "timeout": LAUNCH_TIMEOUT_MS}
