"""Pages and JSON API of the FHIR and ambulance feeds over HTTP (CM-8, DM-5); the messages
are read by ``ltc.interop`` and applied by the domain, ``ltc.care.feeds``."""
