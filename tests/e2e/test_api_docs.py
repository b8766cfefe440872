"""/schema renders the API documentation from vendored files under the CSP."""


def test_schema_page_lists_the_api(page, live_server, shot):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/schema")
    page.get_by_text("/api/v1/health").first.wait_for()
    assert all(u.startswith(live_server) for u in requests)
    shot(page, "schema", full_page=False)
