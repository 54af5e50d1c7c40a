"""The web application: server-rendered pages and the JSON API (ARCHITECTURE:
interfaces). The package has no capability of its own: each ``web/<package>/`` serves the
capabilities of its domain package, ``ltc.care.<package>``."""
