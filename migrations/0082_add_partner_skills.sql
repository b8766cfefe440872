-- What a partner organisation takes on, in the task categories' codes (civic/handovers/rules.py
-- CATEGORIES), so the notifier tells it of new tasks it can do. Empty: it has not said (it hears
-- of tasks of every category, as a partner without a province hears of every province).
ALTER TABLE organisations
    ADD COLUMN skills text[] NOT NULL DEFAULT '{}'
    CHECK (skills <@ ARRAY['disaster', 'elderly', 'environment', 'health', 'education', 'digital',
                           'infrastructure', 'community']::text[]);
