-- "Promises kept" per agency on the dashboard (civic/dashboard/rules.py says what counts): the
-- accepted ideas and adopted outcome themes it owns, and how many of them were reported
-- implemented by the end of their plan's last milestone (civic/implementation).
ALTER TABLE dashboard_agencies
    ADD COLUMN promises      int NOT NULL DEFAULT 0,
    ADD COLUMN promises_kept int NOT NULL DEFAULT 0;
