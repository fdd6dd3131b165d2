"""``bench.injection_qt`` on pywebview GTK (WebKitGTK): ``xvfb-run -a python -m bench.injection_gtk``."""

from bench.injection_qt import main

if __name__ == "__main__":
    main("gtk")
