-- Accounts, server-side sessions, API tokens and login throttling.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email             text NOT NULL,
    display_name      text NOT NULL,
    password_hash     text NOT NULL,
    lang              text NOT NULL DEFAULT 'th' CHECK (lang IN ('th', 'en')),
    role              text NOT NULL DEFAULT 'citizen' CHECK (role IN ('citizen', 'moderator', 'admin')),
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    -- Filled in when mail verification arrives; nothing depends on it yet.
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
-- Emails compare case-insensitively; the constraint, not Python, keeps them unique.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE sessions (
    -- sha256 of the cookie value: a leaked table cannot be replayed as cookies.
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE login_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email     text NOT NULL,
    ip        text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (lower(email), at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

-- Who did what, when: every moderator and agency act lands here.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id     bigint REFERENCES users(id),
    org_id       bigint,
    action       text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   bigint,
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_kind, subject_id, at);

-- Domain events for notification work that comes later (e.g. an idea reaching its threshold).
CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   bigint NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    at           timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX events_undelivered_idx ON events (at) WHERE delivered_at IS NULL;
