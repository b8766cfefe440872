"""Implementation tracking for promises: what an agency does after it accepted an idea or adopted
a consultation's theme (a plan, milestones, public updates with evidence, a final report)."""
