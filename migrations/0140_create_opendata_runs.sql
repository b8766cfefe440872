-- Open data regenerations (civic/opendata). Each run writes its files into a directory of its own
-- under the data dir; only a run recorded here as ok is served, so a run that fails half-way
-- leaves the previous files in place, and the failure is kept for /data to show.
CREATE TABLE opendata_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    directory   text NOT NULL UNIQUE,
    ok          boolean NOT NULL,
    error       text NOT NULL DEFAULT '',
    actor_id    bigint REFERENCES users(id) ON DELETE SET NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ok OR error <> '')
);
CREATE INDEX opendata_runs_ok_idx ON opendata_runs (finished_at DESC) WHERE ok;

-- One row per file of a successful run: what the catalogue declares (size, rows, coverage).
CREATE TABLE opendata_files (
    run_id         bigint NOT NULL REFERENCES opendata_runs(id) ON DELETE CASCADE,
    dataset        text NOT NULL,
    format         text NOT NULL CHECK (format IN ('csv', 'json', 'ocds')),
    bytes          bigint NOT NULL CHECK (bytes >= 0),
    rows           bigint NOT NULL CHECK (rows >= 0),
    sha256         text NOT NULL,
    temporal_start date,
    temporal_end   date,
    PRIMARY KEY (run_id, dataset, format)
);
