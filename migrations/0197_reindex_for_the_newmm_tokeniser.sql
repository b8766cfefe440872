-- Documents and queries are segmented by the same engine. The engine is now newmm (civic/thai.py)
-- where it was nlpo3, and the two differ on a few runs of Latin letters and punctuation
-- ("(Digitization/Digitalization)" is one token to newmm, two to nlpo3). Every searchable item is
-- queued for the relay, as the admin's "reindex" does, so the index is rebuilt with the engine
-- that queries now use, while search keeps answering. On a new database this queues nothing.
INSERT INTO search_outbox (kind, entity_id, op) SELECT 'idea', id, 'upsert' FROM ideas;
INSERT INTO search_outbox (kind, entity_id, op) SELECT 'consultation', id, 'upsert' FROM consultations;
INSERT INTO search_outbox (kind, entity_id, op) SELECT 'handover', id, 'upsert' FROM handover_tasks;
