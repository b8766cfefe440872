-- Reports ("flags") on paragraph comments, moderated like idea comments: anyone logged in reports
-- a comment with a reason; moderators hide, restore or dismiss, and every act is audited.
CREATE TABLE consultation_comment_flags (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id   bigint NOT NULL REFERENCES consultation_comments(id) ON DELETE CASCADE,
    flagger_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason       text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 1000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolved_by  bigint REFERENCES users(id),
    resolution   text NOT NULL DEFAULT '' CHECK (resolution IN ('', 'hidden', 'restored', 'dismissed')),
    CHECK ((resolved_at IS NULL) = (resolution = ''))
);
-- One open report per person per comment: the index, not Python, keeps it single when the same
-- person reports twice at once. Once resolved, the same person may report it again.
CREATE UNIQUE INDEX consultation_comment_flags_open_key
    ON consultation_comment_flags (comment_id, flagger_id) WHERE resolved_at IS NULL;
-- The moderation queue reads open reports, oldest first.
CREATE INDEX consultation_comment_flags_open_idx
    ON consultation_comment_flags (created_at) WHERE resolved_at IS NULL;
-- The queue's "recently hidden" list.
CREATE INDEX consultation_comments_hidden_idx
    ON consultation_comments (hidden_at DESC) WHERE status = 'hidden';
