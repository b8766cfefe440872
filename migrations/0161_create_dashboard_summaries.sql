-- The dashboard's figures, refreshed by the dashboard.refresh job (civic/dashboard/store.py
-- REFRESH) in one transaction, so a view of /dashboard reads a few hundred rows instead of
-- scanning ideas, supports and responses. Their definitions are in civic/dashboard/rules.py.
CREATE TABLE dashboard_weeks (
    week      date PRIMARY KEY,  -- Monday, Bangkok time
    ideas     int NOT NULL,
    supports  int NOT NULL,
    responses int NOT NULL,
    claims    int NOT NULL
);

CREATE TABLE dashboard_provinces (
    province  text PRIMARY KEY,
    ideas     int NOT NULL,
    supports  int NOT NULL,
    responses int NOT NULL
);

CREATE TABLE dashboard_agencies (
    agency_id          bigint PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    answers_due        int NOT NULL,
    answers_settled    int NOT NULL,
    answered_on_time   int NOT NULL,
    median_days        numeric(8,1),
    overdue_now        int NOT NULL,
    consultations_held int NOT NULL,
    outcomes_settled   int NOT NULL,
    outcomes_on_time   int NOT NULL,
    outcomes_overdue   int NOT NULL,
    tasks_delegated    int NOT NULL,
    tasks_completed    int NOT NULL,
    tasks_overdue      int NOT NULL
);

-- One row: when the figures were computed, shown on the page ("figures as of ...").
CREATE TABLE dashboard_refreshes (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    refreshed_at timestamptz NOT NULL
);
