-- Implementation tracking for promises (civic/implementation): a plan attached by the owning
-- agency's staff to an accepted idea, or to an adopted theme of a consultation's published
-- outcome; its milestones, its public updates with evidence files, and its final report.
-- A theme has no id of its own (an outcome keeps its themes as JSON, versioned): a plan names it
-- by its place in the outcome (theme_index, from 0) and keeps the title it had when planned.
CREATE TABLE implementation_plans (
    id              bigserial PRIMARY KEY,
    idea_id         bigint REFERENCES ideas(id) ON DELETE CASCADE,
    consultation_id bigint REFERENCES consultations(id) ON DELETE CASCADE,
    theme_index     int CHECK (theme_index >= 0),
    theme_title     text,
    agency_id       bigint NOT NULL REFERENCES organisations(id),
    summary         text NOT NULL,
    starts_on       date NOT NULL,
    progress        int NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    status          text NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'implemented')),
    report          text,
    implemented_at  timestamptz,
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Exactly one subject: an idea, or a consultation's theme.
    CHECK ((idea_id IS NOT NULL) <> (consultation_id IS NOT NULL)),
    CHECK ((consultation_id IS NULL) = (theme_index IS NULL)),
    CHECK ((status = 'implemented') = (implemented_at IS NOT NULL AND report IS NOT NULL))
);
-- One plan per promise: two staff attaching at once get one plan and a conflict.
CREATE UNIQUE INDEX implementation_plans_idea ON implementation_plans (idea_id) WHERE idea_id IS NOT NULL;
CREATE UNIQUE INDEX implementation_plans_theme
    ON implementation_plans (consultation_id, theme_index) WHERE consultation_id IS NOT NULL;
CREATE INDEX implementation_plans_agency ON implementation_plans (agency_id);

CREATE TABLE implementation_milestones (
    id       bigserial PRIMARY KEY,
    plan_id  bigint NOT NULL REFERENCES implementation_plans(id) ON DELETE CASCADE,
    position int NOT NULL,
    title    text NOT NULL,
    due_on   date NOT NULL,
    done_at  timestamptz,
    UNIQUE (plan_id, position)
);
-- The public overdue list reads open milestones only.
CREATE INDEX implementation_milestones_open ON implementation_milestones (due_on) WHERE done_at IS NULL;

CREATE TABLE implementation_updates (
    id           bigserial PRIMARY KEY,
    plan_id      bigint NOT NULL REFERENCES implementation_plans(id) ON DELETE CASCADE,
    author_id    bigint REFERENCES users(id) ON DELETE SET NULL,
    body         text NOT NULL,
    percent      int NOT NULL CHECK (percent BETWEEN 0 AND 100),
    links        text[] NOT NULL DEFAULT '{}',
    milestone_id bigint REFERENCES implementation_milestones(id) ON DELETE SET NULL,  -- reached with it
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX implementation_updates_plan ON implementation_updates (plan_id, id);

CREATE TABLE implementation_evidence (
    id        bigserial PRIMARY KEY,
    update_id bigint NOT NULL REFERENCES implementation_updates(id) ON DELETE CASCADE,
    name      text NOT NULL,
    kind      text NOT NULL,
    path      text NOT NULL,
    bytes     bigint NOT NULL
);
CREATE INDEX implementation_evidence_update ON implementation_evidence (update_id);
