-- The app processes remember who is behind a session cookie or an API token between requests
-- (civic.accounts.cache). They may, because PostgreSQL tells them of every change that could
-- alter what a credential resolves to: whichever code, process or person makes it, the trigger
-- sends it, and only once the change commits (NOTIFY is transactional). A notification makes
-- every process forget everything it remembers. Such changes are rare next to requests,
-- so a finer notice, per person, would save little.
CREATE FUNCTION notify_credential_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('civic_credentials', '');
    RETURN NULL;
END
$$;

-- A user row is what CurrentUser shows (a password change ends no session, so it is left out).
CREATE TRIGGER users_credential_change
    AFTER UPDATE OF email, display_name, lang, role, status OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();

-- The touch that slides a session's expiry forward (and last_seen_at) is not a change of who
-- the session belongs to; a session ended early, or moved, is.
CREATE TRIGGER sessions_credential_change
    AFTER DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();
CREATE TRIGGER sessions_credential_update
    AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (NEW.expires_at < OLD.expires_at OR NEW.user_id <> OLD.user_id OR NEW.token_hash <> OLD.token_hash)
    EXECUTE FUNCTION notify_credential_change();

-- last_used_at is a touch too.
CREATE TRIGGER api_tokens_credential_change
    AFTER UPDATE OF user_id, token_hash, revoked_at OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();

-- A membership carries the rights of staff; a new one grants them, so inserts count too.
CREATE TRIGGER memberships_credential_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();

-- The organisation columns that CurrentUser's memberships carry.
CREATE TRIGGER organisations_credential_change
    AFTER UPDATE OF slug, kind, name_th, verification OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credential_change();
