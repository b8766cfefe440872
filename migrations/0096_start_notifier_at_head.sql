-- The notifier (civic/notifications/consumer.py) starts after the newest event there is when it
-- is installed, as consumers.start_at_head does: nobody is mailed about last year's answers.
-- Done once here rather than at every start, so events recorded between installing and the
-- first run (seed-demo's) are still told.
INSERT INTO event_cursors (name, last_xid, last_id)
SELECT 'notifications', COALESCE(max(xid), '0'), COALESCE(max(id), 0) FROM events
ON CONFLICT (name) DO NOTHING;
