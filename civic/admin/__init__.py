"""The admin console: platform roles, blocking, the audit log, consent records and the
background work's last runs. Platform administrators only (civic.admin.rules.can_administer); the
second factor they must have is enforced for every page by civic.identity.gate."""
