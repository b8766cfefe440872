"""Agency lists are in Thai dictionary order, not by code point (where every name beginning with
a leading vowel, such as เชียงใหม่, fell to the end)."""

import re

from tests.helpers import make_agency, make_board, make_task, text_of

NAMES = ["อบจ.อุบลราชธานี", "เทศบาลนครเชียงใหม่", "อบจ.อ่างทอง", "กรมการปกครอง", "แขวงเพชรบุรี"]


async def test_agency_filters_list_agencies_in_thai_order(client, conn):
    for i, name in enumerate(NAMES):
        agency = await make_agency(conn, f"agency-{i}", name_th=name)
        # the board index offers the agencies that have a board, the task board those with a task
        await make_board(conn, f"board-{i}", agency)
        await make_task(conn, agency)
    expected = ["กรมการปกครอง", "แขวงเพชรบุรี", "เทศบาลนครเชียงใหม่", "อบจ.อ่างทอง", "อบจ.อุบลราชธานี"]
    for path in ("/ideas", "/handovers"):
        page = await client.get(path)
        assert page.status_code == 200
        select = re.search(r'<select[^>]*name="agency".*?</select>', page.text, re.S)
        assert select is not None, path
        shown = [text_of(o) for o in re.findall(r"<option[^>]*>(.*?)</option>", select.group(0), re.S)]
        assert [n for n in shown if n in NAMES] == expected, path
