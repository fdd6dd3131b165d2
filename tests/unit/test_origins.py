import pytest

from sentry_webview.ipc.origins import OriginPolicy, origin_of


@pytest.mark.parametrize(
    "url, origin",
    [
        ("http://127.0.0.1:8000/index.html", "http://127.0.0.1:8000"),
        ("HTTPS://App.Example/x", "https://app.example"),
        ("blob:http://foreign.test:8000/5b1c-aa", "http://foreign.test:8000"),
        ("blob:http://127.0.0.1:8000/5b1c-aa", "http://127.0.0.1:8000"),
        ("filesystem:http://foreign.test/temporary/x", "http://foreign.test"),
        ("file:///home/app/index.html", "null"),
        ("blob:null/5b1c", None),
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
    file_window = OriginPolicy()
    file_window.allow("w1", "file:///app/index.html")
    assert file_window("null") and file_window.page_allowed("file:///app/other.html", window="w1")


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
