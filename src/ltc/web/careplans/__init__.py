"""Pages and JSON API of care plans (CM-5); the domain is ``ltc.care.careplans``."""
