"""The language switch for a logged-in person (issue 21, item 19): 1 switch in 12 did nothing
with JavaScript, 3 in 12 without. 50 switches in a row must each change the page's language."""

from __future__ import annotations

import re

from tests.helpers import login, make_user, post_form


def switch_form(html: str) -> dict[str, str]:
    form = html[html.index('class="lang-switch"') : html.index("</form>", html.index('class="lang-switch"'))]
    return dict(re.findall(r'name="(lang|next)" value="([^"]*)"', form))


async def test_fifty_switches_in_a_row(client, conn):
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    page = await client.get("/ideas")
    for n in range(50):
        fields = switch_form(page.text)
        r = await post_form(client, "/lang", fields)
        assert r.status_code == 303, (n, r.status_code)
        page = await client.get(r.headers["location"])
        assert f'<html lang="{fields["lang"]}"' in page.text, n
        assert client.cookies.get("lang") == fields["lang"], n
