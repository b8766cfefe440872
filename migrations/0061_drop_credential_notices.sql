-- Nothing listens for credential notices any more: the per-process credential cache they kept
-- honest (0044) did not earn its place on bench/bench_mixed.py's realistic mix (about 13 % more
-- throughput, under the 20 % a cache must earn), so every request looks its credential up.
DROP TRIGGER users_credential_change ON users;
DROP TRIGGER sessions_credential_change ON sessions;
DROP TRIGGER sessions_credential_update ON sessions;
DROP TRIGGER api_tokens_credential_change ON api_tokens;
DROP TRIGGER memberships_credential_change ON memberships;
DROP TRIGGER organisations_credential_change ON organisations;
DROP FUNCTION notify_credential_change();
