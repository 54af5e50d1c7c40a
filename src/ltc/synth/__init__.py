"""Synthetic health community generator (POP-1, POP-2, POP-3 test and demo data)."""
