-- Atom feeds (civic/feeds) read the newest public events of the whole site, of one agency, of
-- one province or of one kind of subject, 50 at a time. Supports are private and are most of the
-- table, so these partial indexes hold public rows only: each read walks its index backwards
-- and stops after the newest entries, and a private event costs no index entry here.
CREATE INDEX events_public_idx ON events (id) WHERE visibility = 'public';
CREATE INDEX events_public_agency_idx ON events (agency_id, id) WHERE visibility = 'public';
CREATE INDEX events_public_province_idx ON events (province, id) WHERE visibility = 'public';
CREATE INDEX events_public_subject_kind_idx ON events (subject_kind, id) WHERE visibility = 'public';
