"""Pages and JSON API of comprehensive assessment (CM-4); the domain is
``ltc.care.assessment``."""
