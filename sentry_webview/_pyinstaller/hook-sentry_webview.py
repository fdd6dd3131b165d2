"""Collect sentry_webview's data files (static/*.js, ipc/wire.json) into frozen apps."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("sentry_webview")
