-- Login throttle counters (civic/accounts/throttle.py). One row per scope and key:
--   pair     'email ip'  attempts in the current one-minute window
--   address  'ip'        attempts in the current one-minute window
--   account  'email'     recent attempts, when the next may start, and the address of the last
--                        successful login (exempt from the account's delay)
-- Counting happens in the statement that records the attempt (an upsert holding the row lock),
-- so simultaneous attempts are numbered one by one; login_failures stays the log of failures.
CREATE TABLE login_throttle (
    scope        text NOT NULL CHECK (scope IN ('pair', 'address', 'account')),
    key          text NOT NULL,
    attempts     integer NOT NULL DEFAULT 1,
    window_start timestamptz NOT NULL DEFAULT now(),
    next_at      timestamptz NOT NULL DEFAULT '-infinity',
    trusted_ip   text,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);
