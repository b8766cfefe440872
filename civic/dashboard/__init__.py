"""Public dashboards: participation over time, a map of the provinces, agencies' responsiveness
side by side, and each agency's own queue for its staff. Read from summary tables that a job
refreshes (store.REFRESH), so a view reads a few rows instead of scanning the platform."""
