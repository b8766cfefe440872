"""The public record of official acts: an append-only, hash-chained list that anyone can check.

Every act the events catalogue marks `official` (an answer, a status change, a sign-off, a
moderation hide...) becomes an entry in the transaction of the act itself: civic.events.record
calls civic.record.chain. Each entry's hash is SHA-256 over the RFC 8785 (JCS) canonical JSON of
the entry, which holds the previous entry's hash, so rewriting any entry breaks every one after
it. The database refuses UPDATE, DELETE and TRUNCATE of the entries (migration 0130); each day's
head hash is published at /record/heads.txt and in the record's Atom feed, so outsiders can keep
copies and prove later that history was not rewritten. `python -m civic record verify` and the
hourly job recompute the chain (rules.Walk) and name the first entry that fails.
"""
