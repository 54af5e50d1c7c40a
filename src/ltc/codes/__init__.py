"""Typed clinical codes and code lists: NHS numbers (POP-1), NHS Data Dictionary code sets
(POP-2) and the clinical code lists registers and scores match against (POP-3)."""
