"""``python -m sentry_webview demo``: see a merged renderer and host event, end to end.
``python -m sentry_webview doctor``: check what is wired, with a fix for each problem."""

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentry_webview")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="open a window that throws in JS and in Python, print the merged events")
    demo.add_argument("--dsn", help="send to this DSN instead of the embedded local ingest")
    demo.add_argument("--gui", choices=["qt", "gtk"], default=None, help="pywebview GUI (default: qt if installed)")
    doctor = commands.add_parser("doctor", help="a self-test window: what is wired, and for each problem, the fix")
    doctor.add_argument("--dsn", help="the DSN the app uses (default: SENTRY_DSN); only checked, never sent to")
    doctor.add_argument("--gui", choices=["qt", "gtk"], default=None, help="pywebview GUI (default: qt if installed)")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from sentry_webview.tools.doctor import run_doctor

        return run_doctor(dsn=args.dsn, gui=args.gui)
    from sentry_webview.tools.demo import run_demo

    return run_demo(dsn=args.dsn, gui=args.gui)


if __name__ == "__main__":
    sys.exit(main())
