-- A person's own rows are read by who they are: their activity page, the export of their data,
-- and the erasure of their account. For these tables nothing indexed that column, so each of
-- them read the whole table: "my activity" cost 36 ms at 500,000 comments and 200,000
-- responses, for every person, and more with every comment anyone posts. The activity page
-- lists the newest first, so the lists it shows are indexed in that order.
-- tests/integration/test_privacy_indexes.py keeps every table of the export so.
CREATE INDEX idea_comments_author_idx ON idea_comments (author_id, created_at);
CREATE INDEX consultation_responses_user_idx ON consultation_responses (user_id, created_at);
CREATE INDEX consultation_comments_user_idx ON consultation_comments (user_id, created_at);
CREATE INDEX idea_revisions_editor_idx ON idea_revisions (edited_by);
CREATE INDEX idea_flags_flagger_idx ON idea_flags (flagger_id);
CREATE INDEX consultation_comment_flags_flagger_idx ON consultation_comment_flags (flagger_id);
CREATE INDEX assisted_contributions_taken_over_idx ON assisted_contributions (taken_over_by)
    WHERE taken_over_by IS NOT NULL;
