-- Task handover: agencies delegate tasks, verified partners claim and deliver them, every step public.
CREATE TABLE handover_tasks (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id          bigint NOT NULL REFERENCES organisations(id),
    title              text NOT NULL,
    description        text NOT NULL,
    deliverables       text NOT NULL DEFAULT '',
    province           text NOT NULL,
    district           text NOT NULL DEFAULT '',
    location           text NOT NULL DEFAULT '',
    category           text NOT NULL,
    partner_types      text[] NOT NULL DEFAULT '{}',
    skills             text[] NOT NULL DEFAULT '{}',
    budget             numeric(14,2) CHECK (budget >= 0),
    claim_opens        date NOT NULL,
    claim_closes       date NOT NULL,
    deadline           date NOT NULL,
    contact            text NOT NULL DEFAULT '',
    verified_only      boolean NOT NULL DEFAULT true,
    -- Days the agency gives itself to confirm a claim, and to review a completion request.
    confirm_days       int NOT NULL DEFAULT 7 CHECK (confirm_days BETWEEN 1 AND 90),
    review_days        int NOT NULL DEFAULT 14 CHECK (review_days BETWEEN 1 AND 90),
    status             text NOT NULL DEFAULT 'draft' CHECK (status IN
                         ('draft', 'open', 'claimed', 'in_progress', 'completion_requested',
                          'completed', 'cancelled', 'expired')),
    cancel_reason      text NOT NULL DEFAULT '',
    completion_requested_at timestamptz,
    signed_off_at      timestamptz,
    signed_off_by      bigint REFERENCES users(id),
    signoff_comment    text NOT NULL DEFAULT '',
    created_by         bigint REFERENCES users(id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    published_at       timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (claim_closes >= claim_opens),
    CHECK (deadline > claim_closes),
    CHECK (status <> 'cancelled' OR cancel_reason <> ''),
    -- Never completed without the agency's sign-off.
    CHECK (status <> 'completed' OR signed_off_at IS NOT NULL)
);
CREATE INDEX handover_tasks_status_idx ON handover_tasks (status, province);
CREATE INDEX handover_tasks_agency_idx ON handover_tasks (agency_id, status);

CREATE TABLE handover_milestones (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES handover_tasks(id) ON DELETE CASCADE,
    position      int NOT NULL,
    title         text NOT NULL,
    due           date NOT NULL,
    budget_share  numeric(5,2) CHECK (budget_share BETWEEN 0 AND 100),
    status        text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'met', 'partly_met', 'not_met')),
    percent       int NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    reviewed_at   timestamptz,
    UNIQUE (task_id, position)
);

CREATE TABLE handover_claims (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES handover_tasks(id) ON DELETE CASCADE,
    partner_id    bigint NOT NULL REFERENCES organisations(id),
    claimed_by    bigint REFERENCES users(id),
    plan          text NOT NULL,
    team          text NOT NULL,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'confirmed', 'released', 'expired')),
    reason        text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    confirmed_at  timestamptz,
    ended_at      timestamptz
);
-- Exactly one live claim per task: the database, not Python, keeps it single.
CREATE UNIQUE INDEX handover_claims_one_live ON handover_claims (task_id) WHERE status IN ('active', 'confirmed');
CREATE INDEX handover_claims_partner_idx ON handover_claims (partner_id, status);

CREATE TABLE handover_updates (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES handover_tasks(id) ON DELETE CASCADE,
    milestone_id  bigint NOT NULL REFERENCES handover_milestones(id) ON DELETE CASCADE,
    claim_id      bigint NOT NULL REFERENCES handover_claims(id),
    author_id     bigint REFERENCES users(id),
    body          text NOT NULL,
    percent       int NOT NULL CHECK (percent BETWEEN 0 AND 100),
    links         text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handover_updates_task_idx ON handover_updates (task_id, created_at);

CREATE TABLE handover_evidence (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    update_id     bigint NOT NULL REFERENCES handover_updates(id) ON DELETE CASCADE,
    filename      text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'webp')),
    path          text NOT NULL,
    size          int NOT NULL
);

CREATE TABLE handover_reviews (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES handover_tasks(id) ON DELETE CASCADE,
    milestone_id  bigint NOT NULL REFERENCES handover_milestones(id) ON DELETE CASCADE,
    reviewer_id   bigint REFERENCES users(id),
    verdict       text NOT NULL CHECK (verdict IN ('met', 'partly_met', 'not_met')),
    comment       text NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);

-- The public timeline: every transition writes one row in the same transaction.
CREATE TABLE handover_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES handover_tasks(id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint REFERENCES users(id),
    actor_org_id  bigint REFERENCES organisations(id),
    actor_role    text NOT NULL CHECK (actor_role IN ('agency', 'partner', 'system')),
    action        text NOT NULL,
    from_status   text,
    to_status     text,
    note          text NOT NULL DEFAULT ''
);
CREATE INDEX handover_events_task_idx ON handover_events (task_id, at, id);
