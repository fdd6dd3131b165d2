"""What the host knows about the running app: release, environment and desktop contexts."""

import functools
import hashlib
import os
import platform
import re
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, Optional

from sentry_sdk.utils import get_default_release

_STARTED_AT = datetime.now(timezone.utc)


def default_environment() -> str:
    """``SENTRY_ENVIRONMENT``, else ``production`` when frozen, else ``development``."""
    return os.environ.get("SENTRY_ENVIRONMENT") or ("production" if getattr(sys, "frozen", False) else "development")


def default_release() -> Optional[str]:
    """``SENTRY_RELEASE``, else ``<app>@<version>`` of the running app, else sentry-sdk's guess."""
    if os.environ.get("SENTRY_RELEASE"):
        return os.environ["SENTRY_RELEASE"]
    name = app_name()
    version = app_version(name) if name else None
    if name and version:
        return "%s@%s" % (re.sub(r"[^\w.-]", "-", name), version)
    return get_default_release()


def app_name() -> Optional[str]:
    """The frozen executable's name, else the ``__main__`` package or script name."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).stem
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        return spec.name.split(".")[0]
    path = getattr(main, "__file__", None)
    return Path(path).stem if path else None


def app_version(name: str) -> Optional[str]:
    """``__main__.__version__``, else the installed distribution's version."""
    version = getattr(sys.modules.get("__main__"), "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return metadata.version(name)
    except (metadata.PackageNotFoundError, ValueError):
        return None


@functools.lru_cache(maxsize=None)
def host_contexts() -> Dict[str, Dict[str, Any]]:
    """The desktop host's ``os``, ``device`` and ``app`` contexts, as @sentry/electron adds them."""
    name = app_name()
    app = {
        "app_start_time": _STARTED_AT.isoformat(),
        "app_name": name,
        "app_version": app_version(name) if name else None,
        "build_type": "frozen" if getattr(sys, "frozen", False) else "source",
    }
    return {
        "os": {"name": platform.system(), "version": platform.release(), "kernel_version": platform.version()},
        "device": {"family": "Desktop", "arch": platform.machine()},
        "app": {key: value for key, value in app.items() if value},
    }


def data_path(kind: str, dsn: str, data_dir: Optional[Path] = None) -> Path:
    """Per app and DSN: ``<data_dir>/<kind>/<hash of the DSN>``; ``data_dir`` defaults to
    ``<user data dir of the app>/sentry-webview``."""
    if data_dir is None:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir(app_name() or "sentry-webview", appauthor=False)) / "sentry-webview"
    return Path(data_dir) / kind / hashlib.sha1(dsn.encode()).hexdigest()[:12]
