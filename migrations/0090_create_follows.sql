-- Follows: what a person wants to hear about. One row per person and thing followed; the
-- notifier joins this table to find a target's followers in one set-based statement
-- (follows_target_idx). target_id is text because provinces and topics have no numeric id;
-- civic/follows/__init__.py says what each kind's id is.
CREATE TABLE follows (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind text NOT NULL
                CHECK (target_kind IN ('board', 'idea', 'consultation', 'task', 'agency', 'province', 'topic')),
    target_id   text NOT NULL CHECK (target_id <> '' AND length(target_id) <= 80),
    -- true when the platform followed for the person (their own idea, an idea they supported...).
    auto        boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, target_kind, target_id)
);
CREATE INDEX follows_target_idx ON follows (target_kind, target_id) INCLUDE (user_id);

-- An explicit unfollow is remembered, so a later automatic follow of the same thing (another
-- comment on an idea the person stopped following) never undoes it. Following again by hand
-- removes the row. Kept apart from follows so the notifier's join needs no filter.
CREATE TABLE unfollows (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind    text NOT NULL,
    target_id      text NOT NULL,
    unfollowed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, target_kind, target_id)
);
