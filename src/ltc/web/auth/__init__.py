"""Pages and JSON API of users, sign-in and administration (CM-1); the domain is
``ltc.care.auth``."""
