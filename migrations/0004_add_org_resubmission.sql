-- A rejected partner's admins can ask for another check after fixing what was wrong: the
-- partner goes back to 'pending' and keeps its earlier rejection reason for the reviewer;
-- resubmitted_at lets the admin queue tell a resubmission from a first registration.
ALTER TABLE organisations ADD COLUMN resubmitted_at timestamptz;
