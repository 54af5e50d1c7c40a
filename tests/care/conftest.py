"""Care-plane fixtures (defined in :mod:`care`, shared by every care test)."""

from .care import app, care_url, community  # noqa: F401
