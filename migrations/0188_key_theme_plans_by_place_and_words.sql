-- A theme plan is for the theme at its place *with its words* (civic.implementation.rules
-- .current_theme). Keyed by place alone, a plan whose theme a correction moved elsewhere kept
-- its old place, and the theme put there could never be planned. Two staff planning the same
-- theme at once still get one plan and a conflict; a plan that moved is found by the action.
DROP INDEX implementation_plans_theme;
CREATE UNIQUE INDEX implementation_plans_theme
    ON implementation_plans (consultation_id, theme_index, theme_title) WHERE consultation_id IS NOT NULL;
