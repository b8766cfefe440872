-- When a consultation's outcome is due: the one definition every query uses (the reminders to
-- staff, the public overdue list, the dashboard's figures), so they can never disagree. The days
-- are settings (OUTCOME_DUE_DAYS, OUTCOME_DUE_DAYS_S77) passed by the caller, because a changed
-- setting must move every clock at once rather than only those of consultations closed after it.
CREATE FUNCTION outcome_due_at(kind text, closed_at timestamptz, general_days int, s77_days int)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT closed_at + make_interval(days => CASE WHEN kind = 's77' THEN s77_days ELSE general_days END)
$$;
