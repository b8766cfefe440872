"""Notifications: who is told what (rules.py), the notifier that fans each event out to them
(consumer.py), the in-app inbox and header bell, email preferences, the daily digest and the
reminder sweeps (jobs.py), and one-click unsubscribe."""
