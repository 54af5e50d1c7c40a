"""Pages, JSON API and person-page panel of supported self care (SC-1, SC-2, SC-4, SC-5);
the domain is ``ltc.care.selfcare``."""
