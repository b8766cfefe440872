-- Scheduled jobs (civic.jobs): when each job last ran, so several workers share one schedule.
CREATE TABLE job_runs (
    name         text PRIMARY KEY,
    last_run_at  timestamptz NOT NULL DEFAULT '-infinity',
    last_result  integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    runs         bigint NOT NULL DEFAULT 0
);
