"""Tests of the web layer's own modules (pages and API are tested through the app in tests/care)."""
