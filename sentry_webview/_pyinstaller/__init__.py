"""PyInstaller support: frozen apps keep the renderer bundles, and with them auto-injection."""

import os
from typing import List


def get_hook_dirs() -> List[str]:
    """The ``pyinstaller40`` entry point: where ``hook-sentry_webview.py`` lives."""
    return [os.path.dirname(__file__)]
