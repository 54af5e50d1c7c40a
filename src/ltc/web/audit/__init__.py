"""Pages and JSON API of the audit trail; the domain is ``ltc.care.audit``."""
