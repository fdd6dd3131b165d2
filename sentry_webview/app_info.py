"""What the host knows about the running app: release, environment and desktop contexts."""

import functools
import hashlib
import os
import platform
import re
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, Optional, Union

from sentry_sdk.utils import get_default_release

_STARTED_AT = datetime.now(timezone.utc)


def default_environment() -> str:
    """``SENTRY_ENVIRONMENT``, else ``production`` when frozen, else ``development``."""
    return os.environ.get("SENTRY_ENVIRONMENT") or ("production" if getattr(sys, "frozen", False) else "development")


def default_release() -> Optional[str]:
    """``SENTRY_RELEASE``, else ``<app>@<version>`` of the running app, else ``<app>@0.0.0+<build>``:
    ``<build>`` hashes the frozen executable or the ``__main__`` script, so each build of the app is its
    own release (without one, there are no sessions). Only an app without a name gets sentry-sdk's guess
    (git, CI variables): a git checkout the app happens to start in is not the app's release."""
    if os.environ.get("SENTRY_RELEASE"):
        return os.environ["SENTRY_RELEASE"]
    name = app_name()
    if not name:
        return get_default_release()
    version = app_version(name)
    if version:
        return "%s@%s" % (_release_name(name), version)
    build = _build_hash()
    return "%s@0.0.0%s" % (_release_name(name), "+" + build if build else "")


def _release_name(name: str) -> str:
    return re.sub(r"[^\w.-]", "-", name)


def _build_hash() -> Optional[str]:
    """The first 12 hex digits of the SHA-1 of the frozen executable or the ``__main__`` script."""
    path = sys.executable if getattr(sys, "frozen", False) else getattr(sys.modules.get("__main__"), "__file__", None)
    if not path:
        return None
    digest = hashlib.sha1()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()[:12]


# What a name must look like to name the app (and its data directory): not ``<stdin>`` or ``<string>``.
_APP_NAME = re.compile(r"^\w[\w .+-]*$")


def app_name() -> Optional[str]:
    """The frozen executable's name, else the ``__main__`` package or script name.

    None when there is no such name (``python -c``, a script on stdin, the REPL): callers
    fall back to their own default (``sentry-webview`` for the data directory).
    """
    if getattr(sys, "frozen", False):
        return _sane(Path(sys.executable).stem)
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        return _sane(spec.name.split(".")[0])
    path = getattr(main, "__file__", None)
    return _sane(Path(path).stem) if isinstance(path, str) and path else None


def _sane(name: str) -> Optional[str]:
    return name if _APP_NAME.match(name) else None


def app_root() -> Path:
    """Where the app's own files are: a frozen app's bundle (PyInstaller's ``_MEIPASS``) or executable's
    directory, else the ``__main__`` script's directory, else the working directory."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", None) or Path(sys.executable).parent).resolve()
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return Path(path).resolve().parent if path else Path.cwd()


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
def _static_contexts() -> Dict[str, Dict[str, Any]]:
    name = app_name()
    app = {
        "app_start_time": _STARTED_AT.isoformat(),
        "app_name": name,
        "app_version": app_version(name) if name else None,
        "app_arch": platform.machine(),
    }
    device = {
        "family": "Desktop",
        "arch": platform.machine(),
        "processor_count": os.cpu_count(),
        "cpu_description": _cpu_description(),
        "memory_size": _meminfo("MemTotal"),
        "boot_time": _boot_time(),
    }
    return {
        "os": {"name": platform.system(), "version": platform.release(), "kernel_version": platform.version()},
        "device": {key: value for key, value in device.items() if value},
        "app": {key: value for key, value in app.items() if value},
    }


def host_contexts() -> Dict[str, Dict[str, Any]]:
    """The desktop host's ``os``, ``device`` and ``app`` contexts, as @sentry/electron adds them,
    with the memory figures of the moment (``app_memory``, ``free_memory``)."""
    contexts = {key: dict(value) for key, value in _static_contexts().items()}
    for context, key, value in (("app", "app_memory", _rss()), ("device", "free_memory", _meminfo("MemAvailable"))):
        if value:
            contexts[context][key] = value
    return contexts


def package_version() -> str:
    """sentry-webview's own version."""
    try:
        return metadata.version("sentry-webview")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _rss() -> Optional[int]:
    """This process's resident memory in bytes (Linux ``/proc``; elsewhere the peak, from ``resource``)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return None


def _meminfo(key: str) -> Optional[int]:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if key == "MemTotal" and hasattr(os, "sysconf"):
        try:
            return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError):
            return None
    return None


def _cpu_description() -> Optional[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _boot_time() -> Optional[str]:
    try:
        with open("/proc/uptime", encoding="ascii") as uptime:
            seconds = float(uptime.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return datetime.fromtimestamp(time.time() - seconds, timezone.utc).isoformat()


def data_path(kind: str, dsn: str, data_dir: "Optional[Union[str, os.PathLike[str]]]" = None) -> Path:
    """Per app and DSN: ``<data_dir>/<kind>/<hash of the DSN>``; ``data_dir`` defaults to
    ``<user data dir of the app>/sentry-webview``."""
    if data_dir is None:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir(app_name() or "sentry-webview", appauthor=False)) / "sentry-webview"
    return Path(data_dir) / kind / hashlib.sha1(dsn.encode()).hexdigest()[:12]
