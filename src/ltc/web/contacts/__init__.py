"""Pages and person-page panel of named contacts (DM-3); the domain is
``ltc.care.contacts``."""
