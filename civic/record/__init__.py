"""The public record of official acts: an append-only, hash-chained list that anyone can check.

Every act the events catalogue marks `official` (an answer, a status change, a sign-off, a
moderation hide...) becomes an entry in the transaction of the act itself: civic.events.record
calls civic.record.chain. Each entry's hash is SHA-256 over the RFC 8785 (JCS) canonical JSON of
the entry, which holds the previous entry's hash, so rewriting any entry breaks every one after
it. The database refuses UPDATE, DELETE and TRUNCATE of the entries (migration 0130); each day's
head hash is published at /record/heads.txt and in the record's Atom feed, so outsiders can keep
copies and prove later that history was not rewritten. `python -m civic record verify` and the
hourly job recompute the chain (rules.Walk) and name the first entry that fails.

An entry names the actor's role and agency, never the person. The record can never change, but a
person can erase their account (PDPA s.33): a name hashed into an entry would outlive the erasure
of everything else about them, and deleting it would break every hash after it. So
`actor.name` stays in the hashed form (the entries written before this rule kept a platform
officer's display name there, and their hashes must still verify) and is null in every new
entry; who did an act is kept where it can be erased, in the events and audit tables. The
/record page shows roles only; its JSON twin gives every hashed field, as verification needs.
"""
