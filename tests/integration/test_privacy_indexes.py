"""A person's rows are found by index: every link to a person that the export of their data reads
(and their activity page and the erasure of their account read too) leads an index, so none of
them reads a whole table that grows with everyone's comments, responses or mail."""

from __future__ import annotations

from civic.privacy.store import EXPORTS

# Indexes (partial ones too, when their predicate only leaves out rows without a person) whose
# first column is the given column of the given table.
LEADING = """
SELECT count(*) FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
WHERE t.relname = $1 AND a.attname = $2
  AND (x.indpred IS NULL OR pg_get_expr(x.indpred, x.indrelid) = '(' || $2 || ' IS NOT NULL)')
"""


async def test_every_link_to_a_person_the_export_reads_leads_an_index(conn):
    links = sorted({link for export in EXPORTS for link in export.covers})
    assert len(links) > 20
    unindexed = [f"{table}.{column}" for table, column in links if not await conn.fetchval(LEADING, table, column)]
    assert unindexed == []
