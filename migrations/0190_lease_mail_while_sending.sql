-- The sender no longer holds the row locked while it talks to the relay (a slow relay kept a
-- pooled connection idle in its transaction for up to the SMTP timeout, and an erasure waited
-- behind it). It claims the row for a while instead, commits, sends with no connection held, and
-- records the result. Another sender skips a row whose lease has not run out; a sender killed
-- mid-send leaves a lease that runs out, and the message is sent again.
ALTER TABLE mail_messages ADD COLUMN leased_until timestamptz;
