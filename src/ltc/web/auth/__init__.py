"""Pages and JSON API of administration: user accounts and case managers' profiles (CM-1);
the domain is ``ltc.care.auth``. Signing in and out is :mod:`ltc.web.auth_views`."""
