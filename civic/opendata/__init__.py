"""Open data: bulk datasets, their data dictionary and the DCAT catalogue (/data)."""
