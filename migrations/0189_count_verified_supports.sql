-- "verified: N" beside an idea's support count was counted on every view of the idea's page by
-- walking its supports and their accounts: 6.4 ms at 5,200 supports, and the ideas with the
-- most supports are the ones most opened. It is kept on the idea instead, as support_count is.
-- The support and withdrawal statements (civic/ideas/store.py) move it with the count; these
-- triggers move it when what they cannot see changes: an account's national ID verified or
-- cleared (civic.identity, erasure), or a support handed from one account to another (a counter's
-- support becoming its person's own, civic.assisted). Both are rare; neither is on the support path.
ALTER TABLE ideas ADD COLUMN verified_support_count integer NOT NULL DEFAULT 0
    CHECK (verified_support_count >= 0);

UPDATE ideas i SET verified_support_count = v.n
FROM (SELECT s.idea_id, count(*)::int AS n
      FROM idea_supports s JOIN users u ON u.id = s.user_id
      WHERE u.id_verified_at IS NOT NULL
      GROUP BY s.idea_id) v
WHERE v.idea_id = i.id;

CREATE FUNCTION ideas_count_verified_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ideas SET verified_support_count = verified_support_count
                     + CASE WHEN NEW.id_verified_at IS NULL THEN -1 ELSE 1 END
    WHERE id IN (SELECT idea_id FROM idea_supports WHERE user_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER users_verified_support_count AFTER UPDATE OF id_verified_at ON users
    FOR EACH ROW WHEN ((OLD.id_verified_at IS NULL) <> (NEW.id_verified_at IS NULL))
    EXECUTE FUNCTION ideas_count_verified_account();

CREATE FUNCTION ideas_count_moved_support() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ideas SET verified_support_count = verified_support_count
        + (SELECT count(*) FROM users WHERE id = NEW.user_id AND id_verified_at IS NOT NULL)::int
        - (SELECT count(*) FROM users WHERE id = OLD.user_id AND id_verified_at IS NOT NULL)::int
    WHERE id = NEW.idea_id;
    RETURN NULL;
END $$;
CREATE TRIGGER idea_supports_verified_support_count AFTER UPDATE OF user_id ON idea_supports
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION ideas_count_moved_support();
