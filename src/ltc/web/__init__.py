"""The web application: server-rendered pages and the JSON API (ARCHITECTURE:
interfaces)."""
