"""Pages and JSON API of case management: worklist, caseload, allocation (CM-1 to CM-3); the
domain is ``ltc.care.casemgmt``."""
