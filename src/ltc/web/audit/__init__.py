"""Pages and JSON API of the audit trail (privacy; no capability of its own); the domain is
``ltc.care.audit``."""
