import json
import shutil
import subprocess

import pytest

from sentry_webview.ipc.origins import OriginPolicy, origin_of, script_guard


@pytest.mark.parametrize(
    "url, origin",
    [
        ("http://127.0.0.1:8000/index.html", "http://127.0.0.1:8000"),
        ("HTTPS://App.Example/x", "https://app.example"),
        ("blob:http://foreign.test:8000/5b1c-aa", "http://foreign.test:8000"),
        ("blob:http://127.0.0.1:8000/5b1c-aa", "http://127.0.0.1:8000"),
        ("filesystem:http://foreign.test/temporary/x", "http://foreign.test"),
        ("file:///home/app/index.html", "null"),
        ("blob:https://app.example/5b1c", "https://app.example"),
        ("blob:file:///home/app/index.html", "null"),
        ("blob:null/5b1c", None),
        ("blob:blob:http://127.0.0.1:8000/5b1c", None),  # an opaque origin, as in the URL standard
        ("http://user:pw@127.0.0.1:8000/x", "http://127.0.0.1:8000"),
        ("http://a@b@foreign.test/x", "http://foreign.test"),
        ("ftp://127.0.0.1/x", None),
        ("data:text/html,<script>1</script>", None),
        ("about:blank", None),
        ("javascript:alert(1)", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_a_documents_origin_as_the_browser_judges_it(url, origin):
    assert origin_of(url) == origin


def test_unknown_and_foreign_origins_are_refused_loopback_and_listed_ones_allowed():
    policy = OriginPolicy(["https://app.example"])
    assert policy("http://127.0.0.1:5000") and policy("http://localhost:1") and policy("https://app.example")
    assert not policy(None) and not policy("") and not policy("http://foreign.test:5000")
    assert not policy("http://127.0.0.2:5000")  # another loopback address is not the app's
    assert not policy.page_allowed("blob:http://foreign.test/x") and not policy.page_allowed("data:text/html,x")
    assert policy.page_allowed("blob:http://127.0.0.1:5000/x")


def test_null_only_where_the_app_opted_in_or_its_own_page_is_file_or_html():
    policy = OriginPolicy()
    policy.allow("w1", "http://127.0.0.1:5000/index.html")
    assert not policy("null") and not policy.page_allowed("file:///tmp/x.html", window="w1")
    assert OriginPolicy(["null"])("null")
    html_window = OriginPolicy()
    html_window.allow("w1", None, html_page=True)
    assert html_window("null") and html_window.page_allowed("about:blank", html_page=True, window="w1")
    assert html_window.page_allowed("data:text/html;charset=UTF-8,%3Cp%3E", html_page=True, window="w1")  # Qt's
    file_window = OriginPolicy()
    file_window.allow("w1", "file:///app/index.html")
    assert file_window("null") and file_window.page_allowed("file:///app/other.html", window="w1")


def test_a_wired_windows_own_remote_page_may_talk_to_the_host_and_only_its_origin():
    policy = OriginPolicy()
    policy.allow("w1", "https://app.example/index.html")  # create_window(url="https://app.example/")
    assert policy("https://app.example") and policy.page_allowed("https://app.example/other.html", window="w1")
    assert not policy("https://foreign.test") and not policy("null")


def test_a_window_whose_url_is_not_known_yet_turns_no_null_on():
    policy = OriginPolicy()
    policy.allow("local", None)  # create_window(url="index.html"): pywebview serves it over http later
    assert not policy("null") and not policy.script_rule("local")["null"]
    assert not policy.page_allowed(None, window="local") and not policy.page_allowed("about:srcdoc", window="local")


def test_null_is_decided_per_window_for_the_bridge_and_the_injected_script():
    policy = OriginPolicy()
    policy.allow("html", None, html_page=True)
    policy.allow("http", "http://127.0.0.1:5000/index.html")
    assert policy.script_rule("html")["null"] and not policy.script_rule("http")["null"]
    assert policy.page_allowed("file:///tmp/x.html", window="html")
    assert not policy.page_allowed("file:///tmp/x.html", window="http")
    assert policy("null")  # the protocol can't tell a request's window: null while an html= window is open
    # A document whose engine reports no URL yet, or about:blank, in the http window or in no known window:
    assert not policy.page_allowed(None, window="http") and not policy.page_allowed(None)
    assert not policy.page_allowed("about:blank", html_page=True, window="http")
    assert not policy.page_allowed("file:///tmp/x.html") and not OriginPolicy(["null"]).page_allowed("about:blank")


def test_listed_origins_match_as_the_app_wrote_them_and_odd_origin_headers_are_refused():
    policy = OriginPolicy(["HTTPS://App.Example/"])  # a trailing slash and capitals, as users write them
    assert policy("https://app.example") and policy("https://APP.example")
    assert policy("https://127.0.0.1:8443") and policy("https://[::1]:8443")  # loopback over https too
    assert not policy("http://[::1") and not policy(123) and not policy("ftp://127.0.0.1")  # type: ignore[arg-type]
    assert not policy("file://") and OriginPolicy(["file://"])("file://") and OriginPolicy(["file://"])("null")


def test_file_pages_in_the_apps_own_folder_are_the_apps_and_no_others():
    policy = OriginPolicy(file_base="file:///home/u/app/")
    assert policy.page_allowed("file:///home/u/app/web/index.html")
    assert not policy.page_allowed("file:///home/u/other/index.html") and not policy("null")


@pytest.mark.parametrize(
    "rule, href, allowed",
    [
        (OriginPolicy(), "http://127.0.0.1:5000/index.html", True),
        (OriginPolicy(), "https://localhost/x", True),
        (OriginPolicy(), "http://foreign.test/x", False),
        (OriginPolicy(), "http://127.0.0.2:5000/x", False),
        (OriginPolicy(["https://app.example"]), "https://app.example/x", True),
        (OriginPolicy(), "file:///home/u/app/index.html", False),
        (OriginPolicy(["null"]), "file:///home/u/app/index.html", True),
        (OriginPolicy(["null"]), "data:text/html,x", True),  # the app's html= page, as QtWebEngine shows it
        (OriginPolicy(file_base="file:///home/u/app/"), "file:///home/u/app/index.html", True),
        (OriginPolicy(file_base="file:///home/u/app/"), "file:///home/u/elsewhere.html", False),
    ],
)
def test_the_injected_scripts_guard_judges_a_document_as_the_host_does(rule, href, allowed):
    """The guard runs in V8 (Node) with the document's ``location``, as the injected script does."""
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed (scripts/setup.sh installs it)")
    location = "var location=new URL(%s);Object.defineProperty(location,'origin',{value:%s});" % (
        json.dumps(href),
        json.dumps(_browser_origin(href)),
    )
    out = subprocess.run(
        [node, "-e", location + "process.stdout.write(String(%s))" % script_guard(rule.script_rule("w"))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.stdout == str(allowed).lower(), out.stderr


def test_the_rule_in_the_injected_script_is_the_policys_and_cannot_close_a_script_tag():
    rule = OriginPolicy(["https://x.example</script><script>alert(1)//"]).script_rule("w")
    guard = script_guard(rule)
    assert "<" not in guard
    assert json.loads(guard[guard.rindex("})(") + 3 : -1]) == rule


def _browser_origin(href):
    """``location.origin`` as Chromium reports it (``null`` for file: and data: documents)."""
    return origin_of(href) or "null"
