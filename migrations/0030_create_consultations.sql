-- Policy consultations: a ministry puts a draft before the public, people answer and comment
-- on paragraphs, and the ministry publishes what it heard ("you asked, we heard, we will").
CREATE TABLE consultations (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_org_id         bigint NOT NULL REFERENCES organisations(id),
    kind                 text NOT NULL CHECK (kind IN ('general', 's77')),
    -- NULL = national; otherwise a province code from civic.provinces.
    province             text,
    title                text NOT NULL,
    summary              text NOT NULL,
    opens_at             timestamptz NOT NULL,
    closes_at            timestamptz NOT NULL,
    status               text NOT NULL DEFAULT 'draft'
                         CHECK (status IN ('draft', 'scheduled', 'open', 'closed', 'outcome_published')),
    -- Set when staff close before closes_at; shown publicly (required for a section 77 hearing).
    early_close_reason   text NOT NULL DEFAULT '',
    opened_at            timestamptz,
    closed_at            timestamptz,
    version              int NOT NULL DEFAULT 1,
    created_by           bigint REFERENCES users(id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at),
    -- Section 77 of the Constitution and the 2019 drafting Act: a hearing lasts 15 days or more.
    -- The rule lives in rules.py for the message; this keeps it true whatever writes the row.
    CHECK (kind <> 's77' OR closes_at - opens_at >= interval '15 days' OR early_close_reason <> '')
);
CREATE INDEX consultations_status_idx ON consultations (status, closes_at);
CREATE INDEX consultations_owner_idx ON consultations (owner_org_id);

CREATE TABLE consultation_coowners (
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    org_id          bigint NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (consultation_id, org_id)
);
CREATE INDEX consultation_coowners_org_idx ON consultation_coowners (org_id);

-- The draft, paragraph by paragraph. body_original is what the author pasted or the PDF held;
-- body is the same text after civic.thai.repair, shown and indexed.
CREATE TABLE consultation_sections (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    position        int NOT NULL,
    heading         text NOT NULL DEFAULT '',
    body            text NOT NULL,
    body_original   text NOT NULL,
    UNIQUE (consultation_id, position)
);

CREATE TABLE consultation_documents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    title           text NOT NULL,
    filename        text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'webp', 'txt')),
    path            text NOT NULL,
    size_bytes      bigint NOT NULL,
    uploaded_by     bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consultation_documents_idx ON consultation_documents (consultation_id);

CREATE TABLE consultation_questions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    position        int NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('single', 'multi', 'scale', 'text')),
    prompt          text NOT NULL,
    required        boolean NOT NULL DEFAULT false,
    options         jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(options) = 'array'),
    UNIQUE (consultation_id, position)
);

-- One response per person per consultation: the UNIQUE constraint, not Python, keeps it single
-- when two first submissions race. answers: {"<question id>": "option" | ["a","b"] | 4 | "text"}.
CREATE TABLE consultation_responses (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    consent         text NOT NULL CHECK (consent IN ('named', 'anonymous', 'none')),
    province        text,
    answers         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(answers) = 'object'),
    -- Random, never derived from user_id: open data rows cannot be joined back to accounts.
    public_id       uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consultation_id, user_id)
);
CREATE INDEX consultation_responses_created_idx ON consultation_responses (consultation_id, created_at);

CREATE TABLE consultation_comments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    section_id      bigint NOT NULL REFERENCES consultation_sections(id) ON DELETE CASCADE,
    parent_id       bigint REFERENCES consultation_comments(id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users(id),
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden')),
    hidden_reason   text NOT NULL DEFAULT '',
    hidden_by       bigint REFERENCES users(id),
    hidden_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'hidden' OR hidden_reason <> '')
);
CREATE INDEX consultation_comments_section_idx ON consultation_comments (section_id, created_at);

-- Public change log: every edit after opening adds a row, with the old values kept.
CREATE TABLE consultation_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    version         int NOT NULL,
    note            text NOT NULL,
    previous        jsonb NOT NULL DEFAULT '{}'::jsonb,
    changed_by      bigint REFERENCES users(id),
    at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consultation_id, version)
);

-- The outcome, versioned: a correction is a new version, earlier versions stay readable.
-- themes: [{"title", "disposition": adopted|partly|not_adopted, "reason", "comment_ids": [..]}]
CREATE TABLE consultation_outcomes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    version         int NOT NULL,
    summary         text NOT NULL,
    themes          jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(themes) = 'array'),
    correction_note text NOT NULL DEFAULT '',
    published_by    bigint REFERENCES users(id),
    published_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consultation_id, version),
    CHECK (version = 1 OR correction_note <> '')
);
