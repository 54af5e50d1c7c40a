"""Pages and JSON API of the FHIR and ambulance feeds over HTTP (CM-8, DM-5); the domain is
``ltc.care.feeds``."""
