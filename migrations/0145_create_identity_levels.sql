-- Identity levels (civic/identity): a verified Thai national ID, OpenID Connect logins, and TOTP.

-- Only an HMAC-SHA256 of the 13 digits under a key derived from SECRET_KEY is kept, never the
-- number. The unique index is what keeps one ID on one account, whatever races Python loses.
ALTER TABLE users
    ADD COLUMN national_id_hash bytea,
    ADD COLUMN id_verified_at   timestamptz;
CREATE UNIQUE INDEX users_national_id_hash_key ON users (national_id_hash) WHERE national_id_hash IS NOT NULL;

-- A TOTP secret per account (Fernet-encrypted under a key derived from SECRET_KEY). It counts
-- only once confirmed by a first code; last_step refuses a code used once from being used again.
CREATE TABLE totp_credentials (
    user_id      bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret       text NOT NULL,
    confirmed_at timestamptz,
    last_step    bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Recovery codes: an HMAC of each (they are random, so a keyed fast hash is enough), single use.
CREATE TABLE totp_recovery_codes (
    code_hash bytea PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    used_at   timestamptz
);
CREATE INDEX totp_recovery_codes_user_idx ON totp_recovery_codes (user_id);

-- Every wrong code (login step, enrolment, disabling) counted per account, for the throttle.
CREATE TABLE totp_failures (
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX totp_failures_user_at_idx ON totp_failures (user_id, at);

-- The step between a right password and the code: the cookie carries the token, we keep its hash.
CREATE TABLE login_challenges (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next_path  text NOT NULL DEFAULT '/',
    expires_at timestamptz NOT NULL
);

-- An OpenID Connect authorisation in progress: state (hashed), nonce and PKCE verifier kept here,
-- used once (used_at), and only until expires_at. link_user_id: started from a logged-in account.
CREATE TABLE oidc_flows (
    state_hash    bytea PRIMARY KEY,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    next_path     text NOT NULL DEFAULT '/',
    link_user_id  bigint REFERENCES users(id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);

-- Which provider identity (issuer + subject) logs in to which account.
CREATE TABLE oidc_identities (
    issuer    text NOT NULL,
    subject   text NOT NULL,
    user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user_idx ON oidc_identities (user_id);

-- A provider identity waiting for the logged-in owner of an account to confirm the link.
CREATE TABLE oidc_pending_links (
    token_hash bytea PRIMARY KEY,
    issuer     text NOT NULL,
    subject    text NOT NULL,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
