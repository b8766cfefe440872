"""Data files shipped with civic (read with importlib.resources)."""
