"""Web layer: rendering, errors, security, i18n, HTMX glue."""
