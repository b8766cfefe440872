-- Agencies on three levels of government, civil-society partners, and memberships.
CREATE TABLE organisations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    kind            text NOT NULL CHECK (kind IN ('agency', 'partner')),
    name_th         text NOT NULL,
    name_en         text NOT NULL DEFAULT '',
    description     text NOT NULL DEFAULT '',
    -- Province codes are pythainlp's English abbreviations (BKK, CMI, ...); NULL means national.
    province        text,
    website         text NOT NULL DEFAULT '',
    contact_email   text NOT NULL DEFAULT '',
    -- Agencies
    level           text CHECK (level IN ('central', 'regional', 'local')),
    parent_id       bigint REFERENCES organisations(id),
    -- Partners
    partner_type    text CHECK (partner_type IN ('ngo', 'community', 'foundation', 'social_enterprise', 'company')),
    verification    text NOT NULL DEFAULT 'pending' CHECK (verification IN ('pending', 'verified', 'rejected')),
    rejection_reason text NOT NULL DEFAULT '',
    verified_at     timestamptz,
    verified_by     bigint REFERENCES users(id),
    created_by      bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'agency' AND level IS NOT NULL AND partner_type IS NULL)
        OR (kind = 'partner' AND partner_type IS NOT NULL AND level IS NULL AND parent_id IS NULL)),
    CHECK (verification <> 'rejected' OR rejection_reason <> '')
);
CREATE INDEX organisations_kind_idx ON organisations (kind, verification);
CREATE INDEX organisations_parent_idx ON organisations (parent_id);

CREATE TABLE memberships (
    org_id      bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
    -- A request to join waits as 'pending' until an organisation admin accepts it.
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
