"""My activity: what a person has done on the platform, in one place (issue 21, item 28), with a
receipt for each consultation answer. Reads only the person's own rows."""
