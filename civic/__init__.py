"""civic: a Thai-first civic participation platform."""
