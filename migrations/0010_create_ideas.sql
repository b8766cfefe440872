-- Idea boards: agencies open boards, citizens submit, support and discuss ideas,
-- and the responsible agency answers in public.

CREATE TABLE idea_boards (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug              text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    -- The owning agency (organisations.kind = 'agency'; checked by the store on create).
    agency_id         bigint NOT NULL REFERENCES organisations(id),
    title             text NOT NULL CHECK (title <> ''),
    description_th    text NOT NULL DEFAULT '',
    description_en    text NOT NULL DEFAULT '',
    -- NULL = national; otherwise a province code (BKK, CMI, ...).
    scope             text,
    categories        text[] NOT NULL DEFAULT '{}',
    is_open           boolean NOT NULL DEFAULT true,
    moderate_first    boolean NOT NULL DEFAULT false,
    support_threshold integer NOT NULL DEFAULT 100 CHECK (support_threshold BETWEEN 1 AND 10000000),
    response_days     integer NOT NULL DEFAULT 30 CHECK (response_days BETWEEN 1 AND 3650),
    created_by        bigint REFERENCES users(id),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_boards_agency_idx ON idea_boards (agency_id);

-- Co-owner agencies: their active members act on the board's ideas like the owner's staff.
CREATE TABLE idea_board_coowners (
    board_id   bigint NOT NULL REFERENCES idea_boards(id) ON DELETE CASCADE,
    org_id     bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    added_by   bigint REFERENCES users(id),
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (board_id, org_id)
);
CREATE INDEX idea_board_coowners_org_idx ON idea_board_coowners (org_id);

CREATE TABLE ideas (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    board_id             bigint NOT NULL REFERENCES idea_boards(id),
    author_id            bigint NOT NULL REFERENCES users(id),
    title                text NOT NULL CHECK (title <> ''),
    -- Plain text; rendered as escaped paragraphs with linkified http(s) URLs.
    body                 text NOT NULL CHECK (body <> ''),
    category             text NOT NULL DEFAULT '',
    province             text,
    links                text[] NOT NULL DEFAULT '{}',
    status               text NOT NULL CHECK (status IN ('pending_moderation', 'published', 'under_review',
                              'accepted', 'in_progress', 'implemented', 'declined', 'duplicate')),
    status_reason        text NOT NULL DEFAULT '',
    duplicate_of         bigint REFERENCES ideas(id),
    hidden_at            timestamptz,
    hidden_reason        text NOT NULL DEFAULT '',
    hidden_by            bigint REFERENCES users(id),
    -- Denormalised, kept exact by the store: changed in the same transaction as the row
    -- in idea_supports / idea_comments, and only when a row really changed.
    support_count        integer NOT NULL DEFAULT 0 CHECK (support_count >= 0),
    comment_count        integer NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    -- The response clock: set once, when support_count first reaches the board's threshold.
    threshold_reached_at timestamptz,
    answer_due_at        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'declined' OR status_reason <> ''),
    CHECK (status <> 'duplicate' OR duplicate_of IS NOT NULL),
    CHECK (duplicate_of IS NULL OR duplicate_of <> id)
);
CREATE INDEX ideas_board_idx ON ideas (board_id, created_at DESC);
CREATE INDEX ideas_created_idx ON ideas (created_at DESC, id DESC) WHERE hidden_at IS NULL;
CREATE INDEX ideas_support_idx ON ideas (support_count DESC, id DESC) WHERE hidden_at IS NULL;
CREATE INDEX ideas_author_idx ON ideas (author_id);
CREATE INDEX ideas_due_idx ON ideas (answer_due_at) WHERE answer_due_at IS NOT NULL;

-- Every status change, public and timestamped, with who and for which agency.
CREATE TABLE idea_status_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id      bigint NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    from_status  text,
    to_status    text NOT NULL,
    reason       text NOT NULL DEFAULT '',
    duplicate_of bigint REFERENCES ideas(id),
    actor_id     bigint REFERENCES users(id),
    org_id       bigint REFERENCES organisations(id),
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_status_history_idea_idx ON idea_status_history (idea_id, at);

-- One current official answer per idea; every version is kept in idea_answer_revisions.
CREATE TABLE idea_answers (
    idea_id     bigint PRIMARY KEY REFERENCES ideas(id) ON DELETE CASCADE,
    org_id      bigint NOT NULL REFERENCES organisations(id),
    author_id   bigint NOT NULL REFERENCES users(id),
    body        text NOT NULL CHECK (body <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE idea_answer_revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id     bigint NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    org_id      bigint NOT NULL REFERENCES organisations(id),
    author_id   bigint NOT NULL REFERENCES users(id),
    body        text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_answer_revisions_idea_idx ON idea_answer_revisions (idea_id, at);

-- One support per person per idea: the primary key, not Python, keeps it single.
CREATE TABLE idea_supports (
    idea_id    bigint NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea_id, user_id)
);
CREATE INDEX idea_supports_user_idx ON idea_supports (user_id);

CREATE TABLE idea_comments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id       bigint NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    -- One level of replies: the store refuses a parent that is itself a reply.
    parent_id     bigint REFERENCES idea_comments(id),
    author_id     bigint NOT NULL REFERENCES users(id),
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    edited_at     timestamptz,
    deleted_at    timestamptz,
    hidden_at     timestamptz,
    hidden_reason text NOT NULL DEFAULT '',
    hidden_by     bigint REFERENCES users(id)
);
-- Keyset pagination: top-level comments of an idea by id, replies of a parent by id.
CREATE INDEX idea_comments_top_idx ON idea_comments (idea_id, id) WHERE parent_id IS NULL;
CREATE INDEX idea_comments_reply_idx ON idea_comments (parent_id, id) WHERE parent_id IS NOT NULL;

CREATE TABLE idea_flags (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind text NOT NULL CHECK (subject_kind IN ('idea', 'comment')),
    subject_id   bigint NOT NULL,
    reason       text NOT NULL CHECK (reason <> ''),
    flagger_id   bigint NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolved_by  bigint REFERENCES users(id),
    resolution   text NOT NULL DEFAULT ''
);
-- A person flags the same thing once while it is open.
CREATE UNIQUE INDEX idea_flags_open_key ON idea_flags (subject_kind, subject_id, flagger_id)
    WHERE resolved_at IS NULL;
CREATE INDEX idea_flags_open_idx ON idea_flags (created_at) WHERE resolved_at IS NULL;
