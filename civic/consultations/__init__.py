"""Policy consultations: drafts, questions, responses, paragraph comments, outcomes."""
