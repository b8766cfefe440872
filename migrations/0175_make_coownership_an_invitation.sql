-- Co-ownership is an invitation the invited agency's staff accept or decline (issue 21, item 6):
-- until accepted, a row gives no rights and the consultation or board is not listed under that
-- agency. Rows written before invitations existed were instant co-ownerships and stay accepted.
ALTER TABLE idea_board_coowners
    ADD COLUMN status text NOT NULL DEFAULT 'accepted' CHECK (status IN ('pending', 'accepted', 'declined')),
    ADD COLUMN responded_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN responded_at timestamptz;
ALTER TABLE idea_board_coowners ALTER COLUMN status SET DEFAULT 'pending';

ALTER TABLE consultation_coowners
    ADD COLUMN status text NOT NULL DEFAULT 'accepted' CHECK (status IN ('pending', 'accepted', 'declined')),
    ADD COLUMN added_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN added_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN responded_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN responded_at timestamptz;
ALTER TABLE consultation_coowners ALTER COLUMN status SET DEFAULT 'pending';

-- What an agency's staff menu asks: the invitations waiting for it.
CREATE INDEX idea_board_coowners_pending_idx ON idea_board_coowners (org_id) WHERE status = 'pending';
CREATE INDEX consultation_coowners_pending_idx ON consultation_coowners (org_id) WHERE status = 'pending';
