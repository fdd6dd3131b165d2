"""``python -m sentry_webview demo``: see a merged renderer and host event, end to end.
``python -m sentry_webview doctor``: check what is wired, with a fix for each problem.
``python -m sentry_webview js --out DIR``: write the prebuilt preload and renderer bundles, for pages that ship them."""

import argparse
import sys
from importlib import resources
from pathlib import Path
from typing import List, Optional

#: The prebuilt bundles in the package (``sentry_webview/static``) and the names pages load them by.
BUNDLES = {"preload.js": "sentry-webview-preload.js", "renderer.js": "sentry-webview-renderer.js"}


def write_bundles(out: Path) -> List[Path]:
    """Copy the two prebuilt bundles into ``out`` (created if missing); return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    static = resources.files("sentry_webview") / "static"
    written = []
    for source, target in BUNDLES.items():
        path = out / target
        path.write_bytes((static / source).read_bytes())
        written.append(path)
    return written


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentry_webview")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="open a window that throws in JS and in Python, print the merged events")
    demo.add_argument("--dsn", help="send to this DSN instead of the embedded local ingest")
    demo.add_argument("--gui", choices=["qt", "gtk"], default=None, help="pywebview GUI (default: qt if installed)")
    doctor = commands.add_parser("doctor", help="a self-test window: what is wired, and for each problem, the fix")
    doctor.add_argument("--dsn", help="the DSN the app uses (default: SENTRY_DSN); only checked, never sent to")
    doctor.add_argument("--gui", choices=["qt", "gtk"], default=None, help="pywebview GUI (default: qt if installed)")
    js = commands.add_parser("js", help="write the prebuilt preload and renderer bundles, for pages that ship them")
    js.add_argument("--out", required=True, type=Path, help="directory to write them to (created if missing)")
    args = parser.parse_args(argv)
    if args.command == "js":
        for path in write_bundles(args.out):
            print(path)
        return 0
    if args.command == "doctor":
        from sentry_webview.tools.doctor import run_doctor

        return run_doctor(dsn=args.dsn, gui=args.gui)
    from sentry_webview.tools.demo import run_demo

    return run_demo(dsn=args.dsn, gui=args.gui)


if __name__ == "__main__":
    sys.exit(main())
