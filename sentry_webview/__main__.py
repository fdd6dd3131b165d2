"""``python -m sentry_webview demo``: see a merged renderer and host event, end to end."""

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentry_webview")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="open a window that throws in JS and in Python, print the merged events")
    demo.add_argument("--dsn", help="send to this DSN instead of the embedded local ingest")
    demo.add_argument("--gui", choices=["qt", "gtk"], default=None, help="pywebview GUI (default: qt if installed)")
    args = parser.parse_args(argv)
    from sentry_webview.demo import run_demo

    return run_demo(dsn=args.dsn, gui=args.gui)


if __name__ == "__main__":
    sys.exit(main())
