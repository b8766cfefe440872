-- The account lifecycle: single-use links (verify an address, reset a password, confirm a new
-- address) and the throttle of password-reset requests.

-- Accounts made before verification existed are treated as verified: their owners registered
-- when no mail was sent, and refusing them the verbs they used yesterday would lock out today's
-- users. Only accounts created from now on start unverified.
UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL;

-- A link carries a signed nonce (itsdangerous, SECRET_KEY, one salt per purpose); the row is what
-- makes it single-use: using it sets used_at in the same statement that checks it is unused, so
-- two clicks racing each other cannot both succeed. Only the nonce's sha256 is kept.
CREATE TABLE account_tokens (
    nonce_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset', 'change_email')),
    -- The address the link was sent to: for change_email the new one, which becomes the
    -- account's only when the link is used; for verify the address it proves.
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose, created_at);

-- Reset requests are counted by the address typed (known or not, so the throttle reveals
-- nothing) and by the client address.
CREATE TABLE reset_requests (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip    text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reset_requests_email_idx ON reset_requests (lower(email), at);
CREATE INDEX reset_requests_ip_idx ON reset_requests (ip, at);
