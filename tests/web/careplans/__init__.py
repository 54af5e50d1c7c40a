"""Care plan exports rendered by the web layer (CM-5)."""
