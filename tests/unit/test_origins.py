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
    policy.allow("http://127.0.0.1:5000/index.html")
    assert not policy("null") and not policy.page_allowed("file:///tmp/x.html")
    assert OriginPolicy(["null"])("null")
    html_window = OriginPolicy()
    html_window.allow(None)  # an html= window
    assert html_window("null")
    file_window = OriginPolicy()
    file_window.allow("file:///app/index.html")
    assert file_window("null") and file_window.page_allowed("file:///app/other.html")
